import BPMExpressions

private typealias X = BPMNWriterExpressions

/// What one flow element becomes: its tag, attributes, extension elements and the children that
/// follow `incoming`/`outgoing` (event definitions, a script).
struct BPMNNodeParts {
    var tag: String
    var attributes: [(String, String?)] = []
    var extensions: [XMLNode] = []
    var inputs: [XMLNode] = []
    var body: [XMLNode] = []
}

/// Flow elements as BPMN, one function per kind (the reader's `BPMNElementKinds` in reverse).
extension BPMNWriter.Writer {
    mutating func node(_ e: FlowElement) -> XMLNode? {
        guard X.isNCName(e.id) else {
            refuse(e, "a BPMN id must be an XML name (a letter or '_' first, then letters, digits, '-', '_' or '.')")
            return nil
        }
        var p = BPMNNodeParts(tag: "bpmn:" + e.typeName)
        guard kindParts(e, &p) else { return nil }
        p.extensions += listenerNodes(e.executionListeners) + taskListenerNodes(e)
        let outputs = e.outputs.map { XMLNode("zeebe:output", [("source", X.feel($0.source)), ("target", $0.target)]) }
        if !p.inputs.isEmpty || !outputs.isEmpty {
            p.extensions.insert(XMLNode("zeebe:ioMapping", [], p.inputs + outputs), at: 0)
        }
        var children: [XMLNode] = []
        if let doc = def.documentation[e.id] { children.append(XMLNode("bpmn:documentation", text: doc)) }
        var loop: XMLNode?
        if let l = e.loop {
            guard isActivity(e) else {
                refuse(e, "BPMN allows loops and multi-instance only on activities, not on a \(e.typeName) "
                    + "(make it a task, or loop around it with a decision)")
                return nil
            }
            loop = loopNode(l)
        }
        if !p.extensions.isEmpty { children.append(XMLNode("bpmn:extensionElements", [], p.extensions)) }
        children += def.incoming(e.id).map { XMLNode("bpmn:incoming", text: flowIds[$0.id] ?? $0.id) }
        children += def.outgoing(e.id).map { XMLNode("bpmn:outgoing", text: flowIds[$0.id] ?? $0.id) }
        if let loop { children.append(loop) }
        children += p.body
        var attrs: [(String, String?)] = [("id", e.id), ("name", e.name)]
        attrs += p.attributes
        if let d = e.defaultFlow { attrs.append(("default", flowIds[d] ?? d)) }
        if e.isForCompensation { attrs.append(("isForCompensation", "true")) }
        if e.startQuantity != 1 { attrs.append(("startQuantity", String(e.startQuantity))) }
        if e.completionQuantity != 1 { attrs.append(("completionQuantity", String(e.completionQuantity))) }
        return XMLNode(p.tag, attrs, children)
    }

    func isActivity(_ e: FlowElement) -> Bool {
        switch e.kind {
        case .serviceTask, .userTask, .scriptTask, .callActivity, .subProcess, .passThrough: true
        case .messageCatchEvent, .messageThrowEvent: e.bpmnType?.hasSuffix("Task") == true
        default: false
        }
    }

    /// Fills in the parts of one kind; false (with the refusal recorded) when it has no export.
    mutating func kindParts(_ e: FlowElement, _ p: inout BPMNNodeParts) -> Bool {
        switch e.kind {
        case .startEvent, .exclusiveGateway, .parallelGateway, .inclusiveGateway, .passThrough:
            return true
        case .serviceTask(let t): return serviceParts(e, t, &p)
        case .userTask(let u): return userParts(e, u, &p)
        case .scriptTask(let s): return scriptParts(e, s, &p)
        default: return eventParts(e, &p)
        }
    }

    /// A job: `zeebe:taskDefinition`, the parameters as `zeebe:input`s, and `bpm:connector` for
    /// what only this engine's connectors have (backoff, result variable, no variables in the job).
    mutating func serviceParts(_ e: FlowElement, _ t: ServiceTask, _ p: inout BPMNNodeParts) -> Bool {
        if e.bpmnType == "businessRuleTask", t.action == "decision",
           case .constant(.string(let decision))? = t.parameters["decision"],
           case .constant(.string(let rv))? = t.parameters["resultVariable"]
        {
            p.extensions.append(XMLNode("zeebe:calledDecision", [("decisionId", decision), ("resultVariable", rv)]))
            return true
        }
        if e.bpmnType == "scriptTask" {
            refuse(e, "script tasks in languages other than FEEL are not exported yet")
            return false
        }
        p.tag = "bpmn:" + (e.bpmnType ?? "serviceTask")
        for key in t.parameters.keys.sorted() where key.contains(".") {
            let nested = key.split(separator: ".").joined(separator: " → ")
            refuse(e, "parameter '\(key)' has a '.' in its name: a Zeebe input target with dots nests "
                + "(\(nested)), so it would not come back as one parameter")
            return false
        }
        let attempts = String(t.retry.retries + 1)
        p.extensions.append(XMLNode("zeebe:taskDefinition", [("type", t.action), ("retries", attempts)]))
        guard let inputs = mappings(t.parameters, e, "zeebe:input") else { return false }
        p.inputs = inputs
        if t.priority != 50 { p.extensions.append(priority(t.priority)) }
        let r = t.retry, dflt = RetryPolicy()
        func num(_ d: Double, _ base: Double) -> String? { d == base ? nil : Value.format(number: d) }
        let connector = XMLNode("bpm:connector", [
            ("includeVariables", t.includeVariables ? nil : "false"),
            ("external", t.external ? nil : "false"),
            ("resultVariable", t.resultVariable),
            ("backoffInitial", num(r.initial, dflt.initial)),
            ("backoffMultiplier", num(r.multiplier, dflt.multiplier)),
            ("backoffMaximum", num(r.maximum, dflt.maximum)),
        ])
        if !connector.attributes.isEmpty { p.extensions.append(connector) }
        return true
    }

    /// A Camunda user task: assignment, priority, dates; the description and the form's JSON schema
    /// (neither has a Zeebe form) in `bpm:userTask` and `bpm:form`.
    mutating func userParts(_ e: FlowElement, _ u: UserTask, _ p: inout BPMNNodeParts) -> Bool {
        p.extensions.append(XMLNode("zeebe:userTask"))
        for name in u.candidateGroups + u.candidateUsers where name.contains(",") {
            refuse(e, "candidate '\(name)' has a comma: Zeebe lists candidates separated by commas")
            return false
        }
        let assignee = u.assignee.map { X.staticOrFEEL(.template($0)) }
        let groups = u.candidateGroups.isEmpty ? nil : u.candidateGroups.joined(separator: ",")
        let users = u.candidateUsers.isEmpty ? nil : u.candidateUsers.joined(separator: ",")
        if assignee != nil || groups != nil || users != nil {
            let attrs = [("assignee", assignee), ("candidateGroups", groups), ("candidateUsers", users)]
            p.extensions.append(XMLNode("zeebe:assignmentDefinition", attrs))
        }
        if u.priority != 50 { p.extensions.append(priority(u.priority)) }
        func date(_ d: TaskDate?) -> String? {
            switch d {
            case .after(let s)?: "=\"\(X.isoDuration(s))\""
            case .expression(let x)?: X.feel(x)
            case nil: nil
            }
        }
        if u.due != nil || u.followUp != nil {
            let attrs = [("dueDate", date(u.due)), ("followUpDate", date(u.followUp))]
            p.extensions.append(XMLNode("zeebe:taskSchedule", attrs))
        }
        if let d = u.description { p.extensions.append(XMLNode("bpm:userTask", [("description", d.source)])) }
        if let f = u.form { p.extensions.append(XMLNode("bpm:form", text: JSON.encode(f))) }
        return true
    }

    /// A FEEL script: one assignment is `zeebe:script`; several, run in order, are `bpm:set`s.
    mutating func scriptParts(_ e: FlowElement, _ s: ScriptTask, _ p: inout BPMNNodeParts) -> Bool {
        if s.assignments.count == 1, let a = s.assignments.first {
            let attrs = [("expression", X.feel(a.expression)), ("resultVariable", a.variable)]
            p.extensions.append(XMLNode("zeebe:script", attrs))
            return true
        }
        p.extensions += s.assignments.map {
            XMLNode("bpm:set", [("variable", $0.variable), ("expression", X.feel($0.expression))])
        }
        if s.assignments.isEmpty { p.extensions.append(XMLNode("bpm:script")) }
        return true
    }

    /// Parameters or results as mapping elements (`zeebe:input`, `bpm:result`); nil when refused.
    mutating func mappings(_ values: [String: TemplateValue], _ e: FlowElement, _ tag: String) -> [XMLNode]? {
        var out: [XMLNode] = []
        for key in values.keys.sorted() {
            do {
                out += try X.mappings(values[key]!, target: key).map {
                    XMLNode(tag, [("source", $0.source), ("target", $0.target)])
                }
            } catch {
                refuse(e, "'\(key)': \(error.message)")
                return nil
            }
        }
        return out
    }

    func priority(_ n: Int) -> XMLNode { XMLNode("zeebe:priorityDefinition", [("priority", String(n))]) }

    /// Standard loops and multi-instance (with `zeebe:loopCharacteristics`).
    func loopNode(_ l: LoopCharacteristics) -> XMLNode {
        func expr(_ name: String, _ x: Expression?) -> XMLNode? {
            x.map { XMLNode(name, [("xsi:type", "bpmn:tFormalExpression")], text: X.feel($0)) }
        }
        switch l {
        case .standard(let condition, let testBefore, let maximum):
            return XMLNode("bpmn:standardLoopCharacteristics",
                           [("testBefore", testBefore ? "true" : nil), ("loopMaximum", maximum.map { String($0) })],
                           [expr("bpmn:loopCondition", condition)].compactMap { $0 })
        case .multiInstance(let mi):
            var children: [XMLNode] = []
            let z = XMLNode("zeebe:loopCharacteristics", [
                ("inputCollection", mi.collection.map { X.feel($0) }), ("inputElement", mi.elementVariable),
                ("outputCollection", mi.outputCollection), ("outputElement", mi.outputElement.map { X.feel($0) }),
            ])
            if !z.attributes.isEmpty { children.append(XMLNode("bpmn:extensionElements", [], [z])) }
            children += [expr("bpmn:loopCardinality", mi.cardinality),
                         expr("bpmn:completionCondition", mi.completionCondition)].compactMap { $0 }
            let sequential = mi.sequential ? "true" : nil
            return XMLNode("bpmn:multiInstanceLoopCharacteristics", [("isSequential", sequential)], children)
        }
    }
}
