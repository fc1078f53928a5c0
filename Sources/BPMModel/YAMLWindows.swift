import Foundation
import Yams

/// Reads a trigger's `windows:` (see `WindowAggregate`):
/// `windows: {flow_avg_10m: {of: fields.flow_temp_c, avg: 10m}, flow_max_1h: {of: …, max: 1h, tumbling: true}}`.
enum YAMLWindows {
    static let functions = WindowAggregate.Function.allCases.map(\.rawValue)

    static func read(_ m: Node.Mapping, _ t: Trigger, _ ctx: inout YAMLContext) -> [WindowAggregate] {
        guard let node = m[key: "windows"] else { return [] }
        guard case .mapping(let entries) = node else {
            let example = "{of: fields.flow_temp_c, avg: 10m}"
            ctx.error("'windows' must be a mapping of names to windows such as \(example)", node)
            return []
        }
        if t.kind != .event { ctx.error("'windows' apply to event triggers", node) }
        if let n = m[key: "silence"] ?? m[key: "debounce"] {
            ctx.error("'windows' do not combine with '\(m[key: "silence"] != nil ? "silence" : "debounce")'", n)
        }
        if entries.count > WindowAggregate.maxWindows {
            let most = WindowAggregate.maxWindows
            ctx.error("a trigger has at most \(most) windows (this one has \(entries.count))", node)
        }
        var out: [WindowAggregate] = []
        for (k, v) in entries {
            guard let name = ctx.string(k, "window name") else { continue }
            guard isIdentifier(name) else {
                ctx.error("window name '\(name)' must be a name (letters, digits, '_'; not starting with a digit)", k)
                continue
            }
            if let w = window(name, v, &ctx) { out.append(w) }
        }
        return out
    }

    static func window(_ name: String, _ node: Node, _ ctx: inout YAMLContext) -> WindowAggregate? {
        guard case .mapping(let m) = node else {
            ctx.error("window '\(name)' must be a mapping such as {of: fields.flow_temp_c, avg: 10m}", node)
            return nil
        }
        ctx.checkKeys(m, allowed: Set(functions + ["of", "tumbling", "buckets"]), in: "window '\(name)'")
        let given = functions.filter { m[key: $0] != nil }
        guard given.count == 1, let f = WindowAggregate.Function(rawValue: given[0]) else {
            let what = given.isEmpty ? "needs" : "has more than one"
            let names = functions.joined(separator: ", ")
            ctx.error("window '\(name)' \(what) a function with its length (one of: \(names))", node)
            return nil
        }
        guard let ofNode = m[key: "of"], let of = ctx.string(ofNode, "of") else {
            ctx.error("window '\(name)' needs 'of': the event path of the numbers, such as fields.flow_temp_c", node)
            return nil
        }
        if of.isEmpty || of.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            ctx.error("window '\(name)': 'of' must be a dotted event path such as fields.flow_temp_c", ofNode)
        }
        let lengthNode = m[key: f.rawValue]
        guard let length = ctx.duration(lengthNode, f.rawValue) else { return nil }
        guard length > 0 else {
            ctx.error("window '\(name)': '\(f.rawValue)' must be longer than zero", lengthNode)
            return nil
        }
        let tumbling = m[key: "tumbling"]?.bool ?? false
        if let n = m[key: "tumbling"], n.bool == nil {
            ctx.error("window '\(name)': 'tumbling' must be true or false", n)
        }
        guard let buckets = buckets(name, m, tumbling: tumbling, &ctx) else { return nil }
        return WindowAggregate(name: name, of: of, function: f, length: length, tumbling: tumbling, buckets: buckets)
    }

    /// A sliding window's `buckets:` (default `WindowAggregate.defaultBuckets`, at most `maxBuckets`).
    static func buckets(_ name: String, _ m: Node.Mapping, tumbling: Bool, _ ctx: inout YAMLContext) -> Int? {
        guard let n = m[key: "buckets"] else { return WindowAggregate.defaultBuckets }
        guard let b = ctx.int(n, "buckets") else { return nil }
        if tumbling {
            ctx.error("window '\(name)': 'buckets' applies to sliding windows (a tumbling window keeps one)", n)
            return nil
        }
        guard b >= 1, b <= WindowAggregate.maxBuckets else {
            let bound = "per key and window memory is bounded to \(WindowAggregate.maxBuckets) buckets"
            ctx.error("window '\(name)': 'buckets' must be 1 to \(WindowAggregate.maxBuckets) (\(bound))", n)
            return nil
        }
        return b
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, !CharacterSet.decimalDigits.contains(first) else { return false }
        return s.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "_" }
    }

    /// Window names are variables: they must not be named like the definition's own.
    static func checkNames(_ trigger: Node?, _ t: Trigger?, variables: [VariableSpec], hasKey: Bool,
                           _ ctx: inout YAMLContext)
    {
        guard let t, !t.windows.isEmpty, case .mapping(let m)? = trigger,
              case .mapping(let entries)? = m[key: "windows"] else { return }
        if !hasKey {
            let why = "the definition needs a 'correlation_key' (or a variable to key on)"
            ctx.error("'windows' are kept per key: \(why)", m[key: "windows"])
        }
        let names = Set(variables.map(\.name))
        for (k, _) in entries {
            if let n = k.string, names.contains(n) { ctx.error("window '\(n)' has the name of a variable", k) }
        }
    }
}
