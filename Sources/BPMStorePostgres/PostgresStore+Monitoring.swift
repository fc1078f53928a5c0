import BPMEngine
import BPMStore
import Foundation
import PostgresNIO

/// Monitoring reads: an instance's timers, and per-element activation counts and average
/// durations of a definition, aggregated in SQL (migration 014's indexes).
extension PostgresStore {
    public func timers(instanceId: String) async throws -> [TimerRecord] {
        try await rows("""
            SELECT id, instance_id, element_id, due_at, data::text AS data FROM timers
            WHERE instance_id = \(instanceId) ORDER BY due_at, id
            """).map { r in
            TimerRecord(id: try Self.str(r, "id"), instanceId: try Self.str(r, "instance_id"),
                        elementId: try Self.str(r, "element_id"), dueAt: try Self.date(r, "due_at"),
                        data: try Self.json(r, "data"))
        }
    }

    public func elementStatistics(definitionId: String) async throws -> [ElementStatistics] {
        try await rows("""
            SELECT activity_id, count(*)::bigint AS activations, count(done)::bigint AS completions,
                   avg(EXTRACT(EPOCH FROM (done - timestamp)))::float8 AS average
            FROM (SELECT a.activity_id, a.timestamp,
                         (SELECT min(c.timestamp) FROM process_history c
                          WHERE c.instance_id = a.instance_id AND c.activity_id = a.activity_id
                            AND c.event_type = 'completed' AND c.seq > a.seq) AS done
                  FROM process_instances i JOIN process_history a ON a.instance_id = i.id
                  WHERE i.definition_id = \(definitionId) AND a.event_type = 'activated') AS x
            GROUP BY activity_id ORDER BY activity_id
            """).map { r in
            ElementStatistics(elementId: try Self.str(r, "activity_id"), activations: try Self.int(r, "activations"),
                              completions: try Self.int(r, "completions"),
                              averageSeconds: try r["average"].decode(Double?.self))
        }
    }
}
