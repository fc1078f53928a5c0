// swift-tools-version:6.1
import PackageDescription

/// swift-bpm: a business-process engine for event and IoT pipelines.
///
/// Module layering (each arrow is "depends on"):
///   BPMExpressions ← BPMModel ← BPMEngine (pure core) ← BPMRuntime ← BPMServer ← bpm
///   BPMStore (protocol, records) ← BPMStoreSQLite (GRDB adapter), BPMStorePostgres (PostgresNIO adapter)
///   BPMRuntime ← BPMStreams (Kafka/Redpanda through librdkafka, MQTT through libmosquitto) ← bpm
///   tooling beside production: BPMTooling (simulated runs, process tests, templates: `bpm run`,
///   `bpm test`, `bpm new`) and BPMBench (`bpm bench`), both used by bpm
let package = Package(
    name: "swift-bpm",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "bpm", targets: ["bpm"]),
        .library(name: "BPMEngine", targets: ["BPMEngine"]),
        // the hot paths' microbenchmarks (Microbenchmarks/, a package of their own) measure these
        .library(name: "BPMExpressions", targets: ["BPMExpressions"]),
        .library(name: "BPMModel", targets: ["BPMModel"]),
        .library(name: "BPMDecisions", targets: ["BPMDecisions"]),
        .library(name: "BPMRuntime", targets: ["BPMRuntime"]),
        .library(name: "BPMCamunda", targets: ["BPMCamunda"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        // already in the graph through Hummingbird; named for the graceful-shutdown group
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // our own API and Camunda's REST API v2: the runtime of the code generated from their OpenAPI documents
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
        // Zeebe's gRPC gateway (BPMZeebe); the protoc plugins are built only by scripts/generate-grpc.sh
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    ],
    targets: [
        .target(name: "BPMExpressions"),
        .target(name: "BPMModel", dependencies: [
            "BPMExpressions",
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "BPMEngine", dependencies: ["BPMModel", "BPMExpressions"]),
        .target(name: "BPMDecisions", dependencies: ["BPMExpressions", "BPMModel", .product(name: "Yams", package: "Yams")]),
        .target(name: "BPMStore", dependencies: ["BPMEngine"]),
        .target(name: "BPMStoreSQLite", dependencies: [
            "BPMStore",
            .product(name: "GRDB", package: "GRDB.swift"),
            // SQLite's C API for the commit's hot statements (bound without StatementArguments)
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "Metrics", package: "swift-metrics"),
            "CSQLiteConfig",
        ]),
        // sqlite3_config, which is variadic (libsqlite3-dev, as GRDB)
        .systemLibrary(name: "CSQLiteConfig", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "BPMStorePostgres", dependencies: [
            "BPMStore",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "BPMRuntime", dependencies: [
            "BPMEngine", "BPMStore", "BPMDecisions",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // C libraries from Debian (librdkafka-dev, libmosquitto-dev)
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),
        .target(name: "BPMStreams", dependencies: [
            "BPMRuntime", "CRdKafka", "CMosquitto",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // swift-bpm's own HTTP API: Generated/ comes from openapi.yaml through scripts/generate-openapi.sh
        // (committed; its own module, so BPMServer's edits do not recompile the generated code)
        .target(name: "BPMAPI", dependencies: [
            .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
        ], exclude: ["openapi.yaml", "openapi-generator-config.yaml"]),
        .target(name: "BPMServer", dependencies: [
            "BPMRuntime", "BPMAPI", "BPMTooling",
            .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "JWTKit", package: "jwt-kit"),
        ]),
        // Camunda 8's operations with Zeebe's semantics, shared by the gRPC and REST v2 adapters
        .target(name: "BPMCamunda", dependencies: [
            "BPMRuntime", "BPMStore", "BPMDecisions", "BPMModel", "BPMEngine", "BPMExpressions",
        ]),
        // Zeebe's gateway protocol over gRPC (Proto/gateway.proto; Generated/ from scripts/generate-grpc.sh)
        .target(name: "BPMZeebe", dependencies: [
            "BPMServer", "BPMRuntime", "BPMCamunda",
            .product(name: "GRPCCore", package: "grpc-swift-2"),
            .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
            .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], exclude: ["Proto"]),
        // the developer tooling on the production runtime: a temporary store, a manual clock, a connector sandbox
        .target(name: "BPMTooling", dependencies: [
            "BPMRuntime", "BPMStoreSQLite", "BPMDecisions", "BPMModel", "BPMEngine",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "BPMBench", dependencies: [
            "BPMServer", "BPMRuntime", "BPMStreams", "BPMStoreSQLite", "BPMStorePostgres", "BPMDecisions",
            "BPMCamunda", "BPMZeebe",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "GRPCCore", package: "grpc-swift-2"),
            .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        ]),
        // Camunda 8's Orchestration Cluster REST API (v2) over the BPMCamunda facade; Generated/ comes from
        // openapi.yaml through scripts/generate-openapi.sh (committed: no generator in the build)
        .target(name: "BPMCamundaREST", dependencies: [
            "BPMCamunda", "BPMServer", "BPMRuntime", "BPMExpressions",
            .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
            .product(name: "Hummingbird", package: "hummingbird"),
        ], exclude: ["openapi.yaml", "openapi-generator-config.yaml"]),
        .executableTarget(name: "bpm", dependencies: [
            "BPMCamundaREST",
            "BPMServer", "BPMRuntime", "BPMStreams", "BPMStoreSQLite", "BPMStorePostgres", "BPMDecisions",
            "BPMTooling", "BPMBench", "BPMCamunda", "BPMZeebe",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "BPMExpressionsTests", dependencies: ["BPMExpressions"]),
        .testTarget(name: "BPMModelTests", dependencies: ["BPMModel"]),
        .testTarget(name: "BPMEngineTests", dependencies: ["BPMEngine"]),
        .testTarget(name: "BPMDecisionsTests", dependencies: ["BPMDecisions"]),
        // throwaway PostgreSQL servers for tests that cross the store boundary
        .target(name: "BPMTestSupport", path: "Tests/Support"),
        .testTarget(name: "BPMStoreTests", dependencies: ["BPMStoreSQLite", "BPMStorePostgres", "BPMTestSupport",
                                                          .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "BPMRuntimeTests", dependencies: ["BPMRuntime", "BPMTooling", "BPMStoreSQLite", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "BPMCamundaTests", dependencies: [
            "BPMCamunda", "BPMRuntime", "BPMStoreSQLite", "BPMStorePostgres", "BPMTestSupport",
        ]),
        .testTarget(name: "IntegrationTests", dependencies: ["BPMRuntime", "BPMTooling", "BPMStreams", "BPMStoreSQLite", "BPMStorePostgres", "BPMTestSupport",
                                                             .product(name: "JWTKit", package: "jwt-kit"),
                                                             "BPMCamunda", "BPMCamundaREST", "BPMServer", "BPMAPI",
                                                             .product(name: "Yams", package: "Yams"),
                                                             .product(name: "HummingbirdTesting", package: "hummingbird")],
                    // the Selenium scripts the browser tests run; the Camunda SDK's and pyzeebe's scripts and BPMN
                    exclude: ["browser", "camunda-rest", "camunda"]),
        .testTarget(name: "BPMZeebeTests", dependencies: [
            "BPMZeebe", "BPMCamunda", "BPMServer", "BPMRuntime", "BPMStoreSQLite",
            .product(name: "GRPCCore", package: "grpc-swift-2"),
            .product(name: "GRPCInProcessTransport", package: "grpc-swift-2"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
