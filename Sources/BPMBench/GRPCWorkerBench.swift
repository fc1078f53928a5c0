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

    /// Instances per second from start to completion; latency from the start to the
    /// `CompleteJob` answer that completed the instance.
    static func measure(runtime: Runtime, store: any ProcessStore, instances total: Int, clients: Int,
                        workers: Int = 8) async throws -> (perSecond: Double, p50: Double, p99: Double) {
        let (def, _) = try await runtime.deploy(source: source, file: "bench-grpc-worker.bpmn")[0]
        let gateway = CamundaGateway(runtime: runtime)
        let port = Locked(0)
        let server = ZeebeServer(gateway: gateway, host: "127.0.0.1", port: 0, auth: AuthSettings(),
                                 logger: IntakeBench.logger) { p in port.withLock { $0 = p } }
        let serving = Task { try await server.run() }
        defer { serving.cancel() }
        while port.withLock({ $0 }) == 0 { try await Task.sleep(nanoseconds: 10_000_000) }  // the listener's start
        let tracker = Tracker()
        let slots = AsyncSemaphore(clients)  // instances started and not yet completed
        let workerTasks = (0..<workers).map { w in
            Task { try await work(port: port.withLock { $0 }, worker: "w\(w)", gateway: gateway) { key in
                tracker.finished(key)
                await slots.signal()
            } }
        }
        defer { for t in workerTasks { t.cancel() } }
        let t0 = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for c in 0..<clients {
                let share = total / clients + (c < total % clients ? 1 : 0)
                group.addTask {
                    for _ in 0..<share {
                        await slots.wait()
                        let s = DispatchTime.now().uptimeNanoseconds
                        let st = try await runtime.startInstance(def.id)
                        tracker.started(try await gateway.keys.key(.processInstance, st.id), at: s)
                    }
                }
            }
            try await group.waitForAll()
        }
        while tracker.count < total, Date().timeIntervalSince(t0) < 600 { try await Task.sleep(nanoseconds: 2_000_000) }
        let elapsed = Date().timeIntervalSince(t0)
        let sorted = tracker.latencies.sorted()
        guard sorted.count == total, try await store.countInstances(status: .completed) >= total else {
            throw ValidationError("grpc-worker: \(sorted.count) of \(total) instances completed")
        }
        return (Double(total) / elapsed, BenchSupport.quantile(sorted, 0.5), BenchSupport.quantile(sorted, 0.99))
    }

    /// One worker: a job stream, each job completed on the same connection as it arrives.
    static func work(port: Int, worker: String, gateway: CamundaGateway,
                     done: @escaping @Sendable (CamundaKey) async -> Void) async throws {
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

    /// Start and end times by instance key (either may come first).
    final class Tracker: Sendable {
        private let state = Locked<(starts: [CamundaKey: UInt64], ends: [CamundaKey: UInt64], latencies: [Double])>(
            ([:], [:], []))

        func started(_ key: CamundaKey, at s: UInt64) {
            state.withLock { st in
                if let end = st.ends.removeValue(forKey: key) { st.latencies.append(Double(end - s) / 1e6) } else {
                    st.starts[key] = s
                }
            }
        }

        func finished(_ key: CamundaKey) {
            let now = DispatchTime.now().uptimeNanoseconds
            state.withLock { st in
                if let s = st.starts.removeValue(forKey: key) { st.latencies.append(Double(now - s) / 1e6) } else {
                    st.ends[key] = now
                }
            }
        }

        var count: Int { state.withLock { $0.latencies.count } }
        var latencies: [Double] { state.withLock { $0.latencies } }
    }
}
