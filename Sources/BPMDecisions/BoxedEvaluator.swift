import BPMExpressions

/// Evaluation of boxed expressions (DMN 1.5 §10.2, §10.4): each kind over a scope of names.
extension ModelScope {
    func eval(_ e: BoxedExpression, _ scope: [String: Value], depth: Int) throws(DecisionError) -> Value {
        guard depth < Self.maxDepth else { throw DecisionError("boxed expressions nest too deeply") }
        switch e {
        case .literal(let x):
            return x.evaluate(scope, functions: functions(depth: depth))
        case .typed(let inner, let type):
            return type.convert(try eval(inner, scope, depth: depth)) ?? .null
        case .invalid(let why):
            throw DecisionError(why)
        case .function(let params, let types, let body):
            let me = self
            return .function(
                FunctionValue(parameters: params, types: types) { args in
                    var s = scope
                    for (i, p) in params.enumerated() {
                        let v = i < args.count ? args[i] : .null
                        if i < types.count, let t = types[i] {
                            s[p] = t.convert(v) ?? .null  // §10.3.2.9.4: a value that does not convert is null
                        } else {
                            s[p] = v
                        }
                    }
                    return (try? me.eval(body, s, depth: depth + 1)) ?? .null
                })
        case .decisionTable(let t):
            return try DecisionTableEvaluator.evaluate(t, scope)
        case .context(let entries, let result):
            var s = scope
            var out: [String: Value] = [:]
            for (name, value) in entries {
                let v = try eval(value, s, depth: depth + 1)
                s[name] = v
                out[name] = v
            }
            if let result { return try eval(result, s, depth: depth + 1) }
            return .context(out)
        case .invocation(let function, let bindings):
            return try invocation(function, bindings, scope, depth: depth)
        case .list(let items):
            var out: [Value] = []
            for i in items { out.append(try eval(i, scope, depth: depth + 1)) }
            return .list(out)
        case .relation(let columns, let rows):
            var out: [Value] = []
            for row in rows {
                var c: [String: Value] = [:]
                for (k, cell) in zip(columns, row) { c[k] = try eval(cell, scope, depth: depth + 1) }
                out.append(.context(c))
            }
            return .list(out)
        case .conditional(let condition, let then, let otherwise):
            // §10.2.9: the `then` value when the condition is true; otherwise (false or null) `else`
            return try eval(condition, scope, depth: depth + 1).isTrue
                ? eval(then, scope, depth: depth + 1)
                : eval(otherwise, scope, depth: depth + 1)
        case .filter(let source, let match):
            return try filter(try eval(source, scope, depth: depth + 1), match, scope, depth: depth)
        case .iterator(let kind, let variable, let source, let body):
            return try iterate(kind, variable, try eval(source, scope, depth: depth + 1), body, scope, depth: depth)
        }
    }

    /// A boxed invocation (§10.2.5): the function named (a business knowledge model, a decision
    /// service, or any FEEL expression whose value is a function) with arguments bound by name.
    func invocation(
        _ function: String, _ bindings: [(name: String, value: BoxedExpression)], _ scope: [String: Value],
        depth: Int
    ) throws(DecisionError) -> Value {
        var named: [String: Value] = [:]
        for (name, value) in bindings { named[name] = try eval(value, scope, depth: depth + 1) }
        if let bkm = model.knowledge[function] {
            return try invoke(bkm, bkm.parameters.map { named[$0] ?? .null }, depth: depth + 1)
        }
        if let service = model.services[function] {
            return try call(service, service.parameters.map { named[$0] ?? .null }, depth: depth + 1)
        }
        let target: Value
        do {
            let names = Set(scope.keys.filter { $0.contains(" ") })
            target = try Expression(function, names: names, dynamicCalls: true).evaluate(scope)
        } catch {
            throw DecisionError("invocation of '\(function)': \(error.message)")
        }
        guard case .function(let f) = target else { throw DecisionError("no business knowledge model '\(function)'") }
        return f.call(f.parameters.map { named[$0] ?? .null })
    }

    /// A boxed filter (§10.2.11): `item` (and a context item's entries) in scope of `match`.
    func filter(
        _ source: Value, _ match: BoxedExpression, _ scope: [String: Value], depth: Int
    ) throws(DecisionError) -> Value {
        guard case .list(let items) = source else { return source.isNull ? .null : .null }
        var out: [Value] = []
        for item in items {
            var s = scope
            if case .context(let c) = item { for (k, v) in c { s[k] = v } }
            s["item"] = item
            switch try eval(match, s, depth: depth + 1) {
            case .bool(true): out.append(item)
            case .bool(false), .null: break
            default: return .null  // `match` must be a boolean expression
            }
        }
        return .list(out)
    }

    /// A boxed iterator (§10.2.10): `for` collects the body's values (with `partial`); `some`
    /// and `every` test them. A range of integers iterates its numbers.
    func iterate(
        _ kind: BoxedExpression.Iteration, _ variable: String, _ source: Value, _ body: BoxedExpression,
        _ scope: [String: Value], depth: Int
    ) throws(DecisionError) -> Value {
        let items: [Value]
        switch source {
        case .list(let l): items = l
        case .range(let r):
            guard let l = r.items() else { return .null }
            items = l
        default: return .null  // §10.2.10: `in` is a list or a range
        }
        var out: [Value] = []
        var sawNonBoolean = false
        for item in items {
            var s = scope
            s[variable] = item
            if kind == .for { s["partial"] = .list(out) }
            let v = try eval(body, s, depth: depth + 1)
            switch kind {
            case .for: out.append(v)
            case .some, .every:
                // `satisfies` must be a boolean expression: anything else makes the result null
                guard case .bool(let b) = v else {
                    if v.isNull { sawNonBoolean = true; continue }
                    return .null
                }
                if kind == .some, b { return .bool(true) }
                if kind == .every, !b { return .bool(false) }
            }
        }
        switch kind {
        case .for: return .list(out)
        case .some: return sawNonBoolean ? .null : .bool(false)
        case .every: return sawNonBoolean ? .null : .bool(true)
        }
    }
}
