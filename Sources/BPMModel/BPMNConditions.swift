import BPMExpressions
import Foundation

private let bpmnNS = BPMNDefinitionReader.bpmnNS

/// The condition of a conditional event (BPMN 2.0.2 §10.5.5 `conditionalEventDefinition`): a
/// FEEL expression in its `condition` (`=flow_temp_c > 30`, or without `=` as Camunda 7 models
/// write it). Variable filters (Camunda 7's `camunda:variableName` and `variableEvents`,
/// Zeebe's `zeebe:conditionalFilter`) are refused by name: this engine evaluates a condition
/// whenever the instance's variables may have changed.
extension BPMNDefinitionReader.Reader {
    mutating func condition(_ d: XMLElement, _ c: XMLElement) -> BPMExpressions.Expression? {
        let id = c.attributes["id"] ?? ""
        let keys = d.attributes.keys.filter { $0 != "id" }
        // (attributes are held by qualified and by local name: name each once)
        let filters = keys.filter { k in k.contains(":") || !keys.contains { $0.hasSuffix(":" + k) } }.sorted()
        if !filters.isEmpty || d.child("extensionElements", ns: bpmnNS) != nil {
            let names = filters.isEmpty ? "extension elements" : filters.joined(separator: ", ")
            unsupported(c, "the conditional event definition of '\(id)' has \(names): variable filters are not "
                + "supported yet (the condition is evaluated whenever the instance's variables may have changed)")
            return nil
        }
        guard let x = d.child("condition", ns: bpmnNS), !x.trimmedText.isEmpty else {
            // a drawing-only process may leave it empty: it never holds
            if !inExecutableProcess { return try? BPMExpressions.Expression("false") }
            error("conditional event '\(id)' has no condition: add <condition>=…</condition>", d)
            return nil
        }
        return expressionChild(d, "condition", "condition of '\(id)'")  // nil: its error is recorded
    }
}
