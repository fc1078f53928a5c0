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
        try await exec(PostgresQuery(unsafeSQL: """
            INSERT INTO camunda_keys (kind, id) SELECT k, i FROM unnest($1::text[], $2::text[]) AS t(k, i)
            ON CONFLICT (kind, id) DO NOTHING
            """, binds: bindings()))
        let found = try await rows(PostgresQuery(unsafeSQL: """
            SELECT number, kind, id FROM camunda_keys WHERE (kind, id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
            """, binds: bindings()))
        var numbers: [KeyRef: Int64] = [:]
        for r in found {
            numbers[KeyRef(kind: try Self.str(r, "kind"), id: try Self.str(r, "id"))] = try r["number"].decode(Int64.self)
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
        let found = try await rows(PostgresQuery(unsafeSQL: "SELECT kind, id FROM camunda_keys WHERE number = $1", binds: b))
        return try found.first.map { KeyRef(kind: try Self.str($0, "kind"), id: try Self.str($0, "id")) }
    }
}
