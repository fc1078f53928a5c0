import BPMExpressions

/// The little YAML the converter writes: block mappings and lists, expressions as plain
/// scalars (or literal blocks when plain text would not read back the same), strings
/// double-quoted (a constant, or a `${…}` template).
indirect enum YNode {
    /// An expression: plain, so the DSL reads it as one.
    case expr(String)
    /// A string: quoted, so the DSL reads it as text.
    case str(String)
    /// A plain scalar written as is (ids, numbers, durations).
    case raw(String)
    case map([(String, YNode)])
    case list([YNode])

    func render(indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        guard case .map(let entries) = self else { return [] }
        var out: [String] = []
        for (k, v) in entries {
            switch v {
            case .map(let inner) where inner.isEmpty: out.append("\(pad)\(k): {}")
            case .map: out.append("\(pad)\(k):"); out += v.render(indent: indent + 2)
            case .list(let items):
                out.append("\(pad)\(k):")
                for item in items { out += Self.item(item, indent: indent + 2) }
            default: out += Self.scalar(v, key: "\(pad)\(k):", indent: indent + 2)
            }
        }
        return out
    }

    static func item(_ v: YNode, indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        guard case .map = v else { return scalar(v, key: "\(pad)-", indent: indent + 2) }
        var lines = v.render(indent: indent + 2)
        if !lines.isEmpty { lines[0] = pad + "- " + lines[0].dropFirst(indent + 2) }
        return lines
    }

    static func scalar(_ v: YNode, key: String, indent: Int) -> [String] {
        switch v {
        case .raw(let s): return ["\(key) \(s)"]
        case .str(let s): return ["\(key) \(quoted(s))"]
        case .expr(let e) where plainSafe(e): return ["\(key) \(e)"]
        case .expr(let e):
            let pad = String(repeating: " ", count: indent)
            return ["\(key) |-"] + e.split(separator: "\n", omittingEmptySubsequences: false).map { pad + $0 }
        default: return []
        }
    }

    /// Whether text reads back as the same plain scalar.
    static func plainSafe(_ s: String) -> Bool {
        guard let f = s.first, let l = s.last, !f.isWhitespace, !l.isWhitespace else { return false }
        if "\"'{[&*!|>%@`#,?:-".contains(f) { return false }
        return !s.contains(": ") && !s.contains(" #") && !s.contains("\n") && !s.hasSuffix(":")
    }

    /// A YAML double-quoted scalar: JSON's string syntax is one.
    static func quoted(_ s: String) -> String { JSON.encode(.string(s)) }
}
