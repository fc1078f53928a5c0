import BPMEngine
import BPMStore
import Foundation
import PostgresNIO

extension PostgresStore {
    public func scheduleFire(scheduleId: String, dueAt: Date) async throws -> ScheduleFire? {
        try await rows("""
            SELECT schedule_id, due_at, instance_id, fired_at FROM schedule_fires
            WHERE schedule_id = \(scheduleId) AND due_at = \(dueAt)
            """).first.map(Self.fire)
    }

    public func lastScheduleFires() async throws -> [String: ScheduleFire] {
        let fires = try await rows("""
            SELECT DISTINCT ON (schedule_id) schedule_id, due_at, instance_id, fired_at FROM schedule_fires
            ORDER BY schedule_id, due_at DESC
            """).map(Self.fire)
        return Dictionary(fires.map { ($0.scheduleId, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public func schedulePauses() async throws -> [String: Bool] {
        var out: [String: Bool] = [:]
        for r in try await rows("SELECT schedule_id, paused FROM schedule_states") {
            out[try Self.str(r, "schedule_id")] = try r["paused"].decode(Bool.self)
        }
        return out
    }

    public func setSchedulePaused(_ scheduleId: String, paused: Bool, at: Date) async throws {
        try await exec("""
            INSERT INTO schedule_states (schedule_id, paused, updated_at) VALUES (\(scheduleId), \(paused), \(at))
            ON CONFLICT (schedule_id) DO UPDATE SET paused = excluded.paused, updated_at = excluded.updated_at
            """)
    }

    public func timer(_ id: String) async throws -> TimerRecord? {
        try await rows("SELECT id, instance_id, element_id, due_at, data::text AS data FROM timers WHERE id = \(id)")
            .first.map(Self.timer)
    }

    static func fire(_ r: PostgresRandomAccessRow) throws -> ScheduleFire {
        ScheduleFire(scheduleId: try str(r, "schedule_id"), dueAt: try date(r, "due_at"),
                     instanceId: try str(r, "instance_id"),
                     firedAt: try date(r, "fired_at"))
    }
}
