import BPMExpressions

/// Variables set on an element instance (Zeebe's SetVariables with an element instance key):
/// the element instance is a scope (a sub-process, a multi-instance body or one of its inner
/// instances: a token that others run inside), or an element waiting in one (a job, a user
/// task: its token's scope, since our tasks hold no variables of their own).
extension Run {
    mutating func setScopedVariables(
        _ elementInstance: String, _ values: [String: Value], local: Bool
    ) throws(CommandRejection) {
        guard let scope = scopeOf(elementInstance) else {
            throw .invalid("instance \(state.id) has no active element instance '\(elementInstance)'")
        }
        guard let scope else {
            state.variables.merge(values) { _, new in new }
            record(definition.id, "process", "variables_set", data: .context(values))
            return
        }
        if local {
            state.locals[scope, default: [:]].merge(values) { _, new in new }
        } else {
            setVariables(values, scope: scope)
        }
        let element = tokenIndex(scope).map { state.tokens[$0].elementId } ?? definition.id
        record(element, "scope", "variables_set", data: .context(values))
    }

    /// The scope an element instance's variables go to: `.some(nil)` the process, `.some(id)`
    /// a scope token, nil when no active element instance has the id.
    func scopeOf(_ elementInstance: String) -> String?? {
        if let i = tokenIndex(elementInstance) {
            let token = state.tokens[i]
            let isScope = state.locals[token.id] != nil || state.tokens.contains { $0.scope == token.id }
            return isScope ? .some(token.id) : .some(token.scope)
        }
        for token in state.tokens {
            switch token.wait {
            case .job(let jobId, _) where jobId == elementInstance: return .some(token.scope)
            case .retry(_, let jobId, _) where jobId == elementInstance: return .some(token.scope)
            case .userTask(let taskId) where taskId == elementInstance: return .some(token.scope)
            default: continue
            }
        }
        return nil
    }
}
