import BPMEngine
import Foundation

/// A schedule's due time that started an instance: one row per (schedule, due time), written
/// in the commit that starts the instance, so replicas sharing a store start it once.
public struct ScheduleFire: Sendable, Equatable {
    public var scheduleId: String
    /// The due time (without jitter), to the millisecond.
    public var dueAt: Date
    public var instanceId: String
    public var firedAt: Date

    public init(scheduleId: String, dueAt: Date, instanceId: String, firedAt: Date) {
        self.scheduleId = scheduleId
        self.dueAt = dueAt
        self.instanceId = instanceId
        self.firedAt = firedAt
    }
}

/// The schedule rows of a store: due times fired and operators' pauses.
public protocol ScheduleStore: Sendable {
    /// The fire of a schedule's due time, if it was started.
    func scheduleFire(scheduleId: String, dueAt: Date) async throws -> ScheduleFire?
    /// The latest fire (by due time) of every schedule that fired.
    func lastScheduleFires() async throws -> [String: ScheduleFire]
    /// Whether each schedule an operator paused or resumed is paused now.
    func schedulePauses() async throws -> [String: Bool]
    /// Records an operator's pause (true) or resume (false) of a schedule.
    func setSchedulePaused(_ scheduleId: String, paused: Bool, at: Date) async throws
    /// A stored timer by id.
    func timer(_ id: String) async throws -> TimerRecord?
}

extension ScheduleFire {
    /// Seconds a fire row is kept before the newest due time of its schedule (longer than any
    /// claim of a timer by a replica and any catch-up that may still start it).
    public static let kept = 31.0 * 86400
}
