/// FEEL's range functions (DMN 1.5 §10.3.4.9, Table 78): `before`, `after`, `meets`, `met by`,
/// `overlaps`, `overlaps before`, `overlaps after`, `finishes`, `finished by`, `includes`,
/// `during`, `starts`, `started by`, `coincides`, for every combination of point and range the
/// table defines; and `range(from)` (§10.3.4.10), a range from its FEEL text.
///
/// A missing endpoint (a range from a unary comparison, `< 10`) is unbounded. Arguments of other
/// kinds, or endpoints that do not compare, give null.
enum Intervals {
    /// An endpoint, or the unbounded end.
    struct End {
        let value: Value?  // nil: unbounded
        let included: Bool
        let low: Bool
    }

    /// Compares two endpoints or points; nil when they do not compare.
    static func cmp(_ a: Value?, _ aLow: Bool, _ b: Value?, _ bLow: Bool) -> Int? {
        switch (a, b) {
        case (nil, nil): return aLow == bLow ? 0 : (aLow ? -1 : 1)
        case (nil, _): return aLow ? -1 : 1
        case (_, nil): return bLow ? 1 : -1
        case (let x?, let y?): return Comparison.compare(x, y)
        }
    }

    /// The two operands as points or ranges; nil for null or other kinds.
    enum Operand {
        case point(Value)
        case range(RangeValue)

        init?(_ v: Value) {
            switch v {
            case .null, .list, .context, .function: return nil
            case .range(let r): self = .range(r)
            default: self = .point(v)
            }
        }
    }

    /// Evaluates a relation with the comparisons it needs; nil (null) when one fails.
    final class Relation {
        var failed = false
        func c(_ a: Value?, _ aLow: Bool, _ b: Value?, _ bLow: Bool) -> Int {
            guard let r = cmp(a, aLow, b, bLow) else { failed = true; return 2 }
            return r
        }
        func lt(_ a: Value?, _ al: Bool, _ b: Value?, _ bl: Bool) -> Bool { c(a, al, b, bl) == -1 }
        func gt(_ a: Value?, _ al: Bool, _ b: Value?, _ bl: Bool) -> Bool { c(a, al, b, bl) == 1 }
        func eq(_ a: Value?, _ al: Bool, _ b: Value?, _ bl: Bool) -> Bool { c(a, al, b, bl) == 0 }
    }

    typealias Body = (Relation, Operand, Operand) -> Bool?

    static func relation(
        _ body: @escaping @Sendable (Relation, Operand, Operand) -> Bool?
    ) -> @Sendable ([Value]) -> Value {
        { a in
            guard let x = Operand(a[0]), let y = Operand(a[1]) else { return .null }
            let rel = Relation()
            guard let r = body(rel, x, y), !rel.failed else { return .null }
            return .bool(r)
        }
    }

    static func register(
        _ def: (_ names: [String], _ arity: ClosedRange<Int>, _ body: @escaping @Sendable ([Value]) -> Value) -> Void
    ) {
        def(
            ["before"], 2...2,
            relation { r, x, y in
                switch (x, y) {
                case (.point(let p), .point(let q)): return r.lt(p, true, q, true)
                case (.point(let p), .range(let b)):
                    return r.lt(p, true, b.low, true) || (r.eq(p, true, b.low, true) && !b.lowInclusive)
                case (.range(let a), .point(let p)):
                    return r.lt(a.high, false, p, true) || (r.eq(a.high, false, p, true) && !a.highInclusive)
                case (.range(let a), .range(let b)):
                    return r.lt(a.high, false, b.low, true)
                        || ((!a.highInclusive || !b.lowInclusive) && r.eq(a.high, false, b.low, true))
                }
            })
        def(
            ["after"], 2...2,
            relation { r, x, y in
                switch (x, y) {
                case (.point(let p), .point(let q)): return r.gt(p, true, q, true)
                case (.point(let p), .range(let b)):
                    return r.gt(p, true, b.high, false) || (r.eq(p, true, b.high, false) && !b.highInclusive)
                case (.range(let a), .point(let p)):
                    return r.gt(a.low, true, p, true) || (r.eq(a.low, true, p, true) && !a.lowInclusive)
                case (.range(let a), .range(let b)):
                    return r.gt(a.low, true, b.high, false)
                        || ((!a.lowInclusive || !b.highInclusive) && r.eq(a.low, true, b.high, false))
                }
            })
        def(
            ["meets"], 2...2,
            relation { r, x, y in
                guard case .range(let a) = x, case .range(let b) = y else { return nil }
                return a.highInclusive && b.lowInclusive && r.eq(a.high, false, b.low, true)
            })
        def(
            ["met by"], 2...2,
            relation { r, x, y in
                guard case .range(let a) = x, case .range(let b) = y else { return nil }
                return a.lowInclusive && b.highInclusive && r.eq(a.low, true, b.high, false)
            })
        def(
            ["overlaps"], 2...2,
            relation { r, x, y in
                guard case .range(let a) = x, case .range(let b) = y else { return nil }
                let endAfterStart =
                    r.gt(a.high, false, b.low, true)
                    || (r.eq(a.high, false, b.low, true) && a.highInclusive && b.lowInclusive)
                let startBeforeEnd =
                    r.lt(a.low, true, b.high, false)
                    || (r.eq(a.low, true, b.high, false) && a.lowInclusive && b.highInclusive)
                return endAfterStart && startBeforeEnd
            })
        def(
            ["overlaps before"], 2...2,
            relation { r, x, y in
                guard case .range(let a) = x, case .range(let b) = y else { return nil }
                return overlapsBefore(r, a, b)
            })
        def(
            ["overlaps after"], 2...2,
            relation { r, x, y in
                guard case .range(let a) = x, case .range(let b) = y else { return nil }
                return overlapsBefore(r, b, a)
            })
        def(
            ["finishes"], 2...2,
            relation { r, x, y in
                switch (x, y) {
                case (.point(let p), .range(let b)): return b.highInclusive && r.eq(b.high, false, p, true)
                case (.range(let a), .range(let b)):
                    return a.highInclusive == b.highInclusive && r.eq(a.high, false, b.high, false)
                        && (r.gt(a.low, true, b.low, true)
                            || (r.eq(a.low, true, b.low, true) && (!a.lowInclusive || b.lowInclusive)))
                default: return nil
                }
            })
        def(
            ["finished by"], 2...2,
            relation { r, x, y in
                switch (x, y) {
                case (.range(let a), .point(let p)): return a.highInclusive && r.eq(a.high, false, p, true)
                case (.range(let a), .range(let b)):
                    return a.highInclusive == b.highInclusive && r.eq(a.high, false, b.high, false)
                        && (r.lt(a.low, true, b.low, true)
                            || (r.eq(a.low, true, b.low, true) && (a.lowInclusive || !b.lowInclusive)))
                default: return nil
                }
            })
        def(
            ["includes"], 2...2,
            relation { r, x, y in
                switch (x, y) {
                case (.range(let a), .point(let p)): return includes(r, a, p)
                case (.range(let a), .range(let b)): return includes(r, a, b)
                default: return nil
                }
            })
        def(
            ["during"], 2...2,
            relation { r, x, y in
                switch (x, y) {
                case (.point(let p), .range(let b)): return includes(r, b, p)
                case (.range(let a), .range(let b)): return includes(r, b, a)
                default: return nil
                }
            })
        def(
            ["starts"], 2...2,
            relation { r, x, y in
                switch (x, y) {
                case (.point(let p), .range(let b)): return b.lowInclusive && r.eq(b.low, true, p, true)
                case (.range(let a), .range(let b)):
                    return r.eq(a.low, true, b.low, true) && a.lowInclusive == b.lowInclusive
                        && (r.lt(a.high, false, b.high, false)
                            || (r.eq(a.high, false, b.high, false) && (!a.highInclusive || b.highInclusive)))
                default: return nil
                }
            })
        def(
            ["started by"], 2...2,
            relation { r, x, y in
                switch (x, y) {
                case (.range(let a), .point(let p)): return a.lowInclusive && r.eq(a.low, true, p, true)
                case (.range(let a), .range(let b)):
                    return r.eq(a.low, true, b.low, true) && a.lowInclusive == b.lowInclusive
                        && (r.lt(b.high, false, a.high, false)
                            || (r.eq(a.high, false, b.high, false) && (!b.highInclusive || a.highInclusive)))
                default: return nil
                }
            })
        def(
            ["coincides"], 2...2,
            relation { r, x, y in
                switch (x, y) {
                case (.point(let p), .point(let q)): return r.eq(p, true, q, true)
                case (.range(let a), .range(let b)):
                    return r.eq(a.low, true, b.low, true) && a.lowInclusive == b.lowInclusive
                        && r.eq(a.high, false, b.high, false) && a.highInclusive == b.highInclusive
                default: return nil
                }
            })
        def(["range"], 1...1) { a in
            guard case .string(let s) = a[0] else { return .null }
            return parseRange(s)
        }
    }

    static func overlapsBefore(_ r: Relation, _ a: RangeValue, _ b: RangeValue) -> Bool {
        (r.lt(a.low, true, b.low, true) || (r.eq(a.low, true, b.low, true) && a.lowInclusive && !b.lowInclusive))
            && (r.gt(a.high, false, b.low, true)
                || (r.eq(a.high, false, b.low, true) && a.highInclusive && b.lowInclusive))
            && (r.lt(a.high, false, b.high, false)
                || (r.eq(a.high, false, b.high, false) && (!a.highInclusive || b.highInclusive)))
    }

    static func includes(_ r: Relation, _ a: RangeValue, _ p: Value) -> Bool {
        (r.lt(a.low, true, p, true) && r.gt(a.high, false, p, true))
            || (r.eq(a.low, true, p, true) && a.lowInclusive) || (r.eq(a.high, false, p, true) && a.highInclusive)
    }

    static func includes(_ r: Relation, _ a: RangeValue, _ b: RangeValue) -> Bool {
        (r.lt(a.low, true, b.low, true) || (r.eq(a.low, true, b.low, true) && (a.lowInclusive || !b.lowInclusive)))
            && (r.gt(a.high, false, b.high, false)
                || (r.eq(a.high, false, b.high, false) && (a.highInclusive || !b.highInclusive)))
    }

    /// `range(from)` (§10.3.4.9): the text of a range literal (`"[1..10)"`, `"(..@\"2020-01-01\"]"`),
    /// whose endpoints are literals of one comparable type (a temporal literal may be written
    /// `date("…")` and so on). Null otherwise.
    static func parseRange(_ text: String) -> Value {
        var lexer = Lexer(text)
        guard let tokens = try? lexer.tokenize() else { return .null }
        var parser = Parser(tokens: tokens)
        let node: Node
        // the string is a range literal (grammar rule 8); a unary comparison (`">= 10"`) is not one
        if case .op(let o) = parser.current.kind, ["<", "<=", ">", ">=", "="].contains(o) { return .null }
        guard let n = try? parser.parseAll() else { return .null }
        node = n
        guard case .range(let lo, let hi, _, _) = node, lo.map(literal) ?? true, hi.map(literal) ?? true else {
            return .null
        }
        guard case .range(let r) = Evaluator.run(node, Environment(base: [:])) else { return .null }
        let ends = [r.low, r.high].compactMap { $0 }
        guard !ends.isEmpty, ends.allSatisfy({ !$0.isNull }) else { return .null }
        if ends.count == 2 {
            guard let c = Comparison.compare(ends[0], ends[1]), c <= 0 else { return .null }
        } else if case .bool = ends[0] {
            return .null
        }
        return .range(r)
    }

    /// An endpoint FEEL allows in `range()`: a literal, a negated number, or a temporal
    /// constructor of a string literal.
    static func literal(_ n: Node) -> Bool {
        switch n {
        case .literal: return true
        case .unary("-", .literal(.number)): return true
        case .call(let f, let args, _):
            return ["date", "time", "date and time", "duration"].contains(f)
                && args.allSatisfy {
                    if case .literal(.string) = $0 { true } else { false }
                }
        default: return false
        }
    }
}
