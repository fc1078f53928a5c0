import BPMModel

extension Run {
    /// A script task evaluates its assignments in order (each sees the ones before) and moves on.
    mutating func activateScriptTask(_ element: FlowElement, _ task: ScriptTask, scope: String?) {
        record(element, "activated", scope: scope)
        for (name, expression) in task.assignments {
            setVariable(name, expression.evaluate(variables(in: scope)), scope: scope)
        }
        leave(element, scope: scope)
    }
}
