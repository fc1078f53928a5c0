import BPMExpressions
import Foundation

private let bpmnNS = BPMNDefinitionReader.bpmnNS
private let zeebeNS = BPMNDefinitionReader.zeebeNS

/// Deploy-time checks of the numbers and references a BPMN model states: each refused with
/// its location, the element and the rule, instead of failing (or guessing) at run time.
extension BPMNDefinitionReader.Reader {
    /// `startQuantity` or `completionQuantity` of an activity: BPMN 2.0 requires 1 or more.
    mutating func tokenQuantity(_ c: XMLElement, _ name: String, id: String) -> Int {
        guard let raw = c.attributes[name] else { return 1 }
        guard let n = Int(raw.trimmingCharacters(in: .whitespaces)), n >= 1 else {
            error("\(name) of '\(id)' is '\(raw)': BPMN 2.0 requires a whole number of 1 or more", c)
            return 1
        }
        return n
    }

    /// A standard loop's `loopMaximum`: a whole number of 0 or more.
    mutating func loopMaximum(_ lc: XMLElement, id: String) -> Int? {
        guard let raw = lc.attributes["loopMaximum"] else { return nil }
        guard let n = Int(raw.trimmingCharacters(in: .whitespaces)), n >= 0 else {
            error("loopMaximum of '\(id)' is '\(raw)': it must be a whole number of 0 or more", lc)
            return nil
        }
        return n
    }

    /// A multi-instance `loopCardinality` that needs no variables: a whole number of 0 or more.
    mutating func checkCardinality(_ e: BPMExpressions.Expression, _ lc: XMLElement, id: String) {
        guard e.referencedNames.isEmpty else { return }
        let at = lc.child("loopCardinality", ns: bpmnNS) ?? lc
        if case .number(let n) = e.evaluate([:]), n >= 0, n == n.rounded() { return }
        error("loopCardinality of '\(id)' is '\(e.source)': it must be a whole number of 0 or more", at)
    }

    /// Default flows carry no condition: BPMN 2.0 takes the default flow only when no condition
    /// of the other outgoing flows holds.
    mutating func checkDefaultFlows(_ elements: [FlowElement], _ flows: [SequenceFlow]) {
        let byId = Dictionary(flows.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for e in elements {
            guard let d = e.defaultFlow, let f = byId[d], f.source == e.id, f.condition != nil else { continue }
            let at = f.location ?? e.location ?? SourceLocation(file: file, line: 1, column: 1)
            errors.append(DefinitionError(
                "default flow '\(d)' of '\(e.id)' has a condition: a default flow is taken when no other "
                    + "condition holds and carries none (remove its conditionExpression or the default attribute)",
                at: at))
        }
    }

    /// `zeebe:input` mappings are refused where they would not be applied (this engine gives them
    /// to jobs and called processes), rather than ignored.
    mutating func checkInputsApply(_ c: XMLElement, _ element: FlowElement) {
        guard inExecutableProcess, let input = zeebe(c, "ioMapping")?.child("input", ns: zeebeNS) else { return }
        switch element.kind {
        case .serviceTask(let t) where t.external: return
        case .callActivity, .subProcess(false), .userTask: return
        default:
            error("zeebe:input mappings on '\(element.id)' (bpmn:\(c.name)) are not supported yet: inputs are "
                + "applied to service, send and business rule tasks with a job type, call activities, sub-processes "
                + "and user tasks",
                input)
        }
    }

    /// The event definitions of an event: its own, and the root-level ones its `eventDefinitionRef`s
    /// name (an unknown reference is refused).
    mutating func eventDefinitions(_ c: XMLElement) -> [XMLElement] {
        var out = c.children.filter { $0.namespace == bpmnNS && $0.name.hasSuffix("EventDefinition") }
        for ref in c.children("eventDefinitionRef", ns: bpmnNS) {
            let id = ref.trimmedText
            let shared = root.children.first { $0.name.hasSuffix("EventDefinition") && $0.attributes["id"] == id }
            if let d = shared {
                out.append(d)
            } else {
                error("eventDefinitionRef '\(id)' of '\(c.attributes["id"] ?? "")' names no event definition "
                    + "at the top level of the file", ref)
            }
        }
        return out
    }

    /// The message, signal, error and escalation an executable model's event definitions (and
    /// send and receive tasks) name exist in the file; an error end event names its error.
    mutating func checkReferences(_ c: XMLElement, _ defs: [XMLElement], id: String) {
        guard inExecutableProcess else { return }
        let kinds: [(String, String, Set<String>)] = [
            ("messageRef", "message", Set(messages.keys)), ("signalRef", "signal", Set(signalNames.keys)),
            ("errorRef", "error", Set(errorCodes.keys)), ("escalationRef", "escalation", Set(escalationCodes.keys)),
        ]
        for d in defs + [c] {
            for (attribute, what, known) in kinds {
                guard let ref = d.attributes[attribute], !known.contains(ref) else { continue }
                error("'\(id)' refers to \(what) '\(ref)', which the file does not define "
                    + "(add <bpmn:\(what) id=\"\(ref)\" …/> at the top level)", d)
            }
        }
        if c.name == "endEvent", let d = defs.first, d.name == "errorEventDefinition", d.attributes["errorRef"] == nil {
            error("error end event '\(id)' names no error: add errorRef to a <bpmn:error errorCode=\"…\"/> "
                + "(the code its catcher matches)", d)
        }
    }
}
