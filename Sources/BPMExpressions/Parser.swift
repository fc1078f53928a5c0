/// A recursive-descent parser for the expression language (FEEL with C-style operator aliases).
///
/// Precedence, lowest first: `if`/`for`/`some`/`every`; `or` `||`; `and` `&&`; comparisons
/// (`=` `==` `!=` `<>` `<` `<=` `>` `>=`, `between`, `in`, `instance of`); `+` `-`; `*` `/` `%`;
/// `**`; unary `-` `!`; postfix paths, filters and calls.
struct Parser {
    var tokens: [Token]
    var p = 0
    var depth = 0
    static let maxDepth = 200
    /// Names that contain spaces (`Monthly Salary`), known from the context: FEEL's grammar
    /// needs them to tell a name from a sequence of words.
    var knownNames: Set<String> = []
    /// Functions the context provides (DMN business knowledge models), callable by name.
    var knownFunctions: Set<String> = []
    var longestKnownName: Int
    /// Item definitions (DMN) by name, for `instance of` and typed parameters.
    var types: [String: FEELType] = [:]
    /// The text parsed (after name protection), for names written with operator characters.
    var source: [Unicode.Scalar] = []

    /// Whether names and expressions not known as functions may be called (full FEEL, in DMN):
    /// the call happens at run time on whatever function value the name holds.
    var dynamicCalls = false
    /// Names with operator characters (`Pre-bureau risk category`) stand in the token stream
    /// under placeholder identifiers; these map them back.
    var renames: [String: String] = [:]

    /// Expressions whose value may be a function: a parenthesised expression, a path, a call.
    static func callable(_ n: Node) -> Bool {
        switch n {
        case .lambda, .path, .invoke, .filter, .externalCall: return true
        default: return false
        }
    }

    /// `function(a, b) body` (after the word `function`).
    mutating func lambda() throws(ExpressionError) -> Node {
        try expect("(")
        var params: [String] = []
        var types: [FEELType?] = []
        if !isOp(")") {
            repeat {
                if !params.isEmpty { p += 1 }
                let n = try wordsUntil { $0 == ":" || $0 == "," || $0 == ")" }
                var type: FEELType?
                if isOp(":") {  // a typed parameter (§10.3.1.2 rule 57): arguments are converted to it
                    p += 1
                    type = try parseType()
                }
                types.append(type)
                learn(n)
                params.append(n)
            } while isOp(",")
        }
        try expect(")")
        if case .name("external") = current.kind {
            // §10.3.2.13.2–3: `external {java: …}` or `{pmml: …}`; this engine runs FEEL functions only
            let pmml = tokens.dropFirst(p).contains { if case .name("pmml") = $0.kind { true } else { false } }
            let kind = pmml ? "PMML" : "Java"
            throw ExpressionError(
                "external functions (\(kind)) are not supported: this engine runs FEEL functions only",
                                  column: current.column)
        }
        let body = try expression()
        return .lambda(params, body, types: types.contains { $0 != nil } ? types : [])
    }

    init(tokens: [Token], knownNames: Set<String> = [], knownFunctions: Set<String> = []) {
        self.tokens = tokens
        self.knownNames = knownNames.union(knownFunctions.filter { $0.contains(" ") })
        self.knownFunctions = knownFunctions
        longestKnownName = knownNames.map { $0.split(separator: " ").count }.max() ?? 1
    }

    var current: Token { tokens[p] }

    func isOp(_ s: String) -> Bool { if case .op(let o) = current.kind { o == s } else { false } }
    func isName(_ s: String) -> Bool { if case .name(let n) = current.kind { n == s } else { false } }
    func peekIsOp(_ s: String, _ k: Int = 1) -> Bool {
        guard p + k < tokens.count else { return false }
        if case .op(let o) = tokens[p + k].kind { return o == s }
        return false
    }

    mutating func expect(_ s: String) throws(ExpressionError) {
        guard isOp(s) || isName(s) else { throw ExpressionError("expected '\(s)' but found \(describe(current))", column: current.column) }
        p += 1
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .number(let d): "number \(Value.format(number: d))"
        case .string(let s): "string \"\(s)\""
        case .at(let s): "@\"\(s)\""
        case .name(let n): "'\(n)'"
        case .op(let o): "'\(o)'"
        case .end: "end of expression"
        }
    }

    mutating func parseAll() throws(ExpressionError) -> Node {
        if case .end = current.kind { throw ExpressionError("empty expression", column: 1) }
        let n = try expression()
        guard case .end = current.kind else {
            throw ExpressionError("unexpected \(describe(current))", column: current.column)
        }
        return n
    }

    mutating func expression() throws(ExpressionError) -> Node {
        depth += 1
        defer { depth -= 1 }
        guard depth < Self.maxDepth else { throw ExpressionError("expression nested too deeply", column: current.column) }
        if isName("if") {
            p += 1
            let c = try expression()
            try expect("then")
            let t = try expression()
            try expect("else")
            let e = try expression()
            return .ifThenElse(c, t, e)
        }
        if isName("for") {
            p += 1
            let iters = try iterationContexts()
            try expect("return")
            return .forLoop(iters, try expression())
        }
        if isName("some") || isName("every") {
            let every = isName("every")
            p += 1
            let iters = try iterationContexts()
            try expect("satisfies")
            return .quantified(every: every, iters, try expression())
        }
        return try disjunction()
    }

    mutating func iterationContexts() throws(ExpressionError) -> [(String, Node)] {
        var out: [(String, Node)] = []
        repeat {
            if !out.isEmpty { p += 1 }
            let n = try iterationName()
            try expect("in")
            let domain = try comparison()
            if isOp("..") {
                p += 1
                let hi = try comparison()
                out.append((n, .range(low: domain, high: hi, lowInclusive: true, highInclusive: true)))
            } else {
                out.append((n, domain))
            }
        } while isOp(",")
        return out
    }

    mutating func disjunction() throws(ExpressionError) -> Node {
        var l = try conjunction()
        while isName("or") || isOp("||") {
            p += 1
            l = .or(l, try conjunction())
        }
        return l
    }

    mutating func conjunction() throws(ExpressionError) -> Node {
        var l = try comparison()
        while isName("and") || isOp("&&") {
            p += 1
            l = .and(l, try comparison())
        }
        return l
    }

    static let comparisonOps: Set<String> = ["=", "==", "!=", "<>", "<", "<=", ">", ">="]

    mutating func comparison() throws(ExpressionError) -> Node {
        var l = try additive()
        while true {
            if case .op(let o) = current.kind, Self.comparisonOps.contains(o) {
                let col = current.column
                p += 1
                let r = try additive()
                let norm = o == "==" ? "=" : (o == "<>" ? "!=" : o)
                l = .binary(norm, l, r, column: col)
            } else if isName("between") {
                p += 1
                let lo = try additive()
                try expect("and")
                let hi = try additive()
                l = .between(l, lo, hi)
            } else if isName("in") {
                p += 1
                var tests: [UnaryTest] = []
                if isOp("(") && !looksLikeRange() {
                    // a parenthesised list of unary tests: x in (1, 2, >5)
                    p += 1
                    repeat {
                        if !tests.isEmpty { p += 1 }
                        tests.append(try unaryTest())
                    } while isOp(",")
                    try expect(")")
                } else {
                    tests.append(try unaryTest())
                }
                l = .inTest(l, tests)
            } else if isName("instance") {
                p += 1
                try expect("of")
                l = .instanceOf(l, try parseType())
            } else {
                return l
            }
        }
    }

    /// After `(`: is this `(a..b]`-style range rather than a list of tests?
    func looksLikeRange() -> Bool {
        var k = p + 1
        var nesting = 0
        while k < tokens.count {
            if case .op(let o) = tokens[k].kind {
                if o == "(" || o == "[" { nesting += 1 }
                if o == ")" || o == "]" { if nesting == 0 { return false }; nesting -= 1 }
                if o == ".." && nesting == 0 { return true }
                if o == "," && nesting == 0 { return false }
            }
            if case .end = tokens[k].kind { return false }
            k += 1
        }
        return false
    }

    /// A list of unary tests, as in a decision table's input entry: `-`, `< 5`, `"a", "b"`,
    /// `[1..10]`, `not("x")`, `? > 3`.
    mutating func parseUnaryTests() throws(ExpressionError) -> UnaryTestList {
        if case .op("-") = current.kind, p + 1 < tokens.count, case .end = tokens[p + 1].kind { return .any }
        if isName("not"), peekIsOp("(") {
            let save = p
            p += 2
            if let inner = try? parseTestList(), isOp(")"), p + 1 < tokens.count, case .end = tokens[p + 1].kind {
                return .not(inner)
            }
            p = save
        }
        let tests = try parseTestList()
        guard case .end = current.kind else { throw ExpressionError("unexpected \(describe(current))", column: current.column) }
        return .tests(tests)
    }

    mutating func parseTestList() throws(ExpressionError) -> [UnaryTest] {
        var out: [UnaryTest] = []
        repeat {
            if !out.isEmpty { p += 1 }
            if case .op(let o) = current.kind, ["<", "<=", ">", ">="].contains(o) {
                p += 1
                out.append(.compare(o, try additive()))
            } else if case .op(let o) = current.kind, ["=", "!="].contains(o) {
                p += 1
                out.append(.compare(o, try additive()))
            } else {
                out.append(.equals(try expression()))
            }
        } while isOp(",")
        return out
    }

    mutating func unaryTest() throws(ExpressionError) -> UnaryTest {
        if case .op(let o) = current.kind, ["<", "<=", ">", ">=", "=", "==", "!="].contains(o) {
            p += 1
            let norm = o == "==" ? "=" : o
            return .compare(norm, try additive())
        }
        return .equals(try additive())
    }

    mutating func additive() throws(ExpressionError) -> Node {
        var l = try multiplicative()
        while isOp("+") || isOp("-") {
            guard case .op(let o) = current.kind else { break }
            let col = current.column
            p += 1
            l = .binary(o, l, try multiplicative(), column: col)
        }
        return l
    }

    mutating func multiplicative() throws(ExpressionError) -> Node {
        var l = try power()
        while isOp("*") || isOp("/") || isOp("%") {
            guard case .op(let o) = current.kind else { break }
            let col = current.column
            p += 1
            l = .binary(o, l, try power(), column: col)
        }
        return l
    }

    /// `**` groups to the left, as the grammar's `expression "**" expression` (DMN 1.5
    /// §10.3.1.2 rule 21) is read: `3 ** 4 ** 5` is `(3 ** 4) ** 5`.
    mutating func power() throws(ExpressionError) -> Node {
        var l = try unary()
        while isOp("**") {
            let col = current.column
            p += 1
            l = .binary("**", l, try unary(), column: col)
        }
        return l
    }

    mutating func unary() throws(ExpressionError) -> Node {
        if isOp("-") {
            p += 1
            return .unary("-", try unary())
        }
        if isOp("!") {
            p += 1
            return .unary("!", try unary())
        }
        if isOp("+") {
            p += 1
            return try unary()
        }
        return try postfix()
    }

    mutating func postfix() throws(ExpressionError) -> Node {
        var n = try primary()
        while true {
            if isOp(".") {
                p += 1
                n = .path(n, try memberName())
            } else if isOp("["), !closesRange(at: p + 1) {
                let col = current.column
                p += 1
                let f = try expression()
                try expect("]")
                n = .filter(n, f, column: col)
            } else if isOp("("), dynamicCalls, Self.callable(n) {
                let named = try namedArguments()
                n = .invoke(n, named.map(\.1), names: named.map(\.0))
            } else {
                return n
            }
        }
    }

    mutating func primary() throws(ExpressionError) -> Node {
        let t = current
        switch t.kind {
        case .number(let d):
            p += 1
            return .literal(.number(d))
        case .string(let s):
            p += 1
            return .literal(.string(s))
        case .at(let s):
            guard let v = Temporal.parse(s) else {
                throw ExpressionError("@\"\(s)\" is not a date, time, date and time or duration", column: t.column)
            }
            p += 1
            return .literal(.temporal(v))
        case .end:
            throw ExpressionError("unexpected end of expression", column: t.column)
        case .name(let n):
            switch n {
            case "true": p += 1; return .literal(.bool(true))
            case "false": p += 1; return .literal(.bool(false))
            case "null", "nil": p += 1; return .literal(.null)
            case "then", "else", "return", "satisfies", "and", "or", "between":
                throw ExpressionError("unexpected '\(n)'", column: t.column)
            default: break
            }
            // multi-word builtin names such as `string length(…)` or `upper case(…)`
            if let (name, count) = builtinName(at: p) {
                p += count
                return try call(name, column: t.column)
            }
            // the longest known multi-word name starting here
            if let (name, count) = longestKnownName(at: p) {
                p += count
                if knownFunctions.contains(name), isOp("(") { return try externalCall(name) }
                if isOp("("), dynamicCalls {
                    let named = try namedArguments()
                    return .invoke(.name(name, column: t.column), named.map(\.1), names: named.map(\.0))
                }
                return .name(name, column: t.column)
            }
            if n == "function", p + 1 < tokens.count, case .op("(") = tokens[p + 1].kind {
                p += 1
                return try lambda()
            }
            p += 1
            if isOp("("), knownFunctions.contains(n) { return try externalCall(n) }
            if isOp("(") {
                guard dynamicCalls else { throw ExpressionError("unknown function '\(n)'", column: t.column) }
                let named = try namedArguments()
                return .invoke(.name(renames[n] ?? n, column: t.column), named.map(\.1), names: named.map(\.0))
            }
            return .name(renames[n] ?? n, column: t.column)
        case .op(let o):
            switch o {
            case "?":
                p += 1
                return .name("?", column: t.column)
            case "<", "<=", ">", ">=", "=", "!=":
                // grammar rule 2.i: a simple positive unary test (rule 7.a, `< 10`) is an
                // expression too, whose value is the range it tests for (`= 10` is [10..10],
                // `!= 10` the empty (10..10))
                p += 1
                let v = try additive()
                switch o {
                case "<": return .range(low: nil, high: v, lowInclusive: false, highInclusive: false)
                case "<=": return .range(low: nil, high: v, lowInclusive: false, highInclusive: true)
                case ">": return .range(low: v, high: nil, lowInclusive: false, highInclusive: false)
                case ">=": return .range(low: v, high: nil, lowInclusive: true, highInclusive: false)
                default: return .range(low: v, high: v, lowInclusive: o == "=", highInclusive: o == "=")
                }
            case "(":
                p += 1
                if isOp("..") {  // (..5)
                    p += 1
                    let hi = try expression()
                    let hiIncl = isOp("]")
                    guard isOp(")") || isOp("]") else { throw ExpressionError("expected ')' or ']'", column: current.column) }
                    p += 1
                    return .range(low: nil, high: hi, lowInclusive: false, highInclusive: hiIncl)
                }
                let inner = try expression()
                if isOp("..") {
                    p += 1
                    return try rangeEnd(low: inner, lowInclusive: false)
                }
                try expect(")")
                return inner
            case "[":
                p += 1
                if isOp("]") { p += 1; return .list([]) }
                let first = try expression()
                if isOp("..") {
                    p += 1
                    return try rangeEnd(low: first, lowInclusive: true)
                }
                var items = [first]
                while isOp(",") {
                    p += 1
                    items.append(try expression())
                }
                try expect("]")
                return .list(items)
            case "]":
                // ]1..10] : an exclusive lower bound written the ISO way
                p += 1
                let low = try expression()
                try expect("..")
                return try rangeEnd(low: low, lowInclusive: false)
            case "{":
                p += 1
                var entries: [(String, Node)] = []
                if isOp("}") { p += 1; return .context([]) }
                repeat {
                    if !entries.isEmpty { p += 1 }
                    let key: String
                    switch current.kind {
                    case .name:
                        let first = p
                        let words = try wordsUntil { $0 == ":" }
                        key = sourceText(from: first, wordsUntil: words)
                        learn(key)
                    case .string(let k):
                        // §10.3.2.6: a key written as a string is a name too (`{"a b": 1}.a b`)
                        p += 1
                        key = k
                        if k.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0 == " " }) { learn(k) }
                    default: throw ExpressionError("expected a context key", column: current.column)
                    }
                    try expect(":")
                    // §10.3.2.6: the keys of a context are distinct
                    if entries.contains(where: { $0.0 == key }) {
                        throw ExpressionError("duplicate context key '\(key)'", column: current.column)
                    }
                    entries.append((key, try expression()))
                } while isOp(",")
                try expect("}")
                return .context(entries)
            default:
                throw ExpressionError("unexpected '\(o)'", column: t.column)
            }
        }
    }

    /// Whether the `[` before token `k` closes a range (`[1..10[`, rule 11) rather than opening a
    /// filter: nothing that could be a filter's condition follows it.
    func closesRange(at k: Int) -> Bool {
        guard k < tokens.count else { return true }
        switch tokens[k].kind {
        case .end: return true
        case .op(let o): return [",", ")", "]", "}", ".", "=", "!=", "<", "<=", ">", ">="].contains(o)
        case .name(let n): return ["and", "or", "then", "else", "return", "satisfies", "in", "instance"].contains(n)
        default: return false
        }
    }

    mutating func rangeEnd(low: Node, lowInclusive: Bool) throws(ExpressionError) -> Node {
        // `[2..)`: no upper endpoint, an open end (as `(..2]` has no lower one)
        if isOp(")") {
            p += 1
            return .range(low: low, high: nil, lowInclusive: lowInclusive, highInclusive: false)
        }
        let high = try expression()
        let inclusive: Bool
        if isOp("]") { inclusive = true } else if isOp(")") || isOp("[") { inclusive = false } else {
            throw ExpressionError("expected ']' or ')' to close the range", column: current.column)
        }
        p += 1
        return .range(low: low, high: high, lowInclusive: lowInclusive, highInclusive: inclusive)
    }

    /// Finds the longest builtin function name starting at token `k` that is followed by `(`.
    func builtinName(at k: Int) -> (String, Int)? {
        var words: [String] = []
        var j = k
        var best: (String, Int)?
        while j < tokens.count, case .name(let w) = tokens[j].kind, words.count < 4 {
            words.append(w)
            j += 1
            let candidate = words.joined(separator: " ")
            if j < tokens.count, case .op("(") = tokens[j].kind, Builtins.table[candidate] != nil {
                best = (candidate, words.count)
            }
        }
        return best
    }

    /// A parenthesised argument list; named arguments (`f(a: 1)`) are taken positionally.
    mutating func arguments() throws(ExpressionError) -> [Node] {
        try namedArguments().map(\.1)
    }

    /// Arguments with their names when written `f(name: value)` (names may have spaces).
    mutating func namedArguments() throws(ExpressionError) -> [(String?, Node)] {
        try expect("(")
        var args: [(String?, Node)] = []
        if !isOp(")") {
            repeat {
                if !args.isEmpty { p += 1 }
                let name = argumentName()
                args.append((name, try expression()))
            } while isOp(",")
        }
        try expect(")")
        return args
    }

    mutating func externalCall(_ name: String) throws(ExpressionError) -> Node {
        let named = try namedArguments()
        return .externalCall(name, named.map(\.1), names: named.contains { $0.0 != nil } ? named.map(\.0) : [])
    }

    mutating func call(_ name: String, column: Int) throws(ExpressionError) -> Node {
        let named = try namedArguments()
        var args = named.map(\.1)
        if named.contains(where: { $0.0 != nil }) {
            // named arguments go where the function's parameter list puts them
            guard named.allSatisfy({ $0.0 != nil }) else { throw ExpressionError("function '\(name)': give every argument by name or none", column: column) }
            let given = named.map { $0.0! }
            // the signature with these names; a parameter left out is null (§10.3.2.13.1)
            let lists = Builtins.parameters[name] ?? []
            // (names in a signature's own order pick it: `before(range: r, point: p)` is not
            // `before(point: p, range: r)`)
            guard let params = lists.first(where: { Array($0.prefix(given.count)) == given })
                ?? lists.first(where: { Set(given) == Set($0.prefix(given.count)) })
                ?? lists.first(where: { Set(given).isSubset(of: $0) }) else {
                throw ExpressionError("function '\(name)' has no parameters named \(given.joined(separator: ", "))", column: column)
            }
            var all: [Node?] = params.map { p in named.first { $0.0 == p }?.1 }
            // optional parameters left out at the end are not passed
            let required = Builtins.table[name]?.arity.lowerBound ?? 0
            while let last = all.last, last == nil, all.count > required { all.removeLast() }
            args = all.map { $0 ?? .literal(.null) }
            // §10.3.4.8: `context put(context, key, value)` puts one key, a string; a path (a list)
            // is given as `keys`
            if name == "context put" || name == "context_put", params.contains("key") {
                return .call(Builtins.contextPutKey, args, column: column)
            }
        }
        guard let fn = Builtins.table[name] else { throw ExpressionError("unknown function '\(name)'", column: column) }
        guard fn.arity.contains(args.count) else {
            throw ExpressionError("function '\(name)' takes \(fn.aritySummary) argument(s), got \(args.count)", column: column)
        }
        return .call(name, args, column: column)
    }
}
