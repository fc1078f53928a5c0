import BPMExpressions
import BPMTestSupport
import Foundation
import Testing

/// Nothing lost at the edge: `bpm serve` with a real mosquitto, on a real PostgreSQL that is
/// stopped for 30 seconds, and across a restart of the server, in a persistent MQTT session.
@Suite(.serialized) struct EdgeTests {
    /// A folder with a definition that starts one instance per reading on `sensors/+/reading`,
    /// its correlation key the reading's `seq` (so a repeat would show as a second instance).
    func oneInstancePerReading(in dir: URL) throws -> URL {
        let defs = try subfolder("defs", of: dir)
        try """
        id: edge-reading
        trigger: {type: event, source: mqtt, topic: "sensors/+/reading"}
        correlation_key: seq
        variables:
          - {name: seq, source: seq}
        activities:
          - {id: mark, type: script, set: {seen: seq}}
        """.write(to: defs.appendingPathComponent("reading.yaml"), atomically: true, encoding: .utf8)
        return defs
    }

    /// Publishes `{"seq": i}` for each i at QoS 1, one mosquitto_pub for all of them.
    func publish(_ mqtt: TestMosquitto, _ seqs: Range<Int>) throws {
        let lines = seqs.map { #"{"seq": \#($0)}"# }.joined(separator: "\n")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bpm-edge-\(UUID().uuidString).txt")
        try (lines + "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try Spawned.run([
            "sh", "-c",
            "mosquitto_pub -h 127.0.0.1 -p \(mqtt.port) -q 1 -V mqttv5 -t sensors/s1/reading -l < \(file.path)",
        ])
        #expect(r.status == 0, "mosquitto_pub: \(r.output)")
    }

    /// The correlation keys (the readings' seq) of every instance started, in order.
    func seqs(_ server: Server) async throws -> [Int] {
        let items =
            try await http("GET", "\(server.base)/processes?definitionId=edge-reading&limit=1000")
            .body[member: "items"].listValue ?? []
        return items.compactMap { $0[member: "correlationKey"].stringValue.flatMap { Int($0) } }.sorted()
    }

    /// The server is subscribed once a reading published now starts an instance.
    func waitForSubscription(_ mqtt: TestMosquitto, _ server: Server) async throws {
        try await waitUntil("the first reading") {
            try publish(mqtt, 0..<1)
            return try await seqs(server).contains(0)
        }
    }

    @Test(.timeLimit(.minutes(6))) func mqttReadingsPublishedWhilePostgresIsStoppedAllArrive() async throws {
        let pg = try TestPostgres()
        let db = try pg.createDatabase("edge")
        let mqtt = try TestMosquitto()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try oneInstancePerReading(in: dir)
        let server = try Server(
            store: dir.appendingPathComponent("unused.sqlite"), definitions: defs,
            extra: [
                "--mqtt-url", mqtt.url, "--mqtt-option", "client_id=edge-\(UUID().uuidString.prefix(8))",
                "--log-level", "info",
            ],
            storeURL: db, stderr: dir.appendingPathComponent("serve.log"))
        try await waitForSubscription(mqtt, server)
        let warmUp = try await seqs(server).count

        try pg.stop()
        let started = Date()
        try publish(mqtt, 1..<201)
        // the outage lasts 30 s, as an operator's restart of the database might
        try await Task.sleep(nanoseconds: UInt64(max(0, 30 - Date().timeIntervalSince(started)) * 1e9))
        try pg.start()

        try await waitUntil("all 200 readings after the store is back", timeout: 180) {
            try await seqs(server).count >= warmUp + 200
        }
        let got = try await seqs(server)
        #expect(Set(got).isSuperset(of: Set(1..<201)), "every reading published during the outage arrived")
        #expect(got.filter { $0 > 0 } == Array(1..<201), "each reading exactly once")
        let log = try String(contentsOf: dir.appendingPathComponent("serve.log"), encoding: .utf8)
        #expect(log.contains("kept and tried again"), "the commits failed while the store was down")
        server.kill(SIGTERM)
    }

    @Test(.timeLimit(.minutes(5))) func mqttSessionIsResumedAcrossARestartOfServe() async throws {
        let mqtt = try TestMosquitto()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try oneInstancePerReading(in: dir)
        let store = dir.appendingPathComponent("bpm.sqlite")
        let options = [
            "--mqtt-url", mqtt.url, "--mqtt-option", "client_id=edge-\(UUID().uuidString.prefix(8))", "--log-level",
            "info",
        ]
        var server = try Server(
            store: store, definitions: defs, extra: options, stderr: dir.appendingPathComponent("serve-1.log"))
        try await waitForSubscription(mqtt, server)

        // readings keep coming while the server stops, is down, and starts again
        let during = Task.detached { [self] in try publish(mqtt, 1..<301) }
        server.kill(SIGTERM)
        try await during.value
        try publish(mqtt, 301..<401)
        server = try Server(
            store: store, definitions: defs, extra: options, stderr: dir.appendingPathComponent("serve-2.log"))
        try publish(mqtt, 401..<501)

        try await waitUntil("all 500 readings after the restart", timeout: 120) {
            try await seqs(server).filter { $0 > 0 }.count >= 500
        }
        let got = try await seqs(server).filter { $0 > 0 }
        #expect(got == Array(1..<501), "every reading exactly once: \(got.count) instances")
        let log = try String(contentsOf: dir.appendingPathComponent("serve-2.log"), encoding: .utf8)
        #expect(log.contains("(session resumed)"), "the second server resumed the first one's session")
        server.kill(SIGTERM)
    }
}
