import ArgumentParser
import BPMExpressions
import BPMRuntime
import BPMStore
import BPMStoreSQLite
import BPMStreams
import Foundation
import Logging

/// `bpm bench --intake`: events per second through the event router, with 50 definitions
/// listening on one topic (each for its own site, with a temperature condition):
///
///   match          decode the JSON payload and evaluate it against the 50 definitions (no store)
///   intake-filter  the consumer's path: decode, route, commit each event's position; no event starts anything
///   intake-start   the same, every event starting an instance (persisted, with its history)
///   kafka-filter / kafka-start   (with --kafka-brokers) the same from a real broker: produced
///                  first, then consumed by the engine's consumer group until every position is stored
struct IntakeBench {
    let events: Int
    /// Each store measured (sqlite first): `sqlite`, `sqlite:PATH` or `postgres://…`.
    var stores: [String] = ["sqlite"]
    let sqliteSync: String
    let kafka: KafkaSettings?
    let json: Bool
    /// Only these rows (empty: all).
    var only: [String] = []
    static let definitions = 50
    static let topic = "bench-telemetry"

    struct Row {
        var name: String
        /// "sqlite", "postgres", or "" (no store).
        var store = ""
        var events: Int
        var perSecond: Double
        var started: Int
        /// Event arrival to its instance's first step committed, ms (latency rows only).
        var p50: Double? = nil, p99: Double? = nil, p999: Double? = nil
    }

    static func definition(_ i: Int) -> String {
        """
        id: intake-\(i)
        trigger:
          type: event
          source: redpanda
          topic: \(topic)
          condition: tags.site = "site\(i)" and fields.flow_temp_c > 25
        variables:
          - {name: device_id, source: tags.device_id}
          - {name: temperature, source: fields.flow_temp_c}
        activities:
          - {id: note, type: script, set: {hot: true}}
        """
    }

    /// The plan's telemetry shape; `hot` readings start an instance of exactly one definition.
    static func payload(_ i: Int, hot: Bool) -> [UInt8] {
        Array(#"{"name": "heatpump", "tags": {"device_id": "hp\#(i % 1000)", "site": "site\#(i % definitions)"}, "fields": {"flow_temp_c": \#(hot ? 30.5 : 21.5), "power_w": \#(i % 3000)}, "timestamp": \#(1_790_000_000 + i)}"#.utf8)
    }

    func run() async throws {
        var rows: [Row] = []
        func wanted(_ name: String) -> Bool { only.isEmpty || only.contains(name) }
        if wanted("match") { rows.append(try match()) }
        for spec in BenchSupport.withSQLite(stores) {
            if wanted("intake-filter") { rows.append(try await intake(hot: false, spec)) }
            if wanted("plain-trigger") { rows.append(try await keyed(windowed: false, spec)) }
            if wanted("windowed-trigger") { rows.append(try await keyed(windowed: true, spec)) }
            if wanted("intake-start") || wanted("latency-half") {
                let start = try await intake(hot: true, spec)
                if wanted("intake-start") { rows.append(start) }
                if wanted("latency-half") { rows.append(try await latency(rate: start.perSecond / 2, spec)) }
            }
            if let kafka {
                if wanted("kafka-filter") { rows.append(try await fromKafka(kafka, hot: false, spec)) }
                if wanted("kafka-start") { rows.append(try await fromKafka(kafka, hot: true, spec)) }
            }
        }
        if json {
            print(JSON.encode(.list(rows.map { r in
                var c: [String: Value] = ["name": .string(r.name), "store": r.store.isEmpty ? .null : .string(r.store), "events": .number(Double(r.events)), "events_per_second": .number(r.perSecond.rounded()),
                                          "instances_started": .number(Double(r.started)), "definitions": .number(Double(Self.definitions))]
                if let p50 = r.p50, let p99 = r.p99, let p999 = r.p999 {
                    c["p50_ms"] = .number((p50 * 1000).rounded() / 1000)
                    c["p99_ms"] = .number((p99 * 1000).rounded() / 1000)
                    c["p999_ms"] = .number((p999 * 1000).rounded() / 1000)
                }
                return .context(c)
            })))
        } else {
            print("event intake, \(Self.definitions) definitions on one topic (sqlite: synchronous \(sqliteSync))")
            print("name".padding(toLength: 18, withPad: " ", startingAt: 0) + "store".padding(toLength: 9, withPad: " ", startingAt: 0) + "events".leftPad(10) + "events/s".leftPad(12) + "started".leftPad(10)
                + "p50 ms".leftPad(9) + "p99 ms".leftPad(9) + "p999 ms".leftPad(9))
            for r in rows {
                let lat = [r.p50, r.p99, r.p999].map { $0.map { String(format: "%.2f", $0).leftPad(9) } ?? "".leftPad(9) }.joined()
                print(r.name.padding(toLength: 18, withPad: " ", startingAt: 0) + (r.store.isEmpty ? "-" : r.store).padding(toLength: 9, withPad: " ", startingAt: 0) + "\(r.events)".leftPad(10) + String(format: "%.0f", r.perSecond).leftPad(12) + "\(r.started)".leftPad(10) + lat)
            }
            print("latency-half: events arrive at half of intake-start's rate (open loop: each at its scheduled time, handed over at most once a millisecond); latency is from that time to the commit of its instance's first step")
            Self.printTriggerRatios(rows)
        }
    }

    /// The windowed trigger's rate beside the plain one's, per store, from the same run.
    static func printTriggerRatios(_ rows: [Row]) {
        for store in Array(Set(rows.map(\.store))).sorted() {
            guard let plain = rows.first(where: { $0.name == "plain-trigger" && $0.store == store }),
                  let windowed = rows.first(where: { $0.name == "windowed-trigger" && $0.store == store })
            else { continue }
            let ratio = String(format: "%.0f events/s, %.2f× plain-trigger's %.0f", windowed.perSecond,
                               windowed.perSecond / plain.perSecond, plain.perSecond)
            print("windowed-trigger on \(store.isEmpty ? "-" : store): \(ratio) (same run)")
        }
    }

    func registry() throws -> DefinitionRegistry {
        var r = DefinitionRegistry()
        for i in 0..<Self.definitions { r.add(try DefinitionLoader.parse(source: Self.definition(i), file: "intake-\(i).yaml"), version: 1) }
        return r
    }

    /// Decoding and matching alone.
    func match() throws -> Row {
        let registry = try registry()
        let payloads = (0..<1000).map { Self.payload($0, hot: $0 % 2 == 0) }
        var matched = 0
        let t0 = DispatchTime.now().uptimeNanoseconds
        for i in 0..<events {
            guard case .success(let value) = EventDecoder.decode(payloads[i % 1000], topic: Self.topic, registry: registry) else {
                throw ValidationError("intake benchmark: an event did not decode")
            }
            // what routing computes for every definition on the topic: the key, and the
            // condition (only where its path = literal guards match), as the engine does
            let route = registry.route(forTopic: Self.topic)
            let values = route.read(value)
            for i in route.targets.indices where route.key(i, value, values) != nil && route.mayHold(i, values) && EventIntake.conditionHolds(value, route.targets[i].0) {
                matched += 1
            }
        }
        let secs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        guard matched == events / 2 + (events % 2) else { throw ValidationError("intake benchmark: \(matched) matches, expected \(events / 2)") }
        return Row(name: "match", events: events, perSecond: Double(events) / secs, started: 0)
    }

    static let logger: Logger = {
        var l = Logger(label: "bench")
        l.logLevel = .warning
        return l
    }()

    /// A runtime on `store` (fresh) with the 50 definitions listening on `topic`.
    func runtime(_ store: any ProcessStore, topic: String = IntakeBench.topic) async throws -> Runtime {
        let runtime = Runtime(store: store, connectors: ConnectorRegistry(), logger: Self.logger)
        try await runtime.start(timerLoop: false)
        for i in 0..<Self.definitions {
            try await runtime.deploy(source: Self.definition(i).replacingOccurrences(of: "topic: \(Self.topic)", with: "topic: \(topic)"), file: "intake-\(i).yaml")
        }
        return runtime
    }

    /// The consumer's path without a broker: batches of decoded events with their positions.
    func intake(hot: Bool, _ spec: String) async throws -> Row {
        try await BenchSupport.withFreshStore(spec, sqliteSync: sqliteSync) { store, label in try await intake(hot: hot, store: store, label: label) }
    }

    func intake(hot: Bool, store: any ProcessStore, label: String) async throws -> Row {
        let runtime = try await runtime(store)
        let secs = try await feed(runtime, payloads: (0..<1000).map { Self.payload($0, hot: hot) })
        await runtime.shutdown()
        let started = try await store.countInstances(status: nil)
        guard started == (hot ? events : 0) else { throw ValidationError("intake benchmark: \(started) instances, expected \(hot ? events : 0)") }
        guard try await store.consumerOffsets(group: "bench").first?.next == Int64(events) else { throw ValidationError("intake benchmark: positions not stored") }
        return Row(name: hot ? "intake-start" : "intake-filter", store: label, events: events, perSecond: Double(events) / secs, started: started)
    }

    /// Hands `events` of the payloads (in turn) to the runtime in batches with their positions,
    /// as the consumer does; the seconds until every batch was committed.
    func feed(_ runtime: Runtime, payloads: [[UInt8]], topic: String = IntakeBench.topic) async throws -> Double {
        let registry = await runtime.registry
        let batch = 2000
        let t0 = DispatchTime.now().uptimeNanoseconds
        let inflight = AsyncSemaphore(8)
        var next: Int64 = 0
        var expected: Int64?
        var failures = 0
        await withTaskGroup(of: Int.self) { group in
            for start in stride(from: 0, to: events, by: batch) {
                var items: [IntakeItem] = []
                for i in start..<min(start + batch, events) {
                    guard case .success(let v) = EventDecoder.decode(payloads[i % payloads.count], topic: topic, registry: registry) else { continue }
                    items.append(.event(IntakeEvent(value: v, topic: topic, offset: ConsumedOffset(group: "bench", topic: topic, partition: 0, offset: next, expected: expected))))
                    expected = next + 1
                    next += 1
                }
                // at most 8 batches handed over and not yet committed, as the consumer does;
                // handed over in order (positions must follow each other)
                await inflight.wait()
                let (stream, done) = AsyncStream.makeStream(of: Int.self)
                await runtime.ingest(items) { results in
                    done.yield(results.filter { if case .failure = $0 { true } else { false } }.count)
                    done.finish()
                }
                group.addTask {
                    var failed = 0
                    for await f in stream { failed = f }
                    await inflight.signal()
                    return failed
                }
            }
            for await f in group { failures += f }
        }
        let secs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        guard failures == 0 else { throw ValidationError("intake benchmark: \(failures) events not committed") }
        return secs
    }

    /// Latency at a fixed arrival rate: each event is due at its scheduled time (open loop, so
    /// a slow commit delays the events behind it and is counted against them). The events due
    /// are handed to the engine together, at most once a millisecond (as a consumer's poll
    /// hands over what arrived; waking for every event cost the shared two cores ≈ 10,000
    /// timer wake-ups a second); latency runs from each event's own scheduled arrival — so the
    /// wait for the hand-over counts against the engine — to the commit of the instance it
    /// started, with its first step.
    func latency(rate: Double, _ spec: String) async throws -> Row {
        try await BenchSupport.withFreshStore(spec, sqliteSync: sqliteSync) { store, label in try await latency(rate: rate, store: store, label: label) }
    }

    func latency(rate: Double, seconds: Double = 8, store: any ProcessStore, label: String) async throws -> Row {
        let runtime = try await runtime(store)
        let registry = await runtime.registry
        let payloads = (0..<1000).map { Self.payload($0, hot: true) }
        let total = max(1, Int(rate * seconds))
        let latencies = Locked<[Double]>([])
        let failures = Locked(0)
        let pending = Locked(0)
        let t0 = DispatchTime.now().uptimeNanoseconds
        func due(_ i: Int) -> UInt64 { t0 + UInt64(Double(i) / rate * 1e9) }
        let tick: UInt64 = 1_000_000
        var i = 0
        var next: Int64 = 0
        var expected: Int64?
        do {
            while i < total {
                let now = DispatchTime.now().uptimeNanoseconds
                if due(i) > now {
                    // pacing the arrivals (a benchmark, on the wall clock): wake at most once a
                    // millisecond, as a consumer's poll would, and hand over what is due by then
                    try? await Task.sleep(nanoseconds: max(due(i) - now, tick - (now - t0) % tick))
                    continue
                }
                var items: [IntakeItem] = []
                var dues: [UInt64] = []
                while i < total, due(i) <= now {
                    if case .success(let v) = EventDecoder.decode(payloads[i % 1000], topic: Self.topic, registry: registry) {
                        items.append(.event(IntakeEvent(value: v, topic: Self.topic, offset: ConsumedOffset(group: "bench", topic: Self.topic, partition: 0, offset: next, expected: expected))))
                        expected = next + 1
                        next += 1
                        dues.append(due(i))
                    }
                    i += 1
                }
                let arrivals = dues
                pending.withLock { $0 += 1 }
                // handed over in order (positions must follow each other); ingest only enqueues
                await runtime.ingest(items) { results in
                    let done = DispatchTime.now().uptimeNanoseconds
                    let failed = results.filter { if case .failure = $0 { true } else { false } }.count
                    if failed > 0 {
                        if failures.withLock({ $0 }) == 0, case .failure(let e)? = results.first(where: { if case .failure = $0 { true } else { false } }) {
                            FileHandle.standardError.write(Data("latency benchmark: \(e)\n".utf8))
                        }
                        failures.withLock { $0 += failed }
                    }
                    latencies.withLock { l in for a in arrivals { l.append(Double(done - a) / 1e6) } }
                    pending.withLock { $0 -= 1 }
                }
            }
            while pending.withLock({ $0 }) > 0 { try? await Task.sleep(nanoseconds: 1_000_000) }  // the last commits
        }
        await runtime.shutdown()
        guard failures.withLock({ $0 }) == 0 else { throw ValidationError("latency benchmark: \(failures.withLock { $0 }) events not committed") }
        guard try await store.countInstances(status: nil) == total else { throw ValidationError("latency benchmark: not every event started its instance") }
        let sorted = latencies.withLock { $0 }.sorted()
        return Row(name: "latency-half", store: label, events: total, perSecond: rate, started: total,
                   p50: BenchSupport.quantile(sorted, 0.5), p99: BenchSupport.quantile(sorted, 0.99), p999: BenchSupport.quantile(sorted, 0.999))
    }

    /// From a real broker: produce every event first, then time the engine's consumer group
    /// until every position is stored.
    func fromKafka(_ settings: KafkaSettings, hot: Bool, _ spec: String) async throws -> Row {
        try await BenchSupport.withFreshStore(spec, sqliteSync: sqliteSync) { store, label in try await fromKafka(settings, hot: hot, store: store, label: label) }
    }

    func fromKafka(_ settings: KafkaSettings, hot: Bool, store: any ProcessStore, label: String) async throws -> Row {
        let topic = "\(Self.topic)-\(UUIDv7.make().prefix(13))"
        let producer = try KafkaProducer(settings)
        for start in stride(from: 0, to: events, by: 5000) {
            try await producer.sendAll((start..<min(start + 5000, events)).map { (topic, "hp\($0 % 1000)", Self.payload($0, hot: hot), []) })
        }
        producer.close()
        let runtime = try await runtime(store, topic: topic)
        let group = "bench-\(UUIDv7.make())"
        let intake = try KafkaIntake(runtime: runtime, settings: settings, group: group, deadLetters: DeadLetters(producer: nil, topic: nil), logger: Self.logger)
        await intake.start()
        // timed from the first stored position, so joining the group is not counted
        var first: UInt64?
        let deadline = Date().addingTimeInterval(600)
        while Date() < deadline {
            let consumed = try await positionsStored(store, group: group)
            if consumed > 0, first == nil { first = DispatchTime.now().uptimeNanoseconds }
            if consumed >= events { break }
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        let secs = Double(DispatchTime.now().uptimeNanoseconds - (first ?? 0)) / 1e9
        await intake.stop()
        await runtime.shutdown()
        let started = try await store.countInstances(status: nil)
        guard try await positionsStored(store, group: group) >= events else { throw ValidationError("kafka benchmark: not every event was consumed in time") }
        return Row(name: hot ? "kafka-start" : "kafka-filter", store: label, events: events, perSecond: Double(events) / secs, started: started)
    }

    /// How many events have their position stored (every partition starts at 0).
    func positionsStored(_ store: any ProcessStore, group: String) async throws -> Int {
        try await store.consumerOffsets(group: group).reduce(0) { $0 + Int($1.next) }
    }
}

/// A counting semaphore for tasks.
actor AsyncSemaphore {
    var permits: Int
    var waiters: [CheckedContinuation<Void, Never>] = []
    init(_ n: Int) { permits = n }
    func wait() async {
        if permits > 0 { permits -= 1; return }
        await withCheckedContinuation { waiters.append($0) }
    }
    func signal() {
        if waiters.isEmpty { permits += 1 } else { waiters.removeFirst().resume() }
    }
}

extension String {
    func leftPad(_ n: Int) -> String { String(repeating: " ", count: max(1, n - count)) + self }
}
