import BPMEngine
import BPMExpressions
import BPMModel
import BPMStore
import Foundation

/// Timer start events: each is a stored timer row (no instance) holding its schedule's next
/// due time, so it survives restarts, fires once per due time, and follows the definition's
/// latest version. The row is due at the due time plus the schedule's jitter; its data keeps
/// the due time itself (`due`), a run kept by `overlap: buffer_one` (`buffered`) and a
/// cycle's remaining repetitions. What a fired row starts is `ScheduleTimes.plan`'s.
enum StartTimers {
    /// Due time of a fired one-shot or exhausted schedule: kept so a restart does not re-create it.
    static let tombstone = Date(timeIntervalSince1970: 253_402_214_400)  // 9999-12-31
    /// How often a schedule with a buffered run looks whether the running one has ended (seconds).
    static let bufferRecheck = 1.0

    static func id(_ def: String, _ version: Int, _ element: String) -> String { "start:\(def):\(version):\(element)" }

    /// A time to the millisecond (as stores keep it).
    static func ms(_ d: Date) -> Date { Date(timeIntervalSince1970: (d.timeIntervalSince1970 * 1000).rounded() / 1000) }

    /// The first timers of a version's schedules.
    static func initial(_ def: ProcessDefinition, version: Int, now: Date) -> [TimerRecord] {
        def.schedules.map { spec in
            var data: [String: Value] = ["definition": .string(def.id), "version": .number(Double(version)),
                                         "element": .string(spec.elementId), "schedule": .string(spec.id)]
            if case .cycle(let reps, _, _) = spec.schedule { data["remaining"] = reps.map { .number(Double($0)) } ?? .null }
            let due = ScheduleTimes.first(spec.schedule, now: now)
            let row = TimerRecord(id: id(def.id, version, spec.elementId), instanceId: "", elementId: spec.elementId,
                                  dueAt: tombstone, data: .context(data))
            return arm(row, spec, due: due.map(ms), buffered: nil, now: now)
        }
    }

    /// The row for the next due time `due` (nil: none), with a buffered run.
    static func arm(_ row: TimerRecord, _ spec: ScheduleSpec, due: Date?, buffered: Date?, now: Date) -> TimerRecord {
        var t = row
        guard case .context(var data) = row.data ?? .null else { return t }
        data["due"] = due.map { .number($0.timeIntervalSince1970) } ?? .null
        data["buffered"] = buffered.map { .number($0.timeIntervalSince1970) } ?? .null
        var at = due.map { $0.addingTimeInterval(ScheduleTimes.jitter(scheduleId: spec.id, due: $0, max: spec.options.jitter)) }
        if buffered != nil { at = min(at ?? tombstone, now.addingTimeInterval(bufferRecheck)) }
        t.dueAt = at ?? tombstone
        t.data = .context(data)
        return t
    }

    /// The due time a row holds (rows written before `due` was kept: their due time).
    static func due(_ t: TimerRecord) -> Date? {
        guard case .context(let data) = t.data ?? .null, let v = data["due"] else { return t.dueAt }
        return v.doubleValue.map { Date(timeIntervalSince1970: $0) }
    }

    static func buffered(_ t: TimerRecord) -> Date? {
        t.data?[member: "buffered"].doubleValue.map { Date(timeIntervalSince1970: $0) }
    }

    /// A cycle's repetitions left (nil: forever), less the runs started.
    static func remaining(_ t: TimerRecord) -> Double? { t.data?[member: "remaining"].doubleValue }
}
