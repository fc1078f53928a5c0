import Foundation

/// Reading and deploy-time checks of compensation and transactions (BPMN 2.0.2 §10.6.5,
/// §13.5.5): what the engine cannot run the way the specification states is refused with
/// its location, the element and the rule.
extension BPMNDefinitionReader.Reader {
    /// A `compensateEventDefinition` of a throw or end event.
    mutating func compensationThrow(_ d: XMLElement, _ c: XMLElement) -> CompensationThrow? {
        let wait = d.attributes["waitForCompletion"]
        if let wait, wait != "true", wait != "false" {
            error("waitForCompletion of '\(c.attributes["id"] ?? "")' is '\(wait)': it is true or false", d)
            return nil
        }
        return CompensationThrow(activityRef: d.attributes["activityRef"], waitForCompletion: wait != "false")
    }

    /// The activity an association joins to a compensation boundary event (either direction).
    func compensationHandlerRef(of boundaryId: String) -> String? {
        for a in associations {
            if a.source == boundaryId { return a.target }
            if a.target == boundaryId { return a.source }
        }
        return nil
    }

    /// The rules of compensation and transactions, over the elements and flows of a process.
    mutating func checkCompensation(_ elements: [FlowElement], _ flows: [SequenceFlow]) {
        let byId = Dictionary(elements.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var handlers: Set<String> = []
        for e in elements {
            let at = e.location ?? SourceLocation(file: file, line: 1, column: 1)
            func refuse(_ m: String) { errors.append(DefinitionError(m, at: at)) }
            switch e.kind {
            case .boundaryEvent(let b):
                if case .compensation(let h) = b.trigger {
                    if let h { handlers.insert(h) }
                    checkCompensationBoundary(e, b, byId, flows, refuse)
                }
                if case .cancel = b.trigger { checkCancelBoundary(e, b, byId, elements, refuse) }
            case .compensationThrowEvent(let t):
                checkCompensationThrow(e, t, byId, elements, refuse)
            case .cancelEndEvent:
                guard let tx = enclosingTransaction(e, byId) else {
                    refuse("cancel end event '\(e.id)' is not inside a transaction: BPMN 2.0 (§10.6.5) uses it only "
                        + "within a transaction sub-process")
                    break
                }
                let caught = elements.contains { x in
                    guard case .boundaryEvent(let b) = x.kind, b.attachedTo == tx.id else { return false }
                    if case .cancel = b.trigger { return true } else { return false }
                }
                if !caught {
                    refuse("cancel end event '\(e.id)': transaction '\(tx.id)' has no cancel boundary event to "
                        + "continue at once it is cancelled")
                }
            case .eventStartEvent(.compensation, _):
                if byId[e.parent ?? ""]?.parent == nil {
                    refuse("compensation start event '\(e.id)': a compensation event sub-process belongs in a "
                        + "sub-process (it compensates that sub-process once it has completed), not in the process")
                }
            default:
                break
            }
        }
        for e in elements where e.isForCompensation {
            let at = e.location ?? SourceLocation(file: file, line: 1, column: 1)
            if !handlers.contains(e.id) {
                errors.append(DefinitionError("'\(e.id)' is marked isForCompensation but no compensation boundary "
                    + "event is associated with it: add the boundary event and an association to this handler", at: at))
            }
            if flows.contains(where: { $0.source == e.id || $0.target == e.id }) {
                errors.append(DefinitionError("compensation handler '\(e.id)' has sequence flows: BPMN 2.0 (§10.6.5) "
                    + "gives a compensation activity no incoming or outgoing sequence flows", at: at))
            }
        }
    }

    func checkCompensationBoundary(_ e: FlowElement, _ b: BoundaryEvent, _ byId: [String: FlowElement],
                                   _ flows: [SequenceFlow], _ refuse: (String) -> Void)
    {
        guard let h = b.handler else {
            refuse("compensation boundary event '\(e.id)' has no association to a compensation handler "
                + "(an activity with isForCompensation=\"true\")")
            return
        }
        if byId[h]?.isForCompensation != true {
            refuse("compensation boundary event '\(e.id)' is associated with '\(h)', which is not an activity "
                + "marked isForCompensation=\"true\"")
        }
        if flows.contains(where: { $0.source == e.id }) {
            refuse("compensation boundary event '\(e.id)' has outgoing sequence flows: its handler is joined by an "
                + "association only (§10.6.5)")
        }
        if byId[h]?.parent != byId[b.attachedTo]?.parent {
            refuse("compensation handler '\(h)' of '\(b.attachedTo)' is not in the same scope as that activity")
        }
    }

    func checkCancelBoundary(_ e: FlowElement, _ b: BoundaryEvent, _ byId: [String: FlowElement],
                             _ elements: [FlowElement], _ refuse: (String) -> Void)
    {
        guard let tx = byId[b.attachedTo], tx.bpmnType == "transaction" else {
            refuse("cancel boundary event '\(e.id)' is attached to '\(b.attachedTo)', which is not a transaction "
                + "(§10.6.5: a cancel event is attached to a transaction sub-process)")
            return
        }
        if tx.loop != nil {
            refuse("cancel boundary event '\(e.id)' on the multi-instance transaction '\(tx.id)' is not supported yet")
        }
        let cancels = elements.filter { x in
            guard case .boundaryEvent(let o) = x.kind, o.attachedTo == tx.id else { return false }
            if case .cancel = o.trigger { return true } else { return false }
        }
        if cancels.count > 1, cancels.first?.id != e.id {
            refuse("transaction '\(tx.id)' has more than one cancel boundary event ('\(e.id)')")
        }
    }

    func checkCompensationThrow(_ e: FlowElement, _ t: CompensationThrow, _ byId: [String: FlowElement],
                                _ elements: [FlowElement], _ refuse: (String) -> Void)
    {
        guard let ref = t.activityRef else { return }
        guard let target = byId[ref] else {
            refuse("compensation event '\(e.id)' has activityRef '\(ref)', which names no element of the process")
            return
        }
        // thrown in an event sub-process, the event compensates the sub-process around it
        var scope = e.parent
        if let p = scope, case .subProcess(true)? = byId[p]?.kind { scope = byId[p]?.parent }
        if target.parent != scope {
            refuse("compensation event '\(e.id)' has activityRef '\(ref)', which is not an activity of its scope "
                + "(§10.6.5: the activity is in the same scope as the event)")
        }
        let compensable: Bool
        if case .subProcess(false) = target.kind { compensable = true } else {
            compensable = elements.contains { x in
                if case .boundaryEvent(let b) = x.kind, b.attachedTo == ref { b.isCompensation } else { false }
            }
        }
        if !compensable {
            refuse("compensation event '\(e.id)' has activityRef '\(ref)', which has no compensation boundary event "
                + "(and is not a sub-process): there is nothing to compensate")
        }
    }

    /// The transaction a cancel end event is in (through nested sub-processes).
    func enclosingTransaction(_ e: FlowElement, _ byId: [String: FlowElement]) -> FlowElement? {
        var p = e.parent
        for _ in 0..<byId.count {
            guard let id = p, let s = byId[id] else { return nil }
            if s.bpmnType == "transaction" { return s }
            if case .subProcess(true) = s.kind { return nil }
            p = s.parent
        }
        return nil
    }
}

extension BoundaryEvent {
    /// A compensation boundary event's handler.
    public var handler: String? { if case .compensation(let h) = trigger { h } else { nil } }
    /// Whether it is a compensation boundary event (entered by compensation, never by a trigger).
    public var isCompensation: Bool { if case .compensation = trigger { true } else { false } }
}
