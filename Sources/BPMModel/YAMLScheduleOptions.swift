import Foundation
import Yams

/// Reads a timer trigger's schedule options: `name`, `overlap`, `catch_up: {window, policy}`,
/// `jitter` and `paused` (`ScheduleOptions`).
enum YAMLScheduleOptions {
    static let keys = ["name", "overlap", "catch_up", "jitter", "paused"]

    static func read(_ m: Node.Mapping, schedule: TimerSchedule?, _ ctx: inout YAMLContext) -> ScheduleOptions {
        var o = ScheduleOptions()
        if let n = m[key: "name"], let text = ctx.string(n, "name") {
            let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
            if text.isEmpty || text.unicodeScalars.contains(where: { !allowed.contains($0) }) {
                let why = "(it is part of the schedule's id in URLs)"
                ctx.error("schedule 'name' must be letters, digits, '-', '_' or '.' \(why)", n)
            } else {
                o.name = text
            }
        }
        if let n = m[key: "overlap"], let text = ctx.string(n, "overlap") {
            if let v = ScheduleOptions.Overlap(rawValue: text) { o.overlap = v } else {
                let names = ScheduleOptions.Overlap.allCases.map(\.rawValue).joined(separator: ", ")
                ctx.error("unknown 'overlap' policy '\(text)' (one of: \(names))", n)
            }
        }
        if let n = m[key: "catch_up"] { o.catchUp = catchUp(n, &ctx) }
        if let n = m[key: "jitter"], let j = ctx.duration(n, "jitter") {
            if case .cycle(_, let interval, _)? = schedule, j >= interval {
                let why = "or runs would change order"
                ctx.error("'jitter' must be shorter than the schedule's interval ('every'), \(why)", n)
            } else {
                o.jitter = j
            }
        }
        if let n = m[key: "paused"] {
            if case .scalar(let s) = n, let b = n.bool, ["true", "false"].contains(s.string.lowercased()) {
                o.paused = b
            } else {
                ctx.error("'paused' must be true or false", n)
            }
        }
        return o
    }

    static func catchUp(_ node: Node, _ ctx: inout YAMLContext) -> ScheduleOptions.CatchUp? {
        guard case .mapping(let m) = node else {
            ctx.error("'catch_up' must be a mapping such as {window: 6h, policy: last}", node)
            return nil
        }
        ctx.checkKeys(m, allowed: ["window", "policy"], in: "catch_up")
        guard let wn = m[key: "window"], let window = ctx.duration(wn, "catch_up window") else {
            let what = "how long before now a missed due time may lie and still run (e.g. 6h)"
            ctx.error("'catch_up' needs 'window': \(what)", node)
            return nil
        }
        guard window > 0 else {
            ctx.error("catch_up 'window' must be longer than zero", wn)
            return nil
        }
        let names = ScheduleOptions.CatchUpPolicy.allCases.map(\.rawValue).joined(separator: ", ")
        guard let pn = m[key: "policy"], let text = ctx.string(pn, "catch_up policy") else {
            ctx.error("'catch_up' needs 'policy': which missed due times run (one of: \(names))", node)
            return nil
        }
        guard let policy = ScheduleOptions.CatchUpPolicy(rawValue: text) else {
            ctx.error("unknown catch_up 'policy' '\(text)' (one of: \(names))", pn)
            return nil
        }
        return .init(window: window, policy: policy)
    }

    /// Refuses schedule options on a trigger that is not a timer.
    static func refuse(_ m: Node.Mapping, _ ctx: inout YAMLContext) {
        for k in keys + ["timezone"] where m[key: k] != nil {
            ctx.error("'\(k)' applies to timer triggers", m.keyNode(k))
        }
    }
}
