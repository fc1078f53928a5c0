import BPMModel

extension Run {
    /// A start event (none, or an event sub-process's): the scope begins here and moves straight on.
    mutating func activateStartEvent(_ element: FlowElement, scope: String?) {
        record(element, "activated", scope: scope)
        leave(element, scope: scope)
    }
}
