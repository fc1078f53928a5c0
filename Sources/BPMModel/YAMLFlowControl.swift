import Foundation
import Yams

/// Reads a trigger's flow control: `throttle: {starts: 1, per: 1h}` and
/// `unique: refuse | correlate` and `max_running: N`.
enum YAMLFlowControl {
    static let keys = ["throttle", "unique", "max_running"]

    static func read(_ m: Node.Mapping, _ ctx: inout YAMLContext) -> FlowControl {
        var f = FlowControl()
        if let n = m[key: "throttle"] { f.throttle = throttle(n, &ctx) }
        if let n = m[key: "unique"], let text = ctx.string(n, "unique") {
            f.unique = FlowControl.Unique(rawValue: text)
            if f.unique == nil {
                let names = FlowControl.Unique.allCases.map(\.rawValue).joined(separator: ", ")
                ctx.error("unknown 'unique' policy '\(text)' (one of: \(names))", n)
            }
        }
        if let n = m[key: "max_running"], let max = ctx.int(n, "max_running") {
            if max < 1 { ctx.error("'max_running' must be 1 or more", n) } else { f.maxRunning = max }
            if f.unique != nil {
                ctx.error("'max_running' and 'unique' exclude each other ('unique: refuse' is 'max_running: 1')", n)
            }
        }
        return f
    }

    static func throttle(_ node: Node, _ ctx: inout YAMLContext) -> FlowControl.Throttle? {
        guard case .mapping(let m) = node else {
            ctx.error("'throttle' must be a mapping such as {starts: 1, per: 1h}", node)
            return nil
        }
        ctx.checkKeys(m, allowed: ["starts", "per", "excess", "queue_limit"], in: "throttle")
        guard let starts = m[key: "starts"].flatMap({ ctx.int($0, "starts") }) else {
            ctx.error("'throttle' needs 'starts': how many instances may start per key and period", node)
            return nil
        }
        guard let per = m[key: "per"].flatMap({ ctx.duration($0, "per") }) else {
            ctx.error("'throttle' needs 'per': the period, such as 1h", node)
            return nil
        }
        if starts < 1 { ctx.error("'starts' must be 1 or more", m[key: "starts"]) }
        if per <= 0 { ctx.error("'per' must be longer than zero", m[key: "per"]) }
        guard starts >= 1, per > 0, let (excess, limit) = readExcess(m, &ctx) else { return nil }
        return .init(starts: starts, per: per, excess: excess, queueLimit: limit)
    }

    /// `excess: drop | queue` and, with `queue`, `queue_limit: N`.
    static func readExcess(_ m: Node.Mapping, _ ctx: inout YAMLContext)
        -> (FlowControl.Throttle.Excess, Int)?
    {
        var excess = FlowControl.Throttle.Excess.drop
        if let n = m[key: "excess"], let text = ctx.string(n, "excess") {
            guard let e = FlowControl.Throttle.Excess(rawValue: text) else {
                ctx.error("unknown 'excess' policy '\(text)' (one of: drop, queue)", n)
                return nil
            }
            excess = e
        }
        guard let n = m[key: "queue_limit"] else { return (excess, FlowControl.Throttle.defaultQueueLimit) }
        guard let limit = ctx.int(n, "queue_limit") else { return nil }
        if excess != .queue {
            ctx.error("'queue_limit' applies with 'excess: queue'", n)
            return nil
        }
        let max = FlowControl.Throttle.maxQueueLimit
        guard limit >= 1, limit <= max else {
            ctx.error("'queue_limit' must be 1 to \(max) (queued starts are kept per key, bounded)", n)
            return nil
        }
        return (excess, limit)
    }
}
