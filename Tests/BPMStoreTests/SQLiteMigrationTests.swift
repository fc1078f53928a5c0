import BPMEngine
import BPMStore
@testable import BPMStoreSQLite
import Foundation
import GRDB
import Testing

@Suite struct SQLiteMigrationTests {
    /// A database written before history was clustered by instance keeps every row, in order,
    /// and goes on numbering after them.
    @Test func historyMovesToItsClusteredTableInOrder() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpm-migrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore(path: dir.appendingPathComponent("old.sqlite").path)
        try SQLiteSchema.migrator.migrate(store.pool, upTo: "012-event-intake")
        try await store.pool.write { db in
            for (instance, n) in [("a", 30), ("b", 5)] {
                try db.execute(sql: """
                    INSERT INTO process_instances (id, definition_id, definition_version, status, variables, started_at, state, revision, updated_at)
                    VALUES (?, 'p', 1, 'running', '{}', '2026-01-01T00:00:00.000Z', '{}', 1, '2026-01-01T00:00:00.000Z')
                    """, arguments: [instance])
                // written out of order, one position twice: the order is by position, then by insertion
                for k in (0..<n).reversed() {
                    try db.execute(sql: """
                        INSERT INTO process_history (id, instance_id, activity_id, activity_type, event_type, timestamp, seq)
                        VALUES (?, ?, ?, 'scriptTask', 'completed', '2026-01-01T00:00:00.000Z', ?)
                        """, arguments: [UUIDv7.make(), instance, "e\(k)", k == 0 ? 1 : k])
                }
            }
        }
        try await store.migrate()
        #expect(try await store.history(instanceId: "a").map(\.elementId) == ["e1", "e0"] + (2..<30).map { "e\($0)" })
        #expect(try await store.history(instanceId: "b").map(\.elementId) == ["e1", "e0", "e2", "e3", "e4"])
        var batch = CommitBatch()
        batch.history = [HistoryEntry(instanceId: "b", elementId: "later", elementType: "scriptTask", event: "completed", at: Date())]
        try await store.commit(batch)
        #expect(try await store.history(instanceId: "b").last?.elementId == "later")
        let columns = try await store.pool.read { db in try Row.fetchAll(db, sql: "PRAGMA table_info(process_history)").map { $0["name"] as String } }
        // the clustered table's columns, and the element instance added by 014
        #expect(Set(columns) == ["instance_id", "seq", "id", "activity_id", "activity_type", "event_type", "timestamp", "data", "element_instance_id"])
    }
}
