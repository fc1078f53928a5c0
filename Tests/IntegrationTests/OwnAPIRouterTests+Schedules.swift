import BPMAPI
import BPMExpressions
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Schedules through the API in process: list, one with a preview, pause and resume (operators
/// only), problems for unknown ids and bad counts, and the UI page.
extension OwnAPIRouterTests {
    static let defrost = """
    id: defrost-check
    trigger:
      type: timer
      cron: "0 2 * * *"
      timezone: Europe/Berlin
      name: nightly
      overlap: skip
      catch_up: {window: 6h, policy: last}
      jitter: 30s
    activities:
      - {id: check, type: script, set: {checked: true}}
    """

    @Test func schedulesArePausedAndResumedThroughTheAPI() async throws {
        try await withRouter { client in
            let deployed = try await call(client, .post, "/definitions?file=defrost.yaml", json: Self.defrost,
                                          contentType: "application/yaml")
            #expect(deployed.status == 201, "\(deployed.text)")
            let list = try await call(client, .get, "/schedules")
            #expect(list.status == 200)
            let items = try list.decode(ScheduleList.self).items
            #expect(items.map(\.id) == ["defrost-check:nightly"])
            let one = try await call(client, .get, "/schedules/defrost-check:nightly?count=3")
            let s = try one.decode(S.Schedule.self)
            #expect(s.kind == .cron && s.expression == "0 2 * * *" && s.timezone == "Europe/Berlin")
            #expect(s.state == .active && s.overlap == .skip && s.jitterSeconds == 30)
            #expect(s.catchUp?.windowSeconds == 21600 && s.catchUp?.policy == .last)
            #expect(s.next.count == 3)
            #expect(s.next.allSatisfy { Calendar.berlinHour($0) == 2 }, "each due at 02:00 in Berlin")
            expectProblem(try await call(client, .post, "/schedules/defrost-check:nightly/pause", token: Self.viewer),
                          403, "forbidden", detail: "operator")
            let paused = try await call(client, .post, "/schedules/defrost-check:nightly/pause")
            #expect(paused.status == 200)
            #expect(try paused.decode(S.Schedule.self).state == .paused)
            let seen = try await call(client, .get, "/schedules", token: Self.viewer).decode(ScheduleList.self)
            #expect(seen.items.first?.state == .paused)
            let ui = try await call(client, .get, "/ui/schedules")
            #expect(ui.status == 200 && ui.text.contains("defrost-check:nightly") && ui.text.contains(">resume</button>"))
            let resumed = try await call(client, .post, "/schedules/defrost-check:nightly/resume")
            #expect(try resumed.decode(S.Schedule.self).state == .active)
            expectProblem(try await call(client, .get, "/schedules/nope:0"), 404, "unknown-schedule")
            expectProblem(try await call(client, .post, "/schedules/nope:0/pause"), 404, "unknown-schedule")
            let bad = try await call(client, .get, "/schedules?count=1000")
            #expect(bad.status == 400 && bad.contentType == "application/problem+json")
        }
    }
}

/// The body of `GET /schedules`.
struct ScheduleList: Decodable {
    var items: [Components.Schemas.Schedule]
}

extension Calendar {
    /// The hour of a time in Europe/Berlin.
    static func berlinHour(_ d: Date) -> Int {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "Europe/Berlin")!
        return c.component(.hour, from: d)
    }
}
