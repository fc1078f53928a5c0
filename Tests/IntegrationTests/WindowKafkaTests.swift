import BPMEngine
import BPMExpressions
import BPMStore
import BPMStoreSQLite
import BPMStreams
import BPMTestSupport
import Foundation
import Testing

/// A windowed trigger condition through a real Kafka-protocol broker (tansu) and `bpm serve`:
/// each device's 10-minute average, on the events' own timestamps, starts its instance at the
/// reading that lifts it over the threshold, with the windows as variables.
/// A definition in `Tests/Fixtures/windows`.
func windowFixture(_ name: String) -> String {
    let url = repoRoot.appendingPathComponent("Tests/Fixtures/windows/\(name).yaml")
    return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
}

extension EventIntakeTests {
    @Test(.timeLimit(.minutes(4))) func aWindowedConditionThroughKafka() async throws {
        let kafka = try broker()
        try kafka.createTopic("heatpump-windowed", partitions: 3)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        // the fixture on a topic of its own (the broker is shared by the suite's tests)
        let source = windowFixture("heatpump-overheat")
            .replacingOccurrences(of: "heatpump-telemetry", with: "heatpump-windowed")
        try source.write(to: defs.appendingPathComponent("overheat.yaml"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("bpm.sqlite")
        let server = try Server(store: db, definitions: defs, extra: serverOptions(kafka, group: "windowed"))
        defer { if server.process.isRunning { server.kill(SIGTERM) } }
        let producer = try KafkaProducer(KafkaSettings(brokers: kafka.brokers))
        defer { producer.close() }
        // ten devices, five readings a minute apart; the even ones warm up (average 30.8 at the fifth)
        var messages: [(topic: String, key: String?, value: [UInt8], headers: [(String, String)])] = []
        for k in 0..<5 {
            for d in 0..<10 {
                let temp = d % 2 == 0 ? [26, 28, 30, 34, 36][k] : 25
                let fields = #"{"flow_temp_c": \#(temp)}"#
                let at = 1_790_000_000 + k * 60
                let text = #"{"tags": {"device_id": "d\#(d)"}, "fields": \#(fields), "timestamp": \#(at)}"#
                messages.append(("heatpump-windowed", "d\(d)", Array(text.utf8), []))
            }
        }
        try await producer.sendAll(messages)
        let store = try SQLiteStore(path: db.path)
        try await waitUntil("every position stored", timeout: 120) {
            try await store.consumerOffsets(group: "windowed").reduce(0) { $0 + $1.next } == 50
        }
        var started: [InstanceState] = []
        for s in try await store.instances(InstanceQuery(definitionId: "heatpump-overheat", limit: 100)) {
            started.append(try #require(try await store.instance(s.id)))
        }
        #expect(Set(started.compactMap(\.correlationKey)) == ["d0", "d2", "d4", "d6", "d8"])
        for s in started {
            #expect(s.variables["readings"] == 5, "every reading of the device counted once")
            #expect(s.variables["flow_avg_10m"] == .number(154.0 / 5))
        }
    }
}
