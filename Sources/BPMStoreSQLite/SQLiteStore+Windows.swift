import BPMExpressions
import BPMStore
import Foundation
import GRDB

extension SQLiteStore {
    public func eventWindows(definitionId: String) async throws -> [(key: String, state: Value)] {
        try await pool.read { db in
            let sql = "SELECT correlation_key, state FROM event_windows WHERE definition_id = ?"
            return try Row.fetchAll(db, sql: sql, arguments: [definitionId]).compactMap { r in
                let state: String = r["state"]
                return (try? JSON.parse(state)).map { (r["correlation_key"], $0) }
            }
        }
    }

    public func eventWindows(definitionId: String, after: String?, limit: Int) async throws
        -> [(key: String, state: Value)]
    {
        try await pool.read { db in
            let sql = """
                SELECT correlation_key, state FROM event_windows
                WHERE definition_id = ? AND correlation_key \(after == nil ? ">=" : ">") ?
                ORDER BY correlation_key LIMIT ?
                """
            return try Row.fetchAll(db, sql: sql, arguments: [definitionId, after ?? "", limit]).compactMap { r in
                let state: String = r["state"]
                return (try? JSON.parse(state)).map { (r["correlation_key"], $0) }
            }
        }
    }
}
