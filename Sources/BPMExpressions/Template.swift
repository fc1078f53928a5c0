/// A string with `${expr}` placeholders, such as `"Temperature normal: ${temperature}°C"`.
///
/// A template that is exactly one placeholder (`"${device_id}"`) renders to the expression's
/// value with its type; any other template renders to a string.
public struct Template: Sendable, CustomStringConvertible {
    enum Part: Sendable {
        case text(String)
        case expression(Expression, offset: Int)
    }

    public let source: String
    let parts: [Part]

    /// Whether the text contains any placeholder.
    public var isConstant: Bool { !parts.contains { if case .expression = $0 { true } else { false } } }

    /// Parses placeholders; an error's column is counted from the start of the whole string.
    public init(_ source: String) throws(ExpressionError) {
        self.source = source
        var parts: [Part] = []
        let scalars = Array(source.unicodeScalars)
        var text = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            if scalars[i] == "$", i + 1 < scalars.count, scalars[i + 1] == "{" {
                // find the matching brace, skipping string literals and nested braces
                var j = i + 2
                var depth = 0
                var quote: Unicode.Scalar?
                while j < scalars.count {
                    let c = scalars[j]
                    if let q = quote {
                        if c == "\\" { j += 1 } else if c == q { quote = nil }
                    } else if c == "\"" || c == "'" {
                        quote = c
                    } else if c == "{" {
                        depth += 1
                    } else if c == "}" {
                        if depth == 0 { break }
                        depth -= 1
                    }
                    j += 1
                }
                guard j < scalars.count else { throw ExpressionError("unterminated '${'", column: i + 1) }
                if !text.isEmpty { parts.append(.text(String(text))); text = String.UnicodeScalarView() }
                let inner = String(String.UnicodeScalarView(scalars[(i + 2)..<j]))
                do {
                    parts.append(.expression(try Expression(inner), offset: i + 2))
                } catch {
                    throw ExpressionError(error.message, column: error.column + i + 2)
                }
                i = j + 1
            } else {
                text.append(scalars[i])
                i += 1
            }
        }
        if !text.isEmpty || parts.isEmpty { parts.append(.text(String(text))) }
        self.parts = parts
    }

    /// Renders against variables.
    public func render(_ variables: [String: Value]) -> Value {
        if parts.count == 1, case .expression(let e, _) = parts[0] { return e.evaluate(variables) }
        if parts.count == 1, case .text(let t) = parts[0] { return .string(t) }
        var out = ""
        for p in parts {
            switch p {
            case .text(let t): out += t
            case .expression(let e, _): out += e.evaluate(variables).interpolated
            }
        }
        return .string(out)
    }

    public var description: String { source }
}

/// A structured value whose strings may hold `${…}` templates: the payload of a connector call.
public indirect enum TemplateValue: Sendable {
    case constant(Value)
    case template(Template)
    case list([TemplateValue])
    case context([String: TemplateValue])

    /// Renders every template inside against variables.
    public func render(_ variables: [String: Value]) -> Value {
        switch self {
        case .constant(let v): return v
        case .template(let t): return t.render(variables)
        case .list(let items): return .list(items.map { $0.render(variables) })
        case .context(let c): return .context(c.mapValues { $0.render(variables) })
        }
    }
}
