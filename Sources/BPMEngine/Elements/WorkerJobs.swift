import BPMExpressions
import BPMModel
import Foundation

extension ServiceTask {
    /// The job's retries left at an attempt, Zeebe's way: the task's attempts (its retries
    /// plus the first) minus those made before this one.
    public func retriesLeft(atAttempt attempt: Int) -> Int { retry.retries + 2 - attempt }

    /// The attempt at which `retries` are left (below 1 when more are left than the task has).
    public func attempt(leaving retries: Int) -> Int { retry.retries + 2 - retries }
}

/// Jobs reported through Camunda's protocols, with Zeebe's semantics: the worker says how
/// many retries are left, errors carry variables, and uncaught errors raise incidents.
extension Run {
    private func jobToken(
        _ jobId: String
    ) throws(CommandRejection) -> (index: Int, element: FlowElement, task: ServiceTask) {
        guard
            let i = state.tokens.firstIndex(where: { if case .job(let j, _) = $0.wait { j == jobId } else { false } }),
            let element = definition.element(state.tokens[i].elementId),
            let task = element.jobTask
        else { throw .stale("instance \(state.id) does not wait for job \(jobId)") }
        return (i, element, task)
    }

    mutating func jobFailed(
        _ jobId: String, message: String, retries: Int, backoff: Double,
        variables: [String: Value]
    ) throws(CommandRejection) {
        if let i = listenerTokenIndex(jobId) {
            listenerJobFailed(tokenIndex: i, message: message, retries: retries, backoff: backoff, variables: variables)
            return
        }
        let (i, element, task) = try jobToken(jobId)
        let scope = state.tokens[i].scope
        guard case .job(_, let attempt) = state.tokens[i].wait else { return }
        setVariables(variables, scope: scope)
        record(
            element, "failed", scope: scope,
            data: .context([
                "attempt": .number(Double(attempt)),
                "message": .string(message),
                "retries": .number(Double(retries)),
            ]))
        guard retries > 0 else {
            removeToken(at: i, cancelWait: false)
            raiseIncident(
                at: element, scope: scope, type: "job_no_retries",
                message: message.isEmpty ? "No more retries left." : message, jobId: jobId)
            return
        }
        let next = task.attempt(leaving: retries)
        if backoff > 0 {
            let tid = nextId("t")
            effects.append(
                .scheduleTimer(
                    TimerRecord(
                        id: tid, instanceId: state.id, elementId: element.id,
                        dueAt: now.addingTimeInterval(backoff))))
            state.tokens[i].wait = .retry(timerId: tid, jobId: jobId, attempt: next)
        } else {
            retryJob(tokenIndex: i, jobId: jobId, attempt: next)
        }
    }

    mutating func jobThrewErrorOrIncident(
        _ jobId: String, code: String, message: String?,
        variables: [String: Value]
    ) throws(CommandRejection) {
        if listenerTokenIndex(jobId) != nil { throw Self.listenerErrorRefusal(jobId) }
        let (i, element, _) = try jobToken(jobId)
        setVariables(variables, scope: state.tokens[i].scope)
        var trial = self
        try trial.jobThrewError(jobId, code: code, message: message)
        guard trial.state.status == .failed, state.parent == nil else {
            self = trial
            return
        }
        // nothing catches it (a called instance's error goes on to its caller, which may)
        let scope = state.tokens[i].scope
        record(element, "error_thrown", data: .context(["code": .string(code)]))
        removeToken(at: i, cancelWait: false)
        let text =
            "Expected to throw an error event with the code '\(code)'"
            + (message.map { " with message '\($0)'" } ?? "") + ", but it was not caught."
        raiseIncident(at: element, scope: scope, type: "unhandled_error_event", message: text, jobId: jobId)
    }

    mutating func setJobRetries(_ jobId: String, retries: Int) throws(CommandRejection) {
        if setListenerRetries(jobId, retries: retries) { return }
        if let n = state.incidents.firstIndex(where: { $0.jobId == jobId }) {
            state.incidents[n].retries = retries
            return
        }
        let (i, element, task) = try jobToken(jobId)
        let scope = state.tokens[i].scope
        record(element, "retries_set", scope: scope, data: .context(["retries": .number(Double(retries))]))
        retryJob(tokenIndex: i, jobId: jobId, attempt: task.attempt(leaving: retries))
    }
}
