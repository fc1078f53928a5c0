# The two commands of the quick start:
#   make run   - the engine with its API, the embedded SQLite store and the example processes
#   make test  - every test (installs what it needs first)
SHELL := /bin/bash
export PATH := $(PATH):/opt/swift/usr/bin

PORT ?= 8080
STORE ?= sqlite:data/bpm.sqlite
DEFINITIONS ?= examples

.PHONY: run test deps build release bench clean

deps:
	@scripts/install-deps.sh

build: deps
	swift build

release: deps
	swift build -c release --product bpm

run: release
	.build/release/bpm serve --store $(STORE) --definitions $(DEFINITIONS) --port $(PORT)

test: deps
	swift build --build-tests
	swift test

bench: release
	.build/release/bpm bench

clean:
	rm -rf .build data
