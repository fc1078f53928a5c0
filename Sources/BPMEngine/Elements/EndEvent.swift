import BPMExpressions
import BPMModel

extension Run {
    /// An end event consumes its path. With a result, sets those variables; with an error,
    /// fails the instance and ends every other path; with `terminate`, ends every other path.
    /// The instance completes when no path remains.
    mutating func activateEndEvent(_ element: FlowElement, _ end: EndEvent) {
        record(element, "activated")
        applyOutputs(of: element)
        if let result = end.result {
            for (k, v) in result { state.variables[k] = v.render(state.variables) }
        }
        if let error = end.error {
            let message = error.message?.render(state.variables).interpolated
            record(element, "completed")
            terminateAllTokens()
            state.status = .failed
            state.endedAt = now
            state.error = InstanceError(code: error.code, message: message)
            var data: [String: Value] = ["code": .string(error.code)]
            if let message { data["message"] = .string(message) }
            record(definition.id, "process", "failed", data: .context(data))
            return
        }
        record(element, "completed")
        if end.terminate { terminateAllTokens() }
    }
}
