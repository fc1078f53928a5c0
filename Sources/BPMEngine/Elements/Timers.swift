import BPMExpressions
import BPMModel
import Foundation

/// Arming an instance's timers: the first occurrence of a timer event's duration, date or
/// cycle (an expression is evaluated then, in the scope the timer is armed in), and for a
/// cycle each next occurrence after one fired, computed from the due time of the one before
/// so a cycle does not drift across firings or restarts.
///
/// A timer expression that gives no usable value raises an incident at the element being
/// entered (the timer catch event, the event-based gateway, the activity its boundary event is
/// attached to, or the sub-process whose event sub-process it starts); retrying the incident
/// enters the element again, evaluating the timer anew.
extension Run {
    /// When a timer armed now in `scope` first fires, with its schedule; nil (and a failure
    /// to settle) when its expression gives no usable value or a cycle has no occurrence left.
    mutating func firstOccurrence(of timer: TimerDefinition, scope: String?) -> (Date, TimerSchedule)? {
        let vars: [String: Value]
        if case .expression(let e, _) = timer.when {
            vars = variables(in: scope)
            if timer.unarmedWhenNull, e.evaluate(vars).isNull { return nil }
        } else {
            vars = [:]
        }
        switch timer.schedule(vars, now: now) {
        case .success(let s):
            return s.firstDue(now: now).map { ($0, s) }
        case .failure(let f):
            timerFailure = timerFailure ?? f.message
            return nil
        }
    }

    /// Schedules a boundary event's or event sub-process start's timer; the armed entry keeps
    /// its due time (and an evaluated cycle's text) for the next occurrence.
    mutating func armTimer(_ timer: TimerDefinition, at elementId: String, keyScope: String?) -> BoundaryTimer? {
        guard let (due, schedule) = firstOccurrence(of: timer, scope: keyScope) else { return nil }
        let tid = nextId("t")
        effects.append(.scheduleTimer(TimerRecord(id: tid, instanceId: state.id, elementId: elementId, dueAt: due)))
        var cycle: String?
        if case .expression = timer.when { cycle = schedule.cycleText }
        return BoundaryTimer(timerId: tid, boundaryElementId: elementId, dueAt: due, fired: 0, cycle: cycle)
    }

    /// The armed entry for a repeating timer's next occurrence after `fired` fired, or nil
    /// when it does not repeat or its cycle is done.
    mutating func nextOccurrence(after fired: BoundaryTimer, _ timer: TimerDefinition) -> BoundaryTimer? {
        guard timer.repeats, let due = fired.dueAt else { return nil }
        let schedule: TimerSchedule?
        switch timer.when {
        case .fixed(let s): schedule = s
        case .expression: schedule = fired.cycle.flatMap(TimerSchedule.read(cycle:))
        }
        guard let next = schedule?.nextDue(after: due, fired: fired.fired + 1, now: now) else { return nil }
        let tid = nextId("t")
        let element = fired.boundaryElementId
        effects.append(.scheduleTimer(TimerRecord(id: tid, instanceId: state.id, elementId: element, dueAt: next)))
        return BoundaryTimer(timerId: tid, boundaryElementId: element, dueAt: next, fired: fired.fired + 1, cycle: fired.cycle)
    }

    /// A non-interrupting event sub-process's timer start fired in `scope` (a sub-process
    /// token, or nil for the process): a cycle is armed again for its next occurrence while
    /// the scope is active.
    mutating func rearmEventSubProcessTimer(_ fired: BoundaryTimer, _ start: FlowElement, scope: String?) {
        guard case .eventStartEvent(.timer(let timer), interrupting: false) = start.kind, state.status == .running
        else { return }
        if let scope {
            guard let i = tokenIndex(scope), let next = nextOccurrence(after: fired, timer) else { return }
            state.tokens[i].boundaryTimers.append(next)
        } else if let next = nextOccurrence(after: fired, timer) {
            state.processTriggers.append(next)
        }
    }

    /// After entering `element`: when one of its timers could not be armed, the element is
    /// left again (its job, task or inner paths cancelled) and an incident names the timer.
    mutating func settleTimerFailure(_ element: FlowElement, scope: String?) {
        guard let message = timerFailure else { return }
        timerFailure = nil
        if let i = state.tokens.lastIndex(where: { $0.elementId == element.id && $0.scope == scope }) {
            recordTerminated(removeToken(at: i, cancelWait: true))
        }
        raiseIncident(at: element, scope: scope, type: "timer", message: message)
    }
}

extension TimerSchedule {
    /// A cycle as text that reads back as the same cycle (nil for a duration or date): kept for
    /// a cycle an expression gave, so its repetitions go on as they began (an expression is
    /// evaluated once, when the timer is armed).
    var cycleText: String? {
        switch self {
        case .duration, .date: return nil
        case .cron(let c): return c.text
        case .cycle(let reps, let interval, let start):
            let r = reps.map { "R\($0)" } ?? "R"
            let s = start.map { "/" + ISO8601DateFormatter().string(from: $0) } ?? ""
            return "\(r)\(s)/PT\(Value.format(number: interval))S"
        }
    }
}
