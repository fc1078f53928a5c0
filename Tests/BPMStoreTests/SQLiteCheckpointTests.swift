import BPMEngine
import BPMExpressions
import BPMStore
@testable import BPMStoreSQLite
import Foundation
import GRDB
import Testing

/// The write-ahead log is copied into the database by the store's own checkpointer, beside
/// the commits (see `WALCheckpointer`).
@Suite struct SQLiteCheckpointTests {
    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpm-checkpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// One commit of `rows` history rows of about 2 KiB each (about half a page per row).
    static func commit(_ store: SQLiteStore, rows: Int = 50) async throws {
        var batch = CommitBatch()
        let data = Value.string(String(repeating: "x", count: 2000))
        batch.history = (0..<rows).map { _ in HistoryEntry(instanceId: "i", elementId: "e", elementType: "scriptTask", event: "completed", at: Date(), data: data) }
        try await store.commit(batch)
    }

    static func fileSize(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    @Test func theLogIsCopiedIntoTheDatabaseBesideTheCommitsAndRestarts() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("s.sqlite").path
        let store = try SQLiteStore(path: path)
        try await store.migrate()
        let before = try Self.fileSize(path)
        for _ in 0..<40 { try await Self.commit(store) }  // ≈ 4 MiB of log
        store.checkpointer.settle()
        let runs = store.checkpointer.runs.withLock { $0 }
        #expect(runs.done >= 1)
        #expect(runs.failed == 0)
        #expect(runs.waited == 0)
        // nothing else checkpoints (the store's hook replaces SQLite's automatic checkpoint),
        // so the database file grew by the checkpointer's copies
        #expect(try Self.fileSize(path) > before + 1_000_000)
        // once everything is copied, the next commit writes the log from its beginning
        try await Self.commit(store, rows: 1)
        store.checkpointer.settle()
        try await Self.commit(store, rows: 1)
        #expect(store.checkpointer.runs.withLock { $0.logPages } < 256)
        #expect(try await store.history(instanceId: "i").count == 40 * 50 + 2)
    }

    /// A reader that holds an old snapshot keeps the log from being copied past it: writes go
    /// on (a passive checkpoint never waits for readers), the writer waits for checkpoints
    /// once the log passes its limit, and the log restarts after the reader is gone.
    @Test func aLongReaderHoldsTheLogButNotTheWriter() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore(path: dir.appendingPathComponent("s.sqlite").path, synchronous: "FULL", checkpointPages: (threshold: 16, limit: 128))
        try await store.migrate()
        try await Self.commit(store, rows: 1)
        var snapshot: DatabaseSnapshot? = try store.pool.makeSnapshot()
        for _ in 0..<20 { try await Self.commit(store) }  // ≈ 500 pages, past the limit
        store.checkpointer.settle()
        var runs = store.checkpointer.runs.withLock { $0 }
        #expect(runs.waited >= 1)
        #expect(runs.failed == 0)
        #expect(runs.logPages > 128)
        let seen = try await snapshot?.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM process_history") }
        #expect(seen == 1)
        snapshot = nil
        try await Self.commit(store, rows: 1)
        store.checkpointer.settle()
        try await Self.commit(store, rows: 1)
        runs = store.checkpointer.runs.withLock { $0 }
        #expect(runs.logPages < 16)
        #expect(try await store.history(instanceId: "i").count == 1 + 20 * 50 + 2)
    }
}
