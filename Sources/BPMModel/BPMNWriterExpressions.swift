import BPMExpressions
import Foundation

/// How the writer spells values in Camunda 8's notation: FEEL expressions start with `=`,
/// anything else is a static value (docs/bpmn.md, "Static values and expressions").
enum BPMNWriterExpressions {
    /// `=expr`: a FEEL expression attribute.
    static func feel(_ e: BPMExpressions.Expression) -> String { "=" + e.source }

    /// A constant as FEEL text (strings quoted, contexts with quoted keys).
    static func literal(_ v: Value) -> String { YAMLDefinitionReader.Builder.literalSource(v) }

    /// A template as one FEEL expression: a lone placeholder is its expression (keeping the
    /// value's type, as the template does); text and placeholders are joined with `+`, each
    /// placeholder through `string(…)`, and `null` spelled out as the template spells it.
    static func feelSource(_ t: Template) -> String {
        let segments = t.segments
        if segments.count == 1, case .expression(let e) = segments[0] { return e.source }
        let pieces = segments.map { s -> String in
            switch s {
            case .text(let text): literal(.string(text))
            case .expression(let e): "(if (\(e.source)) = null then \"null\" else string(\(e.source)))"
            }
        }
        return pieces.isEmpty ? "\"\"" : pieces.joined(separator: " + ")
    }

    /// A structured value with templates as one FEEL expression.
    static func feelSource(_ v: TemplateValue) -> String {
        switch v {
        case .constant(let c): literal(c)
        case .template(let t): feelSource(t)
        case .list(let items): "[" + items.map { feelSource($0) }.joined(separator: ", ") + "]"
        case .context(let c):
            "{" + c.keys.sorted().map { literal(.string($0)) + ": " + feelSource(c[$0]!) }.joined(separator: ", ") + "}"
        }
    }

    /// An attribute that may be static: a constant string without a leading `=` is written as
    /// it is; anything else as `=FEEL`.
    static func staticOrFEEL(_ v: TemplateValue) -> String {
        switch v {
        case .constant(.string(let s)) where !s.hasPrefix("="): s
        case .template(let t) where t.isConstant && !t.source.hasPrefix("="): t.source
        default: "=" + feelSource(v)
        }
    }

    /// A parameter or result as Zeebe mappings: a context that holds templates becomes one
    /// mapping per entry at a dotted target (`body.item`), as Zeebe nests them — a FEEL context
    /// literal would let an entry read its sibling (`{count: 2, label: string(count)}` reads 2,
    /// not the variable). Throws why it cannot be written.
    static func mappings(_ v: TemplateValue, target: String)
        throws(MappingProblem) -> [(target: String, source: String)]
    {
        guard case .context(let c) = v, !c.isEmpty, !isConstant(v) else {
            if let clash = siblingClash(v) { throw clash }
            return [(target, staticOrFEEL(v))]
        }
        var out: [(target: String, source: String)] = []
        for key in c.keys.sorted() {
            guard !key.isEmpty, !key.contains(".") else {
                throw MappingProblem("'\(target).\(key)' has a '.' in a name or an empty name: a Zeebe mapping target "
                    + "with dots nests, so it would not come back as written")
            }
            out += try mappings(c[key]!, target: target + "." + key)
        }
        return out
    }

    struct MappingProblem: Error { let message: String; init(_ m: String) { message = m } }

    static func isConstant(_ v: TemplateValue) -> Bool {
        switch v {
        case .constant: true
        case .template(let t): t.isConstant
        case .list(let items): items.allSatisfy(isConstant)
        case .context(let c): c.values.allSatisfy(isConstant)
        }
    }

    /// A context written as a FEEL literal (inside a list) whose entry reads a name that is one
    /// of its keys: FEEL would read the sibling entry instead of the variable.
    static func siblingClash(_ v: TemplateValue) -> MappingProblem? {
        switch v {
        case .constant, .template: return nil
        case .list(let items): return items.lazy.compactMap(siblingClash).first
        case .context(let c):
            for (key, value) in c where !isConstant(value) {
                let source = feelSource(value)
                for sibling in c.keys where sibling != key && mentions(source, sibling) {
                    return MappingProblem("the entry '\(key)' of a context inside a list reads '\(sibling)', "
                        + "which is also a key of that context: in FEEL it would read the entry, not the variable")
                }
            }
            return c.values.lazy.compactMap(siblingClash).first
        }
    }

    static func mentions(_ source: String, _ name: String) -> Bool {
        var rest = Substring(source)
        while let r = rest.range(of: name) {
            let before = rest[..<r.lowerBound].last, after = rest[r.upperBound...].first
            func part(_ c: Character?) -> Bool { c.map { $0.isLetter || $0.isNumber || $0 == "_" } ?? false }
            if !part(before), !part(after) { return true }
            rest = rest[r.upperBound...]
        }
        return false
    }

    /// Seconds as an ISO 8601 duration (`PT5M`, `P2D`, `PT1H30M`, `PT0.5S`).
    static func isoDuration(_ seconds: Double) -> String {
        guard seconds == seconds.rounded(), seconds >= 0, seconds < 1e12 else {
            return "PT" + Value.format(number: seconds) + "S"
        }
        var rest = Int64(seconds)
        let days = rest / 86_400
        rest %= 86_400
        let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60)
        var out = "P" + (days > 0 ? "\(days)D" : "")
        if h > 0 || m > 0 || s > 0 || days == 0 { out += "T" }
        if h > 0 { out += "\(h)H" }
        if m > 0 { out += "\(m)M" }
        if s > 0 || (days == 0 && h == 0 && m == 0) { out += "\(s)S" }
        return out
    }

    /// An ISO 8601 date-time in UTC.
    static func isoDate(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let text = f.string(from: d)
        return text.replacingOccurrences(of: ".000Z", with: "Z")
    }

    /// Whether a name is an XML NCName (what BPMN ids must be).
    static func isNCName(_ s: String) -> Bool {
        guard let first = s.first, first.isLetter || first == "_" else { return false }
        return s.allSatisfy { $0.isLetter || $0.isNumber || "_-.".contains($0) }
    }

    /// An NCName made from any text (for generated ids: flows, messages, errors, shapes).
    static func ncName(_ s: String, prefix: String) -> String {
        let body = String(s.map { $0.isLetter || $0.isNumber || "_-.".contains($0) ? $0 : "_" })
        return prefix + body
    }
}
