import BPMEngine
import BPMStore
import Foundation
import GRDB

/// The `camunda_keys` table (Camunda's protocols' int64 keys).
extension SQLiteStore {
    public func camundaKeys(_ refs: [KeyRef]) async throws -> [Int64] {
        try await pool.write { db in
            // prepared once per connection: a response's keys are many small statements
            let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO camunda_keys (kind, id) VALUES (?, ?)")
            let select = try db.cachedStatement(sql: "SELECT number FROM camunda_keys WHERE kind = ? AND id = ?")
            return try refs.map { r in
                try insert.execute(arguments: [r.kind, r.id])
                guard let n = try Int64.fetchOne(select, arguments: [r.kind, r.id]) else {
                    throw DatabaseError(message: "no key for \(r.kind) \(r.id)")
                }
                return n
            }
        }
    }

    public func extendJobLock(_ id: String, until: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE jobs SET locked_until = ? WHERE id = ? AND locked_by IS NOT NULL",
                arguments: [Coding.iso(until), id])
            return db.changesCount == 1
        }
    }

    public func camundaRef(_ number: Int64) async throws -> KeyRef? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT kind, id FROM camunda_keys WHERE number = ?", arguments: [number])
                .map { KeyRef(kind: $0["kind"], id: $0["id"]) }
        }
    }

    public func camundaFreshKeys(_ count: Int) async throws -> [Int64] {
        guard count > 0 else { return [] }
        // AUTOINCREMENT never hands out a number again, even once its row is deleted
        return try await pool.write { db in
            let numbers = try (0..<count).map { _ in
                try db.execute(sql: "INSERT INTO camunda_keys (kind, id) VALUES ('fresh', ?)", arguments: [UUIDv7.make()])
                return db.lastInsertedRowID
            }
            try db.execute(
                sql: "DELETE FROM camunda_keys WHERE number BETWEEN ? AND ? AND kind = 'fresh'",
                arguments: [numbers.first, numbers.last])
            return numbers
        }
    }

    public func claimMessageId(name: String, messageId: String, expiresAt: Date, now: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM camunda_message_ids WHERE expires_at <= ?", arguments: [Coding.iso(now)])
            try db.execute(
                sql: "INSERT OR IGNORE INTO camunda_message_ids (name, message_id, expires_at) VALUES (?, ?, ?)",
                arguments: [name, messageId, Coding.iso(expiresAt)])
            return db.changesCount == 1
        }
    }
}
