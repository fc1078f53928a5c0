import Foundation
import Testing

/// `bpm schedules FILE --next N`: the preview of a file's schedules without a server.
@Suite struct ScheduleCLITests {
    @Test func previewsTheNextDueTimesInUTCAndTheScheduleZoneAcrossTheSpringChange() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("defrost.yaml")
        try """
            id: defrost-check
            trigger:
              type: timer
              cron: "30 2 * * *"
              timezone: Europe/Berlin
              name: nightly
              overlap: skip
            activities:
              - {id: check, type: script, set: {checked: true}}
            """.write(to: file, atomically: true, encoding: .utf8)
        let r = try await bpm(["schedules", file.path, "--next", "3", "--from", "2026-03-27T12:00:00Z"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "defrost-check:nightly: cron 30 2 * * * (Europe/Berlin) overlap=skip")
        #expect(lines.dropFirst().map { String($0.prefix(22)) } == [
            "  2026-03-28T01:30:00Z", "  2026-03-29T01:00:00Z", "  2026-03-30T00:30:00Z",
        ], "02:30 does not exist on 29 March: once at 03:00 CEST")
        let bad = dir.appendingPathComponent("bad.yaml")
        let text = "id: x\ntrigger:\n  type: timer\n  every: 1h\n  overlap: never\nactivities:\n"
            + "  - {id: a, type: script, set: {x: 1}}\n"
        try text.write(to: bad, atomically: true, encoding: .utf8)
        let refused = try await bpm(["schedules", bad.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("bad.yaml:5:12: error: unknown 'overlap' policy 'never'"))
    }
}
