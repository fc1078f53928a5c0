import BPMExpressions
import Foundation

/// Camunda 7 models: external tasks run as jobs of their topic; the implementations that need
/// Camunda 7's Java engine (delegates, JUEL expressions, connectors) are refused by name.
extension BPMNDefinitionReader.Reader {
    /// A `camunda:` attribute (Camunda Modeler always writes that prefix).
    func camunda(_ c: XMLElement, _ name: String) -> String? { c.attributes["camunda:" + name] }

    /// `camunda:type="external" camunda:topic="…"`: the job type is the topic, as workers fetch it.
    func camundaExternalTopic(_ c: XMLElement) -> String? {
        guard camunda(c, "type") == "external",
              let topic = camunda(c, "topic"), !topic.isEmpty else { return nil }
        return topic
    }

    /// Why a Camunda 7 implementation cannot run here, when the task has one.
    func camunda7Implementation(_ c: XMLElement) -> String? {
        if camunda(c, "type") == "external" {
            return "is a Camunda 7 external task without camunda:topic: add camunda:topic=\"…\" (its job type)"
        }
        let kinds = [
            ("class", "a Java delegate (camunda:class)"),
            ("delegateExpression", "a Java delegate (camunda:delegateExpression)"),
            ("expression", "a JUEL expression (camunda:expression)"), ("type", "a Camunda 7 task type (camunda:type)"),
        ]
        for (attribute, what) in kinds where camunda(c, attribute) != nil {
            return "is implemented by \(what), which needs Camunda 7's Java engine: "
                + "use an external task (camunda:type=\"external\" camunda:topic=\"…\") or zeebe:taskDefinition"
        }
        return nil
    }

    /// A Camunda 7 user task's `camunda:assignee`, `candidateUsers` and `candidateGroups`: static
    /// values are read as Zeebe's would be; JUEL (`${…}`) is refused by name.
    mutating func camunda7Assignment(_ c: XMLElement, _ ut: inout UserTask, id: String) {
        for name in ["assignee", "candidateUsers", "candidateGroups"] {
            guard let raw = camunda(c, name) else { continue }
            if raw.contains("${") || raw.contains("#{") {
                error("camunda:\(name) of '\(id)' is written in JUEL ('\(raw)'), which this engine does not run: "
                    + "write a static value, or zeebe:assignmentDefinition with FEEL (`=…`)", c)
                continue
            }
            let names = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            switch name {
            case "assignee": ut.assignee = try? Template("${\(Self.feelLiteral(raw))}")
            case "candidateUsers": ut.candidateUsers = names
            default: ut.candidateGroups = names
            }
        }
    }

    /// Camunda 7 extension elements whose behaviour needs its Java engine: refused by name
    /// rather than ignored.
    mutating func refuseCamunda7Extensions(_ c: XMLElement, id: String) {
        guard inExecutableProcess, let ext = c.child("extensionElements", ns: BPMNDefinitionReader.bpmnNS) else {
            return
        }
        let refused = [
            "inputOutput": "Camunda 7 input/output parameters (use zeebe:ioMapping)",
            "executionListener": "Camunda 7 execution listeners", "taskListener": "Camunda 7 task listeners",
            "connector": "Camunda 7 connectors (use a job type: zeebe:taskDefinition or an external task)",
            "in": "Camunda 7 call activity variable mappings (use zeebe:ioMapping)",
            "out": "Camunda 7 call activity variable mappings (use zeebe:ioMapping)",
        ]
        for e in ext.children where e.namespace == Self.camundaNS {
            guard let what = refused[e.name] else { continue }
            error("camunda:\(e.name) on '\(id)': \(what) are not supported", e)
        }
    }

    static let camundaNS = "http://camunda.org/schema/1.0/bpmn"
}
