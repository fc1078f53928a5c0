import BPMExpressions
import BPMModel

/// Ad-hoc sub-processes as Camunda 8.7+ runs them (BPMN 2.0.2 §10.3.5; Camunda docs "Ad-hoc
/// sub-processes"): on entry, after its input mappings, `activeElementsCollection` is evaluated
/// and each inner element it names is activated (an empty list, or none, activates nothing and
/// the sub-process stays active; a value that is not a list of activatable ids is an incident).
/// Each time an inner element completes, `completionCondition` is evaluated: when it holds the
/// sub-process completes, ending what is still active inside unless `cancelRemainingInstances`
/// is false (then it waits for them). It also completes when nothing is left active inside.
extension Run {
    /// The ids `activeElementsCollection` names, or nil with an incident (before the scope opens,
    /// so that retrying the incident enters the sub-process again).
    mutating func adHocActivation(_ element: FlowElement, _ adHoc: AdHocSubProcess, scope: String?) -> [String]? {
        guard let expression = adHoc.activeElements else { return [] }
        var vars = variables(in: scope)
        for (target, source) in element.inputs { vars[target] = source.evaluate(vars) }
        let activatable = Set(definition.adHocActivatable(in: element.id).map(\.id))
        let value = expression.evaluate(vars)
        guard let items = value.listValue else {
            adHocIncident(element, scope: scope, "is \(Self.shown(value)), not a list of element ids")
            return nil
        }
        var ids: [String] = []
        for item in items {
            guard case .string(let id) = item, activatable.contains(id) else {
                adHocIncident(element, scope: scope, "names \(Self.shown(item)), which is not an inner element of "
                    + "'\(element.id)' without incoming flows (\(activatable.sorted().joined(separator: ", ")))")
                return nil
            }
            ids.append(id)
        }
        return ids
    }

    static func shown(_ v: Value) -> String {
        if case .string(let s) = v { return "\"\(s)\"" }
        return v.feelString
    }

    private mutating func adHocIncident(_ element: FlowElement, scope: String?, _ what: String) {
        let source = element.adHoc?.activeElements?.source ?? ""
        raiseIncident(at: element, scope: scope, type: "extract_value",
                      message: "the active elements collection of '\(element.id)' (\(source)) \(what)")
    }

    /// The scope is open: `adHocSubProcessElements` lists what it can activate, the output
    /// collection starts empty, and the named elements start (or its job worker's first job).
    mutating func startAdHoc(_ element: FlowElement, _ adHoc: AdHocSubProcess, scope id: String,
                             activating ids: [String])
    {
        state.locals[id, default: [:]]["adHocSubProcessElements"] = adHocElementsMetadata(element, adHoc)
        if let oc = adHoc.outputCollection { state.locals[id, default: [:]][oc] = .list([]) }
        if let task = adHoc.jobWorker {
            startAdHocJobWorker(element, task, scope: id)
            return
        }
        if ids.isEmpty { state.adHocWaiting.insert(id) }  // nothing activated: it stays active
        for e in ids { arrive(at: e, via: nil, scope: id) }
    }

    /// An element directly inside an ad-hoc sub-process completed: the end of an inner flow adds
    /// its output element to the collection; the completion condition is evaluated.
    mutating func adHocElementCompleted(_ element: FlowElement, scope: String, endsFlow: Bool) {
        guard let i = tokenIndex(scope), state.tokens[i].wait == .subProcess,
              state.tokens[i].elementId == element.parent,
              let owner = definition.element(state.tokens[i].elementId), let adHoc = owner.adHoc else { return }
        if endsFlow, let oc = adHoc.outputCollection, let oe = adHoc.outputElement {
            let collected = (state.locals[scope]?[oc]?.listValue ?? []) + [oe.evaluate(variables(in: scope))]
            state.locals[scope, default: [:]][oc] = .list(collected)
        }
        guard let condition = adHoc.completionCondition, condition.test(variables(in: scope)) else { return }
        record(owner, "completion_condition_met", scope: state.tokens[i].scope)
        if adHoc.cancelRemainingInstances { terminateScope(scope) }  // then it completes, nothing being left
    }

    /// A completing ad-hoc sub-process propagates its output collection to the parent scope.
    mutating func finishAdHoc(_ element: FlowElement, locals: [String: Value], scope: String?) {
        guard let oc = element.adHoc?.outputCollection else { return }
        setVariable(oc, locals[oc] ?? .list([]), scope: scope)
    }
}
