import BPMExpressions
import BPMModel

/// Camunda 8 execution listeners: jobs run one after another, in the order written, before
/// an element's behaviour (start) and after its completion and output mappings, before its
/// outgoing flows (end). Variables a listener's job completes with are set in the element's
/// scope (ours has no element-local scope before the element's token exists). A failed job is
/// retried while it has retries, then holds the path with an incident; retrying the incident
/// runs that listener again. Cancelling the element cancels its pending listener job.
extension Run {
    /// Whether this activation runs the element's start listeners: not for the body of a loop
    /// or multi-instance (each of its instances runs them).
    func runsListeners(_ element: FlowElement, scope: String?) -> Bool {
        element.loop == nil || innerInstance(of: element, scope) != nil
    }

    /// Starts the element's start listeners; false when it has none (its behaviour runs now).
    mutating func startListeners(_ element: FlowElement, via flowId: String?, scope: String?) -> Bool {
        guard !element.executionListeners.start.isEmpty else { return false }
        record(element, "activating", scope: scope)
        dispatchListener(at: element.id, .start(flowId: flowId), index: 0, attempt: 1, scope: scope)
        return true
    }

    /// Starts the element's end listeners; false when it has none (it leaves now).
    mutating func endListeners(_ element: FlowElement, scope: String?) -> Bool {
        guard !element.executionListeners.end.isEmpty, runsListeners(element, scope: scope) else { return false }
        record(element, "completing", scope: scope)
        dispatchListener(at: element.id, .end, index: 0, attempt: 1, scope: scope)
        return true
    }

    /// The listeners a phase runs at an element (or the process, by its id).
    func listeners(at elementId: String, _ phase: ListenerPhase) -> [Listener] {
        let element = definition.element(elementId)
        switch phase {
        case .start: return (element?.executionListeners ?? definition.executionListeners).start
        case .end: return (element?.executionListeners ?? definition.executionListeners).end
        case .task(let event, _, _):
            guard case .userTask(let task)? = element?.kind, let e = TaskListenerEvent(rawValue: event) else {
                return []
            }
            return task.taskListeners[e] ?? []
        }
    }

    /// Zeebe's job kind and listener event type of a phase.
    static func jobKind(_ phase: ListenerPhase) -> (kind: String, event: String) {
        switch phase {
        case .start: ("EXECUTION_LISTENER", "START")
        case .end: ("EXECUTION_LISTENER", "END")
        case .task(let event, _, _): ("TASK_LISTENER", event.uppercased())
        }
    }

    /// Creates the job of the `index`th listener of a phase and waits for it (with `jobId`,
    /// a retry of that job). A type or retries expression without a usable value raises an
    /// incident instead (retrying it runs the phase's listeners from the first).
    mutating func dispatchListener(at elementId: String, _ phase: ListenerPhase, index: Int, attempt: Int,
                                   scope: String?, jobId: String? = nil, carry: ListenerJob? = nil)
    {
        let listener = listeners(at: elementId, phase)[index]
        let vars = variables(in: scope).merging(carry?.phaseVariables ?? [:]) { _, v in v }
        let type = listener.type.evaluate(vars).stringValue ?? ""
        let retries = Self.wholeNumber(listener.retries.evaluate(vars))
        var lj = ListenerJob(phase: phase, index: index, jobId: jobId ?? nextId("j"), attempt: attempt,
                             type: type, retries: retries ?? 0)
        lj.corrections = carry?.corrections ?? [:]
        guard !type.isEmpty, let retries, retries >= 0 else {
            lj.jobId = ""
            lj.index = 0
            let what = type.isEmpty ? "job type '\(listener.type.source)'" : "retries '\(listener.retries.source)'"
            listenerIncident(&lj, at: elementId, scope: scope, type: "extract_value_error",
                             message: "the listener's \(what) did not evaluate to a "
                                 + (type.isEmpty ? "non-empty string" : "whole number"))
            return
        }
        effects.append(.dispatchJob(listenerJobRecord(lj, listener, at: elementId, vars: vars)))
        addListenerToken(lj, at: elementId, scope: scope)
        let (kind, event) = Self.jobKind(phase)
        recordListener(elementId, "listener_started", scope: scope, data: [
            "kind": .string(kind), "listenerEventType": .string(event), "type": .string(type),
            "job": .string(lj.jobId), "attempt": .number(Double(attempt)),
        ])
    }

    func listenerJobRecord(_ lj: ListenerJob, _ listener: Listener, at elementId: String,
                           vars: [String: Value]) -> JobRecord
    {
        var headers: [String: Value] = [:]
        if case .serviceTask(let t)? = definition.element(elementId)?.kind,
           case .constant(let h)? = t.parameters["headers"]
        {
            headers = h.contextValue ?? [:]
        }
        for (k, v) in listener.headers { headers[k] = .string(v) }
        let (kind, event) = Self.jobKind(lj.phase)
        var info: [String: Value] = [
            "kind": .string(kind), "listenerEventType": .string(event), "retries": .number(Double(lj.retries)),
        ]
        if case .task(_, let taskId, _) = lj.phase { info["userTask"] = .string(taskId) }
        if !lj.corrections.isEmpty { info["corrections"] = .context(lj.corrections) }
        var job = JobRecord(id: lj.jobId, instanceId: state.id, definitionId: definition.id, elementId: elementId,
                            action: lj.type,
                            payload: .context(["headers": .context(headers), "listener": .context(info)]),
                            attempt: lj.attempt, createdAt: now, variables: vars)
        job.external = true
        return job
    }

    mutating func addListenerToken(_ lj: ListenerJob, at elementId: String, scope: String?) {
        if case .task(_, let taskId, _) = lj.phase,
           let i = state.tokens.firstIndex(where: { $0.wait == .userTask(taskId: taskId) || $0.listenerTask == taskId })
        {
            state.tokens[i].wait = .listener(lj)  // the task's own token: its boundary events stay armed
            return
        }
        state.tokens.append(Token(id: nextId("k"), elementId: elementId, wait: .listener(lj), scope: scope))
    }

    /// Records a listener's event on its element, or on the process for process listeners.
    mutating func recordListener(_ elementId: String, _ event: String, scope: String?, data: [String: Value]) {
        if let e = definition.element(elementId) {
            record(e, event, scope: scope, data: .context(data))
        } else {
            record(definition.id, "process", event, data: .context(data))
        }
    }

    /// Puts the listener job's path on hold with an incident (an operator's retry runs it again).
    mutating func listenerIncident(_ lj: inout ListenerJob, at elementId: String, scope: String?, type: String,
                                   message: String)
    {
        let incident = Incident(id: nextId("i"), instanceId: state.id, elementId: elementId, type: type,
                                message: message, jobId: lj.jobId.isEmpty ? nil : lj.jobId, createdAt: now)
        state.incidents.append(incident)
        effects.append(.raiseIncident(incident))
        lj.incident = incident.id
        lj.retryTimer = nil
        if let i = state.tokens.firstIndex(where: { $0.listenerJob?.jobId == lj.jobId && !lj.jobId.isEmpty }) {
            state.tokens[i].wait = .listener(lj)
        } else {
            addListenerToken(lj, at: elementId, scope: scope)
        }
        recordListener(elementId, "incident", scope: scope, data: ["type": .string(type), "message": .string(message)])
    }

    /// What the phase's listeners were waiting to let happen, once the last has completed.
    mutating func resumeAfterListeners(at elementId: String, _ lj: ListenerJob, scope: String?) {
        let phase = lj.phase
        guard let element = definition.element(elementId) else {
            // the process's own listeners
            if case .start(let startEvent) = phase {
                if let startEvent { arrive(at: startEvent, via: nil, scope: nil) } else {
                    for s in definition.startEvents { arrive(at: s.id, via: nil, scope: nil) }
                }
            } else {
                completeProcess()
            }
            return
        }
        switch phase {
        case .start(let flowId):
            activateKind(element, via: flowId, scope: scope)
            settleTimerFailure(element, scope: scope)
        case .end:
            if case .endEvent(let end) = element.kind {
                finishEndEvent(element, end, scope: scope)
            } else {
                leave(element, scope: scope, applyOutputs: false, listened: true)
            }
        case .task:
            resumeUserTask(element, lj, scope: scope)
        }
    }

    static func wholeNumber(_ v: Value) -> Int? {
        if let n = v.doubleValue, n == n.rounded(), abs(n) < 1e9 { return Int(n) }
        return v.stringValue.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }
}

extension Token {
    /// The listener job the token waits for, if it does.
    var listenerJob: ListenerJob? {
        if case .listener(let l) = wait { return l }
        return nil
    }

    /// The user task whose listener the token runs, if it does.
    var listenerTask: String? {
        if case .task(_, let taskId, _)? = listenerJob?.phase { return taskId }
        return nil
    }
}

extension ListenerJob {
    /// Variables the phase carries (a user task completion's), visible to its listeners.
    var phaseVariables: [String: Value] {
        if case .task(_, _, let vars) = phase { return vars }
        return [:]
    }
}
