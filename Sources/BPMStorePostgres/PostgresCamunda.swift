import BPMStore
import Foundation
import PostgresNIO

/// The `camunda_keys` table (Camunda's protocols' int64 keys).
extension PostgresStore {
    public func camundaKeys(_ refs: [KeyRef]) async throws -> [Int64] {
        guard !refs.isEmpty else { return [] }
        func bindings() -> PostgresBindings {
            var b = PostgresBindings()
            b.append(refs.map(\.kind))
            b.append(refs.map(\.id))
            return b
        }
        // assign the missing ones (a concurrent replica's insert wins; ours is skipped), then read all
        try await exec(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO camunda_keys (kind, id) SELECT k, i FROM unnest($1::text[], $2::text[]) AS t(k, i)
                    ON CONFLICT (kind, id) DO NOTHING
                    """, binds: bindings()))
        let found = try await rows(
            PostgresQuery(
                unsafeSQL: """
                    SELECT number, kind, id FROM camunda_keys
                    WHERE (kind, id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
                    """, binds: bindings()))
        var numbers: [KeyRef: Int64] = [:]
        for r in found {
            numbers[KeyRef(kind: try Self.str(r, "kind"), id: try Self.str(r, "id"))] = try r["number"].decode(
                Int64.self)
        }
        return try refs.map { r in
            guard let n = numbers[r] else { throw StoreError.unavailable("no key for \(r.kind) \(r.id)") }
            return n
        }
    }

    public func extendJobLock(_ id: String, until: Date) async throws -> Bool {
        var b = PostgresBindings()
        b.append(until)
        b.append(id)
        let sql = "UPDATE jobs SET locked_until = $1 WHERE id = $2 AND locked_by IS NOT NULL RETURNING id"
        return try await rows(PostgresQuery(unsafeSQL: sql, binds: b)).count == 1
    }

    public func camundaRef(_ number: Int64) async throws -> KeyRef? {
        var b = PostgresBindings()
        b.append(number)
        let found = try await rows(
            PostgresQuery(unsafeSQL: "SELECT kind, id FROM camunda_keys WHERE number = $1", binds: b))
        return try found.first.map { KeyRef(kind: try Self.str($0, "kind"), id: try Self.str($0, "id")) }
    }

    public func camundaFreshKeys(_ count: Int) async throws -> [Int64] {
        guard count > 0 else { return [] }
        var b = PostgresBindings()
        b.append(count)
        let sql = "SELECT nextval(pg_get_serial_sequence('camunda_keys', 'number')) AS n FROM generate_series(1, $1)"
        return try await rows(PostgresQuery(unsafeSQL: sql, binds: b)).map { try $0["n"].decode(Int64.self) }
    }

    public func claimMessageId(name: String, messageId: String, expiresAt: Date, now: Date) async throws -> Bool {
        var prune = PostgresBindings()
        prune.append(now)
        try await exec(PostgresQuery(unsafeSQL: "DELETE FROM camunda_message_ids WHERE expires_at <= $1", binds: prune))
        var b = PostgresBindings()
        b.append(name)
        b.append(messageId)
        b.append(expiresAt)
        b.append(now)
        // a claim that expired meanwhile (not yet pruned) is taken over; a live one wins
        let sql = """
            INSERT INTO camunda_message_ids (name, message_id, expires_at) VALUES ($1, $2, $3)
            ON CONFLICT (name, message_id) DO UPDATE SET expires_at = EXCLUDED.expires_at
                WHERE camunda_message_ids.expires_at <= $4
            RETURNING 1 AS claimed
            """
        return try await rows(PostgresQuery(unsafeSQL: sql, binds: b)).count == 1
    }
}
