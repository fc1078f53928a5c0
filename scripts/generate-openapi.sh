#!/usr/bin/env bash
# Regenerates the Swift code for the Camunda 8 Orchestration Cluster REST API (v2) from our own OpenAPI document
# (Sources/BPMCamundaREST/openapi.yaml) with apple/swift-openapi-generator 1.14.3, built once from the package
# mirror in a scratch package under .build-openapi (gitignored). The generated Types.swift and Server.swift are
# committed, so a cold build of swift-bpm never compiles the generator. Run it after every edit of the document:
#   scripts/generate-openapi.sh            # build the generator if needed, then regenerate
#   scripts/generate-openapi.sh --build    # only build the generator
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SCRATCH=$ROOT/.build-openapi
MODULE=$ROOT/Sources/BPMCamundaREST
GENERATOR=$SCRATCH/.build/release/swift-openapi-generator
export PATH=$PATH:/opt/swift/usr/bin

if [ ! -x "$GENERATOR" ]; then
    mkdir -p "$SCRATCH"
    cat >"$SCRATCH/Package.swift" <<'SWIFT'
// swift-tools-version:6.2
import PackageDescription
// A scratch package whose only purpose is to build the generator's command-line tool from the mirror.
let package = Package(
    name: "openapi-generator-tool",
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-generator", exact: "1.14.3"),
    ],
    targets: []
)
SWIFT
    (cd "$SCRATCH" && swift build -c release --product swift-openapi-generator)
fi
[ "${1:-}" = "--build" ] && exit 0

OUT=$MODULE/Generated
mkdir -p "$OUT"
"$GENERATOR" generate "$MODULE/openapi.yaml" \
    --config "$MODULE/openapi-generator-config.yaml" \
    --output-directory "$OUT"
echo "generated: $(ls "$OUT" | tr '\n' ' ')"
