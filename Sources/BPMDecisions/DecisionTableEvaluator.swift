import BPMExpressions

/// Decision table semantics: rule matching and every hit policy of DMN 1.5.
enum DecisionTableEvaluator {
    /// Evaluates the table; `record`, when given, is told the inputs and the rules that gave the result
    /// (evaluation traces: the plain path passes nil and pays nothing for it).
    static func evaluate(
        _ t: DecisionTable, _ scope: [String: Value], record: TableRecord? = nil
    ) throws(DecisionError) -> Value {
        let inputValues = t.inputs.map { $0.expression.evaluate(scope) }
        for (i, input) in t.inputs.enumerated() {
            if let allowed = input.allowed, !inputValues[i].isNull, allowed.matches(inputValues[i], scope) != true {
                throw DecisionError(
                    "input '\(input.expression.source)' = \(inputValues[i].interpolated) "
                        + "is not one of the allowed values (\(allowed.source))")
            }
        }
        var matched: [Int] = []
        for (r, rule) in t.rules.enumerated() {
            var ok = true
            for (i, test) in rule.tests.enumerated() where i < inputValues.count {
                if test.matches(inputValues[i], scope) != true { ok = false; break }
            }
            if ok {
                matched.append(r)
                // FIRST: the first matching rule in table order is the result; the others need no test
                if t.hitPolicy == .first { break }
            }
        }
        let value = try select(t, scope, matched)
        record?.capture(t, scope, inputValues, matched)
        return value
    }

    /// The values of a rule's outputs, converted to the outputs' types and checked against their allowed values.
    static func outputs(_ t: DecisionTable, _ r: Int, _ scope: [String: Value]) throws(DecisionError) -> [Value] {
        var values: [Value] = []
        for (k, e) in t.rules[r].outputs.enumerated() {
            var v = e.evaluate(scope)
            if k < t.outputs.count, let type = t.outputs[k].type { v = type.convert(v) ?? .null }
            if k < t.outputs.count, let allowed = t.outputs[k].allowed, !v.isNull, !allowed.contains(v) {
                throw DecisionError("output \(v.interpolated) of rule \(r + 1) is not one of the allowed values")
            }
            values.append(v)
        }
        return values
    }

    /// The table's result for the matched rules, by its hit policy.
    static func select(_ t: DecisionTable, _ scope: [String: Value], _ matched: [Int]) throws(DecisionError) -> Value {
        func result(_ r: Int) throws(DecisionError) -> Value { pack(try outputs(t, r, scope), t) }
        if matched.isEmpty {
            switch t.hitPolicy {
            case .collect where t.aggregation == .count: return .number(0)
            case .collect where t.aggregation != nil: return .null
            case .collect, .ruleOrder, .outputOrder: return defaults(t, scope).map { .list([$0]) } ?? .list([])
            default: return defaults(t, scope) ?? .null
            }
        }
        switch t.hitPolicy {
        case .unique:
            guard matched.count == 1 else {
                let rules = matched.map { String($0 + 1) }.joined(separator: ", ")
                throw DecisionError("UNIQUE hit policy: rules \(rules) all match")
            }
            return try result(matched[0])
        case .first:
            return try result(matched[0])
        case .any:
            let results = try matched.map { r throws(DecisionError) in try result(r) }
            guard results.allSatisfy({ $0 == results[0] }) else {
                throw DecisionError("ANY hit policy: matching rules give different outputs")
            }
            return results[0]
        case .priority:
            let results = try matched.map { r throws(DecisionError) in try result(r) }
            return results.min { priority($0, t) < priority($1, t) }!
        case .ruleOrder:
            return .list(try matched.map { r throws(DecisionError) in try result(r) })
        case .outputOrder:
            let results = try matched.map { r throws(DecisionError) in try result(r) }
            return .list(results.sorted { priority($0, t).lexicographicallyPrecedes(priority($1, t)) })
        case .collect:
            let results = try matched.map { r throws(DecisionError) in try result(r) }
            guard let agg = t.aggregation else { return .list(results) }
            if agg == .count { return .number(Double(Set(results).count)) }
            let nums = results.compactMap(\.doubleValue)
            guard nums.count == results.count, !nums.isEmpty else { return .null }
            switch agg {
            case .sum: return .number(nums.reduce(0, +))
            case .min: return .number(nums.min()!)
            case .max: return .number(nums.max()!)
            case .count: return .number(Double(nums.count))
            }
        }
    }

    /// The result of a rule: the single output's value, or a context of named outputs.
    static func pack(_ values: [Value], _ t: DecisionTable) -> Value {
        if t.outputs.count <= 1 { return values.first ?? .null }
        var c: [String: Value] = [:]
        for (k, v) in values.enumerated() { c[t.outputs[k].name ?? "output\(k + 1)"] = v }
        return .context(c)
    }

    static func defaults(_ t: DecisionTable, _ scope: [String: Value]) -> Value? {
        guard t.outputs.contains(where: { $0.defaultValue != nil }) else { return nil }
        return pack(t.outputs.map { $0.defaultValue?.evaluate(scope) ?? .null }, t)
    }

    /// A result's priority: the index of each output's value in its allowed values (lower first).
    static func priority(_ v: Value, _ t: DecisionTable) -> [Int] {
        t.outputs.enumerated().map { k, o in
            let value = t.outputs.count <= 1 ? v : v[member: o.name ?? "output\(k + 1)"]
            return o.allowed?.firstIndex(of: value) ?? Int.max
        }
    }
}

extension Array where Element == Int {
    static func < (a: [Int], b: [Int]) -> Bool { a.lexicographicallyPrecedes(b) }
}
