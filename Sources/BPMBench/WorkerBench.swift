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

    /// Instances per second from start to completion through `workers` HTTP workers taking up
    /// to 32 jobs at a time; latency is from the start to the instance's completion.
    static func measure(runtime: Runtime, store: any ProcessStore, instances total: Int, clients: Int, workers: Int = 8) async throws -> (perSecond: Double, p50: Double, p99: Double) {
        let (def, _) = try await runtime.deploy(source: source, file: "bench-http-worker.bpmn")[0]
        let port = Locked(0)
        var quiet = IntakeBench.logger
        quiet.logLevel = .critical
        let app = BPMServer.application(runtime: runtime, host: "127.0.0.1", port: 0, logger: quiet) { p in port.withLock { $0 = p } }
        let server = Task { try await app.run() }
        defer { server.cancel() }
        while port.withLock({ $0 }) == 0 { try await Task.sleep(nanoseconds: 10_000_000) }  // the listener's start
        let base = "http://127.0.0.1:\(port.withLock { $0 })"
        let config = URLSessionConfiguration.ephemeral
        config.httpMaximumConnectionsPerHost = workers * 4
        let session = URLSession(configuration: config)
        func post(_ path: String, _ body: String) async throws -> Value {
            var req = URLRequest(url: URL(string: base + path)!)
            req.httpMethod = "POST"
            req.httpBody = Data(body.utf8)
            req.setValue("application/json", forHTTPHeaderField: "Content-Type")
            let (data, response) = try await session.data(for: req)
            guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw ValidationError("\(path): \(String(decoding: data, as: UTF8.self))") }
            return try JSON.parse(String(decoding: data, as: UTF8.self))
        }
        let stop = Locked(false)
        let started = Locked<[String: UInt64]>([:])
        let latencies = Locked<[Double]>([])
        let slots = AsyncSemaphore(clients)  // instances started and not yet completed
        // the workers: activate up to 32 jobs (waiting up to 1 s for one), complete each
        let workerTasks = (0..<workers).map { w in
            Task {
                while !stop.withLock({ $0 }) {
                    let r = try await post("/jobs/activate", #"{"type": "bench-charge", "worker": "w\#(w)", "maxJobsToActivate": 32, "timeout": 60000, "requestTimeout": 1000}"#)
                    try await withThrowingTaskGroup(of: Void.self) { g in
                        for job in r[member: "jobs"].listValue ?? [] {
                            guard let key = job[member: "key"].stringValue, let instance = job[member: "processInstanceKey"].stringValue else { continue }
                            g.addTask {
                                let done = try await post("/jobs/\(key)/complete", #"{"variables": {"charged": true}}"#)
                                guard done[member: "status"] == "completed" else { throw ValidationError("http-worker: the instance did not complete") }
                                let now = DispatchTime.now().uptimeNanoseconds
                                let s = started.withLock { m -> UInt64? in
                                    if let s = m.removeValue(forKey: instance) { return s }
                                    m["done:" + instance] = now
                                    return nil
                                }
                                if let s { latencies.withLock { $0.append(Double(now - s) / 1e6) } }
                                await slots.signal()
                            }
                        }
                        try await g.waitForAll()
                    }
                }
            }
        }
        // the starters keep `clients` instances in flight (each start is committed on its own
        // group commit, so they start concurrently)
        let t0 = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for c in 0..<clients {
                let share = total / clients + (c < total % clients ? 1 : 0)
                group.addTask {
                    for _ in 0..<share {
                        await slots.wait()
                        let s = DispatchTime.now().uptimeNanoseconds
                        let st = try await runtime.startInstance(def.id)
                        // the worker may have completed it already: then it left its end time
                        let early = started.withLock { m -> UInt64? in
                            if let end = m.removeValue(forKey: "done:" + st.id) { return end }
                            m[st.id] = s
                            return nil
                        }
                        if let end = early { latencies.withLock { $0.append(Double(end - s) / 1e6) } }
                    }
                }
            }
            try await group.waitForAll()
        }
        while latencies.withLock({ $0.count }) < total, Date().timeIntervalSince(t0) < 600 { try await Task.sleep(nanoseconds: 2_000_000) }
        let elapsed = Date().timeIntervalSince(t0)
        stop.withLock { $0 = true }
        for t in workerTasks { _ = try? await t.value }
        let sortedLatencies = latencies.withLock { $0 }.sorted()
        guard sortedLatencies.count == total, try await store.countInstances(status: .completed) >= total else {
            throw ValidationError("http-worker: \(sortedLatencies.count) of \(total) instances completed")
        }
        return (Double(total) / elapsed, BenchSupport.quantile(sortedLatencies, 0.5), BenchSupport.quantile(sortedLatencies, 0.99))
    }
}
