import BPMExpressions
import BPMStore
import BPMStreams
import BPMTestSupport
import Foundation
import Logging
import Testing

/// The edge and Kafka: lifecycle events queued while the broker is down and delivered in order
/// once it is back (a gateway on SQLite that keeps running meanwhile), and a recreated topic
/// whose offsets went below the stored positions, paused until `bpm kafka reset`. Each test
/// freezes or restarts a tansu of its own.
@Suite(.serialized) struct EdgeKafkaTests {
    /// A tansu of this test's own, once the librdkafka this process runs with can talk to it.
    func ownBroker() throws -> TestKafka {
        let parts = librdkafkaVersion.split(separator: ".").compactMap { Int($0) }
        guard parts.count >= 2, parts[0] > 2 || (parts[0] == 2 && parts[1] >= 16) else {
            throw TestFailure("librdkafka \(librdkafkaVersion) fails tansu's handshake: run the tests with `make test`")
        }
        return try TestKafka()
    }

    func options(_ kafka: TestKafka, group: String) -> [String] {
        ["--kafka-brokers", kafka.brokers, "--kafka-group", group, "--log-level", "info"]
            + TestKafka.groupProperties.sorted { $0.key < $1.key }.flatMap {
                ["--kafka-option", "\($0.key)=\($0.value)"]
            }
    }


    /// Every record of a topic from its beginning, once `count` arrived (or the time is up).
    func readTopic(
        _ kafka: TestKafka, _ topic: String, count: Int, timeout: Double = 90
    ) throws -> [KafkaConsumer.Record] {
        let got = Locked<[KafkaConsumer.Record]>([])
        let consumer = try KafkaConsumer(
            KafkaSettings(brokers: kafka.brokers, properties: TestKafka.groupProperties),
            group: "reader-\(UUID().uuidString)", logger: .init(label: "test.reader"),
            positions: { [:] }, deliver: { records in got.withLock { $0 += records } })
        consumer.subscribe([topic])
        consumer.start()
        defer { consumer.stop() }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, got.withLock({ $0.count }) < count { usleep(50_000) }  // a real broker's delivery
        usleep(500_000)  // anything beyond `count` that was on its way
        return got.withLock { $0 }
    }

    func sqlite(_ db: URL, _ sql: String) throws -> String {
        let r = try Spawned.run(["sqlite3", db.path, sql])
        guard r.status == 0 else { throw TestFailure("sqlite3: \(r.output)") }
        return r.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.timeLimit(.minutes(5))) func aGatewayOnSQLiteKeepsRunningWhileKafkaIsDownAndForwardsItsEventsInOrder()
        async throws
    {
        let kafka = try ownBroker()
        try kafka.createTopic("edge-lifecycle")
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        try """
        id: edge-step
        activities:
          - {id: mark, type: script, set: {seen: true}}
        """.write(to: defs.appendingPathComponent("step.yaml"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("bpm.sqlite")
        let server = try Server(
            store: db, definitions: defs,
            extra: options(kafka, group: "edge-life") + ["--lifecycle-topic", "edge-lifecycle"],
            stderr: dir.appendingPathComponent("serve.log"))
        kafka.signal(SIGSTOP)
        // the broker hangs for longer than a delivery's timeout (30 s): the engine goes on
        var ids: [String] = []
        for _ in 0..<20 {
            let r = try await http("POST", "\(server.base)/processes/edge-step/start", body: "{}")
            #expect(r.status == 201, "a start while Kafka is down: \(r.text)")
            ids.append(try #require(r.body[member: "id"].stringValue))
        }
        #expect(Int(try sqlite(db, "SELECT count(*) FROM outbox")) == 40, "started and completed of each, queued")
        try await Task.sleep(nanoseconds: 35_000_000_000)
        kafka.signal(SIGCONT)
        try await waitUntil("the outbox to drain", timeout: 120) {
            try sqlite(db, "SELECT count(*) FROM outbox") == "0"
        }

        let records = try readTopic(kafka, "edge-lifecycle", count: 40)
        var seen: Set<String> = []
        var types: [String: [String]] = [:]
        for r in records {
            let event = try JSON.parse(String(decoding: r.value, as: UTF8.self))
            // at least once: a repeat is dropped
            guard let id = event[member: "event_id"].stringValue, seen.insert(id).inserted else { continue }
            types[event[member: "instance_id"].stringValue ?? "", default: []].append(
                event[member: "type"].stringValue ?? "")
        }
        #expect(seen.count == 40, "every event delivered")
        for id in ids { #expect(types[id] == ["instance_started", "instance_completed"], "\(id): \(types[id] ?? [])") }
        server.kill(SIGTERM)
    }

    @Test(.timeLimit(.minutes(5))) func aRecreatedTopicIsPausedReportedAndConsumedAgainAfterAReset() async throws {
        let kafka = try ownBroker()
        try kafka.createTopic("edge-readings")
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        try """
        id: edge-count
        trigger: {type: event, source: redpanda, topic: edge-readings}
        variables:
          - {name: seq, source: seq}
        activities:
          - {id: mark, type: script, set: {seen: seq}}
        """.write(to: defs.appendingPathComponent("count.yaml"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("bpm.sqlite")
        let server = try Server(
            store: db, definitions: defs, extra: options(kafka, group: "edge-re"),
            stderr: dir.appendingPathComponent("serve.log"))
        let producer = try KafkaProducer(KafkaSettings(brokers: kafka.brokers))
        defer { producer.close() }
        func produce(_ seqs: Range<Int>) async throws {
            try await producer.sendInOrder(seqs.map { ("edge-readings", "k", Array(#"{"seq": \#($0)}"#.utf8), []) })
        }
        func count() throws -> Int {
            Int(try sqlite(db, "SELECT count(*) FROM process_instances WHERE definition_id = 'edge-count'")) ?? -1
        }
        try await produce(0..<5)
        try await waitUntil("the first five readings") { try count() == 5 }
        #expect(try sqlite(db, "SELECT next_offset FROM consumer_offsets WHERE topic = 'edge-readings'") == "5")

        // the broker loses its data; the topic is created again and gets two records (offsets 0 and 1)
        kafka.crash()
        try kafka.start()
        try kafka.createTopic("edge-readings")
        try await produce(5..<7)
        try await waitUntil("readiness to report the paused partition", timeout: 90) {
            let r = try await http("GET", "\(server.base)/health/ready")
            return r.body[member: "checks"][member: "kafka"].stringValue?.contains("below the stored position 5")
                == true
        }
        let metrics = try await http("GET", "\(server.base)/metrics").text
        let paused = metrics.split(separator: "\n").first { $0.hasPrefix("bpm_kafka_partitions_paused ") }
        #expect(paused.flatMap { Double($0.split(separator: " ").last ?? "") } == 1, "the paused partition in /metrics")
        #expect(metrics.contains(#"bpm_kafka_offset_regressions_total{topic="edge-readings"}"#))
        #expect(try count() == 5, "nothing of the new topic consumed before the reset")
        let log = try String(contentsOf: dir.appendingPathComponent("serve.log"), encoding: .utf8)
        #expect(
            log.contains("bpm kafka reset --store … --group edge-re --topic edge-readings"),
            "the log names the action")

        let positions = try await bpm(["kafka", "positions", "--store", "sqlite:\(db.path)", "--group", "edge-re"])
        #expect(positions.stdout == "edge-readings/0\t5\n", "\(positions)")
        let reset = try await bpm([
            "kafka", "reset", "--store", "sqlite:\(db.path)", "--group", "edge-re", "--topic", "edge-readings",
        ])
        #expect(
            reset.status == 0 && reset.stdout.contains("1 position(s) of group edge-re on edge-readings set to 0"),
            "\(reset)")
        let none = try await bpm([
            "kafka", "reset", "--store", "sqlite:\(db.path)", "--group", "edge-re", "--topic", "no-such-topic",
        ])
        #expect(none.status == 1 && none.stderr.contains("no stored position on no-such-topic"), "\(none)")

        try await waitUntil("the new topic's readings after the reset", timeout: 90) { try count() == 7 }
        try await waitUntil("readiness again") { try await http("GET", "\(server.base)/health/ready").status == 200 }
        #expect(try sqlite(db, "SELECT next_offset FROM consumer_offsets WHERE topic = 'edge-readings'") == "2")
        server.kill(SIGTERM)
    }
}
