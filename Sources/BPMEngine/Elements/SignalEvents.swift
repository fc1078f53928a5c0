import BPMModel

extension Run {
    /// Signals travel between instances as subscriptions on this channel name.
    static func signalChannel(_ name: String) -> String { "signal:" + name }

    /// A signal catch event waits until the signal is broadcast (by this or another instance).
    mutating func activateSignalCatchEvent(_ element: FlowElement, _ name: String, scope: String?) {
        record(element, "activated", scope: scope)
        let id = wait(at: element, .signal(name), scope: scope, boundaries: armBoundaryEvents(of: element, scope: scope))
        effects.append(.openSubscription(MessageSubscription(id: id, instanceId: state.id, elementId: element.id, name: Run.signalChannel(name),
                                                             correlationKey: nil, createdAt: now)))
    }

    /// A signal throw event broadcasts to every path of the instance waiting for the signal
    /// now (signals are not kept for later), then moves on.
    mutating func activateSignalThrowEvent(_ element: FlowElement, _ name: String, scope: String?) {
        record(element, "activated", scope: scope, data: .context(["signal": .string(name)]))
        broadcast(signal: name)
        effects.append(.broadcastSignal(name: name, variables: [:], from: state.id))
        if element.typeName == "endEvent" { record(element, "completed", scope: scope) } else { leave(element, scope: scope) }
    }

    /// Delivers a signal to the catch events, event-based gateways and signal boundary events
    /// that wait for it.
    mutating func broadcast(signal name: String) {
        func startsOn(_ b: BoundaryTimer) -> FlowElement? {
            guard let e = definition.element(b.boundaryElementId), case .eventStartEvent(.signal(let s), _) = e.kind, s == name else { return nil }
            return e
        }
        // event sub-processes started by the signal: the process's, then those of running sub-processes
        if let t = state.processTriggers.first(where: { startsOn($0) != nil }), let start = startsOn(t) {
            triggerEventSubProcess(start: start, scope: nil)
        }
        for id in state.tokens.map(\.id) {
            guard let i = tokenIndex(id), let t = state.tokens[i].boundaryTimers.first(where: { startsOn($0) != nil }) else { continue }
            boundaryTimerFired(tokenIndex: i, t)
        }
        let waiting = state.tokens.map(\.id)
        for id in waiting {
            guard let i = tokenIndex(id) else { continue }  // ended by an earlier delivery
            let token = state.tokens[i]
            switch token.wait {
            case .signal(let s) where s == name:
                let t = removeToken(at: i, cancelWait: false)
                if let e = definition.element(t.elementId) { leave(e, scope: t.scope) }
                continue
            case .eventGateway(let armed):
                if let a = armed.first(where: { $0.signal == name }) {
                    eventGatewayTriggered(tokenIndex: i, a)
                    continue
                }
            default:
                break
            }
            for b in definition.boundaryEvents(of: token.elementId) {
                guard case .boundaryEvent(let be) = b.kind, case .signal(let s) = be.trigger, s == name,
                      let j = tokenIndex(id) else { continue }
                // a loop body's instances share their body's boundary events
                if case .innerInstance = state.tokens[j].wait { continue }
                let scope = state.tokens[j].scope
                if be.interrupting {
                    recordTerminated(removeToken(at: j, cancelWait: true))
                }
                record(b, "activated", data: .context(["signal": .string(name)]))
                leave(b, scope: scope)
                if be.interrupting { break }
            }
        }
    }
}
