import BPMExpressions
import BPMModel
import Foundation

/// The commands that reach a waiting path by what it waits for rather than by its element
/// kind: a timer (of a timer event, a boundary event, a retry, an event sub-process or the
/// process timeout) and an operator's retry or resolution of an incident.
extension Run {
    mutating func timerFired(_ timerId: String) throws(CommandRejection) {
        if let limit = definition.timeout, state.processTriggers.contains(where: { $0.timerId == timerId && $0.boundaryElementId == ProcessTimeout.triggerId }) {
            state.processTriggers.removeAll { $0.timerId == timerId }
            let message = "the instance ran longer than its timeout of \(DurationParser.describe(limit.after))"
            switch limit.action {
            case .fail:
                failInstance(code: "process_timeout", message: message)
            case .terminate:
                terminateAllTokens()
                state.compensable = []
                state.status = .terminated
                state.endedAt = now
                state.held = []
                record(definition.id, "process", "cancelled", data: .context(["reason": .string(message)]))
            }
            return
        }
        if let t = state.processTriggers.first(where: { $0.timerId == timerId }), let start = definition.element(t.boundaryElementId) {
            triggerEventSubProcess(start: start, scope: nil)
            rearmEventSubProcessTimer(t, start, scope: nil)
            return
        }
        if listenerRetryTimerFired(timerId) { return }
        for (i, token) in state.tokens.enumerated() {
            switch token.wait {
            case .timer(let t) where t == timerId:
                timerCatchEventFired(tokenIndex: i)
                return
            case .retry(let t, let jobId, let attempt) where t == timerId:
                retryJob(tokenIndex: i, jobId: jobId, attempt: attempt)
                return
            case .eventGateway(let armed):
                if let a = armed.first(where: { $0.timerId == timerId }) {
                    eventGatewayTriggered(tokenIndex: i, a)
                    return
                }
            default:
                if let b = token.boundaryTimers.first(where: { $0.timerId == timerId }) {
                    boundaryTimerFired(tokenIndex: i, b)
                    return
                }
            }
        }
        throw .stale("no path of instance \(state.id) waits for timer \(timerId)")
    }

    mutating func resolveIncident(_ incidentId: String, variables: [String: Value]) throws(CommandRejection) {
        if try listenerIncidentSettled(incidentId, resolvedWith: variables) { return }
        guard let i = state.tokens.firstIndex(where: { $0.wait == .incident(incidentId: incidentId) }),
              let element = definition.element(state.tokens[i].elementId)
        else { throw .invalid("instance \(state.id) has no open incident \(incidentId)") }
        switch element.kind {
        case .serviceTask, .scriptTask, .callActivity, .userTask, .passThrough: break
        default:
            throw .invalid("the incident is at \(element.typeName) '\(element.id)', which has no result to stand in for: fix the cause (variables) and retry it instead")
        }
        let token = removeToken(at: i, cancelWait: false)
        state.incidents.removeAll { $0.id == incidentId }
        effects.append(.resolveIncident(id: incidentId))
        record(element, "incident_resolved", data: .context(["incident": .string(incidentId), "retried": .bool(false)]))
        setVariables(variables, scope: token.scope)
        leave(element, scope: token.scope)
    }

    mutating func retryIncident(_ incidentId: String) throws(CommandRejection) {
        if try listenerIncidentSettled(incidentId, resolvedWith: nil) { return }
        guard let i = state.tokens.firstIndex(where: { $0.wait == .incident(incidentId: incidentId) }),
              let incident = state.incidents.first(where: { $0.id == incidentId }),
              let element = definition.element(state.tokens[i].elementId)
        else { throw .invalid("instance \(state.id) has no open incident \(incidentId)") }
        let scope = state.tokens[i].scope
        state.tokens.remove(at: i)
        state.incidents.removeAll { $0.id == incidentId }
        effects.append(.resolveIncident(id: incidentId))
        record(element, "incident_resolved", data: .context(["incident": .string(incidentId)]))
        if let task = element.jobTask, let jobId = incident.jobId {
            let attempt = incident.retries.map { task.attempt(leaving: $0) } ?? 1
            // an ad-hoc sub-process's job waits inside its scope, whose boundary events stay armed
            let boundaries = element.adHoc == nil ? armBoundaryEvents(of: element, scope: scope) : []
            dispatchJob(element, task, jobId: jobId, attempt: attempt, scope: scope, boundaries: boundaries)
            settleTimerFailure(element, scope: scope)
        } else {
            activate(element, via: nil, scope: scope, inner: true, listeners: false)
        }
    }
}
