import BPMExpressions
import BPMModel

extension Run {
    /// An end event consumes its path. With a result, sets those variables; with an error,
    /// throws it (caught by an enclosing handler, or failing the instance); with `terminate`,
    /// ends every other path of its scope. A scope completes when no path remains in it.
    mutating func activateEndEvent(_ element: FlowElement, _ end: EndEvent, scope: String?) {
        record(element, "activated", scope: scope)
        applyOutputs(of: element, scope: scope)
        if let result = end.result {
            for (k, v) in result { setVariable(k, v.render(variables(in: scope)), scope: scope) }
        }
        if endListeners(element, scope: scope) { return }  // they finish it when done
        finishEndEvent(element, end, scope: scope)
    }

    /// Completes an end event: throws its error or terminates its scope.
    mutating func finishEndEvent(_ element: FlowElement, _ end: EndEvent, scope: String?) {
        record(element, "completed", scope: scope)
        if let error = end.error {
            let message = error.message?.render(variables(in: scope)).interpolated
            throwError(code: error.code, message: message, from: scope)
            return
        }
        if end.terminate {
            if let scope { terminateScope(scope) } else { terminateAllTokens() }
        }
    }
}
