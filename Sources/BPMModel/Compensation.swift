/// Compensation and transactions in the model (BPMN 2.0.2 §10.6.5, §13.5.5).

/// A compensation throw event: which completed activities of its scope it compensates.
public struct CompensationThrow: Sendable {
    /// The activity to compensate (nil: every completed activity of the scope).
    public var activityRef: String?
    /// Whether the path waits until the handlers have completed (Camunda 8 always waits).
    public var waitForCompletion: Bool

    public init(activityRef: String? = nil, waitForCompletion: Bool = true) {
        self.activityRef = activityRef
        self.waitForCompletion = waitForCompletion
    }
}

extension ProcessDefinition {
    /// The compensation handler of an activity: the activity associated with its compensation
    /// boundary event.
    public func compensationHandler(of activityId: String) -> FlowElement? {
        for b in boundaryEvents(of: activityId) {
            if case .boundaryEvent(let be) = b.kind, case .compensation(let h?) = be.trigger { return element(h) }
        }
        return nil
    }

    /// The cancel boundary event of a transaction.
    public func cancelBoundary(of transactionId: String) -> FlowElement? {
        boundaryEvents(of: transactionId).first { b in
            if case .boundaryEvent(let be) = b.kind, case .cancel = be.trigger { true } else { false }
        }
    }

    /// The start event of the compensation event sub-process directly inside a sub-process.
    public func compensationStart(in subProcessId: String) -> FlowElement? {
        for esp in eventSubProcesses(in: subProcessId) {
            let start = elements.first { e in
                guard e.parent == esp.id, case .eventStartEvent(.compensation, _) = e.kind else { return false }
                return true
            }
            if let start { return start }
        }
        return nil
    }

    /// Whether an element is a transaction sub-process.
    public func isTransaction(_ elementId: String) -> Bool { element(elementId)?.bpmnType == "transaction" }
}
