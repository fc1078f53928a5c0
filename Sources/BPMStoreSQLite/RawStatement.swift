import GRDB
import GRDBSQLite

/// A value bound to a statement parameter through SQLite's C API.
enum SQLValue: Sendable {
    case text(String)
    case int(Int64)
    case null

    static func text(_ s: String?) -> SQLValue { s.map { .text($0) } ?? .null }
    static func int(_ i: Int) -> SQLValue { .int(Int64(i)) }
}

/// SQLite's "copy the bytes now" destructor.
private let transient = unsafeBitCast(-1 as Int, to: sqlite3_destructor_type.self)

extension Statement {
    /// Binds `values` to the parameters in order and steps the statement once, inside the
    /// caller's transaction — the commit's per-row statements, without building
    /// `StatementArguments` (an existential box and a `DatabaseValue` per value) for each row.
    /// `then`: one more value after `values` (a row's position, known only in the transaction).
    func run(_ values: [SQLValue], then last: SQLValue? = nil, _ db: Database) throws {
        let s = sqliteStatement
        for (k, v) in values.enumerated() { try bind(v, Int32(k + 1), db) }
        if let last { try bind(last, Int32(values.count + 1), db) }
        let rc = sqlite3_step(s)
        guard rc == SQLITE_DONE else {
            let e = error(rc, db)
            sqlite3_reset(s)
            throw e
        }
        sqlite3_reset(s)
    }

    private func bind(_ v: SQLValue, _ i: Int32, _ db: Database) throws {
        let s = sqliteStatement
        let rc: Int32
        switch v {
        case .int(let n): rc = sqlite3_bind_int64(s, i, n)
        case .null: rc = sqlite3_bind_null(s, i)
        case .text(var t):
            rc = t.withUTF8 { b in
                // an empty buffer may have no address: bind an empty string, not NULL
                guard let p = b.baseAddress else { return sqlite3_bind_text(s, i, "", 0, transient) }
                return p.withMemoryRebound(to: CChar.self, capacity: b.count) { sqlite3_bind_text(s, i, $0, Int32(b.count), transient) }
            }
        }
        guard rc == SQLITE_OK else { throw error(rc, db) }
    }

    private func error(_ rc: Int32, _ db: Database) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: rc), message: db.lastErrorMessage, sql: sql)
    }
}
