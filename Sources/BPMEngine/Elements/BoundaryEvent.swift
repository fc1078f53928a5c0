import BPMExpressions
import BPMModel

extension Run {
    /// A boundary timer (a timeout) or message arrived while its activity waits: an interrupting one ends
    /// the activity (cancelling its job, task, timer or everything inside it) and continues on
    /// the boundary's flows; a non-interrupting one leaves the activity waiting and starts a
    /// second path. (Error boundary events are entered through `throwError`.)
    mutating func boundaryTimerFired(tokenIndex i: Int, _ timer: BoundaryTimer, variables values: [String: Value] = [:]) {
        if let start = definition.element(timer.boundaryElementId), case .eventStartEvent = start.kind {
            let scope = state.tokens[i].id  // armed on the sub-process token: its scope
            triggerEventSubProcess(start: start, scope: scope, variables: values)
            rearmEventSubProcessTimer(timer, start, scope: scope)
            return
        }
        guard let boundary = definition.element(timer.boundaryElementId),
              case .boundaryEvent(let be) = boundary.kind else { return }
        let scope = state.tokens[i].scope
        if be.interrupting {
            recordTerminated(removeToken(at: i, cancelWait: true))
        } else {
            // a condition stays armed (it fires again after being false); a fired timer or message does not
            if case .condition = be.trigger {} else {
                state.tokens[i].boundaryTimers.removeAll { $0.timerId == timer.timerId }
            }
            // a cycle fires again at its next occurrence while the activity is active
            if case .timer(let t) = be.trigger, let next = nextOccurrence(after: timer, t) {
                state.tokens[i].boundaryTimers.append(next)
            }
        }
        record(boundary, "activated")
        leave(boundary, scope: scope)
    }
}
