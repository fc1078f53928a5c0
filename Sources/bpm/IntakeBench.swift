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
    let sqliteSync: String
    let kafka: KafkaSettings?
    let json: Bool
    static let definitions = 50
    static let topic = "bench-telemetry"

    struct Row {
        var name: String
        var events: Int
        var perSecond: Double
        var started: Int
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
        rows.append(try match())
        rows.append(try await intake(hot: false))
        rows.append(try await intake(hot: true))
        if let kafka {
            rows.append(try await fromKafka(kafka, hot: false))
            rows.append(try await fromKafka(kafka, hot: true))
        }
        if json {
            print(JSON.encode(.list(rows.map { r in
                .context(["name": .string(r.name), "events": .number(Double(r.events)), "events_per_second": .number(r.perSecond.rounded()),
                          "instances_started": .number(Double(r.started)), "definitions": .number(Double(Self.definitions))])
            })))
        } else {
            print("event intake, \(Self.definitions) definitions on one topic (store: sqlite, \(sqliteSync))")
            print("name".padding(toLength: 16, withPad: " ", startingAt: 0) + "events".leftPad(10) + "events/s".leftPad(12) + "started".leftPad(10))
            for r in rows {
                print(r.name.padding(toLength: 16, withPad: " ", startingAt: 0) + "\(r.events)".leftPad(10) + String(format: "%.0f", r.perSecond).leftPad(12) + "\(r.started)".leftPad(10))
            }
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
            // what routing computes for every definition on the topic: the key, and the condition
            for (def, _) in registry.triggered(byTopic: Self.topic) where EventIntake.correlationKey(value, def) != nil && EventIntake.conditionHolds(value, def) {
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

    /// A runtime on a fresh SQLite file in `dir` with the 50 definitions listening on `topic`.
    func runtime(_ dir: URL, topic: String = IntakeBench.topic) async throws -> (Runtime, SQLiteStore) {
        let store = try SQLiteStore(path: dir.appendingPathComponent("bench.sqlite").path, synchronous: sqliteSync)
        try await store.migrate()
        let runtime = Runtime(store: store, connectors: ConnectorRegistry(), logger: Self.logger)
        try await runtime.start(timerLoop: false)
        for i in 0..<Self.definitions {
            try await runtime.deploy(source: Self.definition(i).replacingOccurrences(of: "topic: \(Self.topic)", with: "topic: \(topic)"), file: "intake-\(i).yaml")
        }
        return (runtime, store)
    }

    /// The consumer's path without a broker: batches of decoded events with their positions.
    func intake(hot: Bool) async throws -> Row {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpm-bench-\(UUIDv7.make())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (runtime, store) = try await runtime(dir)
        let registry = await runtime.registry
        let payloads = (0..<1000).map { Self.payload($0, hot: hot) }
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
                    guard case .success(let v) = EventDecoder.decode(payloads[i % 1000], topic: Self.topic, registry: registry) else { continue }
                    items.append(.event(IntakeEvent(value: v, topic: Self.topic, offset: ConsumedOffset(group: "bench", topic: Self.topic, partition: 0, offset: next, expected: expected))))
                    expected = next + 1
                    next += 1
                }
                // at most 8 batches handed over and not yet committed, as the consumer does
                await inflight.wait()
                let handed = items
                group.addTask {
                    let failed = await withCheckedContinuation { (c: CheckedContinuation<Int, Never>) in
                        Task { await runtime.ingest(handed) { results in c.resume(returning: results.filter { if case .failure = $0 { true } else { false } }.count) } }
                    }
                    await inflight.signal()
                    return failed
                }
            }
            for await f in group { failures += f }
        }
        let secs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        await runtime.shutdown()
        guard failures == 0 else { throw ValidationError("intake benchmark: \(failures) events not committed") }
        let started = try await store.countInstances(status: nil)
        guard started == (hot ? events : 0) else { throw ValidationError("intake benchmark: \(started) instances, expected \(hot ? events : 0)") }
        guard try await store.consumerOffsets(group: "bench").first?.next == Int64(events) else { throw ValidationError("intake benchmark: positions not stored") }
        return Row(name: hot ? "intake-start" : "intake-filter", events: events, perSecond: Double(events) / secs, started: started)
    }

    /// From a real broker: produce every event first, then time the engine's consumer group
    /// until every position is stored.
    func fromKafka(_ settings: KafkaSettings, hot: Bool) async throws -> Row {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpm-bench-\(UUIDv7.make())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let topic = "\(Self.topic)-\(UUIDv7.make().prefix(13))"
        let producer = try KafkaProducer(settings)
        for start in stride(from: 0, to: events, by: 5000) {
            try await producer.sendAll((start..<min(start + 5000, events)).map { (topic, "hp\($0 % 1000)", Self.payload($0, hot: hot), []) })
        }
        producer.close()
        let (runtime, store) = try await runtime(dir, topic: topic)
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
        return Row(name: hot ? "kafka-start" : "kafka-filter", events: events, perSecond: Double(events) / secs, started: started)
    }

    /// How many events have their position stored (every partition starts at 0).
    func positionsStored(_ store: SQLiteStore, group: String) async throws -> Int {
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
