import BPMExpressions
import BPMModel

/// A worker's outcome for a listener job: completion moves on to the next listener (or to
/// what the listeners held back); failure retries while retries are left, then raises an
/// incident; a BPMN error is refused, as Camunda refuses it for listener jobs.
extension Run {
    func listenerTokenIndex(_ jobId: String) -> Int? {
        state.tokens.firstIndex { $0.listenerJob?.jobId == jobId && $0.listenerJob?.incident == nil }
    }

    /// A listener's job completed with variables (and, for a task listener, a result).
    mutating func listenerJobCompleted(tokenIndex i: Int, output: [String: Value],
                                       result: UserTaskJobResult? = nil) throws(CommandRejection)
    {
        guard var lj = state.tokens[i].listenerJob else { return }
        let token = state.tokens[i]
        if result != nil, case .task = lj.phase {} else if result.map({ !$0.isEmpty }) == true {
            throw .invalid("job \(lj.jobId) is an execution listener's: a user task result does not apply to it")
        }
        recordListener(token.elementId, "listener_completed", scope: token.scope,
                       data: ["job": .string(lj.jobId), "type": .string(lj.type)])
        if case .task = lj.phase {
            let r = result ?? UserTaskJobResult()
            guard try taskListenerCompleted(tokenIndex: i, &lj, output: output, result: r) else { return }
        } else {
            state.tokens.remove(at: i)
            setVariables(output, scope: token.scope)
        }
        let list = listeners(at: token.elementId, lj.phase)
        if lj.index + 1 < list.count {
            dispatchListener(at: token.elementId, lj.phase, index: lj.index + 1, attempt: 1, scope: token.scope,
                             carry: lj)
        } else {
            resumeAfterListeners(at: token.elementId, lj, scope: token.scope)
        }
    }

    /// A listener's job failed: with `retries` left it is created again (after `backoff`
    /// seconds), with none an incident holds the path.
    mutating func listenerJobFailed(tokenIndex i: Int, message: String, retries: Int, backoff: Double,
                                    variables values: [String: Value], incidentType: String = "job_no_retries")
    {
        guard var lj = state.tokens[i].listenerJob else { return }
        let token = state.tokens[i]
        setVariables(values, scope: token.scope)
        recordListener(token.elementId, "listener_failed", scope: token.scope, data: [
            "job": .string(lj.jobId), "attempt": .number(Double(lj.attempt)), "message": .string(message),
            "retries": .number(Double(retries)),
        ])
        guard retries > 0 else {
            listenerIncident(&lj, at: token.elementId, scope: token.scope, type: incidentType,
                             message: message.isEmpty ? "No more retries left." : message)
            return
        }
        lj.attempt = lj.retries + 1 - retries
        if backoff > 0 {
            let tid = nextId("t")
            effects.append(.scheduleTimer(TimerRecord(id: tid, instanceId: state.id, elementId: token.elementId,
                                                      dueAt: now.addingTimeInterval(backoff))))
            lj.retryTimer = tid
            state.tokens[i].wait = .listener(lj)
        } else {
            redispatchListener(tokenIndex: i)
        }
    }

    /// Creates a listener token's job again (a retry, or an operator's retry of its incident).
    mutating func redispatchListener(tokenIndex i: Int) {
        guard let lj = state.tokens[i].listenerJob else { return }
        let token = state.tokens[i]
        if token.listenerTask == nil { state.tokens.remove(at: i) }
        if lj.jobId.isEmpty {  // the expressions failed: run the phase's listeners from the first
            dispatchListener(at: token.elementId, lj.phase, index: 0, attempt: 1, scope: token.scope, carry: lj)
        } else {
            dispatchListener(at: token.elementId, lj.phase, index: lj.index, attempt: lj.attempt, scope: token.scope,
                             jobId: lj.jobId, carry: lj)
        }
    }

    /// A listener job's backoff timer fired; false when the timer is not one.
    mutating func listenerRetryTimerFired(_ timerId: String) -> Bool {
        guard let i = state.tokens.firstIndex(where: { $0.listenerJob?.retryTimer == timerId }) else { return false }
        redispatchListener(tokenIndex: i)
        return true
    }

    /// An operator retried or resolved a listener's incident; false when it is not one.
    mutating func listenerIncidentSettled(_ incidentId: String, resolvedWith values: [String: Value]?)
        throws(CommandRejection) -> Bool
    {
        guard let i = state.tokens.firstIndex(where: { $0.listenerJob?.incident == incidentId }),
              var lj = state.tokens[i].listenerJob else { return false }
        state.incidents.removeAll { $0.id == incidentId }
        effects.append(.resolveIncident(id: incidentId))
        let token = state.tokens[i]
        recordListener(token.elementId, "incident_resolved", scope: token.scope,
                       data: ["incident": .string(incidentId), "retried": .bool(values == nil)])
        lj.incident = nil
        state.tokens[i].wait = .listener(lj)
        if let values {
            try listenerJobCompleted(tokenIndex: i, output: values)  // the listener's work was done another way
        } else {
            redispatchListener(tokenIndex: i)
        }
        return true
    }

    /// Sets a listener job's retries (Zeebe's UpdateJobRetries); false when the job is not a listener's.
    mutating func setListenerRetries(_ jobId: String, retries: Int) -> Bool {
        guard let i = state.tokens.firstIndex(where: { $0.listenerJob?.jobId == jobId }),
              var lj = state.tokens[i].listenerJob else { return false }
        lj.attempt = lj.retries + 1 - retries
        state.tokens[i].wait = .listener(lj)
        if lj.incident == nil { redispatchListener(tokenIndex: i) }
        return true
    }

    static func listenerErrorRefusal(_ jobId: String) -> CommandRejection {
        .invalid("job \(jobId) is a listener's: throwing a BPMN error from a listener job is not supported (Camunda 8)")
    }
}

extension Run {
    /// Cancels what a listener token waits for (its element was interrupted or the instance cancelled).
    mutating func cancelListenerJob(_ l: ListenerJob) {
        if !l.jobId.isEmpty { effects.append(.cancelJob(id: l.jobId)) }
        if let t = l.retryTimer { effects.append(.cancelTimer(id: t)) }
        if let id = l.incident {
            state.incidents.removeAll { $0.id == id }
            effects.append(.resolveIncident(id: id))
        }
        if case .task(_, let taskId, _) = l.phase {
            effects.append(.closeUserTask(id: taskId, status: "cancelled", at: now))
        }
    }
}

/// What a worker may not report for a listener's job, checked before the report is queued
/// (a refused report leaves the job as it was, for the worker to report again).
public enum ListenerJobReport {
    /// Why `command` is refused for `job`, or nil when it may be applied.
    public static func refusal(_ command: Command, for job: JobRecord) -> String? {
        switch command {
        case .jobThrewError, .jobThrewErrorOrIncident:
            guard job.kind != "BPMN_ELEMENT" else { return nil }
            return "job \(job.id) is a listener's: throwing a BPMN error from a listener job is not supported "
                + "(Camunda 8)"
        case .jobCompletedWithResult(_, let output, let result):
            guard job.kind == "TASK_LISTENER" else {
                return "job \(job.id) is not a task listener's (kind \(job.kind)): a job result applies to task "
                    + "listener jobs"
            }
            return taskResultRefusal(job.id, event: job.listenerEventType.lowercased(), output: output, result: result)
        case .jobCompleted(_, let output) where job.kind == "TASK_LISTENER":
            return taskResultRefusal(job.id, event: job.listenerEventType.lowercased(), output: output,
                                     result: UserTaskJobResult())
        default:
            return nil
        }
    }

    /// Why a task listener's completion (of the `event` transition) is refused, or nil.
    static func taskResultRefusal(_ jobId: String, event: String, output: [String: Value],
                                  result: UserTaskJobResult) -> String?
    {
        if !output.isEmpty {
            return "job \(jobId) is a task listener's: completing it with variables is not supported (Camunda 8); "
                + "correct the task with the result's corrections instead"
        }
        if let bad = result.corrections.keys.sorted().first(where: { !UserTaskJobResult.correctable.contains($0) }) {
            let known = UserTaskJobResult.correctable.sorted().joined(separator: ", ")
            return "the task listener's result corrects '\(bad)': only \(known) can be corrected"
        }
        for name in ["dueDate", "followUpDate"] {
            guard let v = result.corrections[name], let s = v.stringValue, !s.isEmpty else { continue }
            if Coding.date(s) == nil { return "corrections.\(name) '\(s)' is not an ISO 8601 date-time" }
        }
        if let p = result.corrections["priority"], !(p.doubleValue.map { (0...100).contains($0) } ?? false) {
            return "corrections.priority must be a number from 0 to 100"
        }
        if result.denied, let e = TaskListenerEvent(rawValue: event), !e.deniable {
            return "a task listener cannot deny the \(event) of a user task (only assigning, updating and completing "
                + "can be denied)"
        }
        return nil
    }
}

extension Run {
    /// A job completed with a result: only a task listener's job takes one.
    mutating func listenerJobCompleted(_ jobId: String, output: [String: Value], result: UserTaskJobResult)
        throws(CommandRejection)
    {
        guard let i = listenerTokenIndex(jobId) else {
            throw .invalid("job \(jobId) is not a task listener's: a job result applies to task listener jobs")
        }
        try listenerJobCompleted(tokenIndex: i, output: output, result: result)
    }
}
