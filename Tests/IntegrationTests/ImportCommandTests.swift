import Foundation
import Testing

/// `bpm import iot-events`: YAML on standard output (or `-o`), what is not mapped on standard
/// error with its JSON path, and the documented exit status (0, 2, 1).
@Suite struct ImportCommandTests {
    let fixtures = "Tests/Fixtures/iot-events"

    @Test func theHeartbeatModelImportsCompletelyAndIsTheExample() async throws {
        let r = try await bpm(["import", "iot-events", "\(fixtures)/heartbeat.json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty)
        let example = try String(contentsOf: repoRoot.appendingPathComponent("examples/heatpump-heartbeat.yaml"),
            encoding: .utf8)
        #expect(r.stdout == example, "examples/heatpump-heartbeat.yaml is the import of heartbeat.json")
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("hb.yaml").path
        let w = try await bpm(["import", "iot-events", "\(fixtures)/heartbeat.json", "-o", out, "--topic",
            "sensors/+/heartbeat"])
        #expect(w.status == 0 && w.stdout.isEmpty, "\(w.stderr)")
        let v = try await bpm(["validate", out])
        #expect(v.status == 0 && v.stderr.isEmpty, "\(v.stdout)\(v.stderr)")
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains("topic: \"sensors/+/heartbeat\""))
    }

    @Test func whatIsNotMappedGoesToStandardErrorAndExitsTwoWithTheYAMLWritten() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("audit.yaml").path
        let r = try await bpm(["import", "iot-events", "\(fixtures)/unmappable.json", "-o", out, "--source", "kafka"])
        #expect(r.status == 2)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 7, "\(r.stderr)")
        #expect(lines.contains("$.detectorModelDefinition.states[0].onInput.events[0].actions[0].sqs: not mapped: "
            + "the sqs action (an Amazon SQS queue) has no connector here"))
        let v = try await bpm(["validate", out])
        #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains("source: kafka"))
    }

    @Test func unreadableJSONExitsOneWithItsLocation() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.json")
        try "{\n  \"detectorModelName\": \"x\",\n  \"key\": ]\n}\n".write(to: bad, atomically: true, encoding: .utf8)
        let r = try await bpm(["import", "iot-events", bad.path])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("\(bad.path):3:10: error: invalid JSON"), "\(r.stderr)")
        let missing = try await bpm(["import", "iot-events", "\(fixtures)/nope.json"])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("\(fixtures)/nope.json: error: cannot read the file"), "\(missing.stderr)")
    }
}
