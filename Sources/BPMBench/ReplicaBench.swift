import ArgumentParser
import BPMExpressions
import BPMStore
import BPMStorePostgres
import BPMStreams
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `bpm bench --replicas N --store postgres://…`: for 1…N replicas of `bpm serve` on one fresh
/// PostgreSQL database, the straight-through shape started over HTTP by clients spread over
/// the replicas: instances per second, the speed-up over one replica, and instances per
/// CPU-second of the engine processes (the per-core efficiency: on one machine the replicas
/// share its cores with the database and the clients).
struct ReplicaBench {
    let replicas: Int
    let serverURL: String
    let instances: Int
    let clients: Int
    let json: Bool
    /// With a Kafka cluster and a topic (created beforehand with several partitions): the
    /// replicas share a consumer group on it instead of taking HTTP requests.
    var kafka: (brokers: String, topic: String, options: [String])? = nil

    struct Row {
        var replicas: Int
        var perSecond: Double
        var engineCPUSeconds: Double
        /// CPU seconds of this machine's PostgreSQL processes (0 when the server is elsewhere).
        var databaseCPUSeconds: Double
        var p50: Double
        var p99: Double
    }

    /// User plus system CPU seconds of a process so far.
    static func cpuSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // after the command: state is field 3; utime and stime are fields 14 and 15
        guard fields.count > 12, let u = Double(fields[11]), let s = Double(fields[12]) else { return 0 }
        return (u + s) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// CPU seconds so far of every local PostgreSQL process (the server and its backends).
    static func postgresCPUSeconds() -> Double {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        return pids.filter { (try? String(contentsOfFile: "/proc/\($0)/comm", encoding: .utf8))?.hasPrefix("postgres") == true }.map(cpuSeconds).reduce(0, +)
    }

    func run() async throws {
        if let kafka {
            // the events, once: every run consumes all of them with a group of its own
            let producer = try KafkaProducer(KafkaSettings(brokers: kafka.brokers, properties: try OptionPairs.parse(kafka.options, option: "--kafka-option")))
            for start in stride(from: 0, to: instances, by: 5000) {
                try await producer.sendAll((start..<min(start + 5000, instances)).map { (kafka.topic, "hp\($0 % 1000)", IntakeBench.payload($0, hot: true), []) })
            }
            producer.close()
        }
        var rows: [Row] = []
        for n in 1...replicas { rows.append(try await measure(n)) }
        if json {
            print(JSON.encode(.list(rows.map { r in
                .context(["name": .string(kafka == nil ? "replicas-straight-through-http" : "replicas-kafka-start"), "store": "postgres", "replicas": .number(Double(r.replicas)),
                          "instances": .number(Double(instances)), "instances_per_second": .number(r.perSecond.rounded()),
                          "speedup": .number((r.perSecond / rows[0].perSecond * 100).rounded() / 100),
                          "instances_per_engine_cpu_second": .number((Double(instances) / r.engineCPUSeconds).rounded()),
                          "engine_cpu_ms_per_instance": .number((r.engineCPUSeconds / Double(instances) * 1e5).rounded() / 100),
                          "database_cpu_ms_per_instance": .number((r.databaseCPUSeconds / Double(instances) * 1e5).rounded() / 100),
                          "p50_ms": .number((r.p50 * 100).rounded() / 100), "p99_ms": .number((r.p99 * 100).rounded() / 100)])
            })))
            return
        }
        if let kafka {
            print("replicas of bpm serve on one PostgreSQL in one consumer group on \(kafka.topic): each event starts an instance (\(instances) events), \(ProcessInfo.processInfo.activeProcessorCount) cores shared")
        } else {
            print("replicas of bpm serve on one PostgreSQL, straight-through over HTTP (\(instances) instances, \(clients) clients), \(ProcessInfo.processInfo.activeProcessorCount) cores shared")
        }
        print("replicas".padding(toLength: 10, withPad: " ", startingAt: 0) + "inst/s".leftPad(9) + "speed-up".leftPad(10) + "inst/engine-CPU-s".leftPad(19)
            + "engine CPU ms/inst".leftPad(20) + "db CPU ms/inst".leftPad(16) + (kafka == nil ? "p50 ms".leftPad(9) + "p99 ms".leftPad(9) : ""))
        for r in rows {
            print("\(r.replicas)".padding(toLength: 10, withPad: " ", startingAt: 0) + String(format: "%.0f", r.perSecond).leftPad(9)
                + String(format: "%.2fx", r.perSecond / rows[0].perSecond).leftPad(10) + String(format: "%.0f", Double(instances) / r.engineCPUSeconds).leftPad(19)
                + String(format: "%.3f", r.engineCPUSeconds / Double(instances) * 1000).leftPad(20) + String(format: "%.3f", r.databaseCPUSeconds / Double(instances) * 1000).leftPad(16)
                + (kafka == nil ? String(format: "%.2f", r.p50).leftPad(9) + String(format: "%.2f", r.p99).leftPad(9) : ""))
        }
    }

    func measure(_ n: Int) async throws -> Row {
        let (url, drop) = try await PostgresStore.scratchDatabase(serverURL: serverURL, prefix: "bpm_bench")
        let dir = try BenchSupport.scratchDirectory()
        if let kafka {
            try IntakeBench.definition(0).replacingOccurrences(of: "topic: \(IntakeBench.topic)", with: "topic: \(kafka.topic)")
                .replacingOccurrences(of: "condition: tags.site = \"site0\" and ", with: "condition: ")
                .write(to: dir.appendingPathComponent("intake.yaml"), atomically: true, encoding: .utf8)
        } else {
            try Bench.straightThrough.write(to: dir.appendingPathComponent("straight.yaml"), atomically: true, encoding: .utf8)
        }
        let group = "bench-\(UUIDv7.make())"
        var processes: [Process] = []
        defer {
            for p in processes where p.isRunning { p.terminate(); p.waitUntilExit() }
            try? FileManager.default.removeItem(at: dir)
        }
        // migrate once, so the replicas do not queue on the migration lock
        try await PostgresStore(url: url, maxConnections: 1).migrate()
        var bases: [String] = []
        for _ in 0..<n {
            let extra = kafka.map { k in ["--kafka-brokers", k.brokers, "--kafka-group", group] + k.options.flatMap { ["--kafka-option", $0] } } ?? []
            let (p, base) = try BenchSupport.launchServe(store: url, definitions: dir.path, extra: extra)
            processes.append(p)
            bases.append(base)
        }
        if let kafka { return try await consume(kafka, group: group, url: url, processes: processes, drop: drop) }
        let config = URLSessionConfiguration.ephemeral
        config.httpMaximumConnectionsPerHost = clients
        let session = URLSession(configuration: config)
        @Sendable func start(_ base: String) async throws {
            var req = URLRequest(url: URL(string: base + "/processes/bench-straight-through/start")!)
            req.httpMethod = "POST"
            req.httpBody = Data("{}".utf8)
            req.setValue("application/json", forHTTPHeaderField: "Content-Type")
            let (data, response) = try await session.data(for: req)
            guard (response as? HTTPURLResponse)?.statusCode == 201 else { throw ValidationError("start: \(String(decoding: data, as: UTF8.self))") }
        }
        for b in bases { for _ in 0..<50 { try await start(b) } }  // warm-up
        let cpu0 = processes.map { Self.cpuSeconds($0.processIdentifier) }.reduce(0, +)
        let db0 = Self.postgresCPUSeconds()
        let t0 = Date()
        let targets = bases
        let latencies = try await BenchSupport.timedCalls(total: instances, clients: clients) { c in try await start(targets[c % targets.count]) }
        let elapsed = Date().timeIntervalSince(t0)
        let cpu = processes.map { Self.cpuSeconds($0.processIdentifier) }.reduce(0, +) - cpu0
        let db = Self.postgresCPUSeconds() - db0
        for p in processes { p.terminate(); p.waitUntilExit() }
        let completed = try await PostgresStore(url: url, maxConnections: 1).countInstances(status: .completed)
        await drop()
        guard completed == instances + 50 * n else { throw ValidationError("replicas: \(completed) instances completed, expected \(instances + 50 * n)") }
        return Row(replicas: n, perSecond: Double(instances) / elapsed, engineCPUSeconds: cpu, databaseCPUSeconds: db,
                   p50: BenchSupport.quantile(latencies, 0.5), p99: BenchSupport.quantile(latencies, 0.99))
    }

    /// The Kafka path: the events are produced first (each a hot reading, so each starts an
    /// instance), then timed from the first stored position to the last.
    func consume(_ kafka: (brokers: String, topic: String, options: [String]), group: String, url: String, processes: [Process], drop: @Sendable () async -> Void) async throws -> Row {
        let store = try PostgresStore(url: url, maxConnections: 2)
        // timed from the first stored position seen (joining the group is not counted), over
        // the events consumed after it; CPU from the same moment
        var first: Date?
        var (base, cpu0, db0) = (0, 0.0, 0.0)
        var consumed = 0
        let deadline = Date().addingTimeInterval(900)
        while Date() < deadline {
            consumed = try await store.consumerOffsets(group: group).reduce(0) { $0 + Int($1.next) }
            if consumed > 0, first == nil {
                (first, base) = (Date(), consumed)
                (cpu0, db0) = (processes.map { Self.cpuSeconds($0.processIdentifier) }.reduce(0, +), Self.postgresCPUSeconds())
            }
            if consumed >= instances { break }
            try await Task.sleep(nanoseconds: 2_000_000)
        }
        let elapsed = Date().timeIntervalSince(first ?? Date())
        let measured = Double(instances - base)
        let cpu = processes.map { Self.cpuSeconds($0.processIdentifier) }.reduce(0, +) - cpu0
        let db = Self.postgresCPUSeconds() - db0
        for p in processes { p.terminate(); p.waitUntilExit() }
        let started = try await store.countInstances(status: nil)
        await drop()
        guard consumed >= instances, started == instances else { throw ValidationError("replicas: \(consumed) events consumed, \(started) instances, expected \(instances)") }
        // CPU per instance scaled to the whole run, so the table's per-instance columns hold
        return Row(replicas: processes.count, perSecond: measured / elapsed, engineCPUSeconds: cpu / measured * Double(instances),
                   databaseCPUSeconds: db / measured * Double(instances), p50: 0, p99: 0)
    }


}
