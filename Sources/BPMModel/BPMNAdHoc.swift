import BPMExpressions

private let bpmnNS = BPMNDefinitionReader.bpmnNS
private let zeebeNS = BPMNDefinitionReader.zeebeNS

/// Reading an ad-hoc sub-process as Camunda 8.7+ writes it (Camunda docs "Ad-hoc
/// sub-processes"): `zeebe:adHoc` (activeElementsCollection, outputCollection, outputElement),
/// the BPMN `completionCondition` child and `cancelRemainingInstances` attribute.
extension BPMNDefinitionReader.Reader {
    mutating func readAdHocSubProcess(_ d: Draft) -> FlowElement? {
        let c = d.c
        let before = errors.count
        checkAdHocContents(c, d.id)
        if let ordering = c.attributes["ordering"], ordering != "Parallel" {
            error("ad-hoc sub-process '\(d.id)' has ordering=\"\(ordering)\": only Parallel ordering (what "
                + "Camunda 8 runs: the activated elements run at the same time) is supported", c)
        }
        var adHoc = AdHocSubProcess()
        switch c.attributes["cancelRemainingInstances"] {
        case nil, "true": adHoc.cancelRemainingInstances = true
        case "false": adHoc.cancelRemainingInstances = false
        case let other?:
            error("cancelRemainingInstances of '\(d.id)' is '\(other)': write true or false", c)
        }
        adHoc.completionCondition = expressionChild(c, "completionCondition", "completion condition of '\(d.id)'")
        if let z = zeebe(c, "adHoc") { readZeebeAdHoc(z, d.id, into: &adHoc) }
        readAdHocJobWorker(c, d.id, into: &adHoc)
        adHoc.elementProperties = innerProperties(c)
        guard errors.count == before else { return nil }
        var e = d.make(.subProcess(triggeredByEvent: false), "adHocSubProcess")
        e.inputs = zeebeInputs(c)
        e.adHoc = adHoc
        return e
    }

    mutating func readZeebeAdHoc(_ z: XMLElement, _ id: String, into adHoc: inout AdHocSubProcess) {
        let known: Set<String> = ["activeElementsCollection", "outputCollection", "outputElement"]
        for name in z.attributes.keys.sorted() where !known.contains(name) {
            error("zeebe:adHoc attribute '\(name)' of '\(id)' is not supported (activeElementsCollection, "
                + "outputCollection and outputElement are)", z)
        }
        if let raw = z.attributes["activeElementsCollection"], !raw.isEmpty {
            adHoc.activeElements = requiredFEEL(raw, z, "active elements collection of '\(id)'")
        }
        adHoc.outputCollection = z.attributes["outputCollection"].flatMap { $0.isEmpty ? nil : $0 }
        if let raw = z.attributes["outputElement"], !raw.isEmpty {
            adHoc.outputElement = requiredFEEL(raw, z, "output element of '\(id)'")
        }
        if (adHoc.outputCollection == nil) != (z.attributes["outputElement"] ?? "").isEmpty {
            error("ad-hoc sub-process '\(id)' needs both outputCollection and outputElement, or neither", z)
        }
    }

    /// Camunda's constraints: at least one activity, no start or end events.
    mutating func checkAdHocContents(_ c: XMLElement, _ id: String) {
        let inner = c.children.filter { $0.namespace == bpmnNS }
        for e in inner where e.name == "startEvent" || e.name == "endEvent" {
            error("ad-hoc sub-process '\(id)' contains \(e.name) '\(e.attributes["id"] ?? "?")': the inner "
                + "elements of an ad-hoc sub-process are activated by it, not by start events, and end "
                + "without end events", e)
        }
        let activities: Set<String> = ["task", "manualTask", "serviceTask", "sendTask", "businessRuleTask", "userTask",
                                       "scriptTask", "receiveTask", "callActivity", "subProcess", "transaction",
                                       "adHocSubProcess"]
        if !inner.contains(where: { activities.contains($0.name) }) {
            error("ad-hoc sub-process '\(id)' has no activity: it needs at least one", c)
        }
    }

    /// Camunda 8.8's job worker implementation: a `zeebe:taskDefinition` on the ad-hoc sub-process
    /// (as the AI-agent connector writes it) makes a job of that type decide what to activate and
    /// when it is done, so `activeElementsCollection` and `completionCondition` would go unused:
    /// they are refused beside it (as Camunda's element templates keep them apart).
    mutating func readAdHocJobWorker(_ c: XMLElement, _ id: String, into adHoc: inout AdHocSubProcess) {
        guard let t = zeebe(c, "taskDefinition") else { return }
        if adHoc.activeElements != nil, let z = zeebe(c, "adHoc") {
            error("ad-hoc sub-process '\(id)' has both a zeebe:taskDefinition (its job worker decides which "
                + "elements to activate) and an activeElementsCollection: keep one", z)
        }
        if adHoc.completionCondition != nil, let cc = c.child("completionCondition", ns: bpmnNS) {
            error("ad-hoc sub-process '\(id)' has both a zeebe:taskDefinition (its job worker's result says when "
                + "the completion condition is fulfilled) and a completionCondition: keep one", cc)
        }
        guard (t.attributes["type"] ?? "").isEmpty == false else {
            error("the zeebe:taskDefinition of ad-hoc sub-process '\(id)' has no job type", t)
            return
        }
        adHoc.jobWorker = serviceTask(c, id: id, executable: true)
    }

    /// The `zeebe:properties` of the inner elements (`adHocSubProcessElements` lists them).
    func innerProperties(_ c: XMLElement) -> [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        for e in c.children where e.namespace == bpmnNS {
            guard let id = e.attributes["id"], let props = zeebe(e, "properties") else { continue }
            var p: [String: String] = [:]
            for prop in props.children("property", ns: zeebeNS) {
                if let name = prop.attributes["name"] { p[name] = prop.attributes["value"] ?? "" }
            }
            out[id] = p
        }
        return out
    }
}
