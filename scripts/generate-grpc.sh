#!/usr/bin/env bash
# Regenerates the Swift code for Zeebe's gateway protocol and the gRPC health check
# (Sources/BPMZeebe/Proto/gateway.proto, health.proto)
# into Sources/BPMZeebe/Generated/. The generated files are committed: building the two protoc
# plugins costs about ten minutes, so only this script builds them, once, in a scratch package
# under .build-protoc (gitignored) from the local package mirror.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"

if ! command -v protoc >/dev/null; then
    echo "installing protoc (Debian's protobuf-compiler)"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get install -y protobuf-compiler
fi

scratch=.build-protoc
mkdir -p "$scratch/Sources/Empty"
cat > "$scratch/Package.swift" <<'SWIFT'
// swift-tools-version:6.1
// Scratch package that only builds the protoc plugins (see scripts/generate-grpc.sh).
import PackageDescription
let package = Package(
    name: "protoc-plugins",
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "2.4.1"),
    ],
    targets: [.target(name: "Empty", path: "Sources/Empty")]
)
SWIFT
echo "// intentionally empty" > "$scratch/Sources/Empty/Empty.swift"

bin="$scratch/.build/debug"
if [ ! -x "$bin/protoc-gen-swift" ] || [ ! -x "$bin/protoc-gen-grpc-swift-2" ]; then
    (cd "$scratch" && swift build --product protoc-gen-swift && swift build --product protoc-gen-grpc-swift-2)
fi

out=Sources/BPMZeebe/Generated
mkdir -p "$out"
rm -f "$out"/*.swift
protoc --proto_path=Sources/BPMZeebe/Proto \
    --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
    --plugin=protoc-gen-grpc-swift="$bin/protoc-gen-grpc-swift-2" \
    --swift_out="$out" --swift_opt=Visibility=Public \
    --grpc-swift_out="$out" --grpc-swift_opt=Visibility=Public,Client=true,Server=true \
    gateway.proto health.proto
echo "generated: $(ls "$out")"
