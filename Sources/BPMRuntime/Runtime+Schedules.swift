import BPMEngine
import BPMModel
import BPMStore
import Foundation

/// A schedule as an object (`GET /schedules`): its definition, how it runs, whether it is
/// paused, its last fire, its next due times.
public struct ScheduleInfo: Sendable {
    public var spec: ScheduleSpec
    public var definitionId: String
    public var version: Int
    public var paused: Bool
    public var lastFire: ScheduleFire?
    /// The next due times (without jitter), soonest first.
    public var next: [Date]
    /// A run kept by `overlap: buffer_one` until the running one ends.
    public var buffered: Date?
}

extension Runtime {
    public enum ScheduleError: Error, Sendable { case unknown(String) }

    /// Every schedule of the deployed (not retired) definitions' latest versions, by id, with
    /// `count` next due times each.
    public func schedules(count: Int = 5) async throws -> [ScheduleInfo] {
        let pauses = try await store.schedulePauses()
        let fires = try await store.lastScheduleFires()
        var out: [ScheduleInfo] = []
        for (def, version) in registry.all where !registry.retired.contains(def.id) {
            for spec in def.schedules {
                let row = try await store.timer(StartTimers.id(def.id, version, spec.elementId))
                // a schedule without a row (schedules turned off): as if deployed now
                let unwritten = row == nil ? ScheduleTimes.first(spec.schedule, now: clock.now()) : nil
                let first = row.flatMap(StartTimers.due) ?? unwritten
                let next = first.map { ScheduleTimes.upcoming(spec.schedule, from: $0, count: count) } ?? []
                out.append(ScheduleInfo(spec: spec, definitionId: def.id, version: version,
                                        paused: pauses[spec.id] ?? spec.options.paused, lastFire: fires[spec.id],
                                        next: next.filter { $0 < StartTimers.tombstone },
                                        buffered: row.flatMap(StartTimers.buffered)))
            }
        }
        return out.sorted { $0.spec.id < $1.spec.id }
    }

    /// One schedule, with `count` next due times; nil when no deployed definition has it.
    public func schedule(_ id: String, count: Int = 5) async throws -> ScheduleInfo? {
        try await schedules(count: count).first { $0.spec.id == id }
    }

    /// Pauses (due times pass without a start, and are not caught up) or resumes a schedule,
    /// durably and for every replica sharing the store.
    public func setSchedule(_ id: String, paused: Bool) async throws -> ScheduleInfo {
        guard try await schedule(id, count: 0) != nil else { throw ScheduleError.unknown(id) }
        try await store.setSchedulePaused(id, paused: paused, at: clock.now())
        guard let s = try await schedule(id) else { throw ScheduleError.unknown(id) }
        return s
    }
}
