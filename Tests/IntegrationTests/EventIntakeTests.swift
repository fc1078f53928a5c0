import BPMExpressions
import BPMStore
import BPMStorePostgres
import BPMStoreSQLite
import BPMStreams
import BPMTestSupport
import Foundation
import Logging
import Testing

/// `bpm serve` against a real Kafka-protocol broker (tansu) and a real MQTT broker
/// (mosquitto): the plan's temperature-control loop end to end, exactly-once intake across
/// a SIGKILL, dead letters, and MQTT triggers across a broker restart.
@Suite(.serialized) struct EventIntakeTests {
    static let quiet: Logger = {
        var l = Logger(label: "test.kafka")
        l.logLevel = .critical
        return l
    }()

    /// The broker, once the librdkafka this process runs with can talk to it.
    func broker() throws -> TestKafka {
        let parts = librdkafkaVersion.split(separator: ".").compactMap { Int($0) }
        guard parts.count >= 2, parts[0] > 2 || (parts[0] == 2 && parts[1] >= 16) else {
            throw TestFailure("librdkafka \(librdkafkaVersion) fails tansu's handshake: run the tests with `make test`, which puts the confluent-kafka wheel's librdkafka 2.16 on LD_LIBRARY_PATH")
        }
        return try TestKafka.broker()
    }

    func serverOptions(_ kafka: TestKafka, group: String) -> [String] {
        ["--kafka-brokers", kafka.brokers, "--kafka-group", group, "--log-level", "info"]
            + TestKafka.groupProperties.sorted { $0.key < $1.key }.flatMap { ["--kafka-option", "\($0.key)=\($0.value)"] }
    }

    /// Every record of a topic from its beginning, once `count` arrived (or the time is up).
    func readTopic(_ kafka: TestKafka, _ topic: String, count: Int, timeout: Double = 90) throws -> [KafkaConsumer.Record] {
        let got = Locked<[KafkaConsumer.Record]>([])
        let consumer = try KafkaConsumer(KafkaSettings(brokers: kafka.brokers, properties: TestKafka.groupProperties), group: "reader-\(UUID().uuidString)",
                                         logger: Self.quiet, positions: { [:] }, deliver: { records in got.withLock { $0 += records } })
        consumer.subscribe([topic])
        consumer.start()
        defer { consumer.stop() }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, got.withLock({ $0.count }) < count { usleep(50_000) }  // a real broker's delivery, not engine time
        usleep(500_000)  // anything beyond `count` that was on its way
        return got.withLock { $0 }
    }

    /// Polls until `condition` holds (another process's progress on the wall clock).
    func waitUntil(_ what: String, timeout: Double = 120, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw TestFailure("timed out waiting for \(what)")
    }

    /// Produces `{"seq": i}` for i in 0..<total in chunks with a pause between them (events
    /// streaming in over seconds), keyed over many keys so every partition gets some.
    func streamSeq(_ producer: KafkaProducer, topic: String, total: Int, chunks: Int, pause: Double, produced: Locked<Int>) -> Task<Void, any Error> {
        Task {
            let n = total / chunks
            for chunk in 0..<chunks {
                try await producer.sendAll((0..<n).map { j in
                    let i = chunk * n + j
                    return (topic, "k\(i % 97)", Array(#"{"seq": \#(i)}"#.utf8), [])
                })
                produced.withLock { $0 += n }
                try await Task.sleep(nanoseconds: UInt64(pause * 1e9))
            }
        }
    }

    /// A folder with a definition that starts one instance per event on `topic`, keeping its `seq`.
    func oneInstancePerEvent(topic: String, in dir: URL) throws -> URL {
        let defs = try subfolder("defs", of: dir)
        try """
        id: count-reading
        trigger: {type: event, source: redpanda, topic: \(topic)}
        variables:
          - {name: seq, source: seq}
        activities:
          - {id: mark, type: script, set: {seen: seq}}
        """.write(to: defs.appendingPathComponent("count.yaml"), atomically: true, encoding: .utf8)
        return defs
    }

    func telemetry(_ device: String, _ temp: Double) -> [UInt8] {
        Array(#"{"name": "heatpump", "tags": {"device_id": "\#(device)"}, "fields": {"flow_temp_c": \#(temp)}, "timestamp": 1790000000}"#.utf8)
    }

    func sqlite(_ db: URL, _ sql: String) throws -> String {
        let r = try Spawned.run(["sqlite3", db.path, sql])
        guard r.status == 0 else { throw TestFailure("sqlite3: \(r.output)") }
        return r.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.timeLimit(.minutes(4))) func temperatureControlEndToEndThroughRedpandaAndMQTT() async throws {
        let kafka = try broker()
        let mqtt = try TestMosquitto()
        try kafka.createTopic("heatpump-telemetry", partitions: 3)
        try kafka.createTopic("bpm-lifecycle")
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        let example = try String(contentsOf: repoRoot.appendingPathComponent("examples/temperature-control.yaml"), encoding: .utf8)
        #expect(example.contains("duration: 5m"))
        // the recheck waits long enough for the normal reading sent after the start to arrive
        // first, also when the machine is busy with the other suites
        try example.replacingOccurrences(of: "duration: 5m", with: "duration: 10s").write(to: defs.appendingPathComponent("temperature-control.yaml"), atomically: true, encoding: .utf8)
        // a second process on the same topic acts back through Kafka
        try kafka.createTopic("heatpump-alerts")
        try """
        id: hot-alert
        trigger: {type: event, topic: heatpump-telemetry, condition: fields.flow_temp_c > 25}
        variables:
          - {name: device_id, source: tags.device_id}
          - {name: temperature, source: fields.flow_temp_c}
        activities:
          - id: alert
            type: service
            action: kafka_publish
            topic: heatpump-alerts
            key: ${device_id}
            payload: {device: "${device_id}", temperature: "${temperature}"}
            headers: {source: swift-bpm}
        """.write(to: defs.appendingPathComponent("hot-alert.yaml"), atomically: true, encoding: .utf8)

        // a real subscriber, connected before anything is published
        let subscriber = try Spawned.start(["mosquitto_sub", "-h", "127.0.0.1", "-p", String(mqtt.port), "-V", "mqttv5", "-t", "home/heatpump/control",
                                            "-C", "1", "-W", "120", "-F", "%P|%p"])
        let log = dir.appendingPathComponent("serve.log")
        let server = try Server(store: dir.appendingPathComponent("bpm.sqlite"), definitions: defs,
                                extra: serverOptions(kafka, group: "e2e") + ["--mqtt-url", mqtt.url, "--lifecycle-topic", "bpm-lifecycle"], stderr: log)
        let producer = try KafkaProducer(KafkaSettings(brokers: kafka.brokers))
        defer { producer.close() }

        try await producer.send(topic: "heatpump-telemetry", key: "hp1", value: telemetry("hp1", 27.5))
        let received = await subscriber.finished()
        #expect(received.status == 0, "the subscriber got a message: \(received.output)")
        let parts = received.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|", maxSplits: 1).map(String.init)
        let command = try JSON.parse(parts.last ?? "")
        #expect(command == ["device_id": "hp1", "command": "activate_cooling"])
        #expect(parts.first?.contains("bpm-idempotency-key:") == true, "the message carries its idempotency key: \(parts.first ?? "")")

        var first = ""
        try await waitUntil("the hp1 instance") {
            let r = try await http("GET", "\(server.base)/processes?definitionId=temperature-control&correlationKey=hp1")
            first = r.body[member: "items"].first[member: "id"].stringValue ?? ""
            return !first.isEmpty
        }
        // a normal reading for hp1 joins the running instance; hp2 starts its own
        try await producer.send(topic: "heatpump-telemetry", key: "hp1", value: telemetry("hp1", 22.0))
        try await producer.send(topic: "heatpump-telemetry", key: "hp2", value: telemetry("hp2", 27.5))
        do {
            try await waitUntil("the hp1 instance to complete") {
                try await http("GET", "\(server.base)/processes/\(first)").body[member: "status"] == "completed"
            }
        } catch {
            // what it waits for, and what the engine said
            let state = try? await http("GET", "\(server.base)/processes/\(first)")
            let history = try? await http("GET", "\(server.base)/processes/\(first)/history")
            let tail = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(40).joined(separator: "\n")
            Issue.record("hp1 did not complete: \(state.map { JSON.encode($0.body) } ?? "?")\nhistory: \(history.map { JSON.encode($0.body) } ?? "?")\nlog:\n\(tail)")
            throw error
        }
        let done = try await http("GET", "\(server.base)/processes/\(first)")
        #expect(done.body[member: "variables"][member: "temperature"] == 22.0, "the later reading was correlated")
        let history = try await http("GET", "\(server.base)/processes/\(first)/history")
        let completed = (history.body.listValue ?? []).filter { $0[member: "event"] == "completed" }.compactMap { $0[member: "elementId"].stringValue }
        #expect(completed.contains("log_success") && !completed.contains("escalate"), "path: \(completed)")
        var second: Value = .null
        try await waitUntil("the hp2 instance") {
            second = try await http("GET", "\(server.base)/processes?definitionId=temperature-control&correlationKey=hp2").body[member: "items"].first
            return !second.isNull
        }
        #expect(second[member: "id"].stringValue != first)

        // the engine's lifecycle events, keyed by instance id, for the users' sink
        let lifecycle = try readTopic(kafka, "bpm-lifecycle", count: 3).filter { $0.key.map { String(decoding: $0, as: UTF8.self) } == first }
        let types = try lifecycle.map { try JSON.parse(String(decoding: $0.value, as: UTF8.self))[member: "type"].stringValue ?? "" }
        #expect(types.first == "instance_started" && types.contains("instance_completed"), "lifecycle events of \(first): \(types)")

        // kafka_publish: one alert per hot reading (hp1 at 27.5, hp2 at 27.5), keyed by device, with its idempotency key
        let alerts = try readTopic(kafka, "heatpump-alerts", count: 2)
        #expect(alerts.count == 2)
        #expect(Set(alerts.compactMap { $0.key.map { String(decoding: $0, as: UTF8.self) } }) == ["hp1", "hp2"])
        let alert = try JSON.parse(String(decoding: try #require(alerts.first { $0.key == Array("hp1".utf8) }).value, as: UTF8.self))
        #expect(alert == ["device": "hp1", "temperature": 27.5], "a template that is one ${…} keeps the value's type")
        #expect(alerts.allSatisfy { a in a.headers.contains { $0.0 == "source" && $0.1 == "swift-bpm" } && a.headers.contains { $0.0 == "bpm-idempotency-key" } })
        let ready = try await http("GET", "\(server.base)/health/ready")
        #expect(ready.status == 200 && ready.body[member: "checks"] == ["store": "ok", "kafka": "ok", "mqtt": "ok"])
        server.kill(SIGTERM)
    }

    @Test(.timeLimit(.minutes(6))) func eachEventTakesEffectExactlyOnceAcrossASIGKILL() async throws {
        let kafka = try broker()
        try kafka.createTopic("readings-kill", partitions: 3)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try oneInstancePerEvent(topic: "readings-kill", in: dir)
        let db = dir.appendingPathComponent("bpm.sqlite")
        let total = 20_000
        let log = dir.appendingPathComponent("serve.log")
        var server = try Server(store: db, definitions: defs, extra: serverOptions(kafka, group: "kill"), stderr: log)
        let producer = try KafkaProducer(KafkaSettings(brokers: kafka.brokers))
        defer { producer.close() }
        let produced = Locked(0)
        // the events stream in over several seconds, across the kill
        let streaming = streamSeq(producer, topic: "readings-kill", total: total, chunks: 40, pause: 0.15, produced: produced)
        let store = try SQLiteStore(path: db.path)
        try await waitUntil("the first 2,000 instances") { try await store.countInstances(status: nil) >= 2000 }
        server.kill(SIGKILL)
        let producedAtKill = produced.withLock { $0 }
        let appliedAtKill = try await store.countInstances(status: nil)
        #expect(producedAtKill < total, "killed while events were still streaming in (\(producedAtKill) produced)")

        server = try Server(store: db, definitions: defs, extra: serverOptions(kafka, group: "kill"), stderr: log)
        try await streaming.value
        try await waitUntil("all \(total) events to take effect", timeout: 180) { try await store.countInstances(status: nil) >= total }
        try await Task.sleep(nanoseconds: 2_000_000_000)  // anything applied twice would show up now
        server.kill(SIGTERM)

        #expect(try sqlite(db, "SELECT count(*) FROM process_instances") == "\(total)")
        #expect(try sqlite(db, "SELECT count(DISTINCT json_extract(variables, '$.seq')) FROM process_instances") == "\(total)", "one instance per event")
        #expect(try sqlite(db, "SELECT count(*) FROM process_instances WHERE status != 'completed'") == "0")
        let perInstance = try sqlite(db, "SELECT count(*) FROM process_history WHERE instance_id = (SELECT min(id) FROM process_instances)")
        #expect(try sqlite(db, "SELECT count(*) FROM process_history") == "\(total * Int(perInstance)!)", "\(perInstance) history rows per instance, none twice")
        #expect(try sqlite(db, "SELECT sum(next_offset) FROM consumer_offsets WHERE group_id = 'kill'") == "\(total)", "the stored positions cover every event")
        print("exactly-once: \(total) events, engine killed after \(appliedAtKill) had taken effect and \(producedAtKill) were produced; \(total) instances, \(total * Int(perInstance)!) history rows")
    }

    /// The broker stops answering (frozen with SIGSTOP: tansu keeps its log only in memory, so a
    /// restart of it would be a broker that lost its data; a frozen one is an outage that
    /// keeps it): readiness reports it, and once it answers again every event produced before,
    /// during and after takes effect exactly once.
    @Test(.timeLimit(.minutes(5))) func aKafkaBrokerOutageIsRiddenOut() async throws {
        _ = try broker()  // the librdkafka check
        let kafka = try TestKafka()  // its own broker: this test kills it
        defer { kafka.crash() }
        try kafka.createTopic("readings-restart", partitions: 2)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try oneInstancePerEvent(topic: "readings-restart", in: dir)
        let db = dir.appendingPathComponent("bpm.sqlite")
        let server = try Server(store: db, definitions: defs, extra: serverOptions(kafka, group: "restart"), stderr: dir.appendingPathComponent("serve.log"))
        defer { server.kill(SIGTERM) }
        let store = try SQLiteStore(path: db.path)
        func produce(_ range: Range<Int>) async throws {
            let producer = try KafkaProducer(KafkaSettings(brokers: kafka.brokers))
            defer { producer.close() }
            try await producer.sendAll(range.map { ("readings-restart", "k\($0 % 13)", Array(#"{"seq": \#($0)}"#.utf8), []) })
        }
        try await produce(0..<300)
        try await waitUntil("the first 300 events") { try await store.countInstances(status: nil) == 300 }

        kafka.signal(SIGSTOP)
        try await waitUntil("readiness to report the broker", timeout: 60) {
            let r = try await http("GET", "\(server.base)/health/ready")
            return r.status == 503 && r.body[member: "checks"][member: "kafka"].stringValue?.contains("no broker") == true
        }
        let during = Task { try await produce(300..<450) }  // waits in the producer until the broker answers
        try await Task.sleep(nanoseconds: 2_000_000_000)  // the outage lasts a while (wall time on purpose)
        kafka.signal(SIGCONT)
        try await during.value
        try await produce(450..<600)
        try await waitUntil("the events produced during and after the outage", timeout: 120) { try await store.countInstances(status: nil) >= 600 }
        try await waitUntil("readiness to recover", timeout: 30) { try await http("GET", "\(server.base)/health/ready").status == 200 }
        try await Task.sleep(nanoseconds: 1_000_000_000)  // anything applied twice would show up now
        #expect(try sqlite(db, "SELECT count(*) FROM process_instances") == "600")
        #expect(try sqlite(db, "SELECT count(DISTINCT json_extract(variables, '$.seq')) FROM process_instances") == "600", "one instance per event")
    }

    /// The store stops answering (PostgreSQL frozen) while 40,000 events of 1 KB arrive: the
    /// consumer stops taking them once its batches wait for the store (they stay at the
    /// broker, not in the engine's memory), and once the store answers again each takes effect
    /// exactly once.
    @Test(.timeLimit(.minutes(6))) func aStoreThatFallsBehindSlowsIntakeInsteadOfGrowingMemory() async throws {
        let kafka = try broker()
        try kafka.createTopic("readings-pressure", partitions: 2)
        let pg = try TestPostgres()  // its own server: this test freezes it
        defer { try? pg.stop() }
        let url = try pg.createDatabase("pressure")
        let db = String(url.split(separator: "/").last!.split(separator: "?").first!)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try oneInstancePerEvent(topic: "readings-pressure", in: dir)
        let server = try Server(store: dir.appendingPathComponent("unused"), definitions: defs, extra: serverOptions(kafka, group: "pressure"),
                                storeURL: url, stderr: dir.appendingPathComponent("serve.log"))
        defer { server.kill(SIGTERM) }
        let store = try PostgresStore(url: url)
        let producer = try KafkaProducer(KafkaSettings(brokers: kafka.brokers))
        defer { producer.close() }
        let pad = String(repeating: "x", count: 1000)
        func produce(_ range: Range<Int>) async throws {
            for chunk in stride(from: range.lowerBound, to: range.upperBound, by: 2000) {
                try await producer.sendAll((chunk..<min(chunk + 2000, range.upperBound)).map {
                    ("readings-pressure", "k\($0 % 31)", Array(#"{"seq": \#($0), "pad": "\#(pad)"}"#.utf8), [])
                })
            }
        }
        try await produce(0..<2000)
        try await waitUntil("the first 2,000 events") { try await store.countInstances(status: nil) == 2000 }
        let before = FaultTests.resources(server.process.processIdentifier)

        try pg.signal(SIGSTOP)
        try await produce(2000..<42_000)
        try await Task.sleep(nanoseconds: 5_000_000_000)  // the consumer takes what it may (wall time on purpose)
        let during = FaultTests.resources(server.process.processIdentifier)
        try pg.signal(SIGCONT)
        print("backpressure: RSS \(before.rssKiB / 1024) MiB before, \(during.rssKiB / 1024) MiB with 40,000 events (40 MB) waiting for a frozen store")
        #expect(during.rssKiB - before.rssKiB < 96 * 1024, "memory grew by \((during.rssKiB - before.rssKiB) / 1024) MiB while the store was frozen")

        try await waitUntil("all 42,000 events to take effect", timeout: 240) { try await store.countInstances(status: nil) >= 42_000 }
        try await Task.sleep(nanoseconds: 1_000_000_000)  // anything applied twice would show up now
        #expect(try pg.psql(db, "SELECT count(*) FROM process_instances").trimmingCharacters(in: .whitespacesAndNewlines) == "42000")
        #expect(try pg.psql(db, "SELECT count(DISTINCT variables->>'seq') FROM process_instances").trimmingCharacters(in: .whitespacesAndNewlines) == "42000")
    }

    @Test(.timeLimit(.minutes(6))) func twoReplicasOnPostgreSQLShareTheGroupAndOneTakesOverAfterTheOtherIsKilled() async throws {
        let kafka = try broker()
        try kafka.createTopic("readings-shared", partitions: 4)
        let pg = try TestPostgres.server()
        let url = try pg.createDatabase("intake")
        let db = String(url.split(separator: "/").last!.split(separator: "?").first!)
        func count(_ sql: String) throws -> Int { Int(try pg.psql(db, sql).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1 }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try oneInstancePerEvent(topic: "readings-shared", in: dir)
        let logs = (0..<2).map { dir.appendingPathComponent("serve\($0).log") }
        let servers = try logs.map { try Server(store: dir.appendingPathComponent("unused"), definitions: defs, extra: serverOptions(kafka, group: "shared"), storeURL: url, stderr: $0) }
        defer { for s in servers where s.process.isRunning { s.kill(SIGTERM) } }
        // both members hold partitions before events flow
        try await waitUntil("both replicas to be assigned partitions", timeout: 60) {
            try logs.allSatisfy { (try String(contentsOf: $0, encoding: .utf8)).range(of: #"kafka: assigned [1-9]"#, options: .regularExpression) != nil }
        }
        let total = 12_000
        let producer = try KafkaProducer(KafkaSettings(brokers: kafka.brokers))
        defer { producer.close() }
        let streaming = streamSeq(producer, topic: "readings-shared", total: total, chunks: 24, pause: 0.2, produced: Locked(0))
        try await waitUntil("the first 2,000 instances") { try count("SELECT count(*) FROM process_instances") >= 2000 }
        servers[0].kill(SIGKILL)
        try await streaming.value
        // the survivor gets the dead member's partitions once its session times out
        try await waitUntil("all \(total) events to take effect", timeout: 180) { try count("SELECT count(*) FROM process_instances") >= total }
        try await Task.sleep(nanoseconds: 2_000_000_000)
        #expect(try count("SELECT count(*) FROM process_instances") == total)
        #expect(try count("SELECT count(DISTINCT variables->>'seq') FROM process_instances") == total, "one instance per event")
        #expect(try count("SELECT sum(next_offset) FROM consumer_offsets WHERE group_id = 'shared'") == total)
        let survivor = try String(contentsOf: logs[1], encoding: .utf8)
        #expect(survivor.components(separatedBy: "kafka: assigned").count - 1 >= 2, "the survivor was assigned again after the kill")
    }

    @Test(.timeLimit(.minutes(5))) func badEventsGoToTheDeadLetterTopicAndGoodOnesAllTakeEffect() async throws {
        let kafka = try broker()
        try kafka.createTopic("sensor-mixed", partitions: 3)
        try kafka.createTopic("sensor-dead", partitions: 1)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        try """
        id: sensor-reading
        trigger: {type: event, topic: sensor-mixed, condition: "fields.v >= 0"}
        variables:
          - {name: device, source: tags.device_id}
          - {name: n, source: n}
        activities:
          - {id: keep, type: script, set: {kept: n}}
        """.write(to: defs.appendingPathComponent("sensor.yaml"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("bpm.sqlite")
        let log = dir.appendingPathComponent("serve.log")
        let server = try Server(store: db, definitions: defs, extra: serverOptions(kafka, group: "dlq") + ["--dead-letter-topic", "sensor-dead"], stderr: log)
        let producer = try KafkaProducer(KafkaSettings(brokers: kafka.brokers))
        defer { producer.close() }
        var messages: [(topic: String, key: String?, value: [UInt8], headers: [(String, String)])] = []
        var good = 0, bad = 0
        for i in 0..<11_000 {
            let text: String
            if i % 11 == 5 {
                switch bad % 10 {
                case 0..<4: text = "garbage \(i) {"                                                   // not JSON
                case 4..<7: text = #"{"fields": {"v": 1}, "n": \#(i)}"#                                   // no tags.device_id
                default: text = #"{"tags": {"device_id": "d"}, "fields": {"v": "high"}, "n": \#(i)}"#     // v is not a number
                }
                bad += 1
            } else {
                text = #"{"tags": {"device_id": "d\#(i % 50)"}, "fields": {"v": \#(i % 7)}, "n": \#(i)}"#
                good += 1
            }
            messages.append(("sensor-mixed", "d\(i % 50)", Array(text.utf8), []))
        }
        #expect(good == 10_000 && bad == 1_000)
        for start in stride(from: 0, to: messages.count, by: 1000) { try await producer.sendAll(Array(messages[start..<min(start + 1000, messages.count)])) }

        let store = try SQLiteStore(path: db.path)
        try await waitUntil("10,000 good events to take effect", timeout: 180) { try await store.countInstances(status: nil) >= 10_000 }
        let dead = try readTopic(kafka, "sensor-dead", count: 1000)
        #expect(dead.count == 1000)
        var reasons: [String: Int] = [:]
        for r in dead { reasons[r.headers.first { $0.0 == "bpm-error-reason" }?.1 ?? "none", default: 0] += 1 }
        #expect(reasons == ["not_json": 400, "missing_path": 300, "wrong_type": 300])
        #expect(dead.allSatisfy { r in r.headers.contains { $0.0 == "bpm-source-topic" && $0.1 == "sensor-mixed" } })
        let metrics = try await http("GET", "\(server.base)/metrics").text
        #expect(metrics.contains(#"bpm_events_dead_lettered_total{reason="not_json",topic="sensor-mixed"} 400"#)
            || metrics.contains(#"bpm_events_dead_lettered_total{topic="sensor-mixed",reason="not_json"} 400"#), "dead letters are counted per topic and reason")
        server.kill(SIGTERM)
        #expect(try sqlite(db, "SELECT count(DISTINCT json_extract(variables, '$.n')) FROM process_instances") == "10000")
        // the consumer kept going: one assignment, never started again from stored positions
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(text.components(separatedBy: "kafka: assigned").count - 1 == 1, "one assignment")
        #expect(!text.contains("starting again from the stored positions"))
        // each reason is logged once (rate-limited), not a thousand times
        #expect(text.components(separatedBy: "bad event on sensor-mixed set aside (not_json)").count - 1 == 1)
    }

    @Test(.timeLimit(.minutes(3))) func mqttTriggersWithTopicFiltersSurviveABrokerRestart() async throws {
        let mqtt = try TestMosquitto()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        try """
        id: room-too-warm
        trigger: {type: event, source: mqtt, topic: "home/+/temperature", condition: "celsius > 26"}
        variables:
          - {name: room, source: room}
          - {name: celsius, source: celsius}
        correlation_key: room
        activities:
          - {id: ack, type: receive, message: fan-on, topic: "home/fans/ack", source: mqtt, key_path: room, correlation_key: room}
        """.write(to: defs.appendingPathComponent("room.yaml"), atomically: true, encoding: .utf8)
        let server = try Server(store: dir.appendingPathComponent("bpm.sqlite"), definitions: defs, extra: ["--mqtt-url", mqtt.url, "--log-level", "info"],
                                stderr: dir.appendingPathComponent("serve.log"))
        func publish(_ topic: String, _ payload: String) throws {
            let r = try Spawned.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", String(mqtt.port), "-q", "1", "-t", topic, "-m", payload])
            #expect(r.status == 0, "\(r.output)")
        }
        func instance(_ room: String) async throws -> Value {
            try await http("GET", "\(server.base)/processes?definitionId=room-too-warm&correlationKey=\(room)").body[member: "items"].first
        }
        // the server subscribes once it is connected: publish until the first reading lands
        try await waitUntil("the kitchen instance") {
            try publish("home/kitchen/temperature", #"{"room": "kitchen", "celsius": 28}"#)
            return !(try await instance("kitchen")).isNull
        }
        try publish("home/hall/temperature", #"{"room": "hall", "celsius": 20}"#)
        try publish("home/fans/ack", #"{"room": "kitchen"}"#)
        try await waitUntil("the kitchen acknowledgement") { try await instance("kitchen")[member: "status"] == "completed" }
        #expect(try await instance("hall").isNull, "a normal reading starts nothing")

        // readiness follows the broker: not ready while it is down, ready once reconnected
        #expect(try await http("GET", "\(server.base)/health/ready").body[member: "checks"][member: "mqtt"] == "ok")
        mqtt.crash()
        try await waitUntil("readiness to report the broker down", timeout: 30) {
            let r = try await http("GET", "\(server.base)/health/ready")
            return r.status == 503 && r.body[member: "checks"][member: "mqtt"].stringValue?.hasPrefix("not connected") == true
        }
        try mqtt.start()
        try await waitUntil("readiness after the broker is back", timeout: 60) { try await http("GET", "\(server.base)/health/ready").status == 200 }
        try await waitUntil("a reading after the broker restart") {
            try publish("home/office/temperature", #"{"room": "office", "celsius": 30}"#)
            return !(try await instance("office")).isNull
        }
        server.kill(SIGTERM)
    }
}

extension Value {
    /// The first item of a list (null when empty or not a list).
    var first: Value { listValue?.first ?? .null }
}
