#!/usr/bin/env bash
# Every figure of the performance goals (docs/scaling.md) in one run, each beside its peer:
# SQLite and a throwaway PostgreSQL 15 server with its durable defaults (fsync on,
# synchronous_commit on; PG_OPTIONS adds settings), SpiffWorkflow and DBOS from a venv, 1,000,000 waiting instances and
# a restart on them; RUNS (3) measurements of each figure, the median reported.
#   scripts/bench.sh [extra bpm bench options]      (after `swift build -c release --product bpm`)
set -euo pipefail
cd "$(dirname "$0")/.."
BPM=${BPM:-.build/release/bpm}
PEER=${PEER:-../shared/peer}
VENV=${VENV:-.build/spiff-venv}
RUNS=${RUNS:-3}
WAITING=${WAITING:-1000000}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
# more server settings, e.g. "-c wal_sync_method=open_datasync" where pg_test_fsync finds it faster
PG_OPTIONS=${PG_OPTIONS:-}

[ -x "$BPM" ] || { echo "bench: $BPM is missing: swift build -c release --product bpm" >&2; exit 1; }
if ! "$VENV/bin/python" -c 'import SpiffWorkflow, dbos' 2>/dev/null; then
    python3 -m venv "$VENV" && "$VENV/bin/pip" install -q SpiffWorkflow dbos
fi

# a throwaway server: initdb refuses root, so it runs as postgres when we are root
dir=$(mktemp -d /tmp/bpm-bench-pg.XXXXXX)
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() { as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
as_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 >/dev/null
as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 $PG_OPTIONS" start >/dev/null

"$BPM" bench --peer "$PEER" --python "$VENV/bin/python" --store sqlite \
    --store "postgres://postgres@127.0.0.1:$port/postgres" --waiting "$WAITING" --runs "$RUNS" "$@"
