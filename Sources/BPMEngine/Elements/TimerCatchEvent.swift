import BPMModel

extension Run {
    /// An intermediate timer event waits for its duration, then moves on.
    mutating func activateTimerCatchEvent(_ element: FlowElement, _ timer: TimerDefinition, scope: String?) {
        record(element, "activated", scope: scope)
        guard let (due, _) = firstOccurrence(of: timer, scope: scope) else { return }  // settled by an incident
        let tid = nextId("t")
        effects.append(.scheduleTimer(TimerRecord(id: tid, instanceId: state.id, elementId: element.id, dueAt: due)))
        // a YAML timer wait may carry conditional boundary events (`on_condition`)
        wait(at: element, .timer(timerId: tid), scope: scope, boundaries: armBoundaryEvents(of: element, scope: scope))
    }

    mutating func timerCatchEventFired(tokenIndex i: Int) {
        let token = removeToken(at: i, cancelWait: false)
        guard let element = definition.element(token.elementId) else { return }
        leave(element, scope: token.scope)
    }
}
