import BPMExpressions
import BPMModel
import Foundation

/// Commands to their processors: one case per command, each handled where its element kind lives.
extension Run {
    /// Applies one command to the working state (without draining).
    mutating func applyCommand(_ command: Command) throws(CommandRejection) {
        switch command {
        case .timerFired(let timerId):
            try timerFired(timerId)
        case .jobCompleted(let jobId, let output):
            try jobCompleted(jobId, output: output)
        case .jobCompletedWithResult(let jobId, let output, let result):
            try listenerJobCompleted(jobId, output: output, result: result)
        case .assignUserTask(let taskId, let assignee):
            try assignUserTask(taskId, assignee: assignee)
        case .adHocJobCompleted(let jobId, let output, let result):
            try adHocJobCompleted(jobId, output: output, result: result)
        case .jobFailed(let jobId, let message, let retryable, let type):
            try jobFailed(jobId, message: message, retryable: retryable, incidentType: type)
        case .jobThrewError(let jobId, let code, let message):
            try jobThrewError(jobId, code: code, message: message)
        case .jobFailedWithRetries(let jobId, let message, let retries, let backoff, let variables):
            try jobFailed(jobId, message: message, retries: retries, backoff: backoff, variables: variables)
        case .jobThrewErrorOrIncident(let jobId, let code, let message, let variables):
            try jobThrewErrorOrIncident(jobId, code: code, message: message, variables: variables)
        case .setJobRetries(let jobId, let retries):
            try setJobRetries(jobId, retries: retries)
        case .correlateMessage(let subscriptionId, let variables):
            try correlateMessage(subscriptionId, variables: variables)
        case .childCompleted(let tokenId, let variables):
            try childCompleted(tokenId, variables: variables)
        case .childFailed(let tokenId, let code, let message):
            try childFailed(tokenId, code: code, message: message)
        case .childStartFailed(let tokenId, let message):
            try childStartFailed(tokenId, message: message)
        case .completeUserTask(let taskId, let variables):
            try completeUserTask(taskId, variables: variables)
        case .correlate(let variables):
            state.variables.merge(variables) { _, new in new }
            record(definition.id, "process", "correlated", data: .context(variables))
        case .setVariables(let variables):
            state.variables.merge(variables) { _, new in new }
            record(definition.id, "process", "variables_set", data: .context(variables))
        case .setScopedVariables(let elementInstance, let variables, let local):
            try setScopedVariables(elementInstance, variables, local: local)
        case .retryIncident(let incidentId):
            try retryIncident(incidentId)
        case .resolveIncident(let incidentId, let variables):
            try resolveIncident(incidentId, variables: variables)
        case .cancel(let reason):
            terminateAllTokens()
            state.compensable = []
            state.status = .terminated
            state.endedAt = now
            state.held = []
            record(definition.id, "process", "cancelled", data: reason.map { .context(["reason": .string($0)]) })
        case .modify(let m):
            try modify(m)
        case .suspend:
            guard state.status == .running else { throw .invalid("instance \(state.id) is already suspended") }
            state.status = .suspended
            record(definition.id, "process", "suspended")
        case .resume:
            throw .invalid("instance \(state.id) is not suspended")
        }
    }
}
