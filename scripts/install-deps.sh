#!/usr/bin/env bash
# Installs what building and testing swift-bpm needs on Debian 12, skipping what is present.
set -euo pipefail

need_apt=()
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need_apt+=(libsqlite3-dev)   # GRDB links the system SQLite
command -v sqlite3 >/dev/null 2>&1 || need_apt+=(sqlite3)               # for inspecting the store
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)   # the PostgreSQL store's tests start throwaway servers
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)                       # the web UI's browser test
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# PyYAML: a test reads the Backstage catalog document as YAML
python3 -c "import yaml" 2>/dev/null || python3 -m pip install -q pyyaml
# Selenium drives chromium in the web UI's browser test
python3 -c "import selenium" 2>/dev/null || python3 -m pip install -q selenium

if ! command -v swift >/dev/null 2>&1; then
  if [ -x /opt/swift/usr/bin/swift ]; then
    echo "swift is at /opt/swift/usr/bin; add it to PATH" >&2
  else
    echo "a Swift 6 toolchain is required (swift.org/install)" >&2
  fi
  exit 1
fi
