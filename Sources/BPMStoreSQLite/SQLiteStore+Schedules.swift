import BPMEngine
import BPMExpressions
import BPMStore
import Foundation
import GRDB

extension SQLiteStore {
    public func scheduleFire(scheduleId: String, dueAt: Date) async throws -> ScheduleFire? {
        try await pool.read { db in
            let sql = "SELECT * FROM schedule_fires WHERE schedule_id = ? AND due_at = ?"
            return try Row.fetchOne(db, sql: sql, arguments: [scheduleId, Coding.iso(dueAt)]).map(Self.fire)
        }
    }

    public func lastScheduleFires() async throws -> [String: ScheduleFire] {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT f.* FROM schedule_fires f
                JOIN (SELECT schedule_id, MAX(due_at) AS due_at FROM schedule_fires GROUP BY schedule_id) l
                  ON l.schedule_id = f.schedule_id AND l.due_at = f.due_at
                """)
            return Dictionary(rows.map(Self.fire).map { ($0.scheduleId, $0) }, uniquingKeysWith: { a, _ in a })
        }
    }

    public func schedulePauses() async throws -> [String: Bool] {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT schedule_id, paused FROM schedule_states")
            let pairs = rows.map { ($0["schedule_id"] as String, ($0["paused"] as Int) != 0) }
            return Dictionary(pairs, uniquingKeysWith: { a, _ in a })
        }
    }

    public func setSchedulePaused(_ scheduleId: String, paused: Bool, at: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO schedule_states (schedule_id, paused, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (schedule_id) DO UPDATE SET paused = excluded.paused, updated_at = excluded.updated_at
                """, arguments: [scheduleId, paused ? 1 : 0, Coding.iso(at)])
        }
    }

    public func timer(_ id: String) async throws -> TimerRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM timers WHERE id = ?", arguments: [id]).map {
                TimerRecord(id: $0["id"], instanceId: $0["instance_id"], elementId: $0["element_id"],
                            dueAt: Coding.date($0["due_at"] as String) ?? Date(timeIntervalSince1970: 0),
                            data: ($0["data"] as String?).flatMap { try? JSON.parse($0) })
            }
        }
    }

    static func fire(_ r: Row) -> ScheduleFire {
        let epoch = Date(timeIntervalSince1970: 0)
        return ScheduleFire(scheduleId: r["schedule_id"], dueAt: Coding.date(r["due_at"] as String) ?? epoch,
                            instanceId: r["instance_id"], firedAt: Coding.date(r["fired_at"] as String) ?? epoch)
    }
}

extension SQLiteCommit {
    /// A due time stored already (another writer started it) fails the commit as a conflict.
    static func writeScheduleFires(_ fires: [ScheduleFire], _ db: Database) throws {
        guard !fires.isEmpty else { return }
        let stmt = try db.cachedStatement(
            sql: "INSERT INTO schedule_fires (schedule_id, due_at, instance_id, fired_at) VALUES (?, ?, ?, ?)")
        let prune = try db.cachedStatement(sql: "DELETE FROM schedule_fires WHERE schedule_id = ? AND due_at < ?")
        for f in fires {
            do {
                try stmt.execute(arguments: [f.scheduleId, Coding.iso(f.dueAt), f.instanceId, Coding.iso(f.firedAt)])
            } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT {
                throw StoreError.conflict(instanceId: f.instanceId)
            }
            try prune.execute(arguments: [f.scheduleId, Coding.iso(f.dueAt.addingTimeInterval(-ScheduleFire.kept))])
        }
    }
}
