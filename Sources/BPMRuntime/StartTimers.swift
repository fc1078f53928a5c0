import BPMEngine
import BPMExpressions
import BPMModel
import BPMStore
import Foundation

/// Timer start events: each is a stored timer row (no instance) holding its schedule, so it
/// survives restarts, fires once per occurrence, and follows the definition's latest version.
///
/// Catch-up policy: occurrences missed while the engine was down collapse into one start as
/// soon as it runs again; the schedule then continues from its own times (no drift), and only
/// starts that happened count against a cycle's repetitions.
enum StartTimers {
    /// Due time of a fired one-shot or exhausted schedule: kept so a restart does not re-create it.
    static let tombstone = Date(timeIntervalSince1970: 253_402_214_400)  // 9999-12-31

    static func id(_ def: String, _ version: Int, _ element: String) -> String { "start:\(def):\(version):\(element)" }

    /// The first timers of a version's timer start events.
    static func initial(_ def: ProcessDefinition, version: Int, now: Date) -> [TimerRecord] {
        def.timerStartEvents.compactMap { e in
            guard case .timerStartEvent(let schedule) = e.kind else { return nil }
            var data: [String: Value] = ["definition": .string(def.id), "version": .number(Double(version)), "element": .string(e.id)]
            let due: Date
            switch schedule {
            case .duration(let d): due = now.addingTimeInterval(d)
            case .date(let d): due = d
            case .cycle(let reps, let interval, let start):
                due = start ?? now.addingTimeInterval(interval)
                data["interval"] = .number(interval)
                data["remaining"] = reps.map { .number(Double($0)) } ?? .null
            case .cron(let cron):
                due = cron.next(after: now) ?? tombstone
                data["cron"] = .string(cron.text)
                data["timezone"] = .string(cron.timeZone.identifier)
            }
            return TimerRecord(id: id(def.id, version, e.id), instanceId: "", elementId: e.id, dueAt: due, data: .context(data))
        }
    }

    /// The timer that replaces a fired one: its next occurrence after `now`, or a tombstone.
    static func next(after fired: TimerRecord, now: Date) -> TimerRecord {
        var t = fired
        if let text = fired.data?[member: "cron"].stringValue {
            let tz = fired.data?[member: "timezone"].stringValue.flatMap { TimeZone(identifier: $0) } ?? TimeZone(identifier: "UTC")!
            // missed occurrences collapse: the next one after now (and after this one)
            t.dueAt = (try? CronExpression(text, timeZone: tz))?.next(after: max(now, fired.dueAt)) ?? tombstone
            return t
        }
        guard case .context(var data) = fired.data ?? .null, let interval = data["interval"]?.doubleValue else {
            t.dueAt = tombstone
            return t
        }
        if let remaining = data["remaining"]?.doubleValue {
            data["remaining"] = .number(remaining - 1)
            if remaining - 1 <= 0 {
                t.dueAt = tombstone
                t.data = .context(data)
                return t
            }
        }
        var due = fired.dueAt.addingTimeInterval(interval)
        if due <= now {
            let skipped = (now.timeIntervalSince(due) / interval).rounded(.down) + 1
            due = due.addingTimeInterval(skipped * interval)
        }
        t.dueAt = due
        t.data = .context(data)
        return t
    }
}

extension BatchContext {
    /// A timer start event fired: start an instance of its version (when it is still the
    /// latest and not retired) and schedule the next occurrence.
    mutating func startTimerFired(_ t: TimerRecord) async {
        commit.timersToDelete.append(t.id)
        guard let defId = t.data?[member: "definition"].stringValue, let v = t.data?[member: "version"].doubleValue,
              let (def, latest) = await definition(defId), latest == Int(v), !registry.retired.contains(defId)
        else { return }  // a superseded version's schedule: dropped
        let instance = Engine.start(def, instanceId: UUIDv7.make(now), version: latest, variables: [:], startEvent: t.elementId, now: now)
        record(instance, expected: nil)
        commit.timersToAdd.append(StartTimers.next(after: t, now: now))
    }
}
