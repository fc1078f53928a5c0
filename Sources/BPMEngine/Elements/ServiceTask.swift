import BPMExpressions
import BPMModel

extension Run {
    /// A service task asks a connector to perform its action (a job) and waits for the outcome.
    /// Failures are retried with backoff up to the task's retries; then an incident holds the
    /// path until an operator retries it.
    mutating func activateServiceTask(_ element: FlowElement, _ task: ServiceTask) {
        record(element, "activated")
        dispatchJob(element, task, jobId: nextId("j"), attempt: 1, boundaries: armBoundaryEvents(of: element))
    }

    mutating func dispatchJob(_ element: FlowElement, _ task: ServiceTask, jobId: String, attempt: Int, boundaries: [BoundaryTimer]) {
        let payload = Value.context(task.parameters.mapValues { $0.render(state.variables) })
        effects.append(.dispatchJob(JobRecord(id: jobId, instanceId: state.id, definitionId: definition.id, elementId: element.id,
                                              action: task.action, payload: payload, attempt: attempt, createdAt: now)))
        wait(at: element, .job(jobId: jobId, attempt: attempt), boundaries: boundaries)
    }

    mutating func jobCompleted(_ jobId: String, output: [String: Value]) throws(CommandRejection) {
        guard let i = state.tokens.firstIndex(where: { if case .job(let j, _) = $0.wait { j == jobId } else { false } }) else {
            throw .stale("instance \(state.id) does not wait for job \(jobId)")
        }
        let token = removeToken(at: i, cancelWait: false)
        guard let element = definition.element(token.elementId) else { return }
        if !element.outputs.isEmpty {
            // output mappings: only the mapped values reach the process variables
            let scope = state.variables.merging(output) { _, o in o }
            for (target, source) in element.outputs { state.variables[target] = source.evaluate(scope) }
            leave(element, applyOutputs: false)
            return
        }
        if case .serviceTask(let task) = element.kind, let rv = task.resultVariable {
            state.variables[rv] = .context(output)
        } else {
            state.variables.merge(output) { _, new in new }
        }
        leave(element)
    }

    mutating func jobFailed(_ jobId: String, message: String, retryable: Bool, incidentType: String) throws(CommandRejection) {
        guard let i = state.tokens.firstIndex(where: { if case .job(let j, _) = $0.wait { j == jobId } else { false } }),
              case .job(_, let attempt) = state.tokens[i].wait,
              let element = definition.element(state.tokens[i].elementId),
              case .serviceTask(let task) = element.kind
        else { throw .stale("instance \(state.id) does not wait for job \(jobId)") }
        record(element, "failed", data: .context(["attempt": .number(Double(attempt)), "message": .string(message)]))
        if retryable, attempt <= task.retry.retries {
            let tid = nextId("t")
            let due = now.addingTimeInterval(task.retry.delay(beforeRetry: attempt))
            effects.append(.scheduleTimer(TimerRecord(id: tid, instanceId: state.id, elementId: element.id, dueAt: due)))
            state.tokens[i].wait = .retry(timerId: tid, jobId: jobId, attempt: attempt + 1)
            return
        }
        removeToken(at: i, cancelWait: false)  // its timeouts stop while an operator looks at it
        let summary = retryable ? "\(message) (failed \(attempt) time\(attempt == 1 ? "" : "s"), no retries left)" : message
        raiseIncident(at: element, type: incidentType, message: summary, jobId: jobId)
    }

    mutating func retryJob(tokenIndex i: Int, jobId: String, attempt: Int) {
        guard let element = definition.element(state.tokens[i].elementId), case .serviceTask(let task) = element.kind else { return }
        let boundaries = state.tokens[i].boundaryTimers
        state.tokens.remove(at: i)
        dispatchJob(element, task, jobId: jobId, attempt: attempt, boundaries: boundaries)
    }
}
