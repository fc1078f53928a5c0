import BPMModel

/// Transactions (BPMN 2.0.2 §10.3.1 Transaction, §10.6.5 Cancel Event): a cancel end event
/// ends everything still active in its transaction, compensates the transaction's completed
/// activities (the last completed first) and then continues on the cancel boundary event's
/// flows. An error leaves a transaction by its error boundary event, without compensation.
extension Run {
    mutating func activateCancelEndEvent(_ element: FlowElement, scope: String?) {
        record(element, "activated", scope: scope)
        record(element, "completed", scope: scope)
        var s = scope
        for _ in 0...state.tokens.count {
            guard let id = s, let i = tokenIndex(id) else { return }  // not in a transaction: refused at deploy
            let t = state.tokens[i]
            if t.wait == .subProcess, definition.isTransaction(t.elementId),
               let boundary = definition.cancelBoundary(of: t.elementId)
            {
                cancelTransaction(id, at: boundary)
                return
            }
            s = t.scope
        }
    }

    /// Cancels a running transaction: its active paths end, its completed activities are
    /// compensated, and the path continues at its cancel boundary event.
    mutating func cancelTransaction(_ transaction: String, at boundary: FlowElement) {
        terminateScope(transaction)
        let records = takeCompensable(scope: transaction)
        guard let i = tokenIndex(transaction) else { return }
        let t = removeToken(at: i, cancelWait: true)
        recordTerminated(t)
        record(boundary, "activated")
        startCompensation(at: boundary, records, scope: t.scope, resume: true)
    }
}
