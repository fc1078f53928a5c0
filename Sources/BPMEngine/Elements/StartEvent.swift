import BPMModel

extension Run {
    /// A none start event: the instance begins here and moves straight on.
    mutating func activateStartEvent(_ element: FlowElement) {
        record(element, "activated")
        leave(element)
    }
}
