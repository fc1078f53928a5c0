import BPMExpressions
import Foundation

private let bpmnNS = BPMNDefinitionReader.bpmnNS
private let zeebeNS = BPMNDefinitionReader.zeebeNS

/// User task forms as Camunda 8 links them: `zeebe:formDefinition formId` (a form deployed on
/// its own), `formKey="camunda-forms:bpmn:ID"` naming a `zeebe:userTaskForm` embedded in the
/// process's extensionElements (its text is the form-js JSON), or an `externalReference`.
/// The task's `form` keeps every attribute; an embedded form's JSON is added as `embedded`.
extension BPMNDefinitionReader.Reader {
    /// The prefix of a `formKey` that names an embedded `zeebe:userTaskForm`.
    static let embeddedFormPrefix = "camunda-forms:bpmn:"

    /// The `zeebe:userTaskForm` elements of a process, by id (their text as written).
    static func userTaskForms(_ p: XMLElement) -> [String: String] {
        var out: [String: String] = [:]
        for f in p.child("extensionElements", ns: bpmnNS)?.children("userTaskForm", ns: zeebeNS) ?? [] {
            if let id = f.attributes["id"] { out[id] = f.text }
        }
        return out
    }

    /// A task's `zeebe:formDefinition` as its `form` value. A `formKey` naming an embedded form
    /// the process lacks is kept as written (Zeebe deploys it; the task list says the form is missing).
    func formDefinition(_ f: XMLElement, embedded: [String: String]) -> Value {
        var form: [String: Value] = [:]
        for (k, v) in f.attributes { form[k] = .string(v) }
        if let key = f.attributes["formKey"], key.hasPrefix(Self.embeddedFormPrefix),
           let json = embedded[String(key.dropFirst(Self.embeddedFormPrefix.count))]
        {
            form["embedded"] = .string(json.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return .context(form)
    }
}
