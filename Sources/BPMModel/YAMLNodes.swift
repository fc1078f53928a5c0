import BPMExpressions
import Yams

/// Helpers for reading Yams nodes with source locations and collecting every error.
struct YAMLContext {
    let file: String
    let lines: [Substring]
    var errors: [DefinitionError] = []
    /// Forms that are likely mistakes but deploy (`bpm validate` prints them).
    var warnings: [DefinitionError] = []

    init(file: String, source: String) {
        self.file = file
        lines = source.split(separator: "\n", omittingEmptySubsequences: false)
    }

    func location(_ node: Node?) -> SourceLocation {
        let m = node?.mark
        return SourceLocation(file: file, line: m?.line ?? 1, column: m?.column ?? 1)
    }

    mutating func error(_ message: String, _ node: Node?) {
        errors.append(DefinitionError(message, at: location(node)))
    }

    /// A quoted YAML string is a string constant as written; one whose text is itself wrapped
    /// in double quotes (`'"pending"'`) keeps those quotes, which is rarely what was meant.
    mutating func warnIfDoublyQuoted(_ node: Node, _ what: String, key: String) {
        guard case .scalar(let s) = node, s.style == .singleQuoted || s.style == .doubleQuoted,
              s.string.count >= 2, s.string.hasPrefix("\""), s.string.hasSuffix("\"") else { return }
        let inner = String(s.string.dropFirst().dropLast())
        warnings.append(DefinitionError(warning: """
            \(what) is the text \(s.string) with its double quotes: a quoted YAML value is already a string \
            (plain text is an expression); for the string \(inner) write \(key): "\(inner)"
            """, at: location(node)))
    }

    mutating func error(_ message: String, at loc: SourceLocation) {
        errors.append(DefinitionError(message, at: loc))
    }

    /// The location of the `offset`-th character (1-based) of a scalar's text.
    func location(in node: Node, offset: Int) -> SourceLocation {
        guard case .scalar(let s) = node, let mark = s.mark else { return location(node) }
        switch s.style {
        case .literal, .folded:
            // block scalars begin on the line after the indicator; find the line and its indentation
            let text = s.string
            let prefix = text.unicodeScalars.prefix(max(0, offset - 1))
            let lineInBlock = prefix.filter { $0 == "\n" }.count
            let colInLine = prefix.count - (prefix.lastIndex(of: "\n").map { prefix.distance(from: prefix.startIndex, to: $0) + 1 } ?? 0)
            let lineNo = mark.line + 1 + lineInBlock
            var indent = 0
            if lineNo - 1 < lines.count { indent = lines[lineNo - 1].prefix { $0 == " " }.count }
            return SourceLocation(file: file, line: lineNo, column: indent + colInLine + 1)
        case .singleQuoted, .doubleQuoted:
            return SourceLocation(file: file, line: mark.line, column: mark.column + offset)
        default:
            return SourceLocation(file: file, line: mark.line, column: mark.column + offset - 1)
        }
    }

    /// A scalar's text, or an error when the node is not a scalar.
    mutating func string(_ node: Node?, _ what: String) -> String? {
        guard let node else { return nil }
        guard case .scalar(let s) = node else {
            error("\(what) must be a text value, not a \(kindName(node))", node)
            return nil
        }
        return s.string
    }

    func kindName(_ node: Node) -> String {
        switch node {
        case .scalar: "scalar"
        case .mapping: "mapping"
        case .sequence: "list"
        case .alias: "alias"
        }
    }

    /// Parses an expression written in a scalar, reporting errors at the exact column.
    mutating func expression(_ node: Node?, _ what: String) -> Expression? {
        guard let node else { return nil }
        guard case .scalar(let s) = node else {
            error("\(what) must be an expression, not a \(kindName(node))", node)
            return nil
        }
        var text = s.string
        if s.style == .plain, s.tag.description == "tag:yaml.org,2002:bool" { text = text.lowercased() }
        do {
            return try Expression(text.hasPrefix("=") ? String(text.dropFirst()) : text)
        } catch {
            errors.append(DefinitionError("invalid expression in \(what): \(error.message)",
                                          at: location(in: node, offset: error.column + (text.hasPrefix("=") ? 1 : 0))))
            return nil
        }
    }

    /// Parses a `${…}` template in a scalar.
    mutating func template(_ node: Node, _ what: String) -> Template? {
        guard let text = string(node, what) else { return nil }
        do {
            return try Template(text)
        } catch {
            errors.append(DefinitionError("invalid template in \(what): \(error.message)", at: location(in: node, offset: error.column)))
            return nil
        }
    }

    /// A duration such as `5m` or `PT5M`, in seconds.
    mutating func duration(_ node: Node?, _ what: String) -> Double? {
        guard let text = string(node, what) else { return nil }
        do {
            let s = try DurationParser.seconds(text)
            guard s >= 0 else { error("\(what) must not be negative", node); return nil }
            return s
        } catch {
            self.error("\(what): \(error.message)", node)
            return nil
        }
    }

    mutating func int(_ node: Node?, _ what: String) -> Int? {
        guard let node else { return nil }
        guard let i = node.int else { error("\(what) must be a whole number", node); return nil }
        return i
    }

    /// A plain YAML value as a runtime value (numbers, booleans, null, strings, lists, mappings).
    mutating func value(_ node: Node) -> Value {
        switch node {
        case .scalar(let s):
            if s.style == .plain {
                if let b = node.bool, ["true", "false"].contains(s.string.lowercased()) { return .bool(b) }
                if ["null", "~", ""].contains(s.string) { return .null }
                if let i = node.int { return .number(Double(i)) }
                if let d = node.float, Double(s.string) != nil { return .number(d) }
            }
            return .string(s.string)
        case .sequence(let seq):
            return .list(seq.map { value($0) })
        case .mapping(let m):
            var out: [String: Value] = [:]
            for (k, v) in m { out[k.string ?? ""] = value(v) }
            return .context(out)
        case .alias:
            error("YAML aliases are not allowed in definitions", node)
            return .null
        }
    }

    /// A value whose strings may contain `${…}` templates.
    mutating func templateValue(_ node: Node, _ what: String) -> TemplateValue {
        switch node {
        case .scalar(let s):
            if s.style == .plain, case let v = value(node), !(v.stringValue != nil) { return .constant(v) }
            if s.string.contains("${") { return template(node, what).map(TemplateValue.template) ?? .constant(.null) }
            warnIfDoublyQuoted(node, what, key: String(what.split(separator: ".").last ?? ""))
            return .constant(.string(s.string))
        case .sequence(let seq):
            return .list(seq.map { templateValue($0, what) })
        case .mapping(let m):
            var out: [String: TemplateValue] = [:]
            for (k, v) in m { out[k.string ?? ""] = templateValue(v, "\(what).\(k.string ?? "")") }
            return .context(out)
        case .alias:
            error("YAML aliases are not allowed in definitions", node)
            return .constant(.null)
        }
    }

    /// Reports keys of a mapping that are not in `allowed`.
    mutating func checkKeys(_ mapping: Node.Mapping, allowed: Set<String>, in what: String) {
        for (k, _) in mapping {
            guard let key = k.string, !allowed.contains(key) else { continue }
            let hint = Suggest.closest(key, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
            error("unknown field '\(key)' in \(what)\(hint)", k)
        }
    }
}

extension Node.Mapping {
    /// The value node for a key, if present.
    subscript(key name: String) -> Node? {
        for (k, v) in self where k.string == name { return v }
        return nil
    }

    /// The key node for a key, for locating errors about the key itself.
    func keyNode(_ name: String) -> Node? {
        for (k, _) in self where k.string == name { return k }
        return nil
    }
}

/// "Did you mean…?" suggestions by edit distance.
public enum Suggest {
    public static func closest<S: Sequence>(_ word: String, in candidates: S) -> String? where S.Element == String {
        var best: (String, Int)?
        for c in candidates {
            let d = distance(word, c)
            if d <= max(1, word.count / 3), best == nil || d < best!.1 { best = (c, d) }
        }
        return best?.0
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        for i in 1...a.count {
            var cur = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[b.count]
    }
}
