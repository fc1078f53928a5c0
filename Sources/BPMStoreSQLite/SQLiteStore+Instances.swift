import BPMEngine
import BPMExpressions
import BPMStore
import Foundation
import GRDB

/// The instance list: filters, then one range read of the sort's index per keyset segment
/// (`InstanceKeyset`), or, for a page given by offset alone, one ordered read that skips rows.
extension SQLiteStore {
    static let summaryColumns = """
        SELECT id, definition_id, definition_version, status, current_activity, correlation_key, business_key, \
        started_at, completed_at FROM process_instances
        """

    public func instances(_ q: InstanceQuery) async throws -> [InstanceSummary] {
        let statements = try await instanceStatements(q)
        return try await pool.read { db in
            var out: [InstanceSummary] = []
            for (sql, args) in statements where out.count < q.limit {
                var a = args
                a += [q.limit - out.count]
                out += try Row.fetchAll(db, sql: sql, arguments: a).map(Self.summary)
            }
            return out
        }
    }

    /// `EXPLAIN QUERY PLAN` of each statement a page reads, one line per step.
    public func instancePlan(_ q: InstanceQuery) async throws -> [String] {
        let statements = try await instanceStatements(q)
        return try await pool.read { db in
            try statements.flatMap { sql, args in
                var a = args
                a += [q.limit]
                return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: a)
                    .map { $0["detail"] as String }
            }
        }
    }

    /// The statements of a page, each ending in `LIMIT ?` (the rows still wanted).
    func instanceStatements(_ q: InstanceQuery) async throws -> [(String, StatementArguments)] {
        let (filter, args) = try await instanceFilter(q)
        let base = Self.summaryColumns + " WHERE 1=1" + filter
        if q.after == nil && q.before == nil && q.offset > 0 {
            return [(base + " ORDER BY \(q.orderBy) LIMIT ? OFFSET \(q.offset)", StatementArguments(args))]
        }
        return InstanceKeyset.segments(q).map { s in
            let values: [(any DatabaseValueConvertible)?] = s.values.map { v in
                switch v {
                case .text(let t): t
                case .date(let d): Coding.iso(d)
                }
            }
            let condition = s.condition.isEmpty ? "" : " AND " + s.condition
            return (base + condition + " ORDER BY \(s.orderBy) LIMIT ?", StatementArguments(args + values))
        }
    }

    /// The filters' conditions (each ` AND …`) and their values.
    func instanceFilter(_ q: InstanceQuery) async throws -> (String, [(any DatabaseValueConvertible)?]) {
        var sql = ""
        var args: [(any DatabaseValueConvertible)?] = []
        if let d = q.definitionId { sql += " AND definition_id = ?"; args.append(d) }
        if let v = q.definitionVersion { sql += " AND definition_version = ?"; args.append(v) }
        if let s = q.status { sql += " AND status = ?"; args.append(s.rawValue) }
        if let a = q.startedAfter { sql += " AND started_at >= ?"; args.append(Coding.iso(a)) }
        if let b = q.startedBefore { sql += " AND started_at < ?"; args.append(Coding.iso(b)) }
        for (name, value) in q.variables.sorted(by: { $0.key < $1.key }) {
            // json_extract gives SQL values: text for strings, numbers, 0/1 for booleans; JSON text for the rest.
            // Plain names are written literally so the expression index made for them applies.
            if try await ensureVariableIndex(name) {
                sql += " AND json_extract(variables, '$.\(name)') IS ?"
            } else {
                sql += " AND json_extract(variables, ?) IS ?"
                args.append("$.\"\(name.replacingOccurrences(of: "\"", with: "\\\""))\"")
            }
            switch value {
            case .string(let s): args.append(s)
            case .number(let n): args.append(n)
            case .bool(let b): args.append(b ? 1 : 0)
            case .null: args.append(nil as String?)
            default: args.append(JSON.encode(value))
            }
        }
        if let k = q.correlationKey { sql += " AND correlation_key = ?"; args.append(k) }
        if let b = q.businessKey { sql += " AND business_key = ?"; args.append(b) }
        if let w = q.waitingAt { sql += " AND instr(',' || current_activity || ',', ?) > 0"; args.append(",\(w),") }
        return (sql, args)
    }

    static func summary(_ row: Row) -> InstanceSummary {
        InstanceSummary(id: row["id"], definitionId: row["definition_id"], definitionVersion: row["definition_version"],
                        status: InstanceStatus(rawValue: row["status"]) ?? .running,
                        currentActivity: row["current_activity"],
                        correlationKey: row["correlation_key"], businessKey: row["business_key"],
                        startedAt: Coding.date(row["started_at"] as String) ?? Date(timeIntervalSince1970: 0),
                        completedAt: (row["completed_at"] as String?).flatMap(Coding.date))
    }
}
