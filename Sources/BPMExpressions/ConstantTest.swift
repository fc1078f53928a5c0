/// A unary test against a constant (`"zone1"`, `[0..4]`, `> 25`, `not("error")`), compiled once
/// so a decision table's rule matches without building an evaluation environment. Its results
/// are those of the general path (`Evaluator.test`).
enum ConstantTest: Sendable {
    case equal(Value)
    case range(RangeValue)
    case compare(String, Value)
    /// `true` or `false`: equal to a boolean input; for any other input, the literal's own value
    /// (a boolean test expression passes when true, as `Evaluator.test` reads it).
    case boolean(Bool)

    /// The tests of a list when every one is constant; nil otherwise.
    static func compile(_ list: UnaryTestList) -> [ConstantTest]? {
        let tests: [UnaryTest]
        switch list {
        case .any: return nil
        case .tests(let t), .not(let t): tests = t
        }
        var out: [ConstantTest] = []
        for t in tests {
            switch t {
            case .compare(let op, let n):
                guard let v = constant(n), op != "=" && op != "!=" else { return nil }
                out.append(.compare(op, v))
            case .equals(.range(let lo, let hi, let li, let hi2)):
                let low = lo.map(constant), high = hi.map(constant)
                if low == .some(nil) || high == .some(nil) { return nil }
                out.append(.range(RangeValue(low: low ?? nil, high: high ?? nil, lowInclusive: li, highInclusive: hi2)))
            case .equals(.literal(.bool(let b))):
                out.append(.boolean(b))
            case .equals(let n):
                // numbers and strings; booleans are `.boolean`; lists and null have special meanings there
                guard let v = constant(n) else { return nil }
                out.append(.equal(v))
            }
        }
        return out
    }

    /// A number or string literal (or a negated number).
    static func constant(_ n: Node) -> Value? {
        switch n {
        case .literal(let v):
            switch v {
            case .number, .string: return v
            default: return nil
            }
        case .unary("-", .literal(.number(let d))): return .number(-d)
        default: return nil
        }
    }

    /// Whether one of the tests passes: true, false, or nil when one cannot be decided.
    static func any(_ tests: [ConstantTest], _ x: Value) -> Bool? {
        var sawNull = false
        for t in tests {
            switch t {
            case .equal(let v):
                if x == v { return true }
            case .boolean(let b):
                if case .bool(let y) = x { if y == b { return true } } else if b { return true }
            case .range(let r):
                switch r.contains(x) {
                case true?: return true
                case nil: sawNull = true
                default: break
                }
            case .compare(let op, let v):
                switch Evaluator.binary(op, x, v) {
                case .bool(true): return true
                case .bool(false): break
                default: sawNull = true
                }
            }
        }
        return sawNull ? nil : false
    }
}
