#!/usr/bin/env bash
# Stops PostgreSQL servers that tests started (data in ${TMPDIR:-/tmp}/bpm-pg-*) and removes them.
for d in "${TMPDIR:-/tmp}"/bpm-pg-*/; do
  [ -d "$d/data" ] || continue
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | head -1)
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$bin/pg_ctl" -D "$d/data" -m immediate stop >/dev/null 2>&1
  else "$bin/pg_ctl" -D "$d/data" -m immediate stop >/dev/null 2>&1; fi
  rm -rf "$d"
done
exit 0
