#!/usr/bin/env bash
# Fails when a build log shows a compiler warning in the project's own code (Sources/, Tests/):
# the build stays free of warnings. Usage: scripts/check-warnings.sh BUILD-LOG
set -euo pipefail
log="${1:?usage: scripts/check-warnings.sh BUILD-LOG}"
root="$(cd "$(dirname "$0")/.." && pwd)"
found=$(grep -E "^($root/)?(Sources|Tests)/[^:]+:[0-9]+:[0-9]+: warning:" "$log" | sort -u || true)
if [ -n "$found" ]; then
  echo "compiler warnings in the project's code (the build must have none):" >&2
  echo "$found" >&2
  exit 1
fi
