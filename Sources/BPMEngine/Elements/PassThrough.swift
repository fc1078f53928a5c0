import BPMModel

extension Run {
    /// Plain and manual tasks and none intermediate throw events: the token passes straight on.
    mutating func activatePassThrough(_ element: FlowElement, scope: String?) {
        record(element, "activated", scope: scope)
        leave(element, scope: scope)
    }
}
