import Foundation
import Yams

/// Reads a trigger's `silence: {after: 5m, message: name}` (or `silence: 5m`) and
/// `debounce: 30s` (see `Silence`).
enum YAMLSilence {
    static let keys = ["silence", "debounce"]

    static func read(_ m: Node.Mapping, _ t: Trigger, _ ctx: inout YAMLContext) -> Silence? {
        let s = m[key: "silence"].flatMap { silence($0, &ctx) }
        var d: Silence?
        if let n = m[key: "debounce"] {
            if let after = ctx.duration(n, "debounce") { d = check(Silence(kind: .debounce, after: after), n, &ctx) }
            if s != nil { ctx.error("a trigger has either 'silence' or 'debounce', not both", n) }
        }
        guard let found = s ?? d else { return nil }
        let node = m[key: "silence"] ?? m[key: "debounce"]
        if t.kind != .event { ctx.error("'\(found.kind.rawValue)' applies to event triggers", node) }
        let clashing = ["for", "count", "within", "cooldown", "throttle"].filter { m[key: $0] != nil }
        if let c = clashing.first {
            let what = found.kind.rawValue
            ctx.error("'\(what)' fires on the absence of events and does not combine with '\(c)'", m[key: c])
        }
        return found
    }

    static func silence(_ node: Node, _ ctx: inout YAMLContext) -> Silence? {
        if case .scalar = node {
            return ctx.duration(node, "silence").flatMap { check(Silence(after: $0), node, &ctx) }
        }
        guard case .mapping(let m) = node else {
            ctx.error("'silence' must be a duration or a mapping such as {after: 5m}", node)
            return nil
        }
        ctx.checkKeys(m, allowed: ["after", "message"], in: "silence")
        guard let after = m[key: "after"].flatMap({ ctx.duration($0, "after") }) else {
            if m[key: "after"] == nil {
                ctx.error("'silence' needs 'after': how long a key may stay quiet, such as 5m", node)
            }
            return nil
        }
        let message = m[key: "message"].flatMap { ctx.string($0, "message") }
        if let n = m[key: "message"], message?.isEmpty ?? false { ctx.error("'message' must name a message", n) }
        return check(Silence(after: after, message: message), m[key: "after"], &ctx)
    }

    static func check(_ s: Silence, _ node: Node?, _ ctx: inout YAMLContext) -> Silence? {
        guard s.after > 0 else {
            ctx.error("'\(s.kind == .debounce ? "debounce" : "after")' must be longer than zero", node)
            return nil
        }
        return s
    }

    /// A silence is per key: the definition needs a correlation key.
    static func requireKey(_ trigger: Node?, _ t: Trigger?, hasKey: Bool, _ ctx: inout YAMLContext) {
        guard let s = t?.silence, !hasKey, case .mapping(let m)? = trigger else { return }
        let why = "the definition needs a 'correlation_key' (or a variable to key on)"
        ctx.error("'\(s.kind.rawValue)' is kept per key: \(why)", m[key: s.kind.rawValue])
    }
}
