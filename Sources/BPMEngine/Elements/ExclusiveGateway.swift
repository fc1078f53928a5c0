import BPMModel

extension Run {
    /// An exclusive gateway takes the first outgoing flow, in definition order, whose condition
    /// is true (a flow without a condition counts as true); otherwise the default flow; with
    /// neither, it raises an incident and waits for an operator.
    mutating func activateExclusiveGateway(_ element: FlowElement, scope: String?) {
        record(element, "activated", scope: scope)
        let vars = variables(in: scope)
        for f in definition.outgoing(element.id) where f.id != element.defaultFlow {
            if let c = f.condition, !c.test(vars) { continue }
            record(element, "completed", scope: scope, data: .context(["flow": .string(f.id)]))
            arrive(at: f.target, via: f.id, scope: scope)
            return
        }
        if let d = element.defaultFlow, let f = definition.flow(d) {
            record(element, "completed", scope: scope, data: .context(["flow": .string(f.id)]))
            arrive(at: f.target, via: f.id, scope: scope)
            return
        }
        let conditions = definition.outgoing(element.id).compactMap { $0.condition?.source }.joined(separator: "; ")
        raiseIncident(at: element, scope: scope, type: "condition_failed",
                      message: "no condition of gateway '\(element.id)' is true (\(conditions)) and it has no default flow")
    }
}
