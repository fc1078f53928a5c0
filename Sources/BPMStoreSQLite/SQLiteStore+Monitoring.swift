import BPMEngine
import BPMExpressions
import BPMStore
import Foundation
import GRDB

/// Monitoring reads: an instance's timers, and per-element activation counts and average
/// durations of a definition, aggregated in SQL (migration 023's indexes).
extension SQLiteStore {
    public func timers(instanceId: String) async throws -> [TimerRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM timers WHERE instance_id = ? ORDER BY due_at, id",
                             arguments: [instanceId]).map {
                TimerRecord(id: $0["id"], instanceId: $0["instance_id"], elementId: $0["element_id"],
                            dueAt: Coding.date($0["due_at"] as String) ?? Date(timeIntervalSince1970: 0),
                            data: ($0["data"] as String?).flatMap { try? JSON.parse($0) })
            }
        }
    }

    public func elementStatistics(definitionId: String) async throws -> [ElementStatistics] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT activity_id, COUNT(*) AS activations, COUNT(done) AS completions,
                       AVG((julianday(done) - julianday(timestamp)) * 86400.0) AS average
                FROM (SELECT a.activity_id, a.timestamp,
                             (SELECT MIN(c.timestamp) FROM process_history c
                              WHERE c.instance_id = a.instance_id AND c.activity_id = a.activity_id
                                AND c.event_type = 'completed' AND c.seq > a.seq) AS done
                      FROM process_instances i JOIN process_history a ON a.instance_id = i.id
                      WHERE i.definition_id = ? AND a.event_type = 'activated')
                GROUP BY activity_id ORDER BY activity_id
                """, arguments: [definitionId]).map {
                ElementStatistics(elementId: $0["activity_id"], activations: $0["activations"],
                                  completions: $0["completions"], averageSeconds: $0["average"])
            }
        }
    }
}
