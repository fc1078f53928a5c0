import BPMCamunda
import BPMServer
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import ServiceLifecycle

/// The gRPC gateway as a service of `bpm serve`'s service group: plaintext HTTP/2 on its own
/// port (Zeebe's default 26500), serving `gateway_protocol.Gateway` and `grpc.health.v1.Health`.
/// On graceful shutdown it stops accepting calls, ends job streams and long polls (UNAVAILABLE,
/// so clients reconnect elsewhere or later) and lets unary calls in flight finish.
public struct ZeebeServer: Service {
    let gateway: CamundaGateway
    let host: String
    let port: Int
    let auth: AuthSettings
    let logger: Logger
    let onListening: @Sendable (Int) -> Void

    public init(gateway: CamundaGateway, host: String, port: Int, auth: AuthSettings, logger: Logger,
                onListening: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.gateway = gateway
        self.host = host
        self.port = port
        self.auth = auth
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let address: GRPCNIOTransportCore.SocketAddress = host.contains(":")
            ? .ipv6(host: host, port: port) : .ipv4(host: host == "localhost" ? "127.0.0.1" : host, port: port)
        let transport = HTTP2ServerTransport.Posix(address: address, transportSecurity: .plaintext)
        let service = ZeebeService(gateway: gateway, advertisedHost: host, advertisedPort: Int32(port))
        let server = GRPCServer(transport: transport, services: [service, ZeebeHealth()],
                                interceptors: [ZeebeAuthInterceptor(settings: auth)])
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await server.serve() }
                let bound = try await transport.listeningAddress
                onListening(bound.ipv4?.port ?? bound.ipv6?.port ?? port)
            }
        } onGracefulShutdown: {
            server.beginGracefulShutdown()
        }
    }
}

/// Long-lived calls (job streams, long polls, health watches) end when the server shuts down:
/// UNAVAILABLE, as a gateway going away answers. They end too when gRPC cancels the RPC (the
/// client went away or closed the stream, or its deadline passed), which gRPC signals through
/// the RPC's cancellation handle, not by cancelling the handler's task.
func untilShutdown(_ body: @escaping @Sendable () async throws -> Void) async throws {
    do {
        try await cancelWhenGracefulShutdown {
            let call = Task { try await body() }
            try await withTaskCancellationHandler {
                try await withRPCCancellationHandler { try await call.value } onCancelRPC: { call.cancel() }
            } onCancel: {
                call.cancel()
            }
        }
    } catch is CancellationError {
        throw RPCError(code: .unavailable, message: "the gateway is shutting down")
    }
}

/// The standard health check: SERVING for the server ("") and the gateway service.
struct ZeebeHealth: Grpc_Health_V1_Health.SimpleServiceProtocol {
    static let served: Set<String> = ["", "gateway_protocol.Gateway"]

    func check(request: Grpc_Health_V1_HealthCheckRequest,
               context: ServerContext) async throws -> Grpc_Health_V1_HealthCheckResponse {
        guard Self.served.contains(request.service) else {
            throw RPCError(code: .notFound, message: "unknown service '\(request.service)'")
        }
        return .with { $0.status = .serving }
    }

    func watch(request: Grpc_Health_V1_HealthCheckRequest,
               response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
               context: ServerContext) async throws {
        let known = Self.served.contains(request.service)
        try await response.write(.with { $0.status = known ? .serving : .serviceUnknown })
        try await gracefulShutdown()  // no status changes to report until then
        throw RPCError(code: .unavailable, message: "the gateway is shutting down")
    }
}
