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
    public init(_ source: String) throws(ExpressionError) {
        self.source = source
        var lexer = Lexer(source)
        var parser = Parser(tokens: try lexer.tokenize())
        root = try parser.parseAll()
    }

    /// Evaluates against a set of variables. Missing variables read as `null`.
    public func evaluate(_ variables: [String: Value]) -> Value {
        Evaluator.eval(root, Environment(base: variables))
    }

    /// Evaluates as a condition: true only when the result is boolean `true`.
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
            case .call(_, let args, _): args.forEach(walk)
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
            case .literal: break
            }
        }
        walk(root)
        return out
    }

    public var description: String { source }
}
