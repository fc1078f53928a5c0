import BPMExpressions
import BPMModel

/// An operator's repair of a running instance (Zeebe's ModifyProcessInstance): elements to
/// activate and element instances to terminate, applied in that order in one command.
public struct Modification: Sendable, Equatable {
    /// Variables for one scope of an activation: the id of the activated element or of one of
    /// its flow scopes (sub-processes); nil or empty: the process instance.
    public struct ScopedValues: Sendable, Equatable {
        public var scopeId: String?
        public var variables: [String: Value]

        public init(scopeId: String? = nil, variables: [String: Value]) {
            self.scopeId = scopeId
            self.variables = variables
        }
    }

    /// An element to enter. Its flow scopes are created where missing; `ancestor` names the
    /// scope instance (a sub-process token) to enter below when several could be meant.
    public struct Activation: Sendable, Equatable {
        public var elementId: String
        public var ancestor: String?
        public var variables: [ScopedValues]

        public init(elementId: String, ancestor: String? = nil, variables: [ScopedValues] = []) {
            self.elementId = elementId
            self.ancestor = ancestor
            self.variables = variables
        }
    }

    public var activate: [Activation]
    /// Element instances to end: a token's id, a job's or a user task's id, an incident's, or
    /// an element id where exactly one token waits.
    public var terminate: [String]

    public init(activate: [Activation] = [], terminate: [String] = []) {
        self.activate = activate
        self.terminate = terminate
    }
}

extension Run {
    /// Applies a modification: activations first, then terminations. A flow scope left with
    /// nothing active is terminated too, up to the instance, which ends terminated (as Zeebe).
    mutating func modify(_ m: Modification) throws(CommandRejection) {
        let targets = try m.terminate.map { id throws(CommandRejection) in try terminationTarget(id) }
        for a in m.activate { try activateByModification(a) }
        var emptied: [String?] = []
        for id in targets {
            guard let i = tokenIndex(id) else { continue }  // already ended with its scope
            let token = removeToken(at: i, cancelWait: true)
            recordModified(token)
            emptied.append(token.scope)
        }
        let data: [String: Value] = [
            "activated": .list(m.activate.map { .string($0.elementId) }),
            "terminated": .list(targets.map(Value.string)),
        ]
        record(definition.id, "process", "modified", data: .context(data))
        for scope in emptied { terminateEmptyScopes(from: scope) }
        if state.tokens.isEmpty, queue.isEmpty, !targets.isEmpty { terminateByModification() }
    }

    /// The token an element instance id names; refused when none is active.
    func terminationTarget(_ id: String) throws(CommandRejection) -> String {
        let token = state.tokens.first { $0.id == id || Self.waits(for: id, $0.wait) }
            ?? singleToken(at: id)
        guard let token else { throw .invalid("instance \(state.id) has no active element instance '\(id)'") }
        if case .innerInstance = token.wait {
            throw .invalid("'\(id)' is one instance of the multi-instance '\(token.elementId)': terminate its body")
        }
        return token.id
    }

    static func waits(for id: String, _ wait: Wait) -> Bool {
        switch wait {
        case .job(let j, _), .retry(_, let j, _): j == id
        case .userTask(let t): t == id
        case .incident(let i): i == id
        case .listener(let l): l.jobId == id
        default: false
        }
    }

    func singleToken(at elementId: String) -> Token? {
        let at = state.tokens.filter { t in
            if case .innerInstance = t.wait { return false }
            return t.elementId == elementId
        }
        return at.count == 1 ? at[0] : nil
    }

    mutating func recordModified(_ token: Token) {
        guard let e = definition.element(token.elementId) else { return }
        let by: Value = .context(["by": "modification"])
        if case .loop = token.wait {
            recordBody(e, "terminated", body: token.id, data: by)
        } else {
            record(e, "terminated", scope: token.scope, data: by)
        }
    }

    /// Terminates the scopes, innermost first, that a termination left with nothing inside.
    mutating func terminateEmptyScopes(from scope: String?) {
        var s = scope
        while let id = s, let i = tokenIndex(id), state.tokens[i].wait.isScope,
              !state.tokens.contains(where: { $0.scope == id }), !queue.contains(where: { $0.scope == id })
        {
            let token = removeToken(at: i, cancelWait: true)
            if case .innerInstance = token.wait { countTerminatedInstance(body: token.scope) }
            recordModified(token)
            s = token.scope
        }
    }

    /// A terminated instance of a multi-instance counts as done, so the body completes with the rest.
    mutating func countTerminatedInstance(body: String?) {
        guard let body, let b = tokenIndex(body), case .loop(var ls) = state.tokens[b].wait else { return }
        ls.completed += 1
        state.tokens[b].wait = .loop(ls)
    }

    /// Nothing is left active: the instance ends terminated.
    mutating func terminateByModification() {
        terminateAllTokens()
        state.compensable = []
        state.status = .terminated
        state.endedAt = now
        record(definition.id, "process", "terminated", data: .context(["by": "modification"]))
    }

    // MARK: activation

    mutating func activateByModification(_ a: Modification.Activation) throws(CommandRejection) {
        guard let element = definition.element(a.elementId) else {
            throw .invalid("process '\(definition.id)' has no element '\(a.elementId)' to activate")
        }
        let chain = flowScopes(of: element)
        try checkActivatable(element, chain)
        var scope = try ancestorScope(a.ancestor, element, chain)
        let start = scope.flatMap { s in chain.firstIndex { $0.id == state.tokens[tokenIndex(s)!].elementId } }
        for c in chain.dropFirst(start.map { $0 + 1 } ?? 0) {
            let found = state.tokens.filter { $0.elementId == c.id && $0.wait == .subProcess && $0.scope == scope }
            guard found.count <= 1 else {
                throw .invalid("'\(c.id)' has \(found.count) active instances: name the one to activate "
                    + "'\(element.id)' in as its ancestor")
            }
            scope = found.first?.id ?? openSubProcessScope(c, scope: scope)
        }
        try setModificationVariables(a.variables, element, chain, scope: scope)
        arrive(at: element.id, via: nil, scope: scope)
    }

    /// The sub-processes enclosing an element, outermost first.
    func flowScopes(of element: FlowElement) -> [FlowElement] {
        var out: [FlowElement] = []
        var p = element.parent
        while let id = p, let e = definition.element(id), out.count < definition.elements.count {
            out.insert(e, at: 0)
            p = e.parent
        }
        return out
    }

    /// Refuses what activation cannot enter: start events of sub-processes, boundary events,
    /// compensation handlers, and anything inside a multi-instance or ad-hoc sub-process.
    func checkActivatable(_ e: FlowElement, _ chain: [FlowElement]) throws(CommandRejection) {
        let what = "cannot activate \(e.typeName) '\(e.id)'"
        if let mi = chain.first(where: { $0.loop != nil }) {
            throw .invalid("\(what): it is inside the multi-instance '\(mi.id)' (activate the multi-instance itself)")
        }
        if let adHoc = chain.first(where: { $0.adHoc != nil }) {
            throw .invalid("\(what): it is inside the ad-hoc sub-process '\(adHoc.id)'")
        }
        switch e.kind {
        case .startEvent, .eventStartEvent, .messageStartEvent, .timerStartEvent, .signalStartEvent:
            if let p = e.parent {
                throw .invalid("\(what): it starts the sub-process '\(p)' (activate the sub-process instead)")
            }
        case .boundaryEvent(let b):
            throw .invalid("\(what): a boundary event is entered by its trigger on '\(b.attachedTo)'")
        default: break
        }
        if e.isForCompensation { throw .invalid("\(what): a compensation handler runs only by compensation") }
    }

    /// The scope instance an activation's `ancestor` names (nil: the process instance).
    func ancestorScope(_ ancestor: String?, _ e: FlowElement, _ chain: [FlowElement])
        throws(CommandRejection) -> String?
    {
        guard let ancestor, !ancestor.isEmpty, ancestor != state.id else { return nil }
        guard let i = tokenIndex(ancestor), state.tokens[i].wait == .subProcess,
              chain.contains(where: { $0.id == state.tokens[i].elementId })
        else {
            throw .invalid("'\(ancestor)' is not an active instance of a sub-process enclosing '\(e.id)'")
        }
        return ancestor
    }

    /// Sets an activation's variables before it enters: in the instance, or local to the
    /// activated element's flow scope instance named by its id (the element's own id: its flow scope).
    mutating func setModificationVariables(
        _ values: [Modification.ScopedValues], _ e: FlowElement, _ chain: [FlowElement], scope: String?
    ) throws(CommandRejection) {
        let scopes = scopeChain(scope)
        for v in values {
            let id = v.scopeId ?? ""
            if !id.isEmpty, id != e.id, !chain.contains(where: { $0.id == id }) {
                throw .invalid("variables for '\(id)': it is neither '\(e.id)' nor a sub-process enclosing it")
            }
            let target = id.isEmpty ? nil
                : id == e.id ? scope : scopes.first { tokenIndex($0).map { state.tokens[$0].elementId } == id }
            if let target {
                state.locals[target, default: [:]].merge(v.variables) { _, new in new }
            } else {
                state.variables.merge(v.variables) { _, new in new }
            }
        }
    }
}
