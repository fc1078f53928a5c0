import BPMExpressions
import BPMTestSupport
import Foundation
import Testing

/// A silence trigger fed by a real MQTT broker (mosquitto) through `bpm serve`, on the real
/// clock: a device that stops beating is detected within its duration plus one second (the
/// instance's start time on the server's clock against the last beat's), and a device that keeps
/// beating is not.
@Suite(.serialized) struct SilenceIntakeTests {
    @Test(.timeLimit(.minutes(3))) func aDeviceThatStopsBeatingOverMQTTIsDetectedWithinItsDurationPlusOneSecond()
        async throws
    {
        let mqtt = try TestMosquitto()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = try subfolder("defs", of: dir)
        try """
        id: heartbeat-lost
        trigger: {source: mqtt, topic: "sensors/+/heartbeat", silence: {after: 4s}}
        variables:
          - {name: device_id, source: device_id}
          - {name: seq, source: seq}
        correlation_key: device_id
        activities:
          - {id: page, type: user, name: "Check ${device_id}"}
        """.write(to: defs.appendingPathComponent("heartbeat.yaml"), atomically: true, encoding: .utf8)
        let server = try Server(store: dir.appendingPathComponent("bpm.sqlite"), definitions: defs,
                                extra: ["--mqtt-url", mqtt.url, "--log-level", "info"],
                                stderr: dir.appendingPathComponent("serve.log"))
        defer { server.kill(SIGTERM) }
        func beat(_ device: String, _ seq: Int) throws {
            let r = try Spawned.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", String(mqtt.port), "-q", "1",
                                     "-t", "sensors/\(device)/heartbeat",
                                     "-m", #"{"device_id": "\#(device)", "seq": \#(seq)}"#])
            #expect(r.status == 0, "mosquitto_pub: \(r.output)")
        }
        func instance(_ device: String) async throws -> Value {
            try await http("GET", "\(server.base)/processes?definitionId=heartbeat-lost&correlationKey=\(device)")
                .body[member: "items"].first
        }
        try await waitFor("the MQTT subscription", timeout: 60) {
            try await http("GET", "\(server.base)/health/ready").body[member: "checks"][member: "mqtt"] == "ok"
        }
        // both beat every half second for four seconds; then hp-1 falls silent, hp-2 goes on
        var lastBeat = Date()
        for seq in 0..<8 {
            try beat("hp-1", seq)
            try beat("hp-2", seq)
            lastBeat = Date()
            try await Task.sleep(nanoseconds: 500_000_000)  // the devices' own pace on the wall clock
        }
        var seq = 8
        var found = Value.null
        let deadline = Date().addingTimeInterval(20)
        while found.isNull, Date() < deadline {
            try beat("hp-2", seq)
            seq += 1
            try await Task.sleep(nanoseconds: 200_000_000)
            found = try await instance("hp-1")
        }
        #expect(!found.isNull, "hp-1's silence was detected")
        let id = try #require(found[member: "id"].stringValue)
        let full = try await http("GET", "\(server.base)/processes/\(id)")
        let started = try #require(full.body[member: "startedAt"].stringValue.flatMap(Self.date))
        // measured from when mosquitto_pub returned: the server saw the beat a little earlier
        let detected = started.timeIntervalSince(lastBeat)
        #expect(detected >= 4 - 0.5 && detected <= 4 + 1, "detected \(detected) s after the last beat")
        #expect(full.body[member: "variables"][member: "seq"] == 7, "with the last beat's variables")
        #expect(try await instance("hp-2").isNull, "a device that keeps beating is not silent")
    }

    static func date(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text)
    }

    /// Polls until `condition` holds (another process's progress on the wall clock).
    func waitFor(_ what: String, timeout: Double, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw TestFailure("timed out waiting for \(what)")
    }
}
