import ArgumentParser
import BPMDecisions
import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMStore
import BPMStorePostgres
import BPMStoreSQLite
import BPMStreams
import Foundation
import Logging

/// `bpm bench`: the engine's throughput and latency figures, beside its peers' in the same run.
public struct Bench: AsyncParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        abstract: "Measure persisted instance throughput and latency.",
        discussion: """
        Runs the peer benchmark's shapes (../shared/peer/) as YAML definitions, each instance
        fully persisted (instance row and every history row committed) in a fresh store:

          straight-through  start → script x=1 → exclusive gateway (x > 0) → script y=x+1 → end
          parallel          start → script x=1 → fork → a=x+1 ‖ b=x+2 → join → c=a+b → end
          http-worker       start → service task served by 8 external workers over the REST
                            API (activate up to 32 jobs, complete each) → end; a quarter as
                            many instances, 64 clients, latency from start to completion
          grpc-worker       the same served by 8 Zeebe-protocol workers over the gRPC gateway
                            (StreamActivatedJobs pushes each job, CompleteJob answers it)

        --concurrency clients each start instances one after another; latency is from the
        start request to its commit. Build with -c release for meaningful figures.

        With --peer FOLDER: SpiffWorkflow (spiff_bench.py, in memory and with a JSON save per
        instance) and DBOS (dbos_bench.py, durable workflows of three steps persisted to SQLite
        and, with --store postgres://…, PostgreSQL; its rows are counted to check), each beside
        our figure from the same run and the ratio; DBOS at --dbos-instances and --peer-clients,
        with straight-through run again at the same instances and clients on a fresh store.

        With --waiting N: N instances waiting on a timer in a fresh SQLite file (bench --timers
        --timers-keep in a process of its own), then bpm serve started on the file: the time
        from its launch to /health/ready, and its resident memory.

        With --peer or --waiting, a goals table follows (docs/scaling.md): each goal row, this
        run's figure, whether it is met, and its baseline or peer from the same run. --runs 3
        measures each figure three times and reports the median run.

        With --intake: events per second through the event router, with 50 definitions on one
        topic — decoding and matching alone (match), the consumer's path committing each
        event's position (intake-filter: nothing starts; intake-start: every event starts an
        instance), one definition keyed by device with its condition on the reading
        (plain-trigger) or on window aggregates per device (windowed-trigger), and with --kafka-brokers the same from a real broker (kafka-filter,
        kafka-start); and latency-half, the time from an event's arrival to the commit of its
        instance's first step when events arrive at half of intake-start's rate (p50/p99/p999);
        each store row on every --store (SQLite first).

        With --replicas N --store postgres://…: 1…N replicas of `bpm serve` on one fresh database,
        straight-through started over HTTP by 64 clients spread over them (instances/s, speed-up,
        instances per CPU-second of the engine processes). With --kafka-brokers and --kafka-topic
        too: the replicas share a consumer group on the topic, each event starting an instance.

        With --timers N: N instances waiting on a timer (created/s, the engine's resident memory
        with all of them waiting), then the engine's clock moved past the due time (timers
        fired/s, each completing its instance).

        With --silence N: N keys of a silence trigger armed at once, each with its last event's
        variables (resident memory before and with all armed, bytes per key), the rate of events
        moving their keys' deadlines and how many of them write a row, and the fire rate. With
        --intake too, after the intake rows in the same run: `bpm bench --intake --scenario
        plain-trigger --scenario windowed-trigger --silence 1000000` prints the windowed trigger
        beside the plain one (and their ratio) and the memory of a million silence keys.
        """
    )

    @Option(help: "Instances per scenario.")
    var instances = 20000

    @Option(help: "Concurrent clients.")
    var concurrency = 256

    @Option(help: "Stores to measure (repeatable): sqlite (a fresh temporary file), sqlite:PATH, or postgres://user:password@host:port/database (a fresh database is created on that server for the run and dropped after). SQLite always runs too, for the comparison.")
    var store: [String] = ["sqlite"]

    @Option(help: "SQLite durability for the run: FULL or NORMAL.")
    var sqliteSync = "FULL"

    @Flag(help: "Print a JSON list instead of a table.")
    var json = false

    @Option(help: "Folder of the SpiffWorkflow peer benchmark (spiff_bench.py); runs it in the same invocation and prints the ratio.")
    var peer: String?

    @Option(help: "Python with SpiffWorkflow installed, for --peer.")
    var python = "python3"

    @Option(help: "Instances per peer variant.")
    var peerInstances = 2000

    @Option(help: "With --peer: DBOS workflows (dbos_bench.py), and straight-through instances run beside them.")
    var dbosInstances = 1000

    @Option(help: "With --peer: client threads of the DBOS peer, and clients of the straight-through run beside it.")
    var peerClients = 8

    @Option(help: "Only these scenarios (repeatable): straight-through, parallel, http-worker, grpc-worker, decision-table; with --intake: match, intake-filter, plain-trigger, windowed-trigger, intake-start, latency-half, kafka-filter, kafka-start.")
    var scenario: [String] = []

    @Flag(help: "Worker scenarios without the job hand-off: waiting workers look in the store (to compare).")
    var noJobHandOff = false

    static let straightThrough = BenchShapes.straightThrough

    static let parallel = """
    id: bench-parallel
    activities:
      - id: set_x
        type: script
        set: {x: 1}
        next: [branch_a, branch_b]
      - id: branch_a
        type: script
        set: {a: x + 1}
        next: join
      - id: branch_b
        type: script
        set: {b: x + 2}
        next: join
      - id: join
        type: join
      - id: sum
        type: script
        set: {c: a + b}
    """

    struct Row {
        var name: String
        var store: String
        var instances: Int
        var perSecond: Double
        var p50: Double
        var p99: Double
    }

    @Option(help: "Instead of throughput: store this many instances (and a tenth as many open tasks) and time the list queries of the API on them.")
    var queries: Int?

    @Option(help: "Instead of the table: 1…N replicas of bpm serve on one PostgreSQL (--store postgres://…), straight-through started over HTTP.")
    var replicas: Int?

    @Option(help: "Instead of instance throughput: start this many instances that wait on a timer, report the engine's memory with them waiting, then fire the timers and report the rate.")
    var timers: Int?

    @Option(help: """
        Instead of instance throughput: track this many silence-trigger keys, report the memory with all \
        armed, the touch and fire rates.
        """)
    var silence: Int?

    @Flag(help: "With --timers: leave the instances waiting in the store (no firing); with --store sqlite:PATH it is kept.")
    var timersKeep = false

    @Option(help: """
        N instances waiting on a timer in a fresh SQLite file, then `bpm serve` started on it: its time to \
        ready and resident memory (each in a process of its own); with --peer, a row of the goals table.
        """)
    var waiting: Int?

    @Option(help: "Measure each throughput figure this many times and report the run with the median (3 for headline figures).")
    var runs = 1

    @Flag(help: "Instead of instance throughput: events per second through the event router, 50 definitions on one topic (see below).")
    var intake = false

    @Option(help: "Events per intake measurement.")
    var events = 100_000

    @Option(help: "With --intake: also measure from this Kafka/Redpanda cluster (host:port,…), through the engine's consumer group.")
    var kafkaBrokers: String?

    @Option(help: "With --replicas and --kafka-brokers: the topic the replicas consume (create it beforehand with several partitions; it should be empty).")
    var kafkaTopic: String?

    @Option(help: "A librdkafka property as NAME=value for --kafka-brokers; repeatable.")
    var kafkaOption: [String] = []

    public func run() async throws {
        if let queries { return try await QueryBench(instances: queries, stores: store, json: json).run() }
        if let replicas {
            guard let pg = store.first(where: { $0.hasPrefix("postgres") }) else { throw ValidationError("--replicas needs --store postgres://…") }
            var bench = ReplicaBench(replicas: replicas, serverURL: pg, instances: instances, clients: min(concurrency, 64), json: json)
            if let brokers = kafkaBrokers {
                guard let topic = kafkaTopic else { throw ValidationError("--replicas with --kafka-brokers needs --kafka-topic (created beforehand with several partitions)") }
                bench.kafka = (brokers, topic, kafkaOption)
            }
            return try await bench.run()
        }
        if let silence, !intake { return try SilenceBench(keys: silence, json: json).run() }
        if let timers {
            return try await TimerBench(instances: timers, stores: store, sqliteSync: sqliteSync, concurrency: concurrency,
                                        json: json, keep: timersKeep).run()
        }
        if intake {
            let kafka = try kafkaBrokers.map { KafkaSettings(brokers: $0, properties: try OptionPairs.parse(kafkaOption, option: "--kafka-option")) }
            try await IntakeBench(events: events, stores: store, sqliteSync: sqliteSync, kafka: kafka, json: json,
                                  only: scenario).run()
            // the silence keys' memory beside the trigger rows, in the same run
            if let silence { try SilenceBench(keys: silence, json: json).run() }
            return
        }
        var r = Results()
        if let waiting {
            r.waiting = try await WaitingBench(instances: waiting, concurrency: concurrency, sqliteSync: sqliteSync).run()
        }
        for spec in BenchSupport.withSQLite(store) {
            for (name, source, expected) in [("straight-through", Self.straightThrough, ["x": 1.0, "y": 2.0]),
                                             ("parallel", Self.parallel, ["x": 1.0, "a": 2.0, "b": 3.0, "c": 5.0]),
                                             ("http-worker", WorkerBench.source, [:]),
                                             ("grpc-worker", GRPCWorkerBench.source, [:])]
                where scenario.isEmpty || scenario.contains(name) {
                r.rows.append(try await median(by: \.perSecond) {
                    try await measure(name: name, source: source, expected: expected, spec: spec)
                })
            }
        }
        if scenario.isEmpty || scenario.contains("decision-table") {
            r.dmn = try await median(by: \.perSecond) { try decisionTableRate(hitPolicy: "FIRST") }
            // UNIQUE tests every rule (FIRST stops at its first match): the table's whole cost
            r.unique = try await median(by: \.perSecond) { try decisionTableRate(hitPolicy: "UNIQUE") }
        }
        if let peer {
            r.peerRows = try runPeer(peer)
            r.dbosRows = try await dbosComparison(peer) ?? []
        }
        if json {
            printJSON(r)
        } else {
            printTable(r)
            if peer != nil || waiting != nil { printGoals(r) }
        }
    }

    /// What one run measured.
    struct Results {
        var rows: [Row] = []
        var dmn: (evaluations: Int, perSecond: Double)?
        var unique: (evaluations: Int, perSecond: Double)?
        var peerRows: [(variant: String, perSecond: Double)] = []
        var dbosRows: [(peer: DBOSPeer.Figures, ours: Row)] = []
        var waiting: WaitingBench.Figures?
        var sqliteRows: [Row] { rows.filter { $0.store == "sqlite" } }
    }

    /// Runs `body` `--runs` times; the run with the median `key`.
    func median<T>(by key: (T) -> Double, _ body: () async throws -> T) async throws -> T {
        var all: [T] = []
        for _ in 0..<max(1, runs) { all.append(try await body()) }
        return all.sorted { key($0) < key($1) }[all.count / 2]
    }

    func printJSON(_ r: Results) {
        var list: [Value] = r.rows.map { r in
            .context(["name": .string(r.name), "store": .string(r.store), "instances": .number(Double(r.instances)),
                      "instances_per_second": .number((r.perSecond * 10).rounded() / 10),
                      "p50_ms": .number((r.p50 * 1000).rounded() / 1000), "p99_ms": .number((r.p99 * 1000).rounded() / 1000)])
        }
        for (name, t) in [("decision-table-20x3", r.dmn), ("decision-table-20x3-unique", r.unique)] {
            guard let t else { continue }
            list.append(.context(["name": .string(name), "store": "none", "instances": .number(Double(t.evaluations)),
                                  "instances_per_second": .number(t.perSecond.rounded())]))
        }
        for p in r.peerRows {
            list.append(.context(["name": .string("spiffworkflow-\(p.variant)"), "store": .string(p.variant.hasSuffix("-ser") ? "json" : "memory"),
                                  "instances": .number(Double(peerInstances)), "instances_per_second": .number((p.perSecond * 10).rounded() / 10)]))
        }
        list += dbosJSON(r.dbosRows)
        if let w = r.waiting { list.append(waitingJSON(w)) }
        if peer != nil || waiting != nil { list += goals(r).map(goalJSON) }
        print(JSON.encode(.list(list)))
    }

    func printTable(_ r: Results) {
        print(pad("name", 18) + pad("store", 8) + lpad("instances", 10) + lpad("inst/s", 10) + lpad("p50 ms", 9) + lpad("p99 ms", 9))
        for r in r.rows {
            print(pad(r.name, 18) + pad(r.store, 8) + lpad("\(r.instances)", 10) + lpad(String(format: "%.0f", r.perSecond), 10)
                + lpad(String(format: "%.2f", r.p50), 9) + lpad(String(format: "%.2f", r.p99), 9))
        }
        for pg in r.rows where pg.store == "postgres" {
            if let lite = r.sqliteRows.first(where: { $0.name == pg.name }) {
                print(String(format: "postgres/sqlite, %@: %.2fx", pg.name, pg.perSecond / lite.perSecond))
            }
        }
        if r.dmn != nil || r.unique != nil { print("") }
        for (policy, t) in [("FIRST", r.dmn), ("UNIQUE", r.unique)] {
            guard let t else { continue }
            let figures = String(format: "%.0f evaluations/s (%.2f µs each)", t.perSecond, 1e6 / t.perSecond)
            print("decision table, 20 rules x 3 inputs (\(policy)): " + figures)
        }
        if !r.peerRows.isEmpty {
            print("\nSpiffWorkflow (same machine, same run), and swift-bpm's persisted figure as a multiple of it:")
            for p in r.peerRows {
                guard let ours = spiffBaseline(p.variant, r) else { continue }
                let what = p.variant.hasSuffix("-ser") ? "one JSON save per instance" : "in memory, nothing saved"
                print(pad("  " + p.variant, 16) + lpad(String(format: "%.0f", p.perSecond), 8) + " inst/s  (\(what))   ratio "
                    + String(format: "%.1fx", ours / p.perSecond))
            }
        }
        printDBOS(r.dbosRows)
        if let w = r.waiting { printWaiting(w) }
    }

    /// Our figure a SpiffWorkflow variant is compared with: straight-through for `xor…`, parallel for `parallel…`.
    func spiffBaseline(_ variant: String, _ r: Results) -> Double? {
        r.sqliteRows.first(where: { $0.name == (variant.hasPrefix("xor") ? "straight-through" : "parallel") })?.perSecond
    }

    /// Evaluations per second of a 20-rule, 3-input decision table.
    func decisionTableRate(hitPolicy: String) throws -> (evaluations: Int, perSecond: Double) {
        let source = BenchShapes.routingTable(hitPolicy: hitPolicy)
        let evaluator = DecisionEvaluator(model: try DMNReader.read(source: source, file: "bench.dmn"))
        let n = 200_000
        let inputs = BenchShapes.routingInputs
        guard try evaluator.evaluate("route", inputs: inputs[7]) == "action1" else { throw ValidationError("decision table benchmark: wrong result") }
        let t0 = DispatchTime.now().uptimeNanoseconds
        var hits = 0
        for k in 0..<n where try evaluator.evaluate("route", inputs: inputs[k % 100]) != .null { hits += 1 }
        let secs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        guard hits > 0 else { throw ValidationError("decision table benchmark matched nothing") }
        return (n, Double(n) / secs)
    }

    /// Runs the peer's benchmark script and reads its JSON results.
    func runPeer(_ folder: String) throws -> [(variant: String, perSecond: Double)] {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("spiff-\(UUIDv7.make()).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [python, (folder as NSString).appendingPathComponent("spiff_bench.py"), "-n", "\(peerInstances)", "--json", out.path,
                       "xor", "parallel", "xor-ser", "parallel-ser"]
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let data = FileManager.default.contents(atPath: out.path),
              let doc = try? JSON.parse(String(decoding: data, as: UTF8.self)) else {
            throw ValidationError("the peer benchmark failed (exit \(p.terminationStatus)); is SpiffWorkflow installed for \(python)?")
        }
        return (doc[member: "results"].listValue ?? []).compactMap { r in
            guard let v = r[member: "variant"].stringValue, let ips = r[member: "instances_per_s"].doubleValue else { return nil }
            return (v, ips)
        }
    }

    func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(1, n - s.count)) }
    func lpad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(1, n - s.count)) + s }

    func measure(name: String, source: String, expected: [String: Double], spec: String) async throws -> Row {
        try await BenchSupport.withFreshStore(spec, sqliteSync: sqliteSync) { store, label in
            try await measure(name: name, source: source, expected: expected, store: store, label: label)
        }
    }

    func measure(name: String, source: String, expected: [String: Double], store s: any ProcessStore, label: String) async throws -> Row {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let runtime = Runtime(store: s, connectors: ConnectorRegistry(), logger: logger)
        try await runtime.start(timerLoop: false)
        if noJobHandOff { await runtime.configure(jobHandOff: false) }
        if name == "http-worker" || name == "grpc-worker" {
            let n = max(1, instances / 4)
            let r = try await WorkerBench.measure(WorkerBench.Kind(rawValue: name)!, runtime: runtime, store: s,
                                                  instances: n, clients: min(concurrency, 64))
            await runtime.shutdown()
            return Row(name: name, store: label, instances: n, perSecond: r.perSecond, p50: r.p50, p99: r.p99)
        }
        let (def, _) = try await runtime.deploy(source: source, file: "\(name).yaml")[0]

        // correctness check, untimed
        let check = try await runtime.startInstance(def.id)
        for (k, v) in expected where check.variables[k] != .number(v) {
            throw ValidationError("\(name): expected \(k)=\(v), got \(check.variables[k].map(JSON.encode) ?? "nothing")")
        }
        guard check.status == .completed else { throw ValidationError("\(name): instance did not complete") }
        // warm-up
        for _ in 0..<200 { _ = try await runtime.startInstance(def.id) }

        let total = instances
        let clients = max(1, min(concurrency, total))
        let started = Date()
        let latencies = try await BenchSupport.timedCalls(total: total, clients: clients) { _ in
            guard try await runtime.startInstance(def.id).status == .completed else { throw ValidationError("instance did not complete") }
        }
        let elapsed = Date().timeIntervalSince(started)
        let stored = try await s.countInstances(status: .completed)
        guard stored == total + 201 else { throw ValidationError("\(name): \(stored) completed instances stored, expected \(total + 201)") }
        return Row(name: name, store: label, instances: total, perSecond: Double(total) / elapsed,
                   p50: BenchSupport.quantile(latencies, 0.5), p99: BenchSupport.quantile(latencies, 0.99))
    }
}

/// What the benchmarks share.
enum BenchSupport {
    /// The stores to measure, in order: SQLite first (added when not named), for the comparison.
    static func withSQLite(_ stores: [String]) -> [String] {
        stores.contains { $0.hasPrefix("sqlite") } ? stores : ["sqlite"] + stores
    }

    /// Runs `body` on a fresh, migrated store of the kind `spec` names — `sqlite` (a file in a
    /// scratch folder), `sqlite:PATH`, or `postgres://…` (a scratch database on that server) —
    /// and removes it afterwards; `label` is "sqlite" or "postgres".
    static func withFreshStore<T>(_ spec: String, sqliteSync: String, _ body: (_ store: any ProcessStore, _ label: String) async throws -> T) async throws -> T {
        if spec.hasPrefix("postgres") {
            let (url, drop) = try await PostgresStore.scratchDatabase(serverURL: spec, prefix: "bpm_bench")
            do {
                let store = try PostgresStore(url: url, maxConnections: 8)
                try await store.migrate()
                let result = try await body(store, "postgres")
                await drop()
                return result
            } catch {
                await drop()
                throw error
            }
        }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = spec == "sqlite" ? dir.appendingPathComponent("bench.sqlite").path : String(spec.dropFirst("sqlite:".count))
        let store = try SQLiteStore(path: path, synchronous: sqliteSync)
        try await store.migrate()
        return try await body(store, "sqlite")
    }

    /// A fresh folder for one measurement (removed by the caller's `defer`).
    static func scratchDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpm-bench-\(UUIDv7.make())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs `total` calls of `body` spread over `clients` concurrent clients (client `c` gets
    /// its share); returns each call's duration in ms, sorted.
    static func timedCalls(total: Int, clients: Int, _ body: @escaping @Sendable (_ client: Int) async throws -> Void) async throws -> [Double] {
        try await withThrowingTaskGroup(of: [Double].self) { group in
            for c in 0..<clients {
                let share = total / clients + (c < total % clients ? 1 : 0)
                group.addTask {
                    var l: [Double] = []
                    l.reserveCapacity(share)
                    for _ in 0..<share {
                        let t0 = DispatchTime.now().uptimeNanoseconds
                        try await body(c)
                        l.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
                    }
                    return l
                }
            }
            var all: [Double] = []
            for try await l in group { all += l }
            return all.sorted()
        }
    }

    /// The `p`-quantile of sorted values.
    static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
}

