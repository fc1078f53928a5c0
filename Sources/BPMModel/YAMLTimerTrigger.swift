import Foundation
import Yams

/// Reads a YAML timer trigger: `cron` (with an optional IANA `timezone`), `every` (a
/// duration) or `at` (an ISO 8601 date-time).
enum YAMLTimerTrigger {
    static func schedule(_ m: Node.Mapping, _ node: Node, _ ctx: inout YAMLContext) -> TimerSchedule? {
        if let c = m[key: "cron"], let text = ctx.string(c, "cron") {
            let tzName = m[key: "timezone"].flatMap { ctx.string($0, "timezone") } ?? "UTC"
            guard let tz = TimeZone(identifier: tzName) else {
                ctx.error("unknown time zone '\(tzName)' (use an IANA name such as Europe/Berlin)", m[key: "timezone"])
                return nil
            }
            do { return .cron(try CronExpression(text, timeZone: tz)) } catch {
                ctx.error("cron: \(error.message)", c)
                return nil
            }
        }
        if m[key: "timezone"] != nil {
            ctx.error("'timezone' applies to 'cron' (an interval or a date-time does not depend on a zone)", m.keyNode("timezone"))
        }
        if let every = m[key: "every"] {
            guard let s = ctx.duration(every, "every"), s > 0 else { return nil }
            return .cycle(repetitions: nil, interval: s, start: nil)
        }
        if let at = m[key: "at"], let text = ctx.string(at, "at") {
            if let d = ISODate.parse(text) { return .date(d) }
            ctx.error("'at' must be an ISO 8601 date-time such as 2026-12-01T08:00:00Z", at)
            return nil
        }
        ctx.error("a timer trigger needs 'cron' (with an optional 'timezone'), 'every' or 'at'", node)
        return nil
    }
}
