import Foundation

/// Translates an AWS IoT Events expression (`$input.HeartbeatInput.battery < 20 &&
/// !timeout("heartbeat")`) into the engine's FEEL text. What has no counterpart (bitwise
/// operators, unknown functions, a second input) is reported and the expression refused, so a
/// caller never emits something that only looks right.
struct IoTEventsExpression {
    /// How names of the detector model are spelled in the generated process.
    struct Names {
        /// The input whose messages the process waits for; references to others are refused.
        var input: String
        /// `$variable.x` → the process variable's name.
        var variable: (String) -> String
        /// A referenced timer's name → its fired flag (`timeout("t")`).
        var timeout: (String) -> String
    }

    struct Failure: Error { var message: String }

    enum Token: Equatable {
        case number(String), string(String), name(String), op(String), end
    }

    let names: Names
    private var tokens: [Token] = []
    private var at = 0
    /// `$input.<input>.<path>` references seen: the first member of each path.
    private(set) var inputMembers: Set<String> = []
    /// Timer names `timeout("…")` refers to.
    private(set) var timers: Set<String> = []

    init(names: Names) { self.names = names }

    /// The FEEL text of an IoT Events expression.
    mutating func translate(_ source: String) throws(Failure) -> String {
        tokens = try Self.tokenize(source)
        at = 0
        let out = try binary(0)
        guard peek == .end else { throw Failure(message: "unexpected '\(describe(peek))' in '\(source)'") }
        return out
    }

    // MARK: parsing, C precedence (lowest first)

    private static let levels: [[String]] = [["||"], ["&&"], ["|"], ["^"], ["&"], ["==", "!="], ["<", "<=", ">", ">="],
                                             ["+", "-"], ["*", "/", "%"]]

    private var peek: Token { at < tokens.count ? tokens[at] : .end }

    private mutating func take() -> Token {
        defer { at += 1 }
        return peek
    }

    private func describe(_ t: Token) -> String {
        switch t {
        case .number(let s), .string(let s), .name(let s), .op(let s): s
        case .end: "end of expression"
        }
    }

    private mutating func binary(_ level: Int) throws(Failure) -> String {
        guard level < Self.levels.count else { return try unary() }
        var left = try binary(level + 1)
        while case .op(let o) = peek, Self.levels[level].contains(o) {
            _ = take()
            let right = try binary(level + 1)
            left = try combine(o, left, right)
        }
        return left
    }

    private func combine(_ o: String, _ l: String, _ r: String) throws(Failure) -> String {
        switch o {
        case "||": return "(\(l) or \(r))"
        case "&&": return "(\(l) and \(r))"
        case "==": return "(\(l) = \(r))"
        case "%": return "modulo(\(l), \(r))"
        case "|", "&", "^": throw Failure(message: "the bitwise operator '\(o)' has no counterpart in FEEL")
        default: return "(\(l) \(o) \(r))"
        }
    }

    private mutating func unary() throws(Failure) -> String {
        if case .op(let o) = peek, ["!", "-", "~"].contains(o) {
            _ = take()
            let operand = try unary()
            switch o {
            case "!": return "not(\(operand))"
            case "-": return "(-\(operand))"
            default: throw Failure(message: "the bitwise operator '~' has no counterpart in FEEL")
            }
        }
        return try primary()
    }

    private mutating func primary() throws(Failure) -> String {
        switch take() {
        case .number(let n): return n
        case .string(let s): return try stringLiteral(s)
        case .op("("):
            let inner = try binary(0)
            guard take() == .op(")") else { throw Failure(message: "missing ')'") }
            return "(\(inner))"
        case .name(let n) where n.hasPrefix("$"): return try reference(n)
        case .name("true"): return "true"
        case .name("false"): return "false"
        case .name(let f) where peek == .op("("):
            _ = take()
            var args: [String] = []
            var raw: [Token] = []
            if peek != .op(")") {
                repeat {
                    raw.append(peek)
                    args.append(try binary(0))
                } while take() == .op(",")
                at -= 1
            }
            guard take() == .op(")") else { throw Failure(message: "missing ')' after the arguments of \(f)") }
            return try call(f, args, raw)
        case .name(let type) where ["String", "Decimal", "Boolean"].contains(type): return type  // convert's type
        case let t: throw Failure(message: "unexpected '\(describe(t))'")
        }
    }

    /// A string literal; `${expr}` inside it (a substitution template) becomes concatenation.
    private mutating func stringLiteral(_ s: String) throws(Failure) -> String {
        let parts = try templateParts(s)
        if parts.count == 1, case .text(let t) = parts[0] { return Self.quoted(t) }
        if parts.isEmpty { return "\"\"" }
        let pieces = parts.map { p -> String in
            switch p {
            case .text(let t): Self.quoted(t)
            case .expression(let e): "string(\(e))"
            }
        }
        return "(" + pieces.joined(separator: " + ") + ")"
    }

    enum Part: Equatable { case text(String), expression(String) }

    /// Text with `${expr}` substitution templates, split and translated.
    mutating func templateParts(_ s: String) throws(Failure) -> [Part] {
        var parts: [Part] = []
        var rest = Substring(s)
        while let open = rest.range(of: "${") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            var depth = 1
            var i = open.upperBound
            while i < rest.endIndex, depth > 0 {
                if rest[i] == "{" { depth += 1 } else if rest[i] == "}" { depth -= 1 }
                if depth > 0 { i = rest.index(after: i) }
            }
            guard i < rest.endIndex else { throw Failure(message: "unclosed '${' in '\(s)'") }
            var inner = IoTEventsExpression(names: names)
            parts.append(.expression(try inner.translate(String(rest[open.upperBound..<i]))))
            inputMembers.formUnion(inner.inputMembers)
            timers.formUnion(inner.timers)
            rest = rest[rest.index(after: i)...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        return parts
    }

    static func quoted(_ t: String) -> String {
        "\"" + t.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// `$input.<input>.<path>` or `$variable.<name>`.
    private mutating func reference(_ n: String) throws(Failure) -> String {
        let segments = Self.segments(n)
        switch segments.first {
        case "$input":
            guard segments.count >= 3 else { throw Failure(message: "'\(n)' names no attribute of an input") }
            guard segments[1] == names.input else {
                throw Failure(message: "'\(n)' reads input '\(segments[1])'; "
                              + "the process waits for input '\(names.input)' only")
            }
            inputMembers.insert(Self.member(segments[2]))
            return try Self.path(segments[2...])
        case "$variable":
            guard segments.count >= 2 else { throw Failure(message: "'\(n)' names no variable") }
            return Self.access(names.variable(segments[1]), segments[2...])
        default:
            throw Failure(message: "unknown reference '\(n)' (only $input and $variable)")
        }
    }

    /// The segments of a dotted reference (backquoted ones keep their dots).
    static func segments(_ n: String) -> [String] {
        var out: [String] = []
        var cur = ""
        var quoted = false
        for ch in n {
            if ch == "`" {
                quoted.toggle()
                cur.append(ch)
            } else if ch == "." && !quoted {
                out.append(cur)
                cur = ""
            } else {
                cur.append(ch)
            }
        }
        out.append(cur)
        return out
    }

    /// The variable a path's first segment reads (without backquotes and index).
    static func member(_ segment: String) -> String {
        let base = segment.split(separator: "[").first.map(String.init) ?? segment
        return base.replacingOccurrences(of: "`", with: "")
    }

    private static func path(_ segs: ArraySlice<String>) throws(Failure) -> String {
        guard let first = segs.first else { return "" }
        guard FEELName.isPlain(member(first)) else {
            throw Failure(message: "the input attribute '\(member(first))' is not a plain name (letters, digits, _)")
        }
        return access(member(first) + indexes(first), segs.dropFirst())
    }

    /// `.name` for each further segment (`get value(…, "odd-name")` for names FEEL cannot
    /// spell), with any `[n]` indexes, 0-based there, 1-based here.
    static func access(_ base: String, _ segs: ArraySlice<String>) -> String {
        var out = base
        for s in segs {
            let name = member(s)
            out = FEELName.isPlain(name) ? out + "." + name : "get value(\(out), \(quoted(name)))"
            out += indexes(s)
        }
        return out
    }

    static func indexes(_ segment: String) -> String {
        segment.split(separator: "[").dropFirst().map { part -> String in
            let n = Int(part.dropLast()) ?? 0
            return "[\(n + 1)]"
        }.joined()
    }

    /// The built-in functions of IoT Events expressions.
    private mutating func call(_ f: String, _ a: [String], _ raw: [Token]) throws(Failure) -> String {
        func need(_ n: Int) throws(Failure) {
            guard a.count == n else {
                throw Failure(message: "\(f) takes \(n) argument\(n == 1 ? "" : "s"), not \(a.count)")
            }
        }
        func literal(_ i: Int) throws(Failure) -> String {
            if case .string(let s) = raw[i] { return s }
            throw Failure(message: "\(f) needs a string literal argument")
        }
        switch f {
        case "timeout":
            try need(1)
            let t = try literal(0)
            timers.insert(t)
            return names.timeout(t)
        case "currentInput":
            try need(1)
            return "(iot_input = \(Self.quoted(try literal(0))))"
        case "triggerType":
            try need(1)
            return "(iot_trigger = \(Self.quoted(try literal(0))))"
        case "isUndefined", "isNull":
            try need(1)
            return "(\(a[0]) = null)"
        case "isNumeric", "isString", "isBoolean":
            try need(1)
            let type = ["isNumeric": "number", "isString": "string", "isBoolean": "boolean"][f] ?? ""
            return "(\(a[0]) instance of \(type))"
        case "convert":
            try need(2)
            return try convert(raw[0], a[1])
        case "startsWith", "endsWith", "contains":
            try need(2)
            let feel = ["startsWith": "starts with", "endsWith": "ends with", "contains": "contains"][f] ?? f
            return "\(feel)(\(a[0]), \(a[1]))"
        case "abs", "floor", "sqrt":
            try need(1)
            return "\(f)(\(a[0]))"
        case "ceil":
            try need(1)
            return "ceiling(\(a[0]))"
        case "bitand", "bitor", "bitxor", "bitnot":
            throw Failure(message: "the bitwise function \(f) has no counterpart in FEEL")
        default:
            throw Failure(message: "the function \(f) has no counterpart here")
        }
    }

    /// `convert(String|Decimal|Boolean, x)`.
    private func convert(_ type: Token, _ x: String) throws(Failure) -> String {
        let name: String
        switch type {
        case .name(let n), .string(let n): name = n
        default: throw Failure(message: "convert needs a type: String, Decimal or Boolean")
        }
        switch name {
        case "String": return "string(\(x))"
        case "Decimal": return "(if \(x) instance of number then \(x) else number(string(\(x))))"
        case "Boolean":
            return "(if \(x) instance of boolean then \(x) else if \(x) instance of number then \(x) != 0 "
                + "else lower case(string(\(x))) = \"true\")"
        default: throw Failure(message: "convert to '\(name)' (only String, Decimal and Boolean)")
        }
    }

    // MARK: tokens

    static func tokenize(_ s: String) throws(Failure) -> [Token] {
        let chars = Array(s)
        var out: [Token] = []
        var i = 0
        let two: Set<String> = ["&&", "||", "==", "!=", "<=", ">="]
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c == "'" || c == "\"" {
                var j = i + 1
                var text = ""
                while j < chars.count, chars[j] != c {
                    if chars[j] == "\\", j + 1 < chars.count { j += 1 }
                    text.append(chars[j])
                    j += 1
                }
                guard j < chars.count else { throw Failure(message: "unterminated string in '\(s)'") }
                out.append(.string(text))
                i = j + 1
            } else if c.isNumber || (c == "." && i + 1 < chars.count && chars[i + 1].isNumber) {
                var j = i
                while j < chars.count, chars[j].isNumber || ".eE".contains(chars[j]) { j += 1 }
                out.append(.number(String(chars[i..<j])))
                i = j
            } else if c.isLetter || c == "$" || c == "_" {
                var j = i
                var quoted = false
                while j < chars.count {
                    let d = chars[j]
                    if d == "`" {
                        quoted.toggle()
                    } else if !quoted && !(d.isLetter || d.isNumber || "_$.[]".contains(d)) {
                        break
                    }
                    j += 1
                }
                out.append(.name(String(chars[i..<j])))
                i = j
            } else if i + 1 < chars.count, two.contains(String(chars[i...i + 1])) {
                out.append(.op(String(chars[i...i + 1])))
                i += 2
            } else if "+-*/%<>!~&|^(),".contains(c) {
                out.append(.op(String(c)))
                i += 1
            } else {
                throw Failure(message: "unexpected character '\(c)' in '\(s)'")
            }
        }
        return out
    }
}

/// How a name is written in FEEL text.
enum FEELName {
    static let reserved: Set<String> = ["and", "or", "not", "if", "then", "else", "for", "in", "return", "some",
        "every",
                                        "satisfies", "between", "instance", "of", "true", "false", "null", "function"]

    static func isPlain(_ n: String) -> Bool {
        guard let f = n.first, f.isLetter || f == "_" else { return false }
        return !reserved.contains(n) && n.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    /// A name made of letters, digits and underscores.
    static func sanitized(_ n: String) -> String {
        var s = String(n.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
        if let f = s.first, f.isNumber { s = "_" + s }
        if s.isEmpty || reserved.contains(s) { s = "v_" + s }
        return s
    }
}
