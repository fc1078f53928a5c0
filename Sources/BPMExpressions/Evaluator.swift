import Foundation

/// Variables visible to an expression: a base object plus local names bound by `for`, `some`,
/// `every` and filters.
struct Environment {
    let base: [String: Value]
    var locals: [(String, Value)] = []
    var functions: FunctionTable? = nil
    /// Shared by every environment of one evaluation (bindings and closures copy the reference).
    let budget = Budget()

    func lookup(_ name: String) -> Value {
        for (n, v) in locals.reversed() where n == name { return v }
        return base[name] ?? .null
    }

    /// Whether the name is bound (to any value, null included).
    func has(_ name: String) -> Bool {
        locals.contains { $0.0 == name } || base[name] != nil
    }

    func binding(_ name: String, _ value: Value) -> Environment {
        var e = self
        e.locals.append((name, value))
        return e
    }
}

/// What one evaluation may spend: steps (nodes evaluated, loop iterations, copies) and nesting
/// depth (recursive functions). Past either, the evaluation gives null instead of running away
/// with the CPU or the stack — hostile or mistaken expressions (`for i in 1..1000000, j in
/// 1..1000000 …`, a function that calls itself forever) cannot stall or crash the engine.
final class Budget: @unchecked Sendable {
    /// Steps one evaluation may take.
    nonisolated(unsafe) static var maxSteps = 5_000_000
    /// Nesting depth of evaluation (each function call adds to it).
    nonisolated(unsafe) static var maxDepth = 400
    var left = Budget.maxSteps
    var depth = 0
    var overflowed = false

    /// Spends `n` steps; true when the budget is exhausted.
    @inline(__always) func spend(_ n: Int = 1) -> Bool {
        left -= n
        return left < 0
    }
}

/// Sets what one evaluation may spend (see `Budget`); called once at start-up.
public enum ExpressionBudget {
    public static func configure(steps: Int, depth: Int) {
        Budget.maxSteps = max(1, steps)
        Budget.maxDepth = max(1, depth)
    }
}

/// Functions an expression can call besides the builtins (DMN business knowledge models).
public struct FunctionTable: Sendable {
    public var functions: [String: @Sendable ([Value]) -> Value]
    /// Parameter names, for calls with named arguments.
    public var parameters: [String: [String]]
    public init(_ functions: [String: @Sendable ([Value]) -> Value], parameters: [String: [String]] = [:]) {
        self.functions = functions
        self.parameters = parameters
    }
}

/// Tree-walking evaluation with FEEL semantics: type mismatches and missing values give `null`,
/// `and`/`or` are three-valued, conditions treat `null` as false.
enum Evaluator {
    /// A whole evaluation: null when it ran out of its budget (a partial result is no result).
    static func run(_ node: Node, _ env: Environment) -> Value {
        let v = eval(node, env)
        return env.budget.left < 0 || env.budget.overflowed ? .null : v
    }

    static func eval(_ node: Node, _ env: Environment) -> Value {
        let budget = env.budget
        if budget.spend() { return .null }
        if budget.depth >= Budget.maxDepth {
            budget.overflowed = true
            return .null
        }
        budget.depth += 1
        defer { budget.depth -= 1 }
        switch node {
        case .literal(let v):
            return v
        case .name(let n, _):
            // a name in scope with dots (`Person.Gender`, a parameter) wins; where no such name
            // is in scope, the same text is a path (§10.3.1.4, longest name in scope)
            if n.contains("."), !env.has(n) {
                let parts = n.split(separator: ".").map(String.init)
                return parts.dropFirst().reduce(env.lookup(parts[0])) { $0[member: $1] }
            }
            let v = env.lookup(n)
            // §10.3.2.13: a built-in function's name not shadowed by a variable is a function value
            // (passed as an argument: `sort(l, precedes)`, `apply(abs, -5)`)
            if case .null = v, !env.has(n), let f = builtinValue(n) { return f }
            return v
        case .path(let base, let member):
            return eval(base, env)[member: member]
        case .filter(let base, let f, _):
            return filter(eval(base, env), f, env)
        case .call(let name, let args, _):
            let fn = Builtins.table[name]!
            var values = args.map { eval($0, env) }
            if Builtins.scalarParameters.contains(name) {
                values = values.map { if case .list(let l) = $0, l.count == 1 { l[0] } else { $0 } }
            }
            return fn.body(values)
        case .externalCall(let name, let args, let names):
            let values = args.map { eval($0, env) }
            // a function in scope (a required business knowledge model), else the table's
            if case .function(let f) = env.lookup(name) { return call(f, values, names) }
            guard let f = env.functions?.functions[name] else { return .null }
            if !names.isEmpty {
                // named arguments go where the function's parameters are
                guard let params = env.functions?.parameters[name], names.allSatisfy({ $0.map(params.contains) ?? false }) else { return .null }
                return f(params.map { p in names.firstIndex(of: p).map { values[$0] } ?? .null })
            }
            return f(values)
        case .lambda(let params, let body, let types):
            let captured = env
            return .function(FunctionValue(parameters: params, types: types, result: literalType(body)) { args in
                var e = captured
                for (i, p) in params.enumerated() {
                    var v = i < args.count ? args[i] : .null
                    if i < types.count, let t = types[i] { v = t.convert(v) ?? .null }  // §10.3.2.9.4
                    e.locals.append((p, v))
                }
                return eval(body, e)
            })
        case .invoke(let target, let args, let names):
            let values = args.map { eval($0, env) }
            // a name that is a builtin called indirectly, a variable holding a function, or a BKM
            if case .name(let n, _) = target, case .null = env.lookup(n) {
                if let f = env.functions?.functions[n] { return f(values) }
                if let b = Builtins.table[n], b.arity.contains(values.count) { return b.body(values) }
            }
            guard case .function(let f) = eval(target, env) else { return .null }
            return call(f, values, names)
        case .unary(let op, let operand):
            let v = eval(operand, env)
            switch (op, v) {
            case ("-", .number(let d)): return .number(-d)
            case ("-", .temporal(.dayTime(let s))): return .temporal(.dayTime(-s))
            case ("-", .temporal(.yearMonth(let m))): return .temporal(.yearMonth(-m))
            case ("!", .bool(let b)): return .bool(!b)
            default: return .null
            }
        case .binary(let op, let l, let r, _):
            return binary(op, eval(l, env), eval(r, env))
        case .and(let l, let r):
            let a = eval(l, env)
            if case .bool(false) = a { return .bool(false) }
            let b = eval(r, env)
            if case .bool(false) = b { return .bool(false) }
            if case .bool(true) = a, case .bool(true) = b { return .bool(true) }
            return .null
        case .or(let l, let r):
            let a = eval(l, env)
            if case .bool(true) = a { return .bool(true) }
            let b = eval(r, env)
            if case .bool(true) = b { return .bool(true) }
            if case .bool(false) = a, case .bool(false) = b { return .bool(false) }
            return .null
        case .between(let v, let lo, let hi):
            let x = eval(v, env)
            guard let a = Comparison.compare(x, eval(lo, env)), let b = Comparison.compare(x, eval(hi, env)) else { return .null }
            return .bool(a >= 0 && b <= 0)
        case .inTest(let v, let tests):
            let x = eval(v, env)
            var sawNull = false
            for t in tests {
                switch test(t, x, env) {
                case .bool(true): return .bool(true)
                case .bool(false): break
                default: sawNull = true
                }
            }
            return sawNull ? .null : .bool(false)
        case .ifThenElse(let c, let t, let e):
            return eval(c, env).isTrue ? eval(t, env) : eval(e, env)
        case .list(let items):
            return .list(items.map { eval($0, env) })
        case .context(let entries):
            var out: [String: Value] = [:]
            var scope = env
            for (k, n) in entries {
                let v = eval(n, scope)
                out[k] = v
                scope = scope.binding(k, v)  // later entries see earlier ones
            }
            return .context(out)
        case .range(let low, let high, let li, let hi):
            return .range(RangeValue(low: low.map { eval($0, env) }, high: high.map { eval($0, env) }, lowInclusive: li, highInclusive: hi))
        case .quantified(let every, let iters, let body):
            var any = false
            var all = true
            var result: Value = .null
            iterate(iters, env) { e in
                let b = eval(body, e)
                if b.isTrue { any = true } else { all = false }
                return every ? all : !any
            }
            result = .bool(every ? all : any)
            return result
        case .forLoop(let iters, let body):
            var out: [Value] = []
            iterate(iters, env) { e in
                var e2 = e
                // binding `partial` copies the list so far: charged to the budget
                if e.budget.spend(out.count / 32) { return false }
                e2.locals.append(("partial", .list(out)))
                out.append(eval(body, e2))
                return true
            }
            return .list(out)
        case .instanceOf(let v, let type):
            return .bool(type.isInstance(eval(v, env)))
        }
    }

    /// Calls a function value; named arguments (§10.3.2.13.1) go where its parameters are, and a
    /// name it does not have makes the result null.
    static func call(_ f: FunctionValue, _ values: [Value], _ names: [String?]) -> Value {
        guard !names.isEmpty, names.contains(where: { $0 != nil }) else { return f.call(values) }
        guard names.allSatisfy({ $0.map(f.parameters.contains) ?? false }) else { return .null }
        return f.call(f.parameters.map { p in names.firstIndex(of: p).map { values[$0] } ?? .null })
    }

    /// Runs `body` for every combination of the iteration contexts; stops when it returns false.
    static func iterate(_ iters: [(String, Node)], _ env: Environment, _ body: (Environment) -> Bool) {
        func go(_ k: Int, _ e: Environment) -> Bool {
            if k == iters.count { return body(e) }
            let (name, domainNode) = iters[k]
            let domain = eval(domainNode, e)
            let items: [Value]
            switch domain {
            case .list(let l): items = l
            case .range(let r):
                guard let l = r.items() else { return true }
                items = l
            case .null: items = []
            default: items = [domain]
            }
            for item in items where e.budget.spend() || !go(k + 1, e.binding(name, item)) { return false }
            return true
        }
        _ = go(0, env)
    }

    static func test(_ t: UnaryTest, _ x: Value, _ env: Environment) -> Value {
        switch t {
        case .compare(let op, let n):
            return binary(op, x, eval(n, env.binding("?", x)))
        case .equals(let n):
            let target = eval(n, env.binding("?", x))
            switch target {
            case .list(let items):
                if case .list = x, x == target { return .bool(true) }
                var sawNull = false
                for item in items {
                    if case .range(let r) = item {
                        if let c = r.contains(x) { if c { return .bool(true) } } else { sawNull = true }
                    } else if item == x { return .bool(true) }
                }
                return sawNull ? .null : .bool(false)
            case .range(let r):
                return r.contains(x).map(Value.bool) ?? .null
            case .bool(let b):
                // a boolean test expression using `?`, e.g. `x in ? > 3`
                if case .bool = x { return .bool(x == target) }
                return .bool(b)
            default:
                return .bool(x == target)
            }
        }
    }

    static func binary(_ op: String, _ a: Value, _ b: Value) -> Value {
        switch op {
        case "=", "!=":
            guard let same = Comparison.feelEqual(a, b) else { return .null }
            return .bool(op == "=" ? same : !same)
        case "<", "<=", ">", ">=":
            guard let c = Comparison.compare(a, b) else { return .null }
            switch op {
            case "<": return .bool(c < 0)
            case "<=": return .bool(c <= 0)
            case ">": return .bool(c > 0)
            default: return .bool(c >= 0)
            }
        case "+":
            switch (a, b) {
            case (.number(let x), .number(let y)): return .number(DecimalMath.add(x, y))
            case (.string(let x), .string(let y)): return .string(x + y)
            case (.temporal(let x), .temporal(let y)):
                // durations add to dates and times from either side
                if let r = Temporal.add(x, y, sign: 1) ?? Temporal.add(y, x, sign: 1) { return .temporal(r) }
                return .null
            default: return .null
            }
        case "-" where isTemporal(a) || isTemporal(b):
            guard case .temporal(let x) = a, case .temporal(let y) = b, let r = Temporal.subtract(x, y) else { return .null }
            return .temporal(r)
        case "*" where isTemporal(a) || isTemporal(b):
            switch (a, b) {
            case (.temporal(.dayTime(let s)), .number(let n)), (.number(let n), .temporal(.dayTime(let s))): return .temporal(.dayTime(s * n))
            case (.temporal(.yearMonth(let m)), .number(let n)), (.number(let n), .temporal(.yearMonth(let m))):
                return .temporal(.yearMonth(Int(feel: (Double(m) * n).rounded(.towardZero))))
            default: return .null
            }
        case "/" where isTemporal(a):
            switch (a, b) {
            case (.temporal(.dayTime(let s)), .number(let n)): return n == 0 ? .null : .temporal(.dayTime(s / n))
            case (.temporal(.yearMonth(let m)), .number(let n)): return n == 0 ? .null : .temporal(.yearMonth(Int(feel: (Double(m) / n).rounded(.towardZero))))
            case (.temporal(.dayTime(let s)), .temporal(.dayTime(let t))): return t == 0 ? .null : .number(s / t)
            case (.temporal(.yearMonth(let m)), .temporal(.yearMonth(let n))): return n == 0 ? .null : .number(Double(m) / Double(n))
            default: return .null
            }
        case "-", "*", "/", "%", "**":
            guard case .number(let x) = a, case .number(let y) = b else { return .null }
            switch op {
            case "-": return .number(DecimalMath.add(x, -y))
            case "*": return .number(DecimalMath.multiply(x, y))
            case "/": return y == 0 ? .null : .number(DecimalMath.divide(x, y))
            case "%":
                guard y != 0 else { return .null }
                let r = x.truncatingRemainder(dividingBy: y)
                return .number(r != 0 && (r < 0) != (y < 0) ? r + y : r)  // FEEL modulo takes the divisor's sign
            default:
                let r = Foundation.pow(x, y)
                return r.isFinite ? .number(r) : .null
            }
        default:
            return .null
        }
    }

    static func isTemporal(_ v: Value) -> Bool { if case .temporal = v { true } else { false } }

    static func filter(_ base: Value, _ f: Node, _ env: Environment) -> Value {
        let items: [Value]
        switch base {
        case .list(let l): items = l
        case .null: return .null
        default: items = [base]
        }
        // A constant number filter is an index (1-based; negative from the end).
        if case .literal(.number(let d)) = f { return index(items, d) }
        if case .unary("-", .literal(.number(let d))) = f { return index(items, -d) }
        var out: [Value] = []
        for item in items {
            var e = env.binding("item", item)
            if case .context(let c) = item { for (k, v) in c { e.locals.append((k, v)) } }
            let r = eval(f, e)
            switch r {
            case .bool(true): out.append(item)
            case .number(let d): return index(items, d)
            default: break
            }
        }
        return .list(out)
    }

    static func index(_ items: [Value], _ d: Double) -> Value {
        let i = Int(feel: d)
        if i > 0, i <= items.count { return items[i - 1] }
        if i < 0, -i <= items.count { return items[items.count + i] }
        return .null
    }
}

/// FEEL's number arithmetic in decimal: operands are taken as the decimals they are written as
/// (their shortest round-trip text), the operation is done in 38-digit decimal, and the result
/// rounded to the nearest double — so `0.1 + 0.2` is `0.3` and `1.1 * 3` is `3.3`, as in FEEL.
/// Whole numbers below 2^53 take the exact binary path.
enum DecimalMath {
    static let exact = 9_007_199_254_740_992.0  // 2^53

    @inline(__always) static func whole(_ x: Double) -> Bool { x == x.rounded() && abs(x) < exact }

    static func decimal(_ x: Double) -> Decimal? { Decimal(string: "\(x)") }

    static func back(_ d: Decimal, _ fallback: Double) -> Double {
        let r = NSDecimalNumber(decimal: d).doubleValue
        return r.isFinite ? r : fallback
    }

    static func add(_ x: Double, _ y: Double) -> Double {
        let r = x + y
        if whole(x), whole(y), abs(r) < exact { return r }
        guard x.isFinite, y.isFinite, let a = decimal(x), let b = decimal(y) else { return r }
        return back(a + b, r)
    }

    static func multiply(_ x: Double, _ y: Double) -> Double {
        let r = x * y
        if whole(x), whole(y), abs(r) < exact { return r }
        guard x.isFinite, y.isFinite, let a = decimal(x), let b = decimal(y) else { return r }
        return back(a * b, r)
    }

    static func divide(_ x: Double, _ y: Double) -> Double {
        let r = x / y
        if whole(x), whole(y), whole(r) { return r }
        guard x.isFinite, y.isFinite, let a = decimal(x), let b = decimal(y) else { return r }
        return back(a / b, r)
    }
}

extension Evaluator {
    /// A built-in function as a value: called with an argument count it takes, as a call
    /// written in place would be; null otherwise.
    static func builtinValue(_ name: String) -> Value? {
        guard let fn = Builtins.table[name] else { return nil }
        let scalar = Builtins.scalarParameters.contains(name)
        return .function(
            FunctionValue(parameters: Builtins.parameters[name]?.first ?? []) { args in
                guard fn.arity.contains(args.count) else { return .null }
                guard scalar else { return fn.body(args) }
                return fn.body(args.map { if case .list(let l) = $0, l.count == 1 { l[0] } else { $0 } })
            })
    }

    /// The type of a function body's result where the body is a literal (`"foo"`, `1`,
    /// `{b: "b"}`), for `instance of function<…> -> T` (§10.3.2.9.1); nil when it depends on
    /// the arguments.
    static func literalType(_ n: Node) -> FEELType? {
        switch n {
        case .literal(.number): return .number
        case .literal(.string): return .string
        case .literal(.bool): return .boolean
        case .context(let entries):
            var types: [FEELType.ContextEntryType] = []
            for (name, value) in entries {
                guard let t = literalType(value) else { return nil }
                types.append(.init(name: name, type: t))
            }
            return .context(types)
        default: return nil
        }
    }
}
