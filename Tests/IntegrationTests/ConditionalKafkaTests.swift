import BPMExpressions
import BPMStreams
import BPMTestSupport
import Foundation
import Testing

/// Conditional events through a real Kafka-protocol broker (tansu), on SQLite and PostgreSQL: the
/// plan's "interrupt the wait when flow_temp_c > 30", once as BPMN (conditional boundary events on a
/// user task, the Kafka trigger in `bpm:dsl`) and once as YAML (`on_condition` on a timer wait), both
/// started by the same topic. Later events for the device refresh `flow_temp_c` in the running
/// instances; a condition fires on its change from false to true, not again while it holds.
extension EventIntakeTests {
    static let conditionalFixtures = repoRoot.appendingPathComponent("Tests/Fixtures/conditional")

    @Test(.timeLimit(.minutes(5)), arguments: ["sqlite", "postgres"])
    func conditionalEventsFireOnCorrelatedKafkaEvents(kind: String) async throws {
        let kafka = try broker()
        let topic = "heatpump-conditions-\(kind)"
        try kafka.createTopic(topic)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        for file in ["cooling-watch.bpmn", "cooling-watch.yaml"] {
            let text = try String(contentsOf: Self.conditionalFixtures.appendingPathComponent(file), encoding: .utf8)
            try text.replacingOccurrences(of: "TOPIC", with: topic)
                .write(to: defs.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        let url = kind == "postgres" ? try TestPostgres.server().createDatabase("conditions") : nil
        let log = dir.appendingPathComponent("serve.log")
        let server = try Server(store: dir.appendingPathComponent("bpm.sqlite"), definitions: defs,
                                extra: serverOptions(kafka, group: "conditions-\(kind)"), storeURL: url, stderr: log)
        defer { server.kill(SIGTERM) }
        let producer = try KafkaProducer(KafkaSettings(brokers: kafka.brokers))
        defer { producer.close() }

        func instance(_ definition: String) async throws -> Value {
            let r = try await http("GET", "\(server.base)/processes?definitionId=\(definition)&correlationKey=hp9")
            guard let id = r.body[member: "items"].first[member: "id"].stringValue else { return .null }
            return try await http("GET", "\(server.base)/processes/\(id)").body
        }
        func history(_ definition: String) async throws -> [Value] {
            let id = try await instance(definition)[member: "id"].stringValue ?? ""
            return try await http("GET", "\(server.base)/processes/\(id)/history").body.listValue ?? []
        }
        func completions(_ definition: String, _ element: String) async throws -> Int {
            try await history(definition).filter {
                $0[member: "elementId"] == .string(element) && $0[member: "event"] == "completed"
            }.count
        }
        /// Sends a reading and waits until both instances have it.
        func reading(_ temp: Double) async throws {
            try await producer.send(topic: topic, key: "hp9", value: telemetry("hp9", temp))
            try await waitUntil("both instances to see \(temp)", timeout: 60) {
                for d in ["cooling-watch", "cooling-watch-yaml"] {
                    let seen = try await instance(d)[member: "variables"][member: "flow_temp_c"]
                    if seen != .number(temp) { return false }
                }
                return true
            }
        }

        try await reading(26)  // starts one instance of each
        #expect(try await instance("cooling-watch")[member: "status"] == "running")
        try await reading(29)  // > 28: the non-interrupting events fire
        #expect(try await completions("cooling-watch", "logWarm") == 1)
        #expect(try await completions("cooling-watch-yaml", "log_warm") == 1)
        try await reading(29.5)  // still > 28: no second firing
        try await reading(31)  // > 30: the waits are interrupted
        try await waitUntil("both instances to complete", timeout: 60) {
            let bpmn = try await instance("cooling-watch")[member: "status"]
            let yaml = try await instance("cooling-watch-yaml")[member: "status"]
            return bpmn == "completed" && yaml == "completed"
        }
        let paths = [("cooling-watch", "logWarm", "emergencyStop"),
                     ("cooling-watch-yaml", "log_warm", "emergency_stop")]
        for (d, warm, stop) in paths {
            let done = try await instance(d)
            #expect(done[member: "variables"][member: "outcome"] == "stopped", "\(d): \(JSON.encode(done))")
            #expect(done[member: "variables"][member: "warmAt"] == 29, "\(d) noted the first warm reading")
            #expect(try await completions(d, warm) == 1, "\(d): the warm path ran once for 29, 29.5 and 31")
            #expect(try await completions(d, stop) == 1)
        }
        let watch = try await history("cooling-watch").filter { $0[member: "elementId"] == "watch" }
            .compactMap { $0[member: "event"].stringValue }
        #expect(watch.contains("terminated"), "the user task was interrupted: \(watch)")
        let listed = try await http("GET", "\(server.base)/processes?definitionId=cooling-watch")
        let list = listed.body[member: "items"].listValue ?? []
        #expect(list.count == 1, "later events were correlated, not started anew")
    }
}
