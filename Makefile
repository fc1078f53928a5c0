# The two commands of the quick start:
#   make run   - the engine with its API, the embedded SQLite store and the example processes
#   make test  - every test (installs what it needs first)
SHELL := /bin/bash
export PATH := $(PATH):/opt/swift/usr/bin

PORT ?= 8080
STORE ?= sqlite:data/bpm.sqlite
DEFINITIONS ?= examples

.PHONY: run test deps test-deps build release bench clean

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

build: deps
	swift build

release: deps
	swift build -c release --product bpm

run: release
	.build/release/bpm serve --store $(STORE) --definitions $(DEFINITIONS) --port $(PORT)

# Tests start throwaway PostgreSQL servers (bpm-pg-* in the temp folder), a Kafka-protocol
# broker (tansu) and mosquitto, and stop them at exit; the trap also stops any a crashed test
# process left behind. librdkafka 2.16 (from the confluent-kafka wheel) replaces Debian's
# 2.0.2 at run time, for tansu.
test: test-deps
	@mkdir -p .build; set -o pipefail; swift build --build-tests 2>&1 | tee .build/build-tests.log
	@scripts/check-warnings.sh .build/build-tests.log
	@python3 scripts/check-source-limits.py files functions
	@trap 'scripts/stop-test-postgres.sh' EXIT; LD_LIBRARY_PATH=$(CURDIR)/.build/kafka-runtime swift test

PEER ?= ../shared/peer
SPIFF_VENV := .build/spiff-venv

# every goal row of docs/scaling.md in one run: SQLite and a throwaway PostgreSQL, SpiffWorkflow's
# and DBOS's figures on the same shapes with the ratios, 1,000,000 waiting instances; median of 3
bench: release
	PEER=$(PEER) VENV=$(SPIFF_VENV) scripts/bench.sh

clean:
	rm -rf .build data
