import BPMExpressions

private typealias X = BPMNWriterExpressions

/// Events as BPMN: their event definitions, timers and the shared messages and errors they name.
extension BPMNWriter.Writer {
    mutating func eventParts(_ e: FlowElement, _ p: inout BPMNNodeParts) -> Bool {
        switch e.kind {
        case .timerStartEvent(let s):
            guard let t = scheduleNode(s, e) else { return false }
            p.body.append(XMLNode("bpmn:timerEventDefinition", [], [t]))
        case .endEvent(let end):
            return endParts(e, end, &p)
        case .timerCatchEvent(let t):
            guard let n = timerNode(t, e) else { return false }
            p.body.append(n)
        case .boundaryEvent(let b):
            return boundaryParts(e, b, &p)
        case .messageCatchEvent(let m):
            messageParts(m, &p, task: e.bpmnType == "receiveTask")
        case .compensationThrowEvent(let c):
            let wait = c.waitForCompletion ? "true" : "false"
            p.body.append(XMLNode("bpmn:compensateEventDefinition",
                                  [("activityRef", c.activityRef), ("waitForCompletion", wait)]))
        case .signalThrowEvent(let name):
            p.body.append(XMLNode("bpmn:signalEventDefinition", [("signalRef", signalRef(name))]))
        case .escalationThrowEvent(let code):
            p.body.append(XMLNode("bpmn:escalationEventDefinition", [("escalationRef", escalationRef(code))]))
        default:
            refuse(e, "a \(e.typeName) of this kind is not exported yet (the YAML DSL does not write one)")
            return false
        }
        return true
    }

    /// An end event: terminate, error (with its message in `bpm:error`), and its result in `bpm:result`.
    mutating func endParts(_ e: FlowElement, _ end: EndEvent, _ p: inout BPMNNodeParts) -> Bool {
        guard let results = mappings(end.result ?? [:], e, "bpm:result") else { return false }
        p.extensions += results
        if let err = end.error {
            if let m = err.message { p.extensions.append(XMLNode("bpm:error", [("message", m.source)])) }
            p.body.append(XMLNode("bpmn:errorEventDefinition", [("errorRef", errorRef(err.code))]))
        } else if end.terminate {
            p.body.append(XMLNode("bpmn:terminateEventDefinition"))
        }
        return true
    }

    /// A message catch event or receive task; a Kafka/MQTT topic it arrives on goes in `bpm:message`.
    mutating func messageParts(_ m: MessageDefinition, _ p: inout BPMNNodeParts, task: Bool) {
        let ref = messageRef(m)
        if task { p.attributes.append(("messageRef", ref)) } else {
            p.body.append(XMLNode("bpmn:messageEventDefinition", [("messageRef", ref)]))
        }
        let bm = XMLNode("bpm:message", [
            ("topic", m.topic), ("source", m.source), ("keyPath", m.keyPath),
            ("timeToLive", m.timeToLive == 0 ? nil : X.isoDuration(m.timeToLive)),
        ])
        if !bm.attributes.isEmpty { p.extensions.append(bm) }
    }

    mutating func boundaryParts(_ e: FlowElement, _ b: BoundaryEvent, _ p: inout BPMNNodeParts) -> Bool {
        p.attributes.append(("cancelActivity", b.interrupting ? nil : "false"))
        p.attributes.append(("attachedToRef", b.attachedTo))
        switch b.trigger {
        case .timer(let t):
            guard let n = timerNode(t, e) else { return false }
            p.body.append(n)
        case .compensation(let handler):
            p.body.append(XMLNode("bpmn:compensateEventDefinition"))
            if let handler {
                let id = unique(X.ncName(e.id, prefix: "Association_"))
                associations.append(XMLNode("bpmn:association", [("id", id), ("associationDirection", "One"),
                                                                 ("sourceRef", e.id), ("targetRef", handler)]))
            }
        case .error(let code):
            var ref: String?
            if let code { ref = errorRef(code) }
            p.body.append(XMLNode("bpmn:errorEventDefinition", [("errorRef", ref)]))
        case .message(let m):
            p.body.append(XMLNode("bpmn:messageEventDefinition", [("messageRef", messageRef(m))]))
        case .signal(let name):
            p.body.append(XMLNode("bpmn:signalEventDefinition", [("signalRef", signalRef(name))]))
        case .escalation(let code):
            var ref: String?
            if let code { ref = escalationRef(code) }
            p.body.append(XMLNode("bpmn:escalationEventDefinition", [("escalationRef", ref)]))
        case .condition(let c):  // YAML on_condition: BPMN attaches boundary events to activities only
            if case .timerCatchEvent? = def.element(b.attachedTo)?.kind {
                refuse(e, "an on_condition on a timer wait has no BPMN form (boundary events attach to activities): "
                    + "wait in a user or receive task, or in a sub-process holding the timer")
                return false
            }
            let condition = XMLNode("bpmn:condition", [("xsi:type", "bpmn:tFormalExpression")],
                                    text: BPMNWriterExpressions.feel(c))
            p.body.append(XMLNode("bpmn:conditionalEventDefinition", [], [condition]))
        default:
            refuse(e, "a boundary event of this kind is not exported yet (the YAML DSL does not write one)")
            return false
        }
        return true
    }

    /// A timer event definition: `timeDuration`, `timeDate` or `timeCycle`, static or `=FEEL`.
    mutating func timerNode(_ t: TimerDefinition, _ e: FlowElement) -> XMLNode? {
        switch t.when {
        case .fixed(let s):
            return scheduleNode(s, e).map { XMLNode("bpmn:timerEventDefinition", [], [$0]) }
        case .expression(let x, let form):
            let name = switch form {
            case .duration: "bpmn:timeDuration"
            case .date: "bpmn:timeDate"
            case .cycle: "bpmn:timeCycle"
            }
            // bpm:unarmedWhenNull: the YAML `timeout: {at}` that arms nothing when it gives null
            return XMLNode("bpmn:timerEventDefinition", t.unarmedWhenNull ? [("bpm:unarmedWhenNull", "true")] : [],
                           [XMLNode(name, [("xsi:type", "bpmn:tFormalExpression")], text: X.feel(x))])
        }
    }

    /// A static timer value: an ISO 8601 duration, date, repeating interval, or a cron expression.
    mutating func scheduleNode(_ s: TimerSchedule, _ e: FlowElement) -> XMLNode? {
        func value(_ name: String, _ text: String) -> XMLNode {
            XMLNode(name, [("xsi:type", "bpmn:tFormalExpression")], text: text)
        }
        switch s {
        case .duration(let d): return value("bpmn:timeDuration", X.isoDuration(d))
        case .date(let d): return value("bpmn:timeDate", X.isoDate(d))
        case .cycle(let reps, let interval, let start):
            let r = "R" + (reps.map(String.init) ?? "")
            return value("bpmn:timeCycle", ([r] + (start.map { [X.isoDate($0)] } ?? []) + [X.isoDuration(interval)])
                .joined(separator: "/"))
        case .cron(let c):
            if c.timeZone.identifier != "UTC", !isStartOfTimerTrigger(e) {
                refuse(e, "a cron timer in time zone \(c.timeZone.identifier): BPMN cron cycles are evaluated in UTC")
                return nil
            }
            return value("bpmn:timeCycle", c.text)
        }
    }

    /// The start event of a YAML timer trigger: its exact schedule (time zone included) is in `bpm:dsl`.
    func isStartOfTimerTrigger(_ e: FlowElement) -> Bool {
        if case .timerStartEvent = e.kind, e.parent == nil, def.trigger?.schedule != nil { true } else { false }
    }
}
