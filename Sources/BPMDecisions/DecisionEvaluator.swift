import BPMExpressions

/// Evaluates decisions of a model (DMN 1.5 §6.3): the decision's requirements first, then its
/// boxed expression in a scope holding exactly what the requirements name — its required input
/// data (converted to their types), required decisions, and the business knowledge models and
/// decision services it has knowledge requirements for (as functions). Elements of imported
/// models are qualified with the import's name (`prefix.Decision`). The caller's variables
/// are visible everywhere (a model may leave out its input data, as Camunda models do).
public struct DecisionEvaluator: Sendable {
    public let model: DecisionModel

    public init(model: DecisionModel) { self.model = model }

    /// Evaluates a decision or decision service (by name or id) for the given input data.
    public func evaluate(_ name: String, inputs: [String: Value]) throws(DecisionError) -> Value {
        try evaluate(name, inputs: inputs, namespaced: [:])
    }

    /// Evaluates with input data of imported models given by their models' namespaces.
    public func evaluate(
        _ name: String, inputs: [String: Value], namespaced: [String: [String: Value]]
    ) throws(DecisionError) -> Value {
        let session = Session(namespaced: namespaced)
        let scope = ModelScope(model: model, inputs: inputs, session: session)
        if model.decision(name) == nil, let service = model.services[name] {
            return try scope.call(service, service.parameters.map { inputs[$0] ?? .null }, depth: 0)
        }
        if model.decision(name) == nil, let bkm = model.knowledge[name] {
            // a knowledge model invoked on its own, its parameters bound by name
            return try scope.invoke(bkm, bkm.parameters.map { inputs[$0] ?? .null }, depth: 0)
        }
        return try scope.decision(name, depth: 0)
    }
}

/// What one evaluation shares: results of decisions already evaluated, by model namespace.
final class Session: @unchecked Sendable {
    let namespaced: [String: [String: Value]]
    var memo: [String: [String: Value]] = [:]
    /// Set when the evaluation is traced (`DecisionEvaluator.trace`).
    var trace: TraceRecorder?
    init(namespaced: [String: [String: Value]], trace: TraceRecorder? = nil) {
        self.namespaced = namespaced
        self.trace = trace
    }
}

/// A model within an evaluation, with the input data it reads.
struct ModelScope: Sendable {
    let model: DecisionModel
    let inputs: [String: Value]
    let session: Session
    /// Decisions whose values are given (a decision service's input decisions).
    var given: [String: Value] = [:]

    static let maxDepth = 64

    /// The caller's variables (process variables and input data values): visible to every
    /// decision, as Camunda evaluates decisions over the process's variables. Decisions,
    /// knowledge models and imported elements are visible only through requirements.
    var ambient: [String: Value] { inputs }

    func inputValue(_ name: String) -> Value {
        let v = session.namespaced[model.namespace]?[name] ?? inputs[name] ?? .null
        guard let t = model.inputTypes[name] else { return v }
        return t.convert(v) ?? .null
    }

    /// The scope of an imported model: its inputs by namespace, or under the prefix.
    func imported(_ prefix: String) -> ModelScope? {
        guard let m = model.imports[prefix] else { return nil }
        var ins = inputs[prefix]?.contextValue ?? [:]
        for (k, v) in session.namespaced[m.namespace] ?? [:] { ins[k] = v }
        return ModelScope(model: m, inputs: ins, session: session)
    }

    func decision(_ name: String, depth: Int) throws(DecisionError) -> Value {
        guard depth < Self.maxDepth else {
            throw DecisionError("decision requirements nest too deeply (a cycle?) at '\(name)'")
        }
        guard let d = model.decision(name) else {
            throw DecisionError("no decision '\(name)' in model '\(model.name)'")
        }
        if let v = given[d.name] ?? session.memo[model.namespace]?[d.name] { return v }
        var scope = ambient
        for r in d.requiredInputs {
            if let p = r.prefix, let m = imported(p) {
                scope[p] = merge(scope[p], r.name, m.inputValue(r.name))
            } else {
                scope[r.name] = inputValue(r.name)
            }
        }
        for req in d.requiredDecisions { scope[req] = try decision(req, depth: depth + 1) }
        for r in d.requiredImported {
            guard let p = r.prefix, let m = imported(p) else { continue }
            scope[p] = merge(scope[p], r.name, try m.decision(r.name, depth: depth + 1))
        }
        bindKnowledge(d.requiredKnowledge, into: &scope, depth: depth)
        let v: Value
        if let trace = session.trace {
            v = try traced(d, scope, trace)
        } else {
            v = try eval(d.expression, scope, depth: 0)
        }
        session.memo[model.namespace, default: [:]][d.name] = v
        return v
    }

    func merge(_ context: Value?, _ name: String, _ v: Value) -> Value {
        var c = context?.contextValue ?? [:]
        c[name] = v
        return .context(c)
    }

    /// Binds the business knowledge models and decision services named to function values.
    func bindKnowledge(_ refs: [ElementReference], into scope: inout [String: Value], depth: Int) {
        for r in refs {
            if let p = r.prefix {
                guard let m = imported(p), let f = m.function(r.name, depth: depth) else { continue }
                scope[p] = merge(scope[p], r.name, f)
            } else if let f = function(r.name, depth: depth) {
                scope[r.name] = f
            }
        }
    }

    /// A business knowledge model or decision service of this model as a FEEL function.
    func function(_ name: String, depth: Int) -> Value? {
        if let bkm = model.knowledge[name] {
            let me = self
            // §10.3.2.13.1: an invocation with another number of arguments than parameters is null
            return .function(
                FunctionValue(parameters: bkm.parameters, types: bkm.parameterTypes) { args in
                    args.count == bkm.parameters.count ? (try? me.invoke(bkm, args, depth: depth + 1)) ?? .null : .null
                })
        }
        if let service = model.services[name] {
            let me = self
            return .function(
                FunctionValue(parameters: service.parameters) { args in
                    args.count == service.parameters.count
                        ? (try? me.call(service, args, depth: depth + 1)) ?? .null : .null
                })
        }
        return nil
    }

    /// Invokes a business knowledge model: arguments converted to the parameters' types (one
    /// that does not convert is bound as null, §10.3.2.9.4), the body evaluated over them.
    func invoke(_ bkm: BusinessKnowledgeModel, _ args: [Value], depth: Int) throws(DecisionError) -> Value {
        guard depth < Self.maxDepth else {
            throw DecisionError("business knowledge models nest too deeply at '\(bkm.name)'")
        }
        var scope = ambient
        for (i, p) in bkm.parameters.enumerated() {
            let v = i < args.count ? args[i] : .null
            if i < bkm.parameterTypes.count, let t = bkm.parameterTypes[i] {
                scope[p] = t.convert(v) ?? .null
            } else {
                scope[p] = v
            }
        }
        bindKnowledge(bkm.requiredKnowledge, into: &scope, depth: depth)
        return try eval(bkm.body, scope, depth: depth)
    }

    /// Calls a decision service: its input decisions and data come from the arguments (not
    /// evaluated again); its output decisions are evaluated over them.
    func call(_ service: DecisionService, _ args: [Value], depth: Int) throws(DecisionError) -> Value {
        var inputs = self.inputs
        var given: [String: Value] = [:]
        for (i, p) in service.parameters.enumerated() {
            var v = i < args.count ? args[i] : .null
            // arguments are converted to the input's type; one that does not convert makes the call null
            if let t = model.inputTypes[p] ?? model.decision(p)?.type {
                guard let c = t.convert(v) else { return .null }
                v = c
            }
            inputs[p] = v
            if service.inputDecisions.contains(p) { given[p] = v }
        }
        let innerSession = Session(namespaced: session.namespaced, trace: session.trace)
        var inner = ModelScope(model: model, inputs: inputs, session: innerSession)
        inner.given = given
        var results: [String: Value] = [:]
        for o in service.outputs { results[o] = try inner.decision(o, depth: depth + 1) }
        let single = service.outputs.count == 1 && !service.resultIsContext
        let v: Value = single ? results[service.outputs[0]] ?? .null : .context(results)
        guard let t = service.type else { return v }
        return t.convert(v) ?? .null
    }

    /// All business knowledge models and services as callable functions: the fallback for
    /// models that invoke one without a knowledge requirement.
    func functions(depth: Int) -> FunctionTable {
        var table: [String: @Sendable ([Value]) -> Value] = [:]
        var parameters: [String: [String]] = [:]
        for name in Array(model.knowledge.keys) + Array(model.services.keys) {
            guard case .function(let f)? = function(name, depth: depth) else { continue }
            table[name] = { args in f.call(args) }
            parameters[name] = f.parameters
        }
        return FunctionTable(table, parameters: parameters)
    }
}
