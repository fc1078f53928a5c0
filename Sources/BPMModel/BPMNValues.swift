import BPMExpressions
import Foundation

private let bpmnNS = BPMNDefinitionReader.bpmnNS

/// How attribute values are read, as Camunda 8 reads them: a `zeebe:` attribute is FEEL when
/// it starts with `=` and a static value otherwise; expression languages this engine does not
/// run (JUEL, JavaScript, Groovy, Python, XPath) are refused by name instead of read as FEEL.
extension BPMNDefinitionReader.Reader {
    /// A FEEL string literal holding `text` exactly.
    static func feelLiteral(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Sets a job parameter at a dotted target (`authentication.type`), nested as Zeebe nests it.
    static func set(_ value: TemplateValue, at target: String, in params: inout [String: TemplateValue]) {
        let parts = target.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1, !parts.contains(where: \.isEmpty) else { params[target] = value; return }
        var inner: [String: TemplateValue] = [:]
        if case .context(let c)? = params[parts[0]] { inner = c }
        set(value, at: parts.dropFirst().joined(separator: "."), in: &inner)
        params[parts[0]] = .context(inner)
    }

    /// A value that is static or FEEL (an input mapping's `source`), as an expression: a static
    /// value is the string it spells.
    mutating func staticOrFEEL(_ raw: String, _ e: XMLElement, _ what: String) -> BPMExpressions.Expression? {
        if raw.hasPrefix("=") { return expression(raw, e, what) }
        return try? BPMExpressions.Expression(Self.feelLiteral(raw))
    }

    /// A value Camunda 8 requires to be an expression (an output mapping's `source`, a
    /// correlation key, an input collection): without the leading `=` it is refused, as Zeebe does.
    mutating func requiredFEEL(_ raw: String, _ e: XMLElement, _ what: String) -> BPMExpressions.Expression? {
        guard raw.hasPrefix("=") else {
            error("\(what) must be a FEEL expression starting with '=' "
                + "(Camunda 8 refuses the static value '\(raw)')", e)
            return nil
        }
        return expression(raw, e, what)
    }

    /// A value needed when the process is deployed (a job type, a called process, a decision, a
    /// message name): static, or a FEEL expression that reads no variables (`="charge"`).
    mutating func deployTimeValue(_ raw: String, _ e: XMLElement, _ what: String) -> Value? {
        guard raw.hasPrefix("=") else { return .string(raw) }
        guard let ex = expression(raw, e, what) else { return nil }
        if ex.referencedNames.isEmpty {
            let v = ex.evaluate([:])
            if v != .null { return v }
        }
        error("\(what) '\(raw)' depends on variables; a dynamic \(what) is not supported yet (write a static value)", e)
        return nil
    }

    /// `deployTimeValue` as a string (a number is written as text).
    mutating func deployTimeString(_ raw: String, _ e: XMLElement, _ what: String) -> String? {
        switch deployTimeValue(raw, e, what) {
        case .string(let s)?: return s
        case nil: return nil
        case let v?:
            error("\(what) '\(raw)' must give a string, not \(v)", e)
            return nil
        }
    }

    /// `deployTimeValue` as a whole number (job retries, priorities).
    mutating func deployTimeInt(_ raw: String, _ e: XMLElement, _ what: String) -> Int? {
        let v = raw.hasPrefix("=") ? deployTimeValue(raw, e, what) : .string(raw)
        switch v {
        case .string(let s)? where Int(s.trimmingCharacters(in: .whitespaces)) != nil:
            return Int(s.trimmingCharacters(in: .whitespaces))
        case .number(let n)? where n == n.rounded() && abs(n) < 1e15: return Int(n)
        case nil: return nil
        default:
            error("\(what) '\(raw)' is not a whole number", e)
            return nil
        }
    }

    /// A static list of comma-separated values (`a,b`), or a constant FEEL list (`=["a","b"]`).
    mutating func deployTimeList(_ raw: String?, _ e: XMLElement, _ what: String) -> [String] {
        guard let raw, !raw.trimmingCharacters(in: .whitespaces).isEmpty else { return [] }
        guard raw.hasPrefix("=") else {
            return raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        switch deployTimeValue(raw, e, what) {
        case .string(let s)?: return s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        case .list(let items)?:
            let names = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
            if names.count == items.count { return names }
            error("\(what) '\(raw)' must be a list of strings", e)
            return []
        case nil: return []
        case let v?:
            error("\(what) '\(raw)' must be a list of strings, not \(v)", e)
            return []
        }
    }

    /// Expression languages other engines run, by a word their `language` URI or name contains
    /// (longest first: `javascript` before `java`).
    static let languageNames: [(String, String)] = [
        ("javascript", "JavaScript"), ("ecmascript", "JavaScript"), ("groovy", "Groovy"), ("python", "Python"),
        ("xquery", "XQuery"), ("xpath", "XPath"), ("juel", "JUEL"), ("ruby", "Ruby"), ("java", "Java"),
        ("mvel", "MVEL"),
    ]

    /// The language an expression element is written in, when it is one this engine does not
    /// run (`language="javascript"` on a condition; JUEL's `${…}` and `#{…}`): its name.
    static func foreignLanguage(_ text: String, language: String?) -> String? {
        if let language, !language.isEmpty, !language.lowercased().contains("feel") {
            let l = language.lowercased()
            for (key, name) in Self.languageNames where l.contains(key) { return name }
            return "'\(language)'"
        }
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if (t.hasPrefix("${") || t.hasPrefix("#{")) && t.hasSuffix("}") { return "JUEL (Camunda 7's Java EL)" }
        return nil
    }

    /// The text of an expression element (a condition, a loop cardinality): refused with the
    /// language's name when it is not FEEL, in an executable process.
    mutating func expressionText(_ x: XMLElement, _ what: String) -> String? {
        let text = x.trimmedText
        if inExecutableProcess, let lang = Self.foreignLanguage(text, language: x.attributes["language"]) {
            error("\(what) is written in \(lang), which this engine does not run: write it in FEEL (`= …`)", x)
            return nil
        }
        return text
    }

    /// An expression element's text read as FEEL (nil when empty, or refused).
    mutating func expressionChild(_ c: XMLElement, _ name: String, _ what: String) -> BPMExpressions.Expression? {
        guard let x = c.child(name, ns: bpmnNS), !x.trimmedText.isEmpty else { return nil }
        guard let text = expressionText(x, what) else { return nil }
        return expression(text, x, what)
    }
}
