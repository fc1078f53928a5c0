private let bpmnNS = BPMNDefinitionReader.bpmnNS

/// BPMN 2.0 attributes and elements with execution semantics this engine does not run: refused
/// at deploy, naming them, rather than read past (docs/bpmn.md, "Coverage").
extension BPMNDefinitionReader.Reader {
    mutating func refuseUnrunSemantics(_ c: XMLElement, _ defs: [XMLElement], id: String) {
        guard inExecutableProcess else { return }
        if defs.count > 1 {
            let names = defs.map(\.name).joined(separator: ", ")
            error("'\(id)' has \(defs.count) event definitions (\(names)): BPMN multiple events are not supported "
                + "(one event definition per event is)", c)
        } else if c.attributes["parallelMultiple"] == "true" {
            error("'\(id)' has parallelMultiple=\"true\": BPMN parallel multiple events are not supported", c)
        }
        if c.name == "eventBasedGateway" { refuseEventGatewayInstantiation(c, id) }
        if let lc = c.child("multiInstanceLoopCharacteristics", ns: bpmnNS) { refuseUnrunMultiInstance(lc, id) }
        refuseDataAssignments(c, id)
    }

    /// §10.6.6: an event-based gateway that instantiates the process (exclusive or parallel).
    mutating func refuseEventGatewayInstantiation(_ c: XMLElement, _ id: String) {
        if c.attributes["instantiate"] == "true" {
            error("event-based gateway '\(id)' has instantiate=\"true\": gateways that start the process are not "
                + "supported (use message, signal or timer start events)", c)
        }
        if c.attributes["eventGatewayType"] == "Parallel" {
            error("event-based gateway '\(id)' has eventGatewayType=\"Parallel\": only Exclusive is supported", c)
        }
    }

    /// §10.3.6 Multi-Instance: the `behavior` of events thrown by instances, and the BPMN data
    /// inputs and outputs of a multi-instance (Camunda 8 uses `zeebe:loopCharacteristics`).
    mutating func refuseUnrunMultiInstance(_ lc: XMLElement, _ id: String) {
        if let behavior = lc.attributes["behavior"], behavior != "All" {
            error("multi-instance of '\(id)' has behavior=\"\(behavior)\": only All (every instance's events "
                + "propagate) is supported", lc)
        }
        let unrun = ["complexBehaviorDefinition", "loopDataInputRef", "loopDataOutputRef", "inputDataItem",
                     "outputDataItem", "oneBehaviorEventRef", "noneBehaviorEventRef"]
        for e in lc.children where e.namespace == bpmnNS && unrun.contains(e.name) {
            error("multi-instance of '\(id)' has \(e.name): not supported (use zeebe:loopCharacteristics "
                + "inputCollection, inputElement, outputCollection and outputElement)", e)
        }
        for name in ["oneBehaviorEventRef", "noneBehaviorEventRef"] where lc.attributes[name] != nil {
            error("multi-instance of '\(id)' has \(name): multi-instance behavior events are not supported", lc)
        }
    }

    /// §10.4.1: a data association's `assignment` or `transformation` copies data when the
    /// activity starts or ends; not run here (Camunda 8 reads data associations as drawing only).
    mutating func refuseDataAssignments(_ c: XMLElement, _ id: String) {
        let associations: Set<String> = ["dataInputAssociation", "dataOutputAssociation"]
        for a in c.children where a.namespace == bpmnNS && associations.contains(a.name) {
            for e in a.children where e.namespace == bpmnNS && (e.name == "assignment" || e.name == "transformation") {
                error("\(a.name) of '\(id)' has a \(e.name): data associations that copy data are not supported "
                    + "(use zeebe:ioMapping)", e)
            }
        }
    }
}
