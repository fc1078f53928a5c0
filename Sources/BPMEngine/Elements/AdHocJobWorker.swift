import BPMExpressions
import BPMModel

/// The job worker implementation of an ad-hoc sub-process, as Camunda 8.8 runs it (Camunda docs
/// "Ad-hoc sub-processes", job worker; the AI-agent connector's pattern): entering the sub-process
/// creates a job of its task type (Zeebe's job kind AD_HOC_SUB_PROCESS) instead of evaluating
/// `activeElementsCollection`. The worker completes the job with a result that activates inner
/// elements — each in an activation scope of its own holding the variables the result gave it —
/// and may declare the completion condition fulfilled (and cancel what is still active). Each
/// time an activation ends, its `outputElement` joins the output collection, the job still open
/// is cancelled and a new one asks the worker what next; once the condition is fulfilled no new
/// job is created and the sub-process completes when nothing is left inside. It never completes
/// by itself otherwise: a result that activates nothing leaves it waiting.
extension Run {
    /// Whether a token is the job of an ad-hoc sub-process (it waits inside the sub-process's scope).
    func isAdHocJob(_ token: Token) -> Bool {
        switch token.wait {
        case .job, .retry: break
        default: return false
        }
        guard let scope = token.scope, let i = tokenIndex(scope) else { return false }
        return state.tokens[i].elementId == token.elementId && state.tokens[i].wait == .subProcess
    }

    /// The scope is open: the first job asks the worker what to activate.
    mutating func startAdHocJobWorker(_ element: FlowElement, _ task: ServiceTask, scope id: String) {
        state.adHocWaiting.insert(id)  // until a job result fulfils the completion condition
        dispatchJob(element, task, jobId: nextId("j"), attempt: 1, scope: id, boundaries: [])
    }

    /// `adHocSubProcessElements`: what the sub-process can activate, for its job worker to choose
    /// from (an AI agent's tool definitions): id, name, documentation, `zeebe:properties`, and the
    /// `fromAi()` parameters (none here: `fromAi` is not read; see docs/bpmn.md).
    func adHocElementsMetadata(_ element: FlowElement, _ adHoc: AdHocSubProcess) -> Value {
        .list(definition.adHocActivatable(in: element.id).map { e in
            let properties = (adHoc.elementProperties[e.id] ?? [:]).mapValues(Value.string)
            var c: [String: Value] = ["elementId": .string(e.id), "parameters": .list([]),
                                      "properties": .context(properties)]
            if let name = e.name, !name.isEmpty { c["elementName"] = .string(name) }
            if let doc = definition.documentation[e.id] { c["documentation"] = .string(doc) }
            return .context(c)
        })
    }

    /// The job of an ad-hoc sub-process completed, with or without a job result. A result that
    /// names an element the sub-process cannot activate is refused and changes nothing.
    mutating func adHocJobCompleted(_ jobId: String, output: [String: Value], result: AdHocJobResult?)
        throws(CommandRejection)
    {
        let waits = { (t: Token) -> Bool in if case .job(let j, _) = t.wait { j == jobId } else { false } }
        guard let i = state.tokens.firstIndex(where: waits),
              let element = definition.element(state.tokens[i].elementId), let scope = state.tokens[i].scope
        else { throw .stale("instance \(state.id) does not wait for job \(jobId)") }
        guard isAdHocJob(state.tokens[i]) else {
            throw .invalid("job \(jobId) belongs to '\(element.id)', not to an ad-hoc sub-process: a job result "
                + "of type adHocSubProcess does not apply to it")
        }
        let result = result ?? AdHocJobResult()
        try checkActivations(result, of: element)
        removeToken(at: i, cancelWait: false)
        var data: [String: Value] = ["activated": .list(result.activateElements.map { .string($0.elementId) })]
        if result.isCompletionConditionFulfilled { data["completionConditionFulfilled"] = true }
        record(element, "job_completed", scope: scope, data: .context(data))
        if element.outputs.isEmpty {
            setVariables(output, scope: scope)
        } else {  // as Zeebe: with output mappings the job's variables stay local, the mappings pick
            state.locals[scope, default: [:]].merge(output) { _, new in new }
        }
        for a in result.activateElements {
            let activation = wait(at: element, .adHocActivation, scope: scope)
            if !a.variables.isEmpty { state.locals[activation] = a.variables }
            arrive(at: a.elementId, via: nil, scope: activation)
        }
        guard result.isCompletionConditionFulfilled, let s = tokenIndex(scope) else { return }
        record(element, "completion_condition_met", scope: state.tokens[s].scope)
        state.adHocWaiting.remove(scope)
        if result.isCancelRemainingInstances { terminateScope(scope) }  // then it completes, nothing being left
    }

    private func checkActivations(_ result: AdHocJobResult, of element: FlowElement) throws(CommandRejection) {
        let activatable = definition.adHocActivatable(in: element.id).map(\.id)
        for a in result.activateElements where !activatable.contains(a.elementId) {
            let list = activatable.joined(separator: ", ")
            if definition.element(a.elementId)?.parent == element.id {
                throw .invalid("element '\(a.elementId)' of ad-hoc sub-process '\(element.id)' cannot be activated: "
                    + "it has incoming flows or is a boundary event, event sub-process or compensation handler "
                    + "(activatable: \(list))")
            }
            throw .invalid("ad-hoc sub-process '\(element.id)' has no inner element '\(a.elementId)' to activate "
                + "(activatable: \(list))")
        }
    }

    /// Completes one activation scope with nothing left inside; returns whether it did.
    mutating func completeFinishedAdHocActivation() -> Bool {
        for token in state.tokens where token.wait == .adHocActivation {
            let busy = state.tokens.contains { $0.scope == token.id } || queue.contains { $0.scope == token.id }
            guard !busy, let i = tokenIndex(token.id), let scope = token.scope,
                  let owner = definition.element(token.elementId), let adHoc = owner.adHoc else { continue }
            if let oc = adHoc.outputCollection, let oe = adHoc.outputElement {
                let collected = (state.locals[scope]?[oc]?.listValue ?? []) + [oe.evaluate(variables(in: token.id))]
                state.locals[scope, default: [:]][oc] = .list(collected)
            }
            removeToken(at: i, cancelWait: false)
            guard let task = adHoc.jobWorker, state.adHocWaiting.contains(scope) else { return true }
            // one job at a time: the one still open is cancelled, a new one asks what next
            if let j = state.tokens.firstIndex(where: { $0.scope == scope && isAdHocJob($0) }) {
                removeToken(at: j, cancelWait: true)
            }
            dispatchJob(owner, task, jobId: nextId("j"), attempt: 1, scope: scope, boundaries: [])
            return true
        }
        return false
    }
}

extension AdHocJobResult {
    /// The stored form (a command held while the instance is suspended).
    var value: Value {
        .context([
            "activateElements": .list(activateElements.map {
                .context(["elementId": .string($0.elementId), "variables": .context($0.variables)])
            }),
            "isCompletionConditionFulfilled": .bool(isCompletionConditionFulfilled),
            "isCancelRemainingInstances": .bool(isCancelRemainingInstances),
        ])
    }

    init?(value v: Value) {
        guard case .context(let c) = v else { return nil }
        let items = c["activateElements"]?.listValue ?? []
        self.init(activateElements: items.compactMap { a in
            a[member: "elementId"].stringValue.map {
                Activation(elementId: $0, variables: a[member: "variables"].contextValue ?? [:])
            }
        }, isCompletionConditionFulfilled: c["isCompletionConditionFulfilled"] == true,
        isCancelRemainingInstances: c["isCancelRemainingInstances"] == true)
    }
}
