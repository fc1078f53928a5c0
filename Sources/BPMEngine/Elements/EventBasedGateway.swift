import BPMModel

extension Run {
    /// An event-based gateway arms the catch events that follow it (timers, signals, messages) and waits;
    /// the first to fire continues, the others are disarmed.
    mutating func activateEventBasedGateway(_ element: FlowElement, scope: String?) {
        record(element, "activated", scope: scope)
        var armed: [ArmedEvent] = []
        for f in definition.outgoing(element.id) {
            guard let target = definition.element(f.target) else { continue }
            switch target.kind {
            case .timerCatchEvent(let timer):
                // without a due time, settled by an incident
                guard let (due, _) = firstOccurrence(of: timer, scope: scope) else { continue }
                let tid = nextId("t")
                let record = TimerRecord(id: tid, instanceId: state.id, elementId: target.id, dueAt: due)
                effects.append(.scheduleTimer(record))
                armed.append(ArmedEvent(elementId: target.id, timerId: tid, signal: nil))
            case .signalCatchEvent(let name):
                let sid = nextId("m")
                effects.append(.openSubscription(MessageSubscription(id: sid, instanceId: state.id, elementId: target.id, name: Run.signalChannel(name),
                                                                     correlationKey: nil, createdAt: now)))
                armed.append(ArmedEvent(elementId: target.id, timerId: nil, signal: name, subscriptionId: sid))
            case .messageCatchEvent(let m):
                let sid = nextId("m")
                effects.append(.openSubscription(MessageSubscription(id: sid, instanceId: state.id, elementId: target.id, name: m.name,
                                                                     correlationKey: messageKey(m, scope: scope), createdAt: now)))
                armed.append(ArmedEvent(elementId: target.id, timerId: nil, signal: nil, subscriptionId: sid))
            default:
                continue
            }
        }
        wait(at: element, .eventGateway(armed), scope: scope)
    }

    /// One of the gateway's events fired: disarm the others and continue after that event.
    mutating func eventGatewayTriggered(tokenIndex i: Int, _ fired: ArmedEvent) {
        let token = state.tokens[i]
        guard case .eventGateway(let armed) = token.wait, let gateway = definition.element(token.elementId),
              let event = definition.element(fired.elementId) else { return }
        state.tokens.remove(at: i)
        for a in armed where a.elementId != fired.elementId {
            if let t = a.timerId { effects.append(.cancelTimer(id: t)) }
            if let m = a.subscriptionId { effects.append(.closeSubscription(id: m)) }
        }
        record(gateway, "completed")
        record(event, "activated")
        leave(event, scope: token.scope)
    }
}
