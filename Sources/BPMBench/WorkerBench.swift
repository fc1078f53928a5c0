import ArgumentParser
import BPMExpressions
import BPMRuntime
import BPMServer
import BPMStore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird

/// The `http-worker` scenario: a BPMN process with one service task whose jobs an external
/// worker takes over the REST API (long-poll `POST /jobs/activate`, then
/// `POST /jobs/{key}/complete`), as Zeebe's and Conductor's workers do. The server runs in
/// this process on a loopback port; the workers are real HTTP clients.
enum WorkerBench {
    static let source = """
    <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
      <process id="bench-http-worker" isExecutable="true">
        <startEvent id="s"/>
        <serviceTask id="charge"><extensionElements><zeebe:taskDefinition type="bench-charge"/></extensionElements></serviceTask>
        <endEvent id="e"/>
        <sequenceFlow id="a" sourceRef="s" targetRef="charge"/>
        <sequenceFlow id="b" sourceRef="charge" targetRef="e"/>
      </process>
    </definitions>
    """

    /// The worker scenarios: how workers reach the engine.
    enum Kind: String, Sendable {
        /// Our REST API: long-poll `POST /jobs/activate` (up to 32 jobs), `POST /jobs/{key}/complete`.
        case http = "http-worker"
        /// Zeebe's gRPC gateway: `StreamActivatedJobs`, `CompleteJob` (`GRPCWorkerBench`).
        case grpc = "grpc-worker"
    }

    /// Instances per second from start to completion through `workers` workers of `kind`, with
    /// `clients` instances in flight; latency from the start to the answer of the completion
    /// that completed the instance.
    static func measure(_ kind: Kind, runtime: Runtime, store: any ProcessStore, instances total: Int, clients: Int,
                        workers: Int = 8) async throws -> (perSecond: Double, p50: Double, p99: Double) {
        switch kind {
        case .http:
            let (def, _) = try await runtime.deploy(source: source, file: "bench-http-worker.bpmn")[0]
            let (base, server) = try await serve(runtime)
            defer { server.cancel() }
            let config = URLSessionConfiguration.ephemeral
            config.httpMaximumConnectionsPerHost = workers * 4
            let session = URLSession(configuration: config)
            return try await drive(kind, store: store, instances: total, clients: clients,
                                   start: { try await runtime.startInstance(def.id).id },
                                   workers: { done in (0..<workers).map { w in
                                       Task { try await work(base: base, session: session, worker: "w\(w)",
                                                             done: done) }
                                   } })
        case .grpc:
            return try await GRPCWorkerBench.measure(runtime: runtime, store: store, instances: total,
                                                     clients: clients, workers: workers)
        }
    }

    /// Our HTTP API on a loopback port, in this process; its base URL and its task.
    static func serve(_ runtime: Runtime) async throws -> (String, Task<Void, any Error>) {
        let port = Locked(0)
        var quiet = IntakeBench.logger
        quiet.logLevel = .critical
        let app = BPMServer.application(runtime: runtime, host: "127.0.0.1", port: 0, logger: quiet) { p in
            port.withLock { $0 = p }
        }
        let server = Task { try await app.run() }
        while port.withLock({ $0 }) == 0 { try await Task.sleep(nanoseconds: 10_000_000) }  // the listener's start
        return ("http://127.0.0.1:\(port.withLock { $0 })", server)
    }

    /// One HTTP worker until cancelled: activates up to 32 jobs (waiting up to 1 s for one),
    /// completes each, and reports the instance each completion ended.
    static func work(base: String, session: URLSession, worker: String,
                     done: @escaping @Sendable (String) async -> Void) async throws {
        @Sendable func post(_ path: String, _ body: String) async throws -> Value {
            var req = URLRequest(url: URL(string: base + path)!)
            req.httpMethod = "POST"
            req.httpBody = Data(body.utf8)
            req.setValue("application/json", forHTTPHeaderField: "Content-Type")
            let (data, response) = try await session.data(for: req)
            guard (response as? HTTPURLResponse)?.statusCode == 200 else {
                throw ValidationError("\(path): \(String(decoding: data, as: UTF8.self))")
            }
            return try JSON.parse(String(decoding: data, as: UTF8.self))
        }
        let activate = #"{"type": "bench-charge", "worker": "\#(worker)", "maxJobsToActivate": 32, "#
            + #""timeout": 60000, "requestTimeout": 1000}"#
        while !Task.isCancelled {
            let r = try await post("/jobs/activate", activate)
            try await withThrowingTaskGroup(of: Void.self) { g in
                for job in r[member: "jobs"].listValue ?? [] {
                    guard let key = job[member: "key"].stringValue,
                          let instance = job[member: "processInstanceKey"].stringValue else { continue }
                    g.addTask {
                        let finished = try await post("/jobs/\(key)/complete", #"{"variables": {"charged": true}}"#)
                        guard finished[member: "status"] == "completed" else {
                            throw ValidationError("http-worker: the instance did not complete")
                        }
                        await done(instance)
                    }
                }
                try await g.waitForAll()
            }
        }
    }

    /// The worker scenarios' one driver: `workers(done)` starts the workers, each reporting
    /// the instances it completed; `clients` starters keep that many instances in flight (each
    /// start committed on its own group commit, so they start concurrently); `start` starts one
    /// and names it as the workers report it.
    static func drive(_ kind: Kind, store: any ProcessStore, instances total: Int, clients: Int,
                      start: @escaping @Sendable () async throws -> String,
                      workers: (_ done: @escaping @Sendable (String) async -> Void) -> [Task<Void, any Error>])
        async throws -> (perSecond: Double, p50: Double, p99: Double)
    {
        let tracker = Tracker()
        let slots = AsyncSemaphore(clients)  // instances started and not yet completed
        let workerTasks = workers { instance in
            tracker.finished(instance)
            await slots.signal()
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
                        tracker.started(try await start(), at: s)
                    }
                }
            }
            try await group.waitForAll()
        }
        while tracker.count < total, Date().timeIntervalSince(t0) < 600 { try await Task.sleep(nanoseconds: 2_000_000) }
        let elapsed = Date().timeIntervalSince(t0)
        for t in workerTasks {
            t.cancel()
            _ = try? await t.value
        }
        let sorted = tracker.latencies.sorted()
        guard sorted.count == total, try await store.countInstances(status: .completed) >= total else {
            throw ValidationError("\(kind.rawValue): \(sorted.count) of \(total) instances completed")
        }
        return (Double(total) / elapsed, BenchSupport.quantile(sorted, 0.5), BenchSupport.quantile(sorted, 0.99))
    }

    /// Start and end times by instance (either may come first: a worker may complete an
    /// instance before its start returns).
    final class Tracker: Sendable {
        private let state = Locked<(starts: [String: UInt64], ends: [String: UInt64], latencies: [Double])>(
            ([:], [:], []))

        func started(_ instance: String, at s: UInt64) {
            state.withLock { st in
                if let end = st.ends.removeValue(forKey: instance) { st.latencies.append(Double(end - s) / 1e6) } else {
                    st.starts[instance] = s
                }
            }
        }

        func finished(_ instance: String) {
            let now = DispatchTime.now().uptimeNanoseconds
            state.withLock { st in
                if let s = st.starts.removeValue(forKey: instance) { st.latencies.append(Double(now - s) / 1e6) } else {
                    st.ends[instance] = now
                }
            }
        }

        var count: Int { state.withLock { $0.latencies.count } }
        var latencies: [Double] { state.withLock { $0.latencies } }
    }
}
