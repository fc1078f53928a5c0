import BPMExpressions
import BPMModel
import Foundation
import Testing

/// A timer trigger's schedule options in YAML, and the pure computation of its due times:
/// time zones with DST, catch-up windows, jitter (no clock: every `now` is passed in).
@Suite struct ScheduleTests {
    func trigger(_ lines: String, schedule: String = "cron: \"0 2 * * *\"\ntimezone: Europe/Berlin") -> String {
        """
        id: defrost
        trigger:
          type: timer
        \((schedule + "\n" + lines).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        activities:
          - {id: a, type: script, set: {x: 1}}
        """
    }

    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    static func utc(_ s: String) -> Date { ISODate.parse(s)! }

    @Test func optionsAreReadAndNameTheSchedule() throws {
        let d = try read(trigger("name: nightly\noverlap: buffer_one\ncatch_up: {window: 6h, policy: "
            + "all}\njitter: 30s\npaused: true"))
        let o = try #require(d.trigger?.scheduleOptions)
        #expect(o == ScheduleOptions(name: "nightly", overlap: .bufferOne, catchUp: .init(window: 6 * 3600,
            policy: .all),
                                     jitter: 30, paused: true))
        #expect(d.schedules.map(\.id) == ["defrost:nightly"])
        let plain = try read(trigger(""))
        #expect(plain.schedules.map(\.id) == ["defrost:0"], "without a name: the definition and the trigger's index")
        #expect(plain.schedules.first?.options == ScheduleOptions(),
            "defaults: allow_all, no catch-up window, no jitter, active")
    }

    @Test func badOptionsAreReportedWhereTheyAre() {
        #expect(errors(trigger("overlap: queue")) == [
            "test.yaml:6:12: error: unknown 'overlap' policy 'queue' (one of: skip, buffer_one, allow_all, "
                + "cancel_other)",
        ])
        #expect(errors(trigger("catch_up: {window: 6h, policy: first}")) == [
            "test.yaml:6:34: error: unknown catch_up 'policy' 'first' (one of: all, last)",
        ])
        #expect(errors(trigger("catch_up: {window: 0s, policy: all}")) == ["test.yaml:6:22: error: catch_up "
            + "'window' must be longer than zero"])
        #expect(errors(trigger("catch_up: {policy: all}")) == [
            "test.yaml:6:13: error: 'catch_up' needs 'window': how long before now a missed due time may lie and "
                + "still run (e.g. 6h)",
        ])
        #expect(errors(trigger("catch_up: 6h")) == ["test.yaml:6:13: error: 'catch_up' must be a mapping such as "
            + "{window: 6h, policy: last}"])
        #expect(errors(trigger("jitter: 2m", schedule: "every: 1m")) == [
            "test.yaml:5:11: error: 'jitter' must be shorter than the schedule's interval ('every'), or runs "
                + "would change order",
        ])
        #expect(errors(trigger("paused: maybe")) == ["test.yaml:6:11: error: 'paused' must be true or false"])
        #expect(errors(trigger("name: a/b")) == [
            "test.yaml:6:9: error: schedule 'name' must be letters, digits, '-', '_' or '.' (it is part of the "
                + "schedule's id in URLs)",
        ])
        #expect(errors(trigger("", schedule: "every: 1h\ntimezone: Europe/Berlin")) == [
            "test.yaml:5:3: error: 'timezone' applies to 'cron' (an interval or a date-time does not depend on a zone)",
        ])
        #expect(errors(trigger("", schedule: "cron: \"0 2 * * *\"\ntimezone: Mars/Olympus")) == [
            "test.yaml:5:13: error: unknown time zone 'Mars/Olympus' (use an IANA name such as Europe/Berlin)",
        ])
    }

    @Test func scheduleOptionsOnAnEventTriggerAreRefused() {
        let yaml = """
            id: p
            trigger:
              type: event
              topic: t
              overlap: skip
            activities:
              - {id: a, type: script, set: {x: 1}}
            """
        #expect(errors(yaml) == ["test.yaml:5:3: error: 'overlap' applies to timer triggers"])
    }

    @Test func cronRunsInItsZoneAcrossDaylightSavingChanges() throws {
        let nightly = try CronExpression("0 2 * * *", timeZone: Self.berlin)
        // winter: 02:00 CET is 01:00 UTC; summer: 02:00 CEST is 00:00 UTC
        #expect(nightly.next(after: Self.utc("2026-01-10T12:00:00Z")) == Self.utc("2026-01-11T01:00:00Z"))
        #expect(nightly.next(after: Self.utc("2026-06-10T12:00:00Z")) == Self.utc("2026-06-11T00:00:00Z"))
        // 29 March 2026: 02:00 does not exist (clocks jump to 03:00): it runs once, at 03:00 CEST
        let spring = ScheduleTimes.upcoming(.cron(nightly), from: Self.utc("2026-03-28T01:00:00Z"), count: 3)
        #expect(spring == [Self.utc("2026-03-28T01:00:00Z"), Self.utc("2026-03-29T01:00:00Z"),
            Self.utc("2026-03-30T00:00:00Z")])
        // a quarter-hourly schedule in the skipped hour: one run at the end of the gap, then on
        let quarter = try CronExpression("*/15 2-3 * * *", timeZone: Self.berlin)
        let gap = ScheduleTimes.upcoming(.cron(quarter), from: Self.utc("2026-03-28T02:45:00Z"), count: 4)
        #expect(gap == [Self.utc("2026-03-28T02:45:00Z"), Self.utc("2026-03-29T01:00:00Z"),
            Self.utc("2026-03-29T01:15:00Z"),
                        Self.utc("2026-03-29T01:30:00Z")])
    }

    @Test func aRepeatedLocalTimeRunsOnce() throws {
        // 25 October 2026: 02:00–03:00 happens twice in Berlin (CEST, then CET)
        let twoThirty = try CronExpression("30 2 * * *", timeZone: Self.berlin)
        let runs = ScheduleTimes.upcoming(.cron(twoThirty), from: Self.utc("2026-10-24T00:30:00Z"), count: 3)
        #expect(runs.count == 3)
        #expect(runs[0] == Self.utc("2026-10-24T00:30:00Z"))
        #expect([Self.utc("2026-10-25T00:30:00Z"), Self.utc("2026-10-25T01:30:00Z")].contains(runs[1]),
            "once, at one of the two")
        #expect(runs[2] == Self.utc("2026-10-26T01:30:00Z"))
    }

    @Test func catchUpRunsTheMissedDueTimesWithinTheWindowPerPolicy() {
        let hourly = TimerSchedule.cycle(repetitions: nil, interval: 3600, start: nil)
        let first = Self.utc("2026-05-01T00:00:00Z"), now = Self.utc("2026-05-01T10:30:00Z")  // down for 10.5 hours
        let all = ScheduleTimes.plan(hourly, options: ScheduleOptions(catchUp: .init(window: 3 * 3600, policy: .all)),
                                     firstDue: first, now: now)
        #expect(all.runs == [Self.utc("2026-05-01T08:00:00Z"), Self.utc("2026-05-01T09:00:00Z"),
            Self.utc("2026-05-01T10:00:00Z")],
                "7:30 and before lie outside the 3-hour window: none of those")
        #expect(all.next == Self.utc("2026-05-01T11:00:00Z"))
        let last = ScheduleTimes.plan(hourly, options: ScheduleOptions(catchUp: .init(window: 3 * 3600, policy: .last)),
                                      firstDue: first, now: now)
        #expect(last.runs == [Self.utc("2026-05-01T10:00:00Z")])
        let none = ScheduleTimes.plan(hourly, options: ScheduleOptions(catchUp: .init(window: 1200, policy: .all)),
                                      firstDue: first, now: now)
        #expect(none.runs.isEmpty, "10:00 is 30 minutes old, outside a 20-minute window")
        let collapse = ScheduleTimes.plan(hourly, options: ScheduleOptions(), firstDue: first, now: now)
        #expect(collapse.runs == [first], "without catch_up: the missed ones collapse into one start")
        let cron = TimerSchedule.cron(try! CronExpression("0 */4 * * *"))
        let c = ScheduleTimes.plan(cron, options: ScheduleOptions(catchUp: .init(window: 9 * 3600, policy: .all)),
                                   firstDue: first, now: now)
        #expect(c.runs == [Self.utc("2026-05-01T04:00:00Z"), Self.utc("2026-05-01T08:00:00Z")])
        #expect(c.next == Self.utc("2026-05-01T12:00:00Z"))
    }

    @Test func jitterIsDeterministicPerScheduleAndDueTimeAndBounded() {
        let due = Self.utc("2026-05-01T02:00:00Z")
        let a = ScheduleTimes.jitter(scheduleId: "defrost:nightly", due: due, max: 30)
        #expect(a == ScheduleTimes.jitter(scheduleId: "defrost:nightly", due: due, max: 30),
            "every replica computes the same")
        let spread = (0..<50).map { ScheduleTimes.jitter(scheduleId: "defrost:nightly",
            due: due + Double($0) * 86400, max: 30) }
        #expect(spread.allSatisfy { (0...30).contains($0) })
        #expect(Set(spread).count > 40, "due times get different delays")
        #expect(ScheduleTimes.jitter(scheduleId: "other:0", due: due, max: 30) != a)
        #expect(ScheduleTimes.jitter(scheduleId: "defrost:nightly", due: due, max: 0) == 0)
    }
}
