import BPMExpressions
import BPMModel

extension Run {
    /// The correlation key of a message in a scope: its expression's value, else the instance's key.
    func messageKey(_ m: MessageDefinition, scope: String?) -> String? {
        guard let e = m.correlationKey else { return state.correlationKey }
        let v = e.evaluate(variables(in: scope))
        return v.isNull ? nil : v.interpolated
    }

    /// A message catch event (or receive task) opens a subscription and waits for a message
    /// with its name and correlation key.
    mutating func activateMessageCatchEvent(_ element: FlowElement, _ m: MessageDefinition, scope: String?) {
        record(element, "activated", scope: scope)
        let key = messageKey(m, scope: scope)
        let id = wait(at: element, .message(name: m.name, correlationKey: key), scope: scope,
                      boundaries: armBoundaryEvents(of: element, scope: scope))
        effects.append(.openSubscription(MessageSubscription(id: id, instanceId: state.id, elementId: element.id, name: m.name,
                                                             correlationKey: key, createdAt: now)))
    }

    /// A message throw event (or send task, message end event) publishes the message and moves on.
    mutating func activateMessageThrowEvent(_ element: FlowElement, _ m: MessageDefinition, scope: String?) {
        record(element, "activated", scope: scope, data: .context(["message": .string(m.name)]))
        effects.append(.publishMessage(PublishedMessage(name: m.name, correlationKey: messageKey(m, scope: scope))))
        leave(element, scope: scope)
    }

    /// A published message reached a subscription: a waiting catch event continues with its
    /// variables; an event-based gateway takes that branch; a message boundary event fires.
    mutating func correlateMessage(_ subscriptionId: String, variables values: [String: Value]) throws(CommandRejection) {
        if let t = state.processTriggers.first(where: { $0.timerId == subscriptionId }), let start = definition.element(t.boundaryElementId) {
            triggerEventSubProcess(start: start, scope: nil, variables: values)
            return
        }
        for (i, token) in state.tokens.enumerated() {
            if token.id == subscriptionId, { switch token.wait { case .message, .signal: true; default: false } }() {
                let t = removeToken(at: i, cancelWait: false)
                setVariables(values, scope: t.scope)
                if let e = definition.element(t.elementId) { leave(e, scope: t.scope) }
                return
            }
            if case .eventGateway(let armed) = token.wait, let a = armed.first(where: { $0.subscriptionId == subscriptionId }) {
                setVariables(values, scope: token.scope)
                eventGatewayTriggered(tokenIndex: i, a)
                return
            }
            if let b = token.boundaryTimers.first(where: { $0.timerId == subscriptionId }) {
                if let e = definition.element(b.boundaryElementId), case .eventStartEvent = e.kind {
                    boundaryTimerFired(tokenIndex: i, b, variables: values)
                } else {
                    setVariables(values, scope: token.scope)
                    boundaryTimerFired(tokenIndex: i, b)
                }
                return
            }
        }
        throw .stale("no path of instance \(state.id) waits for subscription \(subscriptionId)")
    }
}
