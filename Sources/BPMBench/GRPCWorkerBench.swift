import ArgumentParser
import BPMCamunda
import BPMRuntime
import BPMServer
import BPMStore
import BPMZeebe
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// The `grpc-worker` scenario: the `http-worker` process served by Zeebe-protocol workers —
/// 8 gRPC clients (the generated stubs) each holding a `StreamActivatedJobs` call open and
/// answering every pushed job with `CompleteJob`, as Camunda 8's Java and Go workers do with
/// job streaming. The gateway runs in this process on a loopback port.
enum GRPCWorkerBench {
    static let source = WorkerBench.source
        .replacingOccurrences(of: "bench-http-worker", with: "bench-grpc-worker")
        .replacingOccurrences(of: "bench-charge", with: "bench-grpc-charge")

    /// The scenario through `WorkerBench.drive`: the gateway on a loopback port, `workers` streams.
    static func measure(runtime: Runtime, store: any ProcessStore, instances total: Int, clients: Int,
                        workers: Int) async throws -> (perSecond: Double, p50: Double, p99: Double) {
        let (def, _) = try await runtime.deploy(source: source, file: "bench-grpc-worker.bpmn")[0]
        let gateway = CamundaGateway(runtime: runtime)
        let port = Locked(0)
        let server = ZeebeServer(gateway: gateway, host: "127.0.0.1", port: 0, auth: AuthSettings(),
                                 logger: IntakeBench.logger) { p in port.withLock { $0 = p } }
        let serving = Task { try await server.run() }
        defer { serving.cancel() }
        while port.withLock({ $0 }) == 0 { try await Task.sleep(nanoseconds: 10_000_000) }  // the listener's start
        let bound = port.withLock { $0 }
        return try await WorkerBench.drive(
            .grpc, store: store, instances: total, clients: clients,
            start: { String(try await gateway.keys.key(.processInstance, try await runtime.startInstance(def.id).id)) },
            workers: { done in (0..<workers).map { w in
                Task { try await work(port: bound, worker: "w\(w)") { key in await done(String(key)) } }
            } })
    }

    /// One worker: a job stream, each job completed on the same connection as it arrives.
    static func work(port: Int, worker: String, done: @escaping @Sendable (CamundaKey) async -> Void) async throws {
        let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: port),
                                                       transportSecurity: .plaintext)
        try await withGRPCClient(transport: transport) { client in
            let stub = GatewayProtocol_Gateway.Client(wrapping: client)
            let request = GatewayProtocol_StreamActivatedJobsRequest.with {
                $0.type = "bench-grpc-charge"
                $0.worker = worker
                $0.timeout = 60_000
            }
            try await stub.streamActivatedJobs(request) { response in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await job in response.messages {
                        group.addTask {
                            _ = try await stub.completeJob(.with {
                                $0.jobKey = job.key
                                $0.variables = #"{"charged": true}"#
                            })
                            await done(job.processInstanceKey)
                        }
                    }
                }
            }
        }
    }
}
