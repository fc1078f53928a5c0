import BPMExpressions
import BPMModel

extension Run {
    /// A service task asks a connector to perform its action (a job) and waits for the outcome.
    /// Failures are retried with backoff up to the task's retries; then an incident holds the
    /// path until an operator retries it.
    mutating func activateServiceTask(_ element: FlowElement, _ task: ServiceTask, scope: String?) {
        record(element, "activated", scope: scope)
        dispatchJob(element, task, jobId: nextId("j"), attempt: 1, scope: scope, boundaries: armBoundaryEvents(of: element, scope: scope))
    }

    mutating func dispatchJob(_ element: FlowElement, _ task: ServiceTask, jobId: String, attempt: Int, scope: String?, boundaries: [BoundaryTimer]) {
        let vars = variables(in: scope)
        let payload = Value.context(task.parameters.mapValues { $0.render(vars) })
        var job = JobRecord(id: jobId, instanceId: state.id, definitionId: definition.id, elementId: element.id,
                            action: task.action, payload: payload, attempt: attempt, createdAt: now,
                            variables: task.includeVariables ? vars : nil)
        job.external = task.external
        job.priority = task.priority
        effects.append(.dispatchJob(job))
        wait(at: element, .job(jobId: jobId, attempt: attempt), scope: scope, boundaries: boundaries)
    }

    mutating func jobCompleted(_ jobId: String, output: [String: Value]) throws(CommandRejection) {
        if let i = listenerTokenIndex(jobId) {
            try listenerJobCompleted(tokenIndex: i, output: output)
            return
        }
        guard let i = state.tokens.firstIndex(where: { if case .job(let j, _) = $0.wait { j == jobId } else { false } }) else {
            throw .stale("instance \(state.id) does not wait for job \(jobId)")
        }
        if isAdHocJob(state.tokens[i]) { return try adHocJobCompleted(jobId, output: output, result: nil) }
        let token = removeToken(at: i, cancelWait: false)
        guard let element = definition.element(token.elementId) else { return }
        if leaveWithMappedResult(element, output, scope: token.scope) { return }
        if case .serviceTask(let task) = element.kind, let rv = task.resultVariable {
            setVariable(rv, .context(output), scope: token.scope)
        } else {
            setVariables(output, scope: token.scope)
        }
        leave(element, scope: token.scope)
    }

    mutating func jobFailed(_ jobId: String, message: String, retryable: Bool, incidentType: String) throws(CommandRejection) {
        if let i = listenerTokenIndex(jobId), let lj = state.tokens[i].listenerJob {
            let left = retryable ? lj.retries - lj.attempt : 0
            let delay = RetryPolicy().delay(beforeRetry: lj.attempt)
            listenerJobFailed(tokenIndex: i, message: message, retries: left, backoff: delay, variables: [:],
                              incidentType: incidentType)
            return
        }
        guard let i = state.tokens.firstIndex(where: { if case .job(let j, _) = $0.wait { j == jobId } else { false } }),
              case .job(_, let attempt) = state.tokens[i].wait,
              let element = definition.element(state.tokens[i].elementId),
              let task = element.jobTask
        else { throw .stale("instance \(state.id) does not wait for job \(jobId)") }
        record(element, "failed", scope: state.tokens[i].scope, data: .context(["attempt": .number(Double(attempt)), "message": .string(message)]))
        if retryable, attempt <= task.retry.retries {
            let tid = nextId("t")
            let due = now.addingTimeInterval(task.retry.delay(beforeRetry: attempt))
            effects.append(.scheduleTimer(TimerRecord(id: tid, instanceId: state.id, elementId: element.id, dueAt: due)))
            state.tokens[i].wait = .retry(timerId: tid, jobId: jobId, attempt: attempt + 1)
            return
        }
        let scope = state.tokens[i].scope
        removeToken(at: i, cancelWait: false)  // its timeouts stop while an operator looks at it
        let summary = retryable ? "\(message) (failed \(attempt) time\(attempt == 1 ? "" : "s"), no retries left)" : message
        raiseIncident(at: element, scope: scope, type: incidentType, message: summary, jobId: jobId)
    }

    mutating func retryJob(tokenIndex i: Int, jobId: String, attempt: Int) {
        guard let element = definition.element(state.tokens[i].elementId), let task = element.jobTask else { return }
        let boundaries = state.tokens[i].boundaryTimers
        let scope = state.tokens[i].scope
        state.tokens.remove(at: i)
        dispatchJob(element, task, jobId: jobId, attempt: attempt, scope: scope, boundaries: boundaries)
    }
}
