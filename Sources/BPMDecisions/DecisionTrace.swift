import BPMExpressions

/// What an evaluation did, decision by decision, in evaluation order (required decisions before
/// the decisions requiring them): Zeebe's `evaluatedDecisions`. Recorded only when asked for
/// (`DecisionEvaluator.trace`); plain evaluation records nothing.
public struct DecisionTrace: Sendable, Equatable {
    /// The evaluated decisions that completed.
    public var decisions: [EvaluatedDecision]
    /// The result of the decision asked for, or nil when the evaluation failed.
    public var result: Value?
    /// Why it failed, and the decision (id) that failed first.
    public var failure: DecisionError?
    public var failedDecision: String?
    /// The name of the model (its decision requirements graph).
    public var model: String = ""
}

extension DecisionError: Equatable {
    public static func == (a: DecisionError, b: DecisionError) -> Bool { a.message == b.message }
}

/// One evaluated decision.
public struct EvaluatedDecision: Sendable, Equatable {
    public var id: String
    public var name: String
    /// `DECISION_TABLE`, `LITERAL_EXPRESSION`, `CONTEXT`, `INVOCATION`, `LIST`, `RELATION`,
    /// `FUNCTION_DEFINITION` or `UNKNOWN`, as Zeebe names a decision's logic.
    public var type: String
    public var output: Value
    /// A decision table's inputs, in table order (empty for other logic).
    public var inputs: [EvaluatedInput]
    /// The rules that gave a decision table's result (one for UNIQUE, FIRST and PRIORITY; every
    /// matching rule for ANY, COLLECT, RULE ORDER and OUTPUT ORDER).
    public var matchedRules: [MatchedRule]
}

/// A decision table input: its `id`, its `label` (else its expression's text) and its value.
public struct EvaluatedInput: Sendable, Equatable {
    public var id: String
    public var name: String
    public var value: Value
    public init(id: String, name: String, value: Value) { (self.id, self.name, self.value) = (id, name, value) }
}

/// A rule that matched: its `id`, its index (from 1, as Zeebe counts) and its outputs.
public struct MatchedRule: Sendable, Equatable {
    public var id: String
    public var index: Int
    public var outputs: [EvaluatedOutput]
}

/// A rule's output: the output column's `id`, `name` (else `label`) and the rule's value.
public struct EvaluatedOutput: Sendable, Equatable {
    public var id: String
    public var name: String
    public var value: Value
    public init(id: String, name: String, value: Value) { (self.id, self.name, self.value) = (id, name, value) }
}

/// Collects a trace while an evaluation runs (one evaluation, one thread).
final class TraceRecorder: @unchecked Sendable {
    var decisions: [EvaluatedDecision] = []
    var failed: String?
}

/// What a decision table reports of one evaluation.
final class TableRecord: @unchecked Sendable {
    var inputs: [EvaluatedInput] = []
    var rules: [MatchedRule] = []

    func capture(_ t: DecisionTable, _ scope: [String: Value], _ inputValues: [Value], _ matched: [Int]) {
        inputs = t.inputs.enumerated().map { i, input in
            EvaluatedInput(id: input.id ?? "", name: input.label ?? input.expression.source, value: inputValues[i])
        }
        let values = matched.map { r in (r, (try? DecisionTableEvaluator.outputs(t, r, scope)) ?? []) }
        var chosen = values
        switch t.hitPolicy {
        case .unique, .first: chosen = Array(values.prefix(1))
        case .priority:
            let p = { (v: [Value]) in DecisionTableEvaluator.priority(DecisionTableEvaluator.pack(v, t), t) }
            chosen = values.min { p($0.1) < p($1.1) }.map { [$0] } ?? []
        case .any, .collect, .ruleOrder, .outputOrder: break
        }
        rules = chosen.map { r, outs in
            MatchedRule(
                id: t.rules[r].id ?? "", index: r + 1,
                outputs: outs.enumerated().map { k, v in
                    let column = k < t.outputs.count ? t.outputs[k] : nil
                    return EvaluatedOutput(
                        id: column?.id ?? "", name: column?.name ?? column?.label ?? t.outputLabel ?? "", value: v)
                })
        }
    }
}

extension BoxedExpression {
    /// Zeebe's name for the kind of a decision's logic.
    var traceType: String {
        switch self {
        case .decisionTable: "DECISION_TABLE"
        case .literal: "LITERAL_EXPRESSION"
        case .context: "CONTEXT"
        case .invocation: "INVOCATION"
        case .list: "LIST"
        case .relation: "RELATION"
        case .function: "FUNCTION_DEFINITION"
        case .typed(let inner, _): inner.traceType
        case .conditional, .filter, .iterator, .invalid: "UNKNOWN"
        }
    }
}

extension DecisionEvaluator {
    /// Evaluates a decision (by name or id) as `evaluate` does, recording every decision evaluated.
    public func trace(_ name: String, inputs: [String: Value]) -> DecisionTrace {
        let recorder = TraceRecorder()
        let session = Session(namespaced: [:], trace: recorder)
        let scope = ModelScope(model: model, inputs: inputs, session: session)
        do {
            let v: Value
            if model.decision(name) == nil, let service = model.services[name] {
                v = try scope.call(service, service.parameters.map { inputs[$0] ?? .null }, depth: 0)
            } else {
                v = try scope.decision(name, depth: 0)
            }
            return DecisionTrace(
                decisions: recorder.decisions, result: v, failure: nil, failedDecision: nil, model: model.name)
        } catch {
            return DecisionTrace(
                decisions: recorder.decisions, result: nil, failure: error,
                failedDecision: recorder.failed ?? model.decision(name)?.id ?? name, model: model.name)
        }
    }
}

extension ModelScope {
    /// A decision's logic evaluated and recorded (the traced path of `decision`).
    func traced(_ d: Decision, _ scope: [String: Value], _ trace: TraceRecorder) throws(DecisionError) -> Value {
        var entry = EvaluatedDecision(
            id: d.id, name: d.name, type: d.expression.traceType, output: .null, inputs: [], matchedRules: [])
        do {
            switch d.expression {
            case .decisionTable(let t):
                let record = TableRecord()
                entry.output = try DecisionTableEvaluator.evaluate(t, scope, record: record)
                (entry.inputs, entry.matchedRules) = (record.inputs, record.rules)
            case .typed(.decisionTable(let t), let type):
                let record = TableRecord()
                entry.output = type.convert(try DecisionTableEvaluator.evaluate(t, scope, record: record)) ?? .null
                (entry.inputs, entry.matchedRules) = (record.inputs, record.rules)
            default:
                entry.output = try eval(d.expression, scope, depth: 0)
            }
        } catch {
            if trace.failed == nil { trace.failed = d.id }
            throw error
        }
        trace.decisions.append(entry)
        return entry.output
    }
}
