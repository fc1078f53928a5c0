// swift-tools-version:6.1
import PackageDescription

/// Microbenchmarks of swift-bpm's hot paths (FEEL evaluation, decision tables, the engine's step
/// function, history and state encoding) with ordo-one/benchmark: time and allocations per
/// operation, so a regression in a hot path shows as a number. A package of its own, kept out of
/// the main build and the test run:
///   cd Microbenchmarks && swift package benchmark            # every benchmark, a table
///   swift package benchmark baseline update main             # keep a baseline, then compare:
///   swift package benchmark baseline compare main
let package = Package(
    name: "swift-bpm-microbenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "swift-bpm", path: ".."),
        // MallocInterposer only: the Linux runtime interposer is not in the package mirror
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "HotPaths",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "BPMExpressions", package: "swift-bpm"),
                .product(name: "BPMModel", package: "swift-bpm"),
                .product(name: "BPMDecisions", package: "swift-bpm"),
                .product(name: "BPMEngine", package: "swift-bpm"),
            ],
            path: "Benchmarks/HotPaths",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
