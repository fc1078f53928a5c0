import BPMModel

extension Run {
    /// An escalation throw event raises its escalation to the scopes around it: the nearest
    /// escalation event sub-process or escalation boundary event that catches the code handles
    /// it (interrupting or not); uncaught, nothing happens. An intermediate throw then moves on;
    /// an escalation end event ends its path.
    mutating func activateEscalationThrowEvent(_ element: FlowElement, _ code: String, scope: String?) {
        record(element, "activated", scope: scope, data: .context(["escalationCode": .string(code)]))
        let interruptedOwnScope = throwEscalation(code: code, from: scope)
        if interruptedOwnScope { return }
        if element.typeName == "endEvent" {
            record(element, "completed", scope: scope)
        } else {
            leave(element, scope: scope)
        }
    }

    /// Looks for a catcher outward from `scope`; returns whether the thrower's path was ended.
    mutating func throwEscalation(code: String, from scope: String?) -> Bool {
        var sc = scope
        while true {
            let owner = sc.flatMap { tokenIndex($0) }.map { state.tokens[$0] }
            if owner == nil || owner?.wait == .subProcess {
                for esp in definition.eventSubProcesses(in: owner?.elementId) {
                    guard let start = definition.elements.first(where: { e in
                        guard e.parent == esp.id, case .eventStartEvent(.escalation(let c), _) = e.kind else { return false }
                        return c == nil || c == code
                    }), case .eventStartEvent(_, let interrupting) = start.kind else { continue }
                    if interrupting { if let sc { terminateScope(sc) } else { terminateAllTokens() } }
                    record(esp, "activated")
                    let espToken = wait(at: esp, .subProcess, scope: sc)
                    setVariable("escalationCode", .string(code), scope: sc)
                    arrive(at: start.id, via: nil, scope: espToken)
                    return interrupting
                }
            }
            guard let owner else { return false }  // uncaught: no effect
            let isActivityScope: Bool
            switch owner.wait {
            case .subProcess, .loop: isActivityScope = true
            default: isActivityScope = false
            }
            if isActivityScope, let boundary = definition.boundaryEvents(of: owner.elementId).first(where: { b in
                guard case .boundaryEvent(let be) = b.kind, case .escalation(let c) = be.trigger else { return false }
                return c == nil || c == code
            }), case .boundaryEvent(let be) = boundary.kind {
                let outer = owner.scope
                if be.interrupting {
                    recordTerminated(removeToken(at: tokenIndex(owner.id)!, cancelWait: true))
                }
                record(boundary, "activated", data: .context(["escalationCode": .string(code)]))
                setVariable("escalationCode", .string(code), scope: outer)
                leave(boundary, scope: outer)
                return be.interrupting
            }
            sc = owner.scope
        }
    }

    /// A link throw event continues at the link catch event with its name in the same scope.
    mutating func activateLinkThrowEvent(_ element: FlowElement, _ name: String, scope: String?) {
        record(element, "activated", scope: scope)
        record(element, "completed", scope: scope)
        guard let target = definition.elements.first(where: { e in
            guard e.parent == element.parent, case .linkCatchEvent(let n) = e.kind else { return false }
            return n == name
        }) else { return }
        arrive(at: target.id, via: nil, scope: scope)
    }
}
