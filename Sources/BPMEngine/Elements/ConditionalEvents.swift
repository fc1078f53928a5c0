import BPMExpressions
import BPMModel

/// Conditional events (BPMN 2.0.2 §10.5.4, §10.5.5): an intermediate conditional catch event,
/// a conditional boundary event and an event sub-process's conditional start event fire when
/// their condition over the variables of their scope becomes true.
///
/// A condition is evaluated when its event is entered (or armed) and again each time the
/// instance comes to rest after a step — a job's or task's result, a correlated message or
/// event, variables set through the API — that is, whenever a variable of its scope may have
/// changed. A boundary event or event sub-process start fires on a change from false to true,
/// not on every step while it holds: a non-interrupting one fires again only after its
/// condition has been false in between.
extension Run {
    /// An intermediate conditional catch event continues at once when its condition holds;
    /// otherwise it waits until it does.
    mutating func activateConditionalCatchEvent(_ element: FlowElement, scope: String?) {
        record(element, "activated", scope: scope)
        guard case .conditionalCatchEvent(let condition) = element.kind else { return }
        if condition.test(variables(in: scope)) {
            leave(element, scope: scope)
        } else {
            wait(at: element, .condition, scope: scope)
        }
    }

    /// Fires the first conditional event whose condition became true (and notes those that
    /// became false); whether one fired.
    mutating func fireConditionalEvent() -> Bool {
        for i in state.tokens.indices {
            let token = state.tokens[i]
            if token.wait == .condition, let e = definition.element(token.elementId),
               case .conditionalCatchEvent(let c) = e.kind, c.test(variables(in: token.scope))
            {
                let t = removeToken(at: i, cancelWait: false)
                leave(e, scope: t.scope)
                return true
            }
            for (j, b) in token.boundaryTimers.enumerated() {
                guard let c = condition(of: b) else { continue }
                let holds = c.test(variables(in: token.id))
                guard holds != b.held else { continue }
                state.tokens[i].boundaryTimers[j].held = holds
                guard holds else { continue }
                boundaryTimerFired(tokenIndex: i, b)
                keepArmed(b, scope: token.id)
                return true
            }
        }
        for (j, b) in state.processTriggers.enumerated() {
            guard let c = condition(of: b), let start = definition.element(b.boundaryElementId) else { continue }
            let holds = c.test(state.variables)
            guard holds != b.held else { continue }
            state.processTriggers[j].held = holds
            guard holds else { continue }
            triggerEventSubProcess(start: start, scope: nil)
            keepArmed(b, scope: nil)
            return true
        }
        return false
    }

    /// The condition of an armed boundary event or event sub-process start; nil for the others.
    func condition(of b: BoundaryTimer) -> Expression? {
        switch definition.element(b.boundaryElementId)?.kind {
        case .boundaryEvent(let be)?: if case .condition(let c) = be.trigger { return c }
        case .eventStartEvent(.condition(let c), _)?: return c
        default: break
        }
        return nil
    }

    /// A non-interrupting event sub-process's conditional start stays armed after it fired
    /// (holding, so it fires again only after the condition was false), while its scope is active.
    mutating func keepArmed(_ fired: BoundaryTimer, scope: String?) {
        let kind = definition.element(fired.boundaryElementId)?.kind
        guard case .eventStartEvent(.condition, interrupting: false)? = kind,
              state.status == .running else { return }
        var b = fired
        b.held = true
        if let scope {
            guard let i = tokenIndex(scope),
                  !state.tokens[i].boundaryTimers.contains(where: { $0.timerId == b.timerId })
            else { return }
            state.tokens[i].boundaryTimers.append(b)
        } else if !state.processTriggers.contains(where: { $0.timerId == b.timerId }) {
            state.processTriggers.append(b)
        }
    }
}
