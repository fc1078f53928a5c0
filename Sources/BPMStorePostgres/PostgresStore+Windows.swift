import BPMExpressions
import BPMStore
import Foundation
import PostgresNIO

extension PostgresStore {
    public func eventWindows(definitionId: String) async throws -> [(key: String, state: Value)] {
        let sql: PostgresQuery = """
            SELECT correlation_key, state::text AS state FROM event_windows WHERE definition_id = \(definitionId)
            """
        return try await rows(sql).compactMap { r in
            guard let state = try Self.json(r, "state") else { return nil }
            return (try Self.str(r, "correlation_key"), state)
        }
    }

    public func eventWindows(definitionId: String, after: String?, limit: Int) async throws
        -> [(key: String, state: Value)]
    {
        let sql: PostgresQuery
        if let after {
            sql = """
                SELECT correlation_key, state::text AS state FROM event_windows
                WHERE definition_id = \(definitionId) AND correlation_key > \(after)
                ORDER BY correlation_key LIMIT \(limit)
                """
        } else {
            sql = """
                SELECT correlation_key, state::text AS state FROM event_windows
                WHERE definition_id = \(definitionId) ORDER BY correlation_key LIMIT \(limit)
                """
        }
        return try await rows(sql).compactMap { r in
            guard let state = try Self.json(r, "state") else { return nil }
            return (try Self.str(r, "correlation_key"), state)
        }
    }
}
