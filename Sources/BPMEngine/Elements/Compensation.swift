import BPMExpressions
import BPMModel

/// Compensation (BPMN 2.0.2 §10.6.5 Compensation Event, §13.5.5 Compensation Handling): each
/// completed activity with a compensation handler (and each completed sub-process with
/// something to compensate inside) is noted with the variables of its completion; a throw
/// event compensates the noted activities of its scope — the last completed first, one handler
/// after the other — and continues when they are done.
extension Run {
    // MARK: noting completed activities

    /// Notes an activity that completed, when it has a compensation handler (sub-processes are
    /// noted by `noteCompletedSubProcess`; a multi-instance is noted once per instance).
    mutating func noteCompensable(_ element: FlowElement, scope: String?) {
        if case .subProcess = element.kind { return }
        guard element.loop == nil || innerInstance(of: element, scope) != nil,
              definition.compensationHandler(of: element.id) != nil else { return }
        let record = CompensationRecord(id: nextId("c"), elementId: element.id,
                                        scope: compensationScope(element, scope), variables: variables(in: scope))
        state.compensable.append(record)
    }

    /// Notes a sub-process whose scope completed: it is compensable when it has a handler, a
    /// compensation event sub-process, or completed activities inside that are.
    mutating func noteCompletedSubProcess(_ element: FlowElement, token: Token) {
        if case .subProcess(true) = element.kind {  // an event sub-process's activities belong to its parent scope
            for i in state.compensable.indices where state.compensable[i].scope == token.id {
                state.compensable[i].scope = token.scope
            }
            return
        }
        let inside = state.compensable.contains { $0.scope == token.id }
        let handled = definition.compensationHandler(of: element.id) != nil
            || definition.compensationStart(in: element.id) != nil
        guard inside || handled else { return }
        let record = CompensationRecord(id: nextId("c"), elementId: element.id,
                                        scope: compensationScope(element, token.scope),
                                        variables: variables(in: token.id), inner: token.id)
        state.compensable.append(record)
    }

    /// The scope an activity belongs to: for an instance of a multi-instance, the body's scope.
    func compensationScope(_ element: FlowElement, _ scope: String?) -> String? {
        guard let inner = innerInstance(of: element, scope), let i = tokenIndex(inner),
              let body = state.tokens[i].scope, let b = tokenIndex(body) else { return scope }
        return state.tokens[b].scope
    }

    /// Forgets what completed inside a scope that did not complete (interrupted, cancelled).
    mutating func dropCompensable(in scope: String) {
        var scopes: Set<String> = [scope]
        for r in state.compensable.reversed() where r.scope.map(scopes.contains) == true {
            if let inner = r.inner { scopes.insert(inner) }
        }
        state.compensable.removeAll { r in r.scope.map(scopes.contains) == true }
    }

    /// Takes the records of a scope out of the compensable ones (optionally only one activity's),
    /// the last completed first.
    mutating func takeCompensable(scope: String?, activity: String? = nil) -> [CompensationRecord] {
        let taken = state.compensable.filter { $0.scope == scope && (activity == nil || $0.elementId == activity) }
        let ids = Set(taken.map(\.id))
        state.compensable.removeAll { ids.contains($0.id) }
        return taken.reversed()
    }

    // MARK: throwing

    /// A compensation throw or end event compensates the completed activities of its scope (or
    /// the one its `activityRef` names); with `waitForCompletion` the path waits for the handlers.
    mutating func activateCompensationThrowEvent(_ element: FlowElement, _ t: CompensationThrow, scope: String?) {
        record(element, "activated", scope: scope)
        let records = takeCompensable(scope: compensationTarget(scope), activity: t.activityRef)
        startCompensation(at: element, records, scope: scope, resume: t.waitForCompletion)
    }

    /// The scope a throw event compensates: its own; thrown in an event sub-process, the scope
    /// around it; thrown in a compensation event sub-process, the completed sub-process it compensates.
    func compensationTarget(_ scope: String?) -> String? {
        var s = scope
        for _ in 0...state.tokens.count {
            guard let id = s, let i = tokenIndex(id) else { return s }
            let t = state.tokens[i]
            if case .compensationHandler(let r) = t.wait { return r.inner ?? t.scope }
            guard t.wait == .subProcess, case .subProcess(true)? = definition.element(t.elementId)?.kind
            else { return s }
            s = t.scope
        }
        return s
    }

    /// Runs the handlers of `records` in order at `element` (a throw event or cancel boundary
    /// event); without `resume`, the throw event moves on at once.
    mutating func startCompensation(at element: FlowElement, _ records: [CompensationRecord], scope: String?,
                                    resume: Bool)
    {
        guard !records.isEmpty else {
            compensationDone(element, scope: scope)
            return
        }
        let id = wait(at: element, .compensating(pending: records, resume: resume), scope: scope)
        if !resume { compensationDone(element, scope: scope) }
        advanceCompensation(id)
    }

    /// The throw event (or cancel boundary event) once its compensation is done: it moves on.
    mutating func compensationDone(_ element: FlowElement, scope: String?) {
        if element.typeName == "endEvent" {
            record(element, "completed", scope: scope)
        } else {
            leave(element, scope: scope)
        }
    }

    /// Starts the next pending handler of a compensation, or ends it when none is left.
    mutating func advanceCompensation(_ tokenId: String) {
        for _ in 0..<(definition.elements.count * 4 + state.compensable.count + 64) {
            guard let i = tokenIndex(tokenId), case .compensating(var pending, let resume) = state.tokens[i].wait
            else { return }
            guard !pending.isEmpty else {
                let t = removeToken(at: i, cancelWait: false)
                if resume, let e = definition.element(t.elementId) { compensationDone(e, scope: t.scope) }
                return
            }
            let r = pending.removeFirst()
            guard let activity = definition.element(r.elementId) else { continue }
            if r.expanded {
                state.tokens[i].wait = .compensating(pending: pending, resume: resume)
                record(activity.id, activity.typeName, "compensated", instance: r.id)
                continue
            }
            if startHandler(r, activity, under: tokenId, pending: pending, resume: resume) { return }
        }
    }

    /// Starts the handler of one record (its handler activity, or its compensation event
    /// sub-process), or queues a sub-process's inner activities; returns whether one now runs.
    mutating func startHandler(_ r: CompensationRecord, _ activity: FlowElement, under tokenId: String,
                               pending: [CompensationRecord], resume: Bool) -> Bool
    {
        guard let i = tokenIndex(tokenId) else { return false }
        let handler = definition.compensationHandler(of: activity.id)
        let start = handler == nil && r.inner != nil ? definition.compensationStart(in: activity.id) : nil
        guard let runner = handler ?? start.flatMap({ $0.parent }).flatMap(definition.element) else {
            // default compensation of a sub-process: its inner activities, last completed first
            var marker = r
            marker.expanded = true
            let inner = r.inner.map { takeCompensable(scope: $0) } ?? []
            state.tokens[i].wait = .compensating(pending: inner + [marker] + pending, resume: resume)
            record(activity.id, activity.typeName, "compensating", instance: r.id)
            return false
        }
        state.tokens[i].wait = .compensating(pending: pending, resume: resume)
        record(activity.id, activity.typeName, "compensating", data: .context(["handler": .string(runner.id)]),
               instance: r.id)
        let scope = wait(at: runner, .compensationHandler(r), scope: tokenId)
        state.locals[scope] = r.variables
        if let start {
            record(runner, "activated")
            arrive(at: start.id, via: nil, scope: scope)
        } else {
            activate(runner, via: nil, scope: scope)
        }
        return true
    }

    /// Completes one handler with nothing left running inside: what it changed of the
    /// variables it was given goes to the scope of the throw; the compensation moves on.
    mutating func completeFinishedHandler() -> Bool {
        for token in state.tokens {
            guard case .compensationHandler(let r) = token.wait,
                  !state.tokens.contains(where: { $0.scope == token.id }),
                  !queue.contains(where: { $0.scope == token.id }), let i = tokenIndex(token.id) else { continue }
            let locals = state.locals[token.id] ?? [:]
            state.tokens.remove(at: i)
            state.locals[token.id] = nil
            let outer = token.scope.flatMap(tokenIndex).flatMap { state.tokens[$0].scope }
            for (k, v) in locals.sorted(by: { $0.key < $1.key }) where r.variables[k] != v {
                setVariable(k, v, scope: outer)
            }
            dropCompensable(in: token.id)  // what completed inside a handler is not compensated later
            if let inner = r.inner { dropCompensable(in: inner) }  // nor what the sub-process's handler left
            if let runner = definition.element(token.elementId), case .subProcess(true) = runner.kind {
                record(runner, "completed")
            }
            if let activity = definition.element(r.elementId) {
                record(activity.id, activity.typeName, "compensated", instance: r.id)
            }
            if let parent = token.scope { advanceCompensation(parent) }
            return true
        }
        return false
    }
}
