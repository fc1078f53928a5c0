import BPMCamunda
import BPMRuntime
import BPMServer
import BPMStoreSQLite
import Foundation
import GRPCCore
import GRPCInProcessTransport
import Logging
import Testing
@testable import BPMZeebe

/// The gateway service in process (GRPCInProcessTransport: the real gRPC stack, no network):
/// which status code each failure gets, and the roles of the auth interceptor.
@Suite struct ZeebeServiceTests {
    static let tokens: [String: Principal] = [
        "admin-token-0123456789": Principal(user: "ada", roles: [.admin]),
        "operator-token-0123456": Principal(user: "otto", roles: [.operator]),
        "viewer-token-012345678": Principal(user: "vera", roles: [.viewer]),
        "worker-token-012345678": Principal(user: "wim", roles: [.worker], jobTypes: ["check-stock"]),
        "agent-token-0123456789": Principal(user: "ai", roles: [.worker]),
    ]

    /// Runs `body` with a client of a gateway over a fresh SQLite store (auth on with `tokens`).
    func withGateway(
        _ body: @Sendable (GatewayProtocol_Gateway.Client<InProcessTransport.Client>,
                           Grpc_Health_V1_Health.Client<InProcessTransport.Client>) async throws -> Void
    ) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpm-zeebe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore(path: dir.appendingPathComponent("z.sqlite").path)
        try await store.migrate()
        var logger = Logger(label: "zeebe-test")
        logger.logLevel = .critical
        let runtime = Runtime(store: store, connectors: ConnectorRegistry(), logger: logger)
        try await runtime.start(timerLoop: false)
        var auth = AuthSettings()
        auth.tokens = Self.tokens
        let service = ZeebeService(gateway: CamundaGateway(runtime: runtime), advertisedHost: "127.0.0.1",
                                   advertisedPort: 26500)
        let transport = InProcessTransport()
        let server = GRPCServer(transport: transport.server, services: [service, ZeebeHealth()],
                                interceptors: [ZeebeAuthInterceptor(settings: auth)])
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            try await withGRPCClient(transport: transport.client) { client in
                try await body(GatewayProtocol_Gateway.Client(wrapping: client),
                               Grpc_Health_V1_Health.Client(wrapping: client))
            }
            server.beginGracefulShutdown()
        }
        await runtime.shutdown()
    }

    static func bearer(_ token: String) -> Metadata { ["authorization": "Bearer \(token)"] }

    /// The status code a call fails with (nil when it succeeds).
    static func code(_ call: () async throws -> Void) async -> RPCError.Code? {
        do {
            try await call()
            return nil
        } catch let e as RPCError {
            return e.code
        } catch {
            return .unknown
        }
    }

    @Test func everyFacadeErrorGetsZeebesStatusCode() async {
        let expected: [CamundaError.Code: RPCError.Code] = [
            .notFound: .notFound, .invalidArgument: .invalidArgument, .failedPrecondition: .failedPrecondition,
            .alreadyExists: .alreadyExists, .resourceExhausted: .resourceExhausted,
            .deadlineExceeded: .deadlineExceeded, .unauthenticated: .unauthenticated,
            .permissionDenied: .permissionDenied, .unimplemented: .unimplemented, .internal: .internalError,
        ]
        #expect(Set(expected.keys) == Set(CamundaError.Code.allCases))
        for (camunda, grpc) in expected {
            let got = await Self.code { _ = try await ZeebeStatus.answering { throw CamundaError(camunda, "m") } }
            #expect(got == grpc, "\(camunda)")
        }
    }

    @Test func variablesMustBeAJSONObject() throws {
        #expect(try ZeebeJSON.variables("").isEmpty)
        #expect(try ZeebeJSON.variables(#"{"a": 1}"#)["a"] == .number(1))
        for bad in ["[1, 2]", "{not json", "42"] {
            #expect(throws: RPCError.self) { try ZeebeJSON.variables(bad) }
        }
    }

    @Test func zeebeSRequestTimeoutBecomesTheFacadeSLongPolling() {
        #expect(ZeebeService.longPolling(0) == -1)  // Zeebe: 0 = the default wait
        #expect(ZeebeService.longPolling(-1) == 0)  // Zeebe: negative = answer at once
        #expect(ZeebeService.longPolling(500) == 500)
    }

    @Test func callersAreAuthenticatedAndNeedTheRoleOfTheRPC() async throws {
        try await withGateway { gateway, health in
            let topology = GatewayProtocol_TopologyRequest()
            #expect(await Self.code { _ = try await gateway.topology(topology) } == .unauthenticated)
            #expect(await Self.code {
                _ = try await gateway.topology(topology, metadata: Self.bearer("wrong-token-0123456789"))
            } == .unauthenticated)
            let cluster = try await gateway.topology(topology, metadata: Self.bearer("viewer-token-012345678"))
            #expect(cluster.brokers.count == 1 && cluster.brokers[0].partitions[0].role == .leader)
            // the health check needs no credentials
            let status = try await health.check(.with { $0.service = "" })
            #expect(status.status == .serving)
            #expect(await Self.code { _ = try await health.check(.with { $0.service = "nope" }) } == .notFound)
            let create = GatewayProtocol_CreateProcessInstanceRequest.with { $0.bpmnProcessID = "order" }
            #expect(await Self.code {
                _ = try await gateway.createProcessInstance(create, metadata: Self.bearer("viewer-token-012345678"))
            } == .permissionDenied)
            let deploy = GatewayProtocol_DeployResourceRequest.with {
                $0.resources = [.with { $0.name = "a.bpmn"; $0.content = Data("<x/>".utf8) }]
            }
            #expect(await Self.code {
                _ = try await gateway.deployResource(deploy, metadata: Self.bearer("operator-token-0123456"))
            } == .permissionDenied)
        }
    }

    @Test func aWorkerTokenActivatesOnlyItsJobTypes() async throws {
        try await withGateway { gateway, _ in
            let worker = Self.bearer("worker-token-012345678")
            let other = GatewayProtocol_ActivateJobsRequest.with {
                $0.type = "ship-order"; $0.maxJobsToActivate = 1; $0.timeout = 1000; $0.requestTimeout = -1
            }
            #expect(await Self.code {
                try await gateway.activateJobs(other, metadata: worker) { r in for try await _ in r.messages {} }
            } == .permissionDenied)
            let stream = GatewayProtocol_StreamActivatedJobsRequest.with { $0.type = "ship-order"; $0.timeout = 1000 }
            #expect(await Self.code {
                try await gateway.streamActivatedJobs(stream, metadata: worker) { r in
                    for try await _ in r.messages {}
                }
            } == .permissionDenied)
            // a worker does not start instances
            #expect(await Self.code {
                _ = try await gateway.createProcessInstance(.with { $0.bpmnProcessID = "x" }, metadata: worker)
            } == .permissionDenied)
        }
    }

    @Test func badRequestsAreInvalidArgumentAndUnservedRPCsUnimplemented() async throws {
        try await withGateway { gateway, _ in
            let op = Self.bearer("operator-token-0123456")
            let admin = Self.bearer("admin-token-0123456789")
            let calls: [(String, RPCError.Code, () async throws -> Void)] = [
                ("variables not an object", .invalidArgument, {
                    _ = try await gateway.createProcessInstance(.with {
                        $0.bpmnProcessID = "order"; $0.variables = "[1]"
                    }, metadata: op)
                }),
                ("no process named", .invalidArgument, {
                    _ = try await gateway.createProcessInstance(.with { $0.variables = "{}" }, metadata: op)
                }),
                ("a message without a name", .invalidArgument, {
                    _ = try await gateway.publishMessage(.with { $0.correlationKey = "k" }, metadata: op)
                }),
                ("a negative TTL", .invalidArgument, {
                    _ = try await gateway.publishMessage(.with { $0.name = "m"; $0.timeToLive = -1 }, metadata: op)
                }),
                ("a signal without a name", .invalidArgument, {
                    _ = try await gateway.broadcastSignal(.with { $0.variables = "{}" }, metadata: op)
                }),
                ("no resources", .invalidArgument, {
                    _ = try await gateway.deployResource(GatewayProtocol_DeployResourceRequest(), metadata: admin)
                }),
                ("UpdateJobRetries to 0", .invalidArgument, {
                    _ = try await gateway.updateJobRetries(.with { $0.jobKey = 1; $0.retries = 0 }, metadata: op)
                }),
                ("SetVariables without variables", .invalidArgument, {
                    _ = try await gateway.setVariables(.with { $0.elementInstanceKey = 1 }, metadata: op)
                }),
                ("DeployProcess", .unimplemented, {
                    _ = try await gateway.deployProcess(GatewayProtocol_DeployProcessRequest(), metadata: admin)
                }),
            ]
            for (what, expected, call) in calls {
                #expect(await Self.code(call) == expected, "\(what)")
            }
        }
    }

    @Test func unknownKeysAreNotFound() async throws {
        try await withGateway { gateway, _ in
            let op = Self.bearer("operator-token-0123456")
            let unknown: Int64 = (1 << 51) + 999_999
            #expect(await Self.code {
                _ = try await gateway.cancelProcessInstance(.with { $0.processInstanceKey = unknown }, metadata: op)
            } == .notFound)
            #expect(await Self.code {
                _ = try await gateway.resolveIncident(.with { $0.incidentKey = unknown }, metadata: op)
            } == .notFound)
            let admin = Self.bearer("admin-token-0123456789")
            #expect(await Self.code {
                let request = GatewayProtocol_CreateProcessInstanceRequest.with { $0.bpmnProcessID = "no-such-process" }
                _ = try await gateway.createProcessInstance(request, metadata: admin)
            } == .notFound)
        }
    }
}
