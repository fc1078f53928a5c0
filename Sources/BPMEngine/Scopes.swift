import BPMExpressions
import BPMModel

extension Run {
    // MARK: sub-processes

    /// An embedded sub-process opens a scope and starts its none start events inside it; it
    /// completes when nothing is left in the scope.
    mutating func activateSubProcess(_ element: FlowElement, scope: String?) {
        var adHocIds: [String] = []
        if let adHoc = element.adHoc {
            guard let ids = adHocActivation(element, adHoc, scope: scope) else { return }
            adHocIds = ids
        }
        let id = openSubProcessScope(element, scope: scope)
        if let adHoc = element.adHoc {
            startAdHoc(element, adHoc, scope: id, activating: adHocIds)
            return
        }
        let starts = definition.startEvents(in: element.id)
        for s in starts { arrive(at: s.id, via: nil, scope: id) }
    }

    /// Opens a sub-process's scope (records it activated, arms its boundary events and event
    /// sub-processes, evaluates its input mappings into locals) without starting anything inside.
    mutating func openSubProcessScope(_ element: FlowElement, scope: String?) -> String {
        record(element, "activated", scope: scope)
        let id = wait(at: element, .subProcess, scope: scope, boundaries: armBoundaryEvents(of: element))
        if !element.inputs.isEmpty {  // input mappings are the scope's local variables
            let vars = variables(in: scope)
            let inputs = element.inputs.map { ($0.target, $0.source.evaluate(vars)) }
            state.locals[id] = Dictionary(inputs) { _, last in last }
        }
        let triggers = armEventSubProcesses(in: element.id, scope: id)
        if let i = tokenIndex(id) { state.tokens[i].boundaryTimers += triggers }
        return id
    }

    /// Completes one sub-process scope with nothing left inside; returns whether it did.
    mutating func completeFinishedScope() -> Bool {
        for token in state.tokens where token.wait == .subProcess && !state.adHocWaiting.contains(token.id) {
            let busy = state.tokens.contains { $0.scope == token.id } || queue.contains { $0.scope == token.id }
            if busy { continue }
            guard let i = tokenIndex(token.id), let element = definition.element(token.elementId) else { continue }
            let locals = state.locals[token.id] ?? [:]
            noteCompletedSubProcess(element, token: token)
            removeToken(at: i, cancelWait: false)
            finishAdHoc(element, locals: locals, scope: token.scope)
            if case .subProcess(true) = element.kind {
                record(element, "completed")  // an event sub-process has no outgoing flows; its parent scope carries on
            } else if locals.isEmpty || !leaveWithMappedResult(element, locals, scope: token.scope) {
                leave(element, scope: token.scope)  // output mappings see the scope's locals; without them locals end
            }
            return true
        }
        return false
    }

    // MARK: loops and multi-instance

    /// Starts a loop or multi-instance activity: a body token holds the progress; each
    /// instance runs in its own inner scope with `loopCounter` (and the item) as locals.
    mutating func activateLoop(_ element: FlowElement, scope: String?) {
        guard let loop = element.loop else { return }
        let vars = variables(in: scope)
        var ls: LoopState
        switch loop {
        case .standard(let condition, let testBefore, _):
            if testBefore, let c = condition, !c.test(vars) {
                recordBody(element, "activated", body: nil)
                leave(element, scope: scope)
                return
            }
            ls = LoopState(total: nil, items: nil)
        case .multiInstance(let mi):
            var items: [Value]?
            var total = 0
            if let c = mi.collection {
                switch c.evaluate(vars) {
                case .list(let l): items = l; total = l.count
                case .null: items = []
                default:
                    raiseIncident(at: element, scope: scope, type: "extract_value", message: "the input collection of '\(element.id)' (\(c.source)) is not a list")
                    return
                }
            } else if let n = mi.cardinality?.evaluate(vars).doubleValue {
                guard n.isFinite, n <= Double(Limits.active.loopInstances) else {
                    raiseIncident(at: element, scope: scope, type: "extract_value",
                                  message: "the loop cardinality of '\(element.id)' is \(n); at most \(Limits.active.loopInstances) instances are allowed (\(Limits.Option.loopInstances.rawValue))")
                    return
                }
                total = max(0, Int(n))
            } else {
                raiseIncident(at: element, scope: scope, type: "extract_value", message: "the loop cardinality of '\(element.id)' is not a number")
                return
            }
            ls = LoopState(total: total, items: items)
            if total == 0 {
                recordBody(element, "activated", body: nil)
                if let oc = mi.outputCollection { setVariable(oc, .list([]), scope: scope) }
                leave(element, scope: scope)
                return
            }
        }
        let body = wait(at: element, .loop(ls), scope: scope, boundaries: armBoundaryEvents(of: element))
        recordBody(element, "activated", body: body, data: .context(["loop": .string(ls.total.map { "\($0) instances" } ?? "loop")]))
        let parallel: Bool
        if case .multiInstance(let mi) = loop { parallel = !mi.sequential } else { parallel = false }
        if parallel {
            for k in 0..<(ls.total ?? 0) { startInnerInstance(body: body, element: element, index: k) }
        } else {
            startInnerInstance(body: body, element: element, index: 0)
        }
    }

    mutating func startInnerInstance(body: String, element: FlowElement, index: Int) {
        guard let b = tokenIndex(body), case .loop(var ls) = state.tokens[b].wait else { return }
        ls.started += 1
        state.tokens[b].wait = .loop(ls)
        let inner = nextId("k")
        state.tokens.append(Token(id: inner, elementId: element.id, wait: .innerInstance(index: index), scope: body))
        var locals: [String: Value] = ["loopCounter": .number(Double(index + 1))]
        if case .multiInstance(let mi) = element.loop, let name = mi.elementVariable {
            locals[name] = ls.items.map { index < $0.count ? $0[index] : .null } ?? .null
        }
        state.locals[inner] = locals
        activate(element, via: nil, scope: inner, inner: true)
    }

    /// One instance finished: collect its output, then start the next, or complete the body.
    mutating func innerInstanceCompleted(tokenIndex i: Int) {
        let inner = state.tokens[i]
        guard case .innerInstance(let index) = inner.wait, let body = inner.scope, let b = tokenIndex(body),
              case .loop(var ls) = state.tokens[b].wait, let element = definition.element(inner.elementId) else { return }
        let innerVars = variables(in: inner.id)
        if case .multiInstance(let mi) = element.loop, let oe = mi.outputElement, index < ls.outputs.count {
            ls.outputs[index] = oe.evaluate(innerVars)
        }
        state.tokens.remove(at: i)
        state.locals[inner.id] = nil
        ls.completed += 1
        let bodyIndex = tokenIndex(body)!
        state.tokens[bodyIndex].wait = .loop(ls)
        let outerScope = state.tokens[bodyIndex].scope

        var done: Bool
        var next = false
        switch element.loop {
        case .standard(let condition, _, let maximum):
            let again = condition.map { $0.test(variables(in: outerScope)) } ?? false
            done = !again || (maximum.map { ls.completed >= $0 } ?? false)
            next = !done
        case .multiInstance(let mi):
            var cvars = innerVars
            cvars["numberOfInstances"] = .number(Double(ls.total ?? 0))
            cvars["numberOfCompletedInstances"] = .number(Double(ls.completed))
            cvars["numberOfActiveInstances"] = .number(Double(ls.started - ls.completed))
            cvars["nrOfInstances"] = cvars["numberOfInstances"]
            cvars["nrOfCompletedInstances"] = cvars["numberOfCompletedInstances"]
            cvars["nrOfActiveInstances"] = cvars["numberOfActiveInstances"]
            let early = mi.completionCondition.map { $0.test(cvars) } ?? false
            done = early || ls.completed >= (ls.total ?? 0)
            next = !done && mi.sequential && ls.started < (ls.total ?? 0)
        case nil:
            done = true
        }
        if next {
            startInnerInstance(body: body, element: element, index: ls.started)
            return
        }
        guard done else { return }
        // complete the body: instances still running (after an early completion) end
        let bodyToken = removeToken(at: tokenIndex(body)!, cancelWait: true)
        if case .multiInstance(let mi) = element.loop, let oc = mi.outputCollection {
            setVariable(oc, .list(ls.outputs), scope: bodyToken.scope)
        }
        leave(element, scope: bodyToken.scope, applyOutputs: false, body: bodyToken.id)
    }

    // MARK: errors

    /// Throws a BPMN error from a scope: the nearest error event sub-process or error boundary
    /// event that catches the code handles it, ending the scopes in between; uncaught, the
    /// instance fails.
    mutating func throwError(code: String, message: String?, from scope: String?) {
        var sc = scope
        while true {
            let owner = sc.flatMap { tokenIndex($0) }.map { state.tokens[$0] }
            // an error event sub-process directly in this scope
            if owner == nil || owner?.wait == .subProcess {
                let container = owner?.elementId
                for esp in definition.eventSubProcesses(in: container) {
                    guard let start = definition.elements.first(where: { e in
                        guard e.parent == esp.id, case .eventStartEvent(.error(let c), _) = e.kind else { return false }
                        return c == nil || c == code
                    }), case .eventStartEvent(_, let interrupting) = start.kind else { continue }
                    if interrupting {
                        if let sc { terminateScope(sc) } else { terminateAllTokens() }
                    }
                    record(esp, "activated")
                    let espToken = wait(at: esp, .subProcess, scope: sc)
                    setVariable("errorCode", .string(code), scope: sc)
                    if let message { setVariable("errorMessage", .string(message), scope: sc) }
                    arrive(at: start.id, via: nil, scope: espToken)
                    return
                }
            }
            guard let owner else {
                failInstance(code: code, message: message)
                return
            }
            // an error boundary event on the scope's activity (a sub-process or multi-instance body)
            if owner.wait == .subProcess || { if case .loop = owner.wait { true } else { false } }(),
               let boundary = errorBoundary(on: owner.elementId, code: code)
            {
                let t = removeToken(at: tokenIndex(owner.id)!, cancelWait: true)
                recordTerminated(t)
                catchError(at: boundary, code: code, message: message, scope: t.scope)
                return
            }
            sc = owner.scope
        }
    }

    /// The error boundary event on an activity that catches `code`, if any (a specific code first).
    func errorBoundary(on elementId: String, code: String) -> FlowElement? {
        let candidates = definition.boundaryEvents(of: elementId).filter { b in
            guard case .boundaryEvent(let be) = b.kind, case .error(let c) = be.trigger else { return false }
            return c == nil || c == code
        }
        return candidates.first { if case .boundaryEvent(let be) = $0.kind, case .error(let c) = be.trigger { c != nil } else { false } } ?? candidates.first
    }

    mutating func catchError(at boundary: FlowElement, code: String, message: String?, scope: String?) {
        record(boundary, "activated", data: .context(["errorCode": .string(code)]))
        setVariable("errorCode", .string(code), scope: scope)
        if let message { setVariable("errorMessage", .string(message), scope: scope) }
        leave(boundary, scope: scope)
    }

    mutating func failInstance(code: String, message: String?) {
        terminateAllTokens()
        state.compensable = []
        state.status = .failed
        state.endedAt = now
        state.error = InstanceError(code: code, message: message)
        var data: [String: Value] = ["code": .string(code)]
        if let message { data["message"] = .string(message) }
        record(definition.id, "process", "failed", data: .context(data))
    }

    /// A job reported a BPMN error: an error boundary on its task catches it, else it propagates.
    mutating func jobThrewError(_ jobId: String, code: String, message: String?) throws(CommandRejection) {
        if listenerTokenIndex(jobId) != nil { throw Self.listenerErrorRefusal(jobId) }
        guard let i = state.tokens.firstIndex(where: { if case .job(let j, _) = $0.wait { j == jobId } else { false } }),
              let element = definition.element(state.tokens[i].elementId)
        else { throw .stale("instance \(state.id) does not wait for job \(jobId)") }
        record(element, "error_thrown", data: .context(["code": .string(code)]))
        let token = removeToken(at: i, cancelWait: false)
        if let sc = token.scope, let o = tokenIndex(sc), state.tokens[o].elementId == element.id,
           case .innerInstance = state.tokens[o].wait {
            throwError(code: code, message: message, from: sc)  // an instance of a multi-instance: the body's boundary decides
        } else if let boundary = errorBoundary(on: element.id, code: code) {
            record(element, "terminated", scope: token.scope)
            catchError(at: boundary, code: code, message: message, scope: token.scope)
        } else {
            throwError(code: code, message: message, from: token.scope)
        }
    }

    mutating func completeIfDone() {
        guard state.status == .running, state.tokens.isEmpty, queue.isEmpty else { return }
        if !definition.executionListeners.end.isEmpty {
            // the process's end listeners run after its last path ended (they complete it)
            dispatchListener(at: definition.id, .end, index: 0, attempt: 1, scope: nil)
            return
        }
        completeProcess()
    }

    /// Ends the instance as completed.
    mutating func completeProcess() {
        for b in state.processTriggers { disarm(b) }
        state.processTriggers = []
        state.status = .completed
        state.endedAt = now
        state.joins = [:]
        state.locals = [:]
        state.compensable = []
        record(definition.id, "process", "completed")
    }
}
