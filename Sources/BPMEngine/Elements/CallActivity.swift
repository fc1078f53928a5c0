import BPMExpressions
import BPMModel

extension Run {
    /// A call activity starts an instance of another process (with the caller's variables and
    /// its input mappings) and waits until it ends: its variables come back (or only the
    /// output mappings), and an uncaught error reaches the call activity's error boundary.
    mutating func activateCallActivity(_ element: FlowElement, _ call: CallActivity, scope: String?) {
        record(element, "activated", scope: scope, data: .context(["process": .string(call.processId)]))
        let childId = nextId("c")
        var vars = variables(in: scope)
        let base = vars
        for (target, source) in call.inputs { vars[target] = source.evaluate(base) }
        let token = wait(at: element, .calledInstance(childId), scope: scope, boundaries: armBoundaryEvents(of: element, scope: scope))
        effects.append(.startChild(ChildStart(instanceId: childId, processId: call.processId, variables: vars,
                                              parent: ParentLink(instanceId: state.id, tokenId: token))))
    }

    mutating func childCompleted(_ tokenId: String, variables child: [String: Value]) throws(CommandRejection) {
        guard let i = tokenIndex(tokenId), case .calledInstance = state.tokens[i].wait,
              let element = definition.element(state.tokens[i].elementId) else {
            throw .stale("instance \(state.id) does not wait for a called instance at \(tokenId)")
        }
        let token = removeToken(at: i, cancelWait: false)
        if leaveWithMappedResult(element, child, scope: token.scope) { return }
        if case .callActivity(let call) = element.kind, call.propagateAllChildVariables { setVariables(child, scope: token.scope) }
        leave(element, scope: token.scope)
    }

    mutating func childFailed(_ tokenId: String, code: String, message: String?) throws(CommandRejection) {
        guard let i = tokenIndex(tokenId), case .calledInstance = state.tokens[i].wait,
              let element = definition.element(state.tokens[i].elementId) else {
            throw .stale("instance \(state.id) does not wait for a called instance at \(tokenId)")
        }
        let token = removeToken(at: i, cancelWait: false)
        if let boundary = errorBoundary(on: element.id, code: code) {
            record(element, "terminated", scope: token.scope)
            catchError(at: boundary, code: code, message: message, scope: token.scope)
        } else {
            throwError(code: code, message: message, from: token.scope)
        }
    }

    mutating func childStartFailed(_ tokenId: String, message: String) throws(CommandRejection) {
        guard let i = tokenIndex(tokenId), case .calledInstance = state.tokens[i].wait,
              let element = definition.element(state.tokens[i].elementId) else {
            throw .stale("instance \(state.id) does not wait for a called instance at \(tokenId)")
        }
        let token = removeToken(at: i, cancelWait: false)
        raiseIncident(at: element, scope: token.scope, type: "called_process", message: message)
    }
}
