import BPMExpressions

private let bpmnNS = BPMNDefinitionReader.bpmnNS
private let zeebeNS = BPMNDefinitionReader.zeebeNS

/// `zeebe:executionListeners` and `zeebe:taskListeners` (Camunda 8.6 / 8.8): read into the
/// model, with Camunda's deploy-time rules (which elements accept which listeners, unique
/// `eventType` and `type` pairs, known task listener events).
extension BPMNDefinitionReader.Reader {
    /// The execution listeners of an element or a process (`what` names it in messages).
    mutating func executionListeners(_ c: XMLElement, what: String) -> ExecutionListeners {
        var out = ExecutionListeners()
        guard let list = c.child("extensionElements", ns: bpmnNS)?.child("executionListeners", ns: zeebeNS) else {
            return out
        }
        var seen: Set<String> = []
        for x in list.children where x.namespace == zeebeNS {
            guard x.name == "executionListener" else {
                error("zeebe:\(x.name) in zeebe:executionListeners of \(what): expected zeebe:executionListener", x)
                continue
            }
            let raw = x.attributes["eventType"] ?? "start"
            guard let event = ExecutionListenerEvent(rawValue: raw) else {
                error("execution listener of \(what) has eventType=\"\(raw)\": expected start or end", x)
                continue
            }
            guard let listener = listener(x, what: "\(raw) execution listener of \(what)") else { continue }
            if !seen.insert("\(raw)|\(listener.type.source)").inserted {
                error("\(what) has two \(raw) execution listeners of type '\(listener.type.source)': "
                    + "each eventType and type pair must be unique (Camunda 8)", x)
                continue
            }
            out[event].append(listener)
        }
        return out
    }

    /// Refuses listeners the element kind does not run (Camunda 8's limitations).
    mutating func checkExecutionListeners(_ e: FlowElement, _ c: XMLElement) {
        guard let list = c.child("extensionElements", ns: bpmnNS)?.child("executionListeners", ns: zeebeNS) else {
            return
        }
        for event in ExecutionListenerEvent.allCases where !e.executionListeners[event].isEmpty {
            guard let why = ExecutionListenerRules.refusal(event, on: e) else { continue }
            error("\(event.rawValue) execution listener on \(c.name) '\(e.id)': \(why)", list)
        }
    }

    /// The task listeners of a user task, by event (refused on any other element).
    mutating func taskListeners(_ c: XMLElement, id: String, isUserTask: Bool) -> [TaskListenerEvent: [Listener]] {
        guard let list = c.child("extensionElements", ns: bpmnNS)?.child("taskListeners", ns: zeebeNS) else {
            return [:]
        }
        guard isUserTask else {
            error("zeebe:taskListeners on \(c.name) '\(id)': task listeners apply to user tasks only", list)
            return [:]
        }
        var out: [TaskListenerEvent: [Listener]] = [:]
        for x in list.children where x.namespace == zeebeNS {
            guard x.name == "taskListener" else {
                error("zeebe:\(x.name) in zeebe:taskListeners of '\(id)': expected zeebe:taskListener", x)
                continue
            }
            let raw = x.attributes["eventType"] ?? ""
            guard let event = TaskListenerEvent.named(raw) else {
                let known = TaskListenerEvent.allCases.map(\.rawValue).joined(separator: ", ")
                error("task listener of '\(id)' has eventType=\"\(raw)\": expected one of \(known)", x)
                continue
            }
            if event == .updating || event == .canceling {
                error(TaskListenerEvent.unrunMessage(event, on: "user task '\(id)'"), x)
                continue
            }
            guard let l = listener(x, what: "\(event.rawValue) task listener of '\(id)'") else { continue }
            out[event, default: []].append(l)
        }
        return out
    }

    /// One listener's `type` (required), `retries` (default 3) and the headers under it.
    mutating func listener(_ x: XMLElement, what: String) -> Listener? {
        guard let type = x.attributes["type"], !type.trimmingCharacters(in: .whitespaces).isEmpty else {
            error("\(what) has no type: add type=\"…\" (the job type its worker subscribes to)", x)
            return nil
        }
        guard let t = listenerValue(type, x, "job type of the \(what)") else { return nil }
        var l = Listener(type: t, location: loc(x))
        if let r = x.attributes["retries"] {
            guard let v = listenerValue(r, x, "retries of the \(what)") else { return nil }
            if case .constant(let c) = v, Int(c.stringValue ?? "").map({ $0 < 0 }) ?? true {
                error("retries of the \(what) is '\(r)': expected a whole number of at least 0", x)
                return nil
            }
            l.retries = v
        }
        for h in x.child("taskHeaders", ns: zeebeNS)?.children("header", ns: zeebeNS) ?? [] {
            if let k = h.attributes["key"] { l.headers[k] = h.attributes["value"] ?? "" }
        }
        return l
    }

    /// A static value, or FEEL (`=…`) evaluated when the listener's job is created.
    mutating func listenerValue(_ raw: String, _ x: XMLElement, _ what: String) -> ListenerValue? {
        guard raw.hasPrefix("=") else { return .constant(.string(raw)) }
        return expression(raw, x, what).map(ListenerValue.expression)
    }
}

extension BPMNDefinitionReader.Reader {
    /// Reads an element's execution listeners (checked against its kind) and a user task's task listeners.
    mutating func applyListeners(_ c: XMLElement, _ e: inout FlowElement) {
        e.executionListeners = executionListeners(c, what: "\(c.name) '\(e.id)'")
        checkExecutionListeners(e, c)
        if case .userTask(var task) = e.kind {
            task.taskListeners = taskListeners(c, id: e.id, isUserTask: true)
            e.kind = .userTask(task)
        } else {
            _ = taskListeners(c, id: e.id, isUserTask: false)
        }
    }
}
