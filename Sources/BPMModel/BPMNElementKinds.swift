import BPMExpressions
import Foundation

private let bpmnNS = BPMNDefinitionReader.bpmnNS
private let zeebeNS = BPMNDefinitionReader.zeebeNS

/// The BPMN element kinds, one reader each (as the engine has one file per element kind):
/// adding an element touches one function here, one engine file and their tests.
extension BPMNDefinitionReader.Reader {
    /// An element being read: its XML, id, event definitions, and how its `FlowElement` is
    /// made (with its name, location, default flow and output mappings).
    struct Draft {
        let c: XMLElement
        let id: String
        let defs: [XMLElement]
        let executable: Bool
        let parent: String?
        let make: (ElementKind, String?) -> FlowElement
    }

    /// Reads an element by its kind; nil (with the error recorded) when it cannot be run.
    mutating func readKind(_ d: Draft) -> FlowElement? {
        switch d.c.name {
        case "startEvent": return readStartEvent(d)
        case "endEvent": return readEndEvent(d)
        case "intermediateThrowEvent": return readThrowEvent(d)
        case "intermediateCatchEvent": return readCatchEvent(d)
        case "boundaryEvent": return readBoundaryEvent(d)
        case "task", "manualTask": return readTask(d)
        case "serviceTask", "sendTask", "businessRuleTask": return readServiceTask(d)
        case "userTask": return readUserTask(d)
        case "scriptTask": return readScriptTask(d)
        case "exclusiveGateway": return readExclusiveGateway(d)
        case "parallelGateway": return readParallelGateway(d)
        case "inclusiveGateway": return readInclusiveGateway(d)
        case "eventBasedGateway": return readEventBasedGateway(d)
        case "complexGateway": return readComplexGateway(d)
        case "subProcess": return readSubProcess(d)
        case "transaction": return readTransaction(d)
        case "adHocSubProcess": return readAdHocSubProcess(d)
        case "callActivity": return readCallActivity(d)
        case "receiveTask": return readReceiveTask(d)
        default:
            unsupported(d.c, "not a flow element this engine knows")
            return nil
        }
    }

    /// A start event: none, message, timer or signal (of a process), or the start of an event sub-process.
    mutating func readStartEvent(_ d: Draft) -> FlowElement? {
        let c = d.c, defs = d.defs, executable = d.executable, parent = d.parent
        func el(_ kind: ElementKind, type: String? = nil) -> FlowElement { d.make(kind, type) }
            let inEventSubProcess = c.parent?.name == "subProcess" && c.parent?.attributes["triggeredByEvent"] == "true"
            if inEventSubProcess {
                let interrupting = c.attributes["isInterrupting"] != "false"
                switch defs.first?.name {
                case "errorEventDefinition":
                    return el(.eventStartEvent(.error(code: defs[0].attributes["errorRef"].flatMap { errorCodes[$0] }), interrupting: interrupting))
                case "escalationEventDefinition":
                    return el(.eventStartEvent(.escalation(code: defs[0].attributes["escalationRef"].flatMap { escalationCodes[$0] }), interrupting: interrupting))
                case "timerEventDefinition":
                    let t = executable ? timer(defs[0], c, cycles: !interrupting) : quietTimer(defs[0], c, cycles: true)
                    guard let t else { return nil }
                    return el(.eventStartEvent(.timer(t), interrupting: interrupting))
                case "messageEventDefinition":
                    return el(.eventStartEvent(.message(message(defs[0].attributes["messageRef"])), interrupting: interrupting))
                case "signalEventDefinition":
                    return el(.eventStartEvent(.signal(signal(defs[0])), interrupting: interrupting))
                case "conditionalEventDefinition":
                    guard let condition = condition(defs[0], c) else { return nil }
                    return el(.eventStartEvent(.condition(condition), interrupting: interrupting))
                case "compensateEventDefinition":
                    if !interrupting {
                        error("compensation start event '\(d.id)' has isInterrupting=\"false\": a compensation "
                            + "event sub-process runs after its sub-process completed, so there is nothing to "
                            + "interrupt or not", c)
                        return nil
                    }
                    return el(.eventStartEvent(.compensation(handler: nil), interrupting: true))
                default:
                    unsupported(c, "event sub-processes started by \(defs.first?.name ?? "no event definition") "
                        + "are not supported yet (error, escalation, timer, message, signal, conditional and compensation start events are)")
                    return nil
                }
            }
            if let d = defs.first, d.name == "messageEventDefinition", parent == nil {
                return el(.messageStartEvent(message(d.attributes["messageRef"])))
            }
            if let d = defs.first, d.name == "signalEventDefinition", parent == nil {
                return el(.signalStartEvent(signal: signal(d)))
            }
            if let d = defs.first, d.name == "timerEventDefinition", parent == nil {
                guard let schedule = executable ? timerSchedule(d, c) : (timerSchedule(d, c, quiet: true) ?? .duration(0)) else { return nil }
                return el(.timerStartEvent(schedule))
            }
            if let d = defs.first, d.name == "conditionalEventDefinition" {
                unsupported(c, "a process's conditional start event is not supported yet (conditional start events of "
                    + "event sub-processes are; to start instances when a condition over an event holds, use a "
                    + "trigger with a condition)")
                return nil
            }
            if let d = defs.first { unsupported(c, "start events with \(d.name) are not supported yet (none, message, timer and signal start events are)"); return nil }
            return el(.startEvent)
    }

    /// An end event: none, terminate, error, message, signal or escalation.
    mutating func readEndEvent(_ d: Draft) -> FlowElement? {
        let c = d.c, defs = d.defs
        func el(_ kind: ElementKind, type: String? = nil) -> FlowElement { d.make(kind, type) }
            guard let d = defs.first else { return el(.endEvent(EndEvent())) }
            switch d.name {
            case "terminateEventDefinition": return el(.endEvent(EndEvent(terminate: true)))
            case "compensateEventDefinition":
                return compensationThrow(d, c).map { el(.compensationThrowEvent($0), type: "endEvent") }
            case "cancelEventDefinition": return el(.cancelEndEvent)
            case "messageEventDefinition": return el(.messageThrowEvent(message(d.attributes["messageRef"])), type: "endEvent")
            case "signalEventDefinition": return el(.signalThrowEvent(signal: signal(d)), type: "endEvent")
            case "escalationEventDefinition": return el(.escalationThrowEvent(code: escalation(d)), type: "endEvent")
            case "errorEventDefinition":
                let code = d.attributes["errorRef"].flatMap { errorCodes[$0] } ?? "error"
                return el(.endEvent(EndEvent(error: ErrorDefinition(code: code))))
            default:
                unsupported(c, "end events with \(d.name) are not supported yet")
                return nil
            }
    }

    /// An intermediate throw event: none, signal, message, escalation or link.
    mutating func readThrowEvent(_ d: Draft) -> FlowElement? {
        let c = d.c, defs = d.defs
        func el(_ kind: ElementKind, type: String? = nil) -> FlowElement { d.make(kind, type) }
            guard let d = defs.first else { return el(.passThrough, type: "intermediateThrowEvent") }
            if d.name == "signalEventDefinition" { return el(.signalThrowEvent(signal: signal(d))) }
            if d.name == "messageEventDefinition" { return el(.messageThrowEvent(message(d.attributes["messageRef"]))) }
            if d.name == "escalationEventDefinition" { return el(.escalationThrowEvent(code: escalation(d))) }
            if d.name == "linkEventDefinition" { return el(.linkThrowEvent(name: d.attributes["name"] ?? "")) }
            if d.name == "compensateEventDefinition" {
                return compensationThrow(d, c).map { el(.compensationThrowEvent($0)) }
            }
            unsupported(c, "throw events with \(d.name) are not supported yet (none, signal and message are)")
            return nil
    }

    /// An intermediate catch event: timer, signal, message or link.
    mutating func readCatchEvent(_ d: Draft) -> FlowElement? {
        let c = d.c, defs = d.defs, executable = d.executable
        func el(_ kind: ElementKind, type: String? = nil) -> FlowElement { d.make(kind, type) }
            switch defs.first?.name {
            case "timerEventDefinition":
                guard let t = executable ? timer(defs[0], c, cycles: false) : quietTimer(defs[0], c, cycles: true)
                else { return nil }
                return el(.timerCatchEvent(t))
            case "signalEventDefinition":
                return el(.signalCatchEvent(signal: signal(defs[0])))
            case "messageEventDefinition":
                return el(.messageCatchEvent(message(defs[0].attributes["messageRef"])))
            case "linkEventDefinition":
                return el(.linkCatchEvent(name: defs[0].attributes["name"] ?? ""))
            case "conditionalEventDefinition":
                guard let condition = condition(defs[0], c) else { return nil }
                return el(.conditionalCatchEvent(condition: condition))
            default:
                unsupported(c, "catch events with \(defs.first?.name ?? "no event definition") are not supported yet "
                    + "(timers, signals, messages, links and conditions are)")
                return nil
            }
    }

    /// A boundary event on an activity: timer, error, signal, message or escalation.
    mutating func readBoundaryEvent(_ d: Draft) -> FlowElement? {
        let c = d.c, id = d.id, defs = d.defs, executable = d.executable
        func el(_ kind: ElementKind, type: String? = nil) -> FlowElement { d.make(kind, type) }
            guard let attached = c.attributes["attachedToRef"] else { error("boundary event '\(id)' without attachedToRef", c); return nil }
            let interrupting = c.attributes["cancelActivity"] != "false"
            switch defs.first?.name {
            case "timerEventDefinition":
                let t = executable ? timer(defs[0], c, cycles: !interrupting) : quietTimer(defs[0], c, cycles: true)
                guard let t else { return nil }
                return el(.boundaryEvent(BoundaryEvent(attachedTo: attached, trigger: .timer(t), interrupting: interrupting)))
            case "errorEventDefinition":
                let code = defs[0].attributes["errorRef"].flatMap { errorCodes[$0] }
                return el(.boundaryEvent(BoundaryEvent(attachedTo: attached, trigger: .error(code: code), interrupting: true)))
            case "signalEventDefinition":
                return el(.boundaryEvent(BoundaryEvent(attachedTo: attached, trigger: .signal(signal(defs[0])), interrupting: interrupting)))
            case "messageEventDefinition":
                return el(.boundaryEvent(BoundaryEvent(attachedTo: attached, trigger: .message(message(defs[0].attributes["messageRef"])), interrupting: interrupting)))
            case "conditionalEventDefinition":
                guard let condition = condition(defs[0], c) else { return nil }
                return el(.boundaryEvent(BoundaryEvent(attachedTo: attached, trigger: .condition(condition),
                                                       interrupting: interrupting)))
            case "compensateEventDefinition":
                let handler = compensationHandlerRef(of: id)
                return el(.boundaryEvent(BoundaryEvent(attachedTo: attached, trigger: .compensation(handler: handler))))
            case "cancelEventDefinition":
                if !interrupting {
                    error("cancel boundary event '\(id)' has cancelActivity=\"false\": a cancel boundary event always "
                        + "interrupts its transaction (§10.6.5)", c)
                    return nil
                }
                return el(.boundaryEvent(BoundaryEvent(attachedTo: attached, trigger: .cancel)))
            case "escalationEventDefinition":
                return el(.boundaryEvent(BoundaryEvent(attachedTo: attached, trigger: .escalation(code: defs[0].attributes["escalationRef"].flatMap { escalationCodes[$0] }),
                                                       interrupting: interrupting)))
            default:
                unsupported(c, "boundary events with \(defs.first?.name ?? "no event definition") are not supported yet "
                    + "(timers, errors, signals, messages, escalations and conditions are)")
                return nil
            }
    }

    /// A task without behaviour (task, manual task): it passes through.
    mutating func readTask(_ d: Draft) -> FlowElement? {
        let c = d.c
        func el(_ kind: ElementKind, type: String? = nil) -> FlowElement { d.make(kind, type) }
            return el(.passThrough, type: c.name)
    }

    /// A service, send or business rule task: a job (or a decision, or a message sent directly).
    mutating func readServiceTask(_ d: Draft) -> FlowElement? {
        let c = d.c, id = d.id, executable = d.executable
        func el(_ kind: ElementKind, type: String? = nil) -> FlowElement { d.make(kind, type) }
            if c.name == "businessRuleTask", let cd = zeebe(c, "calledDecision") {
                guard let raw = cd.attributes["decisionId"], let rv = cd.attributes["resultVariable"] else {
                    error("zeebe:calledDecision needs decisionId and resultVariable", cd)
                    return nil
                }
                guard let decision = deployTimeString(raw, cd, "decision id of '\(id)'") else { return nil }
                return el(.serviceTask(ServiceTask.decision(decision, resultVariable: rv)), type: "businessRuleTask")
            }
            if c.name == "sendTask", zeebe(c, "taskDefinition") == nil, let ref = c.attributes["messageRef"] {
                return el(.messageThrowEvent(message(ref)), type: "sendTask")  // publishes directly, without a worker
            }
            return serviceTask(c, id: id, executable: executable).map { el(.serviceTask($0), type: c.name) }
    }

    /// A user task: a person's work, with its assignment, priority, schedule and form.
    mutating func readUserTask(_ d: Draft) -> FlowElement? {
        let c = d.c, id = d.id
        func el(_ kind: ElementKind, type: String? = nil) -> FlowElement { d.make(kind, type) }
            var ut = UserTask()
            if zeebe(c, "assignmentDefinition") == nil { camunda7Assignment(c, &ut, id: id) }
            if let a = zeebe(c, "assignmentDefinition") {
                if let v = a.attributes["assignee"] { ut.assignee = assignee(v, a, id) }
                ut.candidateGroups = deployTimeList(a.attributes["candidateGroups"], a, "candidate groups of '\(id)'")
                ut.candidateUsers = deployTimeList(a.attributes["candidateUsers"], a, "candidate users of '\(id)'")
            }
            if let p = zeebe(c, "priorityDefinition"), let raw = p.attributes["priority"],
               let n = deployTimeInt(raw, p, "priority of '\(id)'")
            {
                ut.priority = n
            }
            if let s = zeebe(c, "taskSchedule") {
                // ISO 8601 date-times, or FEEL expressions ("=…") giving one
                func date(_ name: String) -> TaskDate? {
                    guard let v = s.attributes[name], !v.isEmpty else { return nil }
                    if !v.hasPrefix("="), ISODate.parse(v) == nil {
                        error("\(name) '\(v)' of '\(id)' is not an ISO 8601 date-time such as 2027-01-01T09:00:00Z", s)
                        return nil
                    }
                    let src = v.hasPrefix("=") ? String(v.dropFirst()) : "\"" + v + "\""
                    return expression(src, s, "\(name) of '\(id)'").map(TaskDate.expression)
                }
                ut.due = date("dueDate")
                ut.followUp = date("followUpDate")
            }
            if let f = zeebe(c, "formDefinition") { ut.form = formDefinition(f, embedded: embeddedForms) }
            var task = el(.userTask(ut))
            task.inputs = zeebeInputs(c)
            return task
    }

    /// A script task: a FEEL expression here, or a job for the script handler of another language.
    mutating func readScriptTask(_ d: Draft) -> FlowElement? {
        let c = d.c, id = d.id
        func el(_ kind: ElementKind, type: String? = nil) -> FlowElement { d.make(kind, type) }
            if let z = zeebe(c, "script") {
                guard let rv = z.attributes["resultVariable"], let src = z.attributes["expression"] else {
                    error("zeebe:script needs expression and resultVariable", z)
                    return nil
                }
                guard let e = requiredFEEL(src, z, "script expression of '\(id)'") else { return nil }
                return el(.scriptTask(ScriptTask(assignments: [(rv, e)])))
            }
            // another language (or a bare body): a job for the script handler the application registers
            let format = c.attributes["scriptFormat"] ?? ""
            let body = c.child("script", ns: bpmnNS)?.text ?? ""
            if format.lowercased() == "feel" {
                guard let e = expression(body.trimmingCharacters(in: .whitespacesAndNewlines), c, "script of '\(id)'") else { return nil }
                return el(.scriptTask(ScriptTask(assignments: c.attributes["resultVariable"].map { [($0, e)] } ?? [])))
            }
            var task = ServiceTask(action: "script", parameters: ["format": .constant(.string(format)), "body": .constant(.string(body))],
                                   retry: RetryPolicy(retries: 0))
            task.includeVariables = true
            return el(.serviceTask(task), type: "scriptTask")
    }

    /// An exclusive gateway.
    mutating func readExclusiveGateway(_ d: Draft) -> FlowElement? {
        func el(_ kind: ElementKind, type: String? = nil) -> FlowElement { d.make(kind, type) }
            return el(.exclusiveGateway)
    }

    /// A parallel gateway.
    mutating func readParallelGateway(_ d: Draft) -> FlowElement? {
        func el(_ kind: ElementKind, type: String? = nil) -> FlowElement { d.make(kind, type) }
            return el(.parallelGateway)
    }

    /// An inclusive gateway.
    mutating func readInclusiveGateway(_ d: Draft) -> FlowElement? {
        func el(_ kind: ElementKind, type: String? = nil) -> FlowElement { d.make(kind, type) }
            return el(.inclusiveGateway)
    }

    /// An event-based gateway.
    mutating func readEventBasedGateway(_ d: Draft) -> FlowElement? {
        func el(_ kind: ElementKind, type: String? = nil) -> FlowElement { d.make(kind, type) }
            return el(.eventBasedGateway)
    }

    /// A complex gateway with its activation condition.
    mutating func readComplexGateway(_ d: Draft) -> FlowElement? {
        let c = d.c, id = d.id
        func el(_ kind: ElementKind, type: String? = nil) -> FlowElement { d.make(kind, type) }
            let cond = expressionChild(c, "activationCondition", "activation condition of '\(id)'")
            return el(.complexGateway(activationCondition: cond))
    }

    /// An embedded sub-process, or an event sub-process.
    mutating func readSubProcess(_ d: Draft) -> FlowElement? {
        let c = d.c
        func el(_ kind: ElementKind, type: String? = nil) -> FlowElement { d.make(kind, type) }
            var e = el(.subProcess(triggeredByEvent: c.attributes["triggeredByEvent"] == "true"))
            e.inputs = zeebeInputs(c)
            return e
    }

    /// A transaction sub-process.
    mutating func readTransaction(_ d: Draft) -> FlowElement? {
        let c = d.c
        func el(_ kind: ElementKind, type: String? = nil) -> FlowElement { d.make(kind, type) }
            // a sub-process whose cancellation compensates its completed activities (§10.3.1 Transaction)
            if let method = c.attributes["method"], method != "##Compensate" {
                error("transaction '\(d.id)' has method '\(method)': only ##Compensate (compensation of its "
                    + "completed activities when it is cancelled) is run", c)
                return nil
            }
            var e = el(.subProcess(triggeredByEvent: false), type: "transaction")
            e.inputs = zeebeInputs(c)
            return e
    }

    /// A call activity: another process (or a global script task) called with input mappings.
    mutating func readCallActivity(_ d: Draft) -> FlowElement? {
        let c = d.c, id = d.id
        func el(_ kind: ElementKind, type: String? = nil) -> FlowElement { d.make(kind, type) }
            let z = zeebe(c, "calledElement")
            guard let raw = z?.attributes["processId"] ?? c.attributes["calledElement"], !raw.isEmpty else {
                error("call activity '\(id)' names no process: add <zeebe:calledElement processId=\"…\"/> or calledElement=\"…\"", c)
                return nil
            }
            guard let called = deployTimeString(raw, z ?? c, "called process id of '\(id)'") else { return nil }
            // a call to a global script task runs that script here
            if let global = root.children.first(where: { $0.name == "globalScriptTask" && $0.attributes["id"] == called }) {
                var task = ServiceTask(action: "script", parameters: ["format": .constant(.string(global.attributes["scriptFormat"] ?? "")),
                                                                     "body": .constant(.string(global.child("script", ns: bpmnNS)?.text ?? ""))],
                                       retry: RetryPolicy(retries: 0))
                task.includeVariables = true
                return el(.serviceTask(task), type: "callActivity")
            }
            var inputs: [(String, BPMExpressions.Expression)] = []
            for input in zeebe(c, "ioMapping")?.children("input", ns: zeebeNS) ?? [] {
                guard let target = input.attributes["target"], let src = input.attributes["source"] else { continue }
                if let e = staticOrFEEL(src, input, "input mapping '\(target)'") { inputs.append((target, e)) }
            }
            return el(.callActivity(CallActivity(processId: called, inputs: inputs,
                                                 propagateAllChildVariables: z?.attributes["propagateAllChildVariables"] != "false")))
    }

    /// A receive task: waits for a message (or starts the process on one).
    mutating func readReceiveTask(_ d: Draft) -> FlowElement? {
        let c = d.c, parent = d.parent
        func el(_ kind: ElementKind, type: String? = nil) -> FlowElement { d.make(kind, type) }
            let m = message(c.attributes["messageRef"])
            if c.attributes["instantiate"] == "true", parent == nil {
                return el(.messageStartEvent(m), type: "receiveTask")
            }
            return el(.messageCatchEvent(m), type: "receiveTask")
    }
}

extension BPMNDefinitionReader.Reader {
    /// `zeebe:input` mappings read as local variables (of a sub-process's scope, of a user task).
    mutating func zeebeInputs(_ c: XMLElement) -> [(target: String, source: BPMExpressions.Expression)] {
        var out: [(target: String, source: BPMExpressions.Expression)] = []
        for input in zeebe(c, "ioMapping")?.children("input", ns: zeebeNS) ?? [] {
            guard let target = input.attributes["target"], let src = input.attributes["source"] else { continue }
            if let x = staticOrFEEL(src, input, "input mapping '\(target)'") { out.append((target, x)) }
        }
        return out
    }

    /// A user task's assignee: a FEEL expression (`=…`), or the static name it spells.
    mutating func assignee(_ raw: String, _ a: XMLElement, _ id: String) -> Template? {
        let source = raw.hasPrefix("=") ? expression(raw, a, "assignee of '\(id)'")?.source : Self.feelLiteral(raw)
        return source.flatMap { try? Template("${\($0)}") }
    }
}
