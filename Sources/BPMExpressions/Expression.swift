/// A parsed expression, ready to evaluate many times.
///
/// ```swift
/// let e = try Expression("fields.flow_temp_c > 25.0")
/// e.evaluate(["fields": ["flow_temp_c": 27.5]])   // .bool(true)
/// ```
public struct Expression: Sendable, CustomStringConvertible {
    /// The text as written.
    public let source: String
    let root: Node

    /// Parses `source`; throws an `ExpressionError` with the column of the first problem.
    /// `names` lists the names in scope that contain spaces (FEEL needs them to parse).
    /// `dynamicCalls` allows calling variables that hold functions (full FEEL, as in DMN).
    /// `types` names the item definitions `instance of` and typed parameters may use; `strict`
    /// refuses the C-style operators (`==`, `&&`, `||`, `!`, `%`) that are not FEEL, as DMN must.
    public init(_ source: String, names: Set<String> = [], functions: Set<String> = [], types: [String: FEELType] = [:],
                dynamicCalls: Bool = false, strict: Bool = false) throws(ExpressionError) {
        self.source = source
        let (text, renames) = Self.protectNames(source, names)
        var lexer = Lexer(text)
        let tokens = try lexer.tokenize()
        if strict { try Self.refuseNonFEEL(tokens) }
        var parser = Parser(tokens: tokens, knownNames: names, knownFunctions: functions)
        parser.dynamicCalls = dynamicCalls
        parser.renames = renames
        parser.types = types
        parser.source = Array(text.unicodeScalars)
        root = try parser.parseAll()
    }

    /// Operators other expression languages (JUEL, JavaScript, Flowable's `== "HIGH"`) use and
    /// FEEL does not (DMN 1.5 §10.3.1.2): a clear error instead of a wrong reading.
    static func refuseNonFEEL(_ tokens: [Token]) throws(ExpressionError) {
        for (i, t) in tokens.enumerated() {
            guard case .op(let o) = t.kind, ["==", "&&", "||", "!", "%", "<>"].contains(o) else { continue }
            // `function<> -> T` and `context<>` are FEEL types (rule 54) with no parameters or entries
            if o == "<>", i > 0, case .name(let n) = tokens[i - 1].kind, n == "function" || n == "context" { continue }
            let feel = ["==": "=", "&&": "and", "||": "or", "!": "not(…)", "%": "modulo(…)", "<>": "!="][o]!
            throw ExpressionError("'\(o)' is not FEEL (an expression in another language?); FEEL writes '\(feel)'",
                                  column: t.column)
        }
    }

    /// Replaces known names that contain operator characters (FEEL allows `-`, `+`, `/`, `'`
    /// and more inside names in scope) by placeholder identifiers, outside string literals.
    /// The placeholder has the name's length, so error columns stay right.
    static func protectNames(_ source: String, _ names: Set<String>) -> (String, [String: String]) {
        let special = names.filter { n in n.unicodeScalars.contains { !($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == " " || $0 == "_") } }
            .sorted { $0.count > $1.count }
        guard !special.isEmpty, special.contains(where: source.contains) else { return (source, [:]) }
        var renames: [String: String] = [:]
        var out = ""
        var i = source.startIndex
        var quote: Character?
        outer: while i < source.endIndex {
            let c = source[i]
            if let q = quote {
                out.append(c)
                if c == "\\", source.index(after: i) < source.endIndex { i = source.index(after: i); out.append(source[i]) } else if c == q { quote = nil }
                i = source.index(after: i)
                continue
            }
            if c == "\"" { quote = c; out.append(c); i = source.index(after: i); continue }
            for (k, n) in special.enumerated() where source[i...].hasPrefix(n) {
                let id = "ⁿ\(k)" + String(repeating: "ⁿ", count: max(0, n.count - "ⁿ\(k)".count))
                renames[id] = n
                out += id
                i = source.index(i, offsetBy: n.count)
                continue outer
            }
            out.append(c)
            i = source.index(after: i)
        }
        return (out, renames)
    }

    /// Evaluates with extra callable functions.
    public func evaluate(_ variables: [String: Value], functions: FunctionTable) -> Value {
        if let v = Self.direct(root, variables) { return v }
        return Evaluator.run(root, Environment(base: variables, functions: functions))
    }

    /// Evaluates against a set of variables. Missing variables read as `null`.
    public func evaluate(_ variables: [String: Value]) -> Value {
        if let v = Self.direct(root, variables) { return v }
        return Evaluator.run(root, Environment(base: variables))
    }

    /// A literal or a plain name needs no evaluation environment (the decision-table fast path).
    @inline(__always) static func direct(_ n: Node, _ variables: [String: Value]) -> Value? {
        switch n {
        case .literal(let v): return v
        case .name(let name, _) where !name.contains("."): return variables[name] ?? .null
        default: return nil
        }
    }

    /// Evaluates as a condition: true only when the result is boolean `true`.
    /// The `path = literal` comparisons (a string or number literal) joined by `and` at the
    /// top of the expression: when the value at one of those paths is not its literal, the
    /// expression is not true (false and anything is false; null and anything is not true), so
    /// routing may skip evaluating it.
    public var equalityGuards: [(path: [String], value: Value)] {
        func path(_ n: Node) -> [String]? {
            switch n {
            case .name(let name, _): return [name]
            case .path(let base, let member): return path(base).map { $0 + [member] }
            default: return nil
            }
        }
        func literal(_ n: Node) -> Value? {
            if case .literal(let v) = n { switch v { case .string, .number: return v; default: return nil } }
            return nil
        }
        func guards(_ n: Node) -> [(path: [String], value: Value)] {
            switch n {
            case .and(let l, let r): return guards(l) + guards(r)
            case .binary("=", let l, let r, _):
                if let p = path(l), let v = literal(r) { return [(p, v)] }
                if let p = path(r), let v = literal(l) { return [(p, v)] }
                return []
            default: return []
            }
        }
        return guards(root)
    }

    public func test(_ variables: [String: Value]) -> Bool {
        evaluate(variables).isTrue
    }

    /// The variable names the expression reads at top level (for documentation and checks).
    public var referencedNames: Set<String> {
        var out: Set<String> = []
        func walk(_ n: Node) {
            switch n {
            case .name(let s, _): out.insert(s)
            case .path(let b, _): walk(b)
            case .filter(let b, let f, _): walk(b); walk(f)
            case .call(_, let args, _), .externalCall(_, let args, _): args.forEach(walk)
            case .unary(_, let x): walk(x)
            case .binary(_, let l, let r, _), .and(let l, let r), .or(let l, let r): walk(l); walk(r)
            case .between(let a, let b, let c), .ifThenElse(let a, let b, let c): walk(a); walk(b); walk(c)
            case .inTest(let v, let tests):
                walk(v)
                for t in tests { switch t { case .equals(let x), .compare(_, let x): walk(x) } }
            case .list(let items): items.forEach(walk)
            case .context(let entries): entries.forEach { walk($0.1) }
            case .range(let lo, let hi, _, _): lo.map(walk); hi.map(walk)
            case .quantified(_, let iters, let body), .forLoop(let iters, let body): iters.forEach { walk($0.1) }; walk(body)
            case .instanceOf(let v, _): walk(v)
            case .lambda(_, let body, _): walk(body)
            case .invoke(let t, let args, _): walk(t); args.forEach(walk)
            case .literal: break
            }
        }
        walk(root)
        return out
    }

    public var description: String { source }
}

/// Unary tests, as written in a decision table's input entries: `-`, `>= 18`, `"Medium","Low"`,
/// `[1..10]`, `not("High")`, `? > 3`.
public struct UnaryTests: Sendable, CustomStringConvertible {
    public let source: String
    let list: UnaryTestList
    /// The tests, when each compares with a constant: evaluated without an environment.
    let constant: [ConstantTest]?

    public init(_ source: String, names: Set<String> = [], types: [String: FEELType] = [:], strict: Bool = false,
                dynamicCalls: Bool = false) throws(ExpressionError) {
        self.source = source
        let (text, renames) = Expression.protectNames(source, names)
        var lexer = Lexer(text)
        let tokens = try lexer.tokenize()
        if strict { try Expression.refuseNonFEEL(tokens) }
        var parser = Parser(tokens: tokens, knownNames: names)
        parser.renames = renames
        parser.types = types
        parser.dynamicCalls = dynamicCalls
        if case .end = parser.current.kind {
            list = .any
            constant = nil
            return
        }
        list = try parser.parseUnaryTests()
        constant = ConstantTest.compile(list)
    }

    /// Whether `value` passes: true, false, or nil when a test cannot be decided (FEEL null).
    public func matches(_ value: Value, _ variables: [String: Value]) -> Bool? {
        if case .any = list { return true }
        if let constant, case .tests = list { return ConstantTest.any(constant, value) }
        if let constant, case .not = list { return ConstantTest.any(constant, value).map { !$0 } }
        let env = Environment(base: variables)
        func any(_ tests: [UnaryTest]) -> Bool? {
            var sawNull = false
            for t in tests {
                switch Evaluator.test(t, value, env) {
                case .bool(true): return true
                case .bool(false): break
                default: sawNull = true
                }
            }
            return sawNull ? nil : false
        }
        switch list {
        case .any: return true
        case .tests(let t): return any(t)
        case .not(let t): return any(t).map { !$0 }
        }
    }

    public var description: String { source }
}
