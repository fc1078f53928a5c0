import BPMExpressions

/// Evaluates decisions of a model: required decisions first, then the decision's boxed
/// expression over the inputs and their results.
public struct DecisionEvaluator: Sendable {
    public let model: DecisionModel

    public init(model: DecisionModel) { self.model = model }

    /// Evaluates a decision (by name or id) for the given input data.
    public func evaluate(_ name: String, inputs: [String: Value]) throws(DecisionError) -> Value {
        if model.decision(name) == nil, let service = model.services[name] {
            return try call(service, service.parameters.map { inputs[$0] ?? .null }, depth: 0)
        }
        var memo: [String: Value] = [:]
        return try evaluate(name, inputs: inputs, memo: &memo, depth: 0)
    }

    /// Calls a decision service: its input decisions and data come from the arguments (not
    /// evaluated again); its output decisions are evaluated over them.
    func call(_ service: DecisionService, _ args: [Value], depth: Int) throws(DecisionError) -> Value {
        var inputs: [String: Value] = [:]
        var memo: [String: Value] = [:]
        for (i, p) in service.parameters.enumerated() {
            let v = i < args.count ? args[i] : .null
            inputs[p] = v
            if service.inputDecisions.contains(p) { memo[p] = v }
        }
        var results: [String: Value] = [:]
        for o in service.outputs { results[o] = try evaluate(o, inputs: inputs, memo: &memo, depth: depth + 1) }
        if service.outputs.count == 1 { return results[service.outputs[0]] ?? .null }
        return .context(results)
    }

    func evaluate(_ name: String, inputs: [String: Value], memo: inout [String: Value], depth: Int) throws(DecisionError) -> Value {
        guard depth < 64 else { throw DecisionError("decision requirements nest too deeply (a cycle?) at '\(name)'") }
        guard let d = model.decision(name) else { throw DecisionError("no decision '\(name)' in model '\(model.name)'") }
        if let v = memo[d.name] { return v }
        var scope = inputs
        for req in d.requiredDecisions {
            scope[req] = try evaluate(req, inputs: inputs, memo: &memo, depth: depth + 1)
        }
        let v = try eval(d.expression, scope, depth: 0)
        memo[d.name] = v
        return v
    }

    /// The business knowledge models as functions FEEL can call (positional arguments).
    func functions(depth: Int) -> FunctionTable {
        let evaluator = self
        var table: [String: @Sendable ([Value]) -> Value] = [:]
        for (name, bkm) in model.knowledge {
            table[name] = { @Sendable args in
                var scope: [String: Value] = [:]
                for (i, p) in bkm.parameters.enumerated() { scope[p] = i < args.count ? args[i] : .null }
                return (try? evaluator.eval(bkm.body, scope, depth: depth + 1)) ?? .null
            }
        }
        var parameters: [String: [String]] = [:]
        for (name, bkm) in model.knowledge { parameters[name] = bkm.parameters }
        for (name, service) in model.services {
            table[name] = { @Sendable args in (try? evaluator.call(service, args, depth: depth + 1)) ?? .null }
            parameters[name] = service.parameters
        }
        return FunctionTable(table, parameters: parameters)
    }

    func eval(_ e: BoxedExpression, _ scope: [String: Value], depth: Int) throws(DecisionError) -> Value {
        guard depth < 64 else { throw DecisionError("boxed expressions nest too deeply") }
        switch e {
        case .literal(let x):
            return x.evaluate(scope, functions: functions(depth: depth))
        case .invalid(let why):
            throw DecisionError(why)
        case .function(let params, let body):
            let evaluator = self
            let captured = scope
            return .function(FunctionValue(parameters: params) { args in
                var s = captured
                for (i, p) in params.enumerated() { s[p] = i < args.count ? args[i] : .null }
                return (try? evaluator.eval(body, s, depth: depth + 1)) ?? .null
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
            if model.knowledge[function] == nil, let service = model.services[function] {
                var named: [String: Value] = [:]
                for (name, value) in bindings { named[name] = try eval(value, scope, depth: depth + 1) }
                return try call(service, service.parameters.map { named[$0] ?? .null }, depth: depth + 1)
            }
            guard let bkm = model.knowledge[function] else { throw DecisionError("no business knowledge model '\(function)'") }
            var args = scope
            for (name, value) in bindings { args[name] = try eval(value, scope, depth: depth + 1) }
            for p in bkm.parameters where args[p] == nil { args[p] = .null }
            return try eval(bkm.body, args, depth: depth + 1)
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
        }
    }
}
