import BPMModel

extension Run {
    /// A script task evaluates its assignments in order (each sees the ones before) and moves on.
    mutating func activateScriptTask(_ element: FlowElement, _ task: ScriptTask) {
        record(element, "activated")
        for (name, expression) in task.assignments {
            state.variables[name] = expression.evaluate(state.variables)
        }
        leave(element)
    }
}
