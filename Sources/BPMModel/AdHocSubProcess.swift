import BPMExpressions

/// An ad-hoc sub-process as Camunda 8.7+ runs it (BPMN 2.0.2 §10.3.5 Ad-Hoc Sub-Process;
/// Camunda docs "Ad-hoc sub-processes"): its inner elements are not started by a start event;
/// on entry `activeElements` names the ones to activate, and the sub-process completes when
/// `completionCondition` holds after an inner element completed, or when nothing is left inside.
public struct AdHocSubProcess: Sendable {
    /// `zeebe:adHoc activeElementsCollection`: a list of the ids of the inner elements to activate.
    public var activeElements: Expression?
    /// BPMN `completionCondition`: evaluated each time an inner element completes.
    public var completionCondition: Expression?
    /// BPMN `cancelRemainingInstances` (default true): when the condition holds, the elements
    /// still active inside end; otherwise the sub-process waits for them.
    public var cancelRemainingInstances = true
    /// `zeebe:adHoc outputCollection`: a local list, one `outputElement` per completed inner flow,
    /// propagated to the parent scope when the sub-process completes.
    public var outputCollection: String?
    public var outputElement: Expression?
    /// Camunda 8.8's job worker implementation (a `zeebe:taskDefinition` on the sub-process, as
    /// the AI-agent connector uses): a job of this type decides which elements to activate and
    /// when the sub-process is done, instead of `activeElements` and `completionCondition`.
    public var jobWorker: ServiceTask?
    /// `zeebe:properties` of the inner elements, by element id, for `adHocSubProcessElements`.
    public var elementProperties: [String: [String: String]] = [:]

    public init(activeElements: Expression? = nil, completionCondition: Expression? = nil,
                cancelRemainingInstances: Bool = true, outputCollection: String? = nil,
                outputElement: Expression? = nil)
    {
        self.activeElements = activeElements
        self.completionCondition = completionCondition
        self.cancelRemainingInstances = cancelRemainingInstances
        self.outputCollection = outputCollection
        self.outputElement = outputElement
    }
}

extension ProcessDefinition {
    /// The inner elements of an ad-hoc sub-process that can be activated: those without
    /// incoming flows (boundary events and event sub-processes excepted).
    public func adHocActivatable(in adHocId: String) -> [FlowElement] {
        elements.filter { e in
            guard e.parent == adHocId, incoming(e.id).isEmpty else { return false }
            switch e.kind {
            case .boundaryEvent, .subProcess(true): return false
            default: return !e.isForCompensation
            }
        }
    }
}

extension FlowElement {
    /// The job an element creates for a worker: a service task's, or the job worker
    /// implementation of an ad-hoc sub-process.
    public var jobTask: ServiceTask? {
        if case .serviceTask(let task) = kind { return task }
        return adHoc?.jobWorker
    }
}
