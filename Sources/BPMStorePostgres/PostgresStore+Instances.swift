import BPMEngine
import BPMExpressions
import BPMStore
import Foundation
import PostgresNIO

/// The instance list: filters, then one range read of the sort's index per keyset segment
/// (`InstanceKeyset`), or, for a page given by offset alone, one ordered read that skips rows.
extension PostgresStore {
    static let summaryColumns = """
        SELECT id, definition_id, definition_version, status, current_activity, correlation_key, business_key, \
        started_at, completed_at FROM process_instances
        """

    public func instances(_ q: InstanceQuery) async throws -> [InstanceSummary] {
        var out: [InstanceSummary] = []
        // each segment reads the rows still wanted
        for i in instanceStatements(q, limit: q.limit).indices where out.count < q.limit {
            out += try await rows(instanceStatements(q, limit: q.limit - out.count)[i]).map(Self.summary)
        }
        return out
    }

    /// `EXPLAIN` of each statement a page reads, one line per plan node.
    public func instancePlan(_ q: InstanceQuery) async throws -> [String] {
        var out: [String] = []
        for statement in instanceStatements(q, limit: q.limit) {
            let explain = PostgresQuery(unsafeSQL: "EXPLAIN " + statement.sql, binds: statement.binds)
            out += try await rows(explain).map { try $0["QUERY PLAN"].decode(String.self) }
        }
        return out
    }

    /// The statements of a page, each reading at most `limit` rows.
    func instanceStatements(_ q: InstanceQuery, limit: Int) -> [PostgresQuery] {
        if q.after == nil && q.before == nil && q.offset > 0 {
            var b = PostgresBindings()
            let filter = Self.instanceFilter(q, &b)
            b.append(limit)
            b.append(q.offset)
            let sql = Self.summaryColumns + " WHERE TRUE" + filter
                + " ORDER BY \(q.orderBy) LIMIT $\(b.count - 1) OFFSET $\(b.count)"
            return [PostgresQuery(unsafeSQL: sql, binds: b)]
        }
        return InstanceKeyset.segments(q).map { s in
            var b = PostgresBindings()
            var sql = Self.summaryColumns + " WHERE TRUE" + Self.instanceFilter(q, &b)
            if !s.condition.isEmpty {
                var condition = ""
                var values = s.values.makeIterator()
                // each `?` of the condition becomes the next numbered placeholder
                for ch in s.condition {
                    guard ch == "?", let v = values.next() else { condition.append(ch); continue }
                    switch v {
                    case .text(let t): b.append(t)
                    case .date(let d): b.append(Self.microseconds(d))
                    }
                    condition += "$\(b.count)"
                }
                sql += " AND " + condition
            }
            b.append(limit)
            return PostgresQuery(unsafeSQL: sql + " ORDER BY \(s.orderBy) LIMIT $\(b.count)", binds: b)
        }
    }

    /// A cursor's time to the microsecond PostgreSQL stored (a Date's double is within half of one).
    static func microseconds(_ d: Date) -> Date {
        Date(timeIntervalSince1970: (d.timeIntervalSince1970 * 1e6).rounded() / 1e6)
    }

    /// The filters' conditions (each ` AND …`), their values added to `b`.
    static func instanceFilter(_ q: InstanceQuery, _ b: inout PostgresBindings) -> String {
        var sql = ""
        func add(_ column: String, _ v: String?) {
            guard let v else { return }
            b.append(v)
            sql += " AND \(column) = $\(b.count)"
        }
        add("definition_id", q.definitionId)
        if let v = q.definitionVersion { b.append(v); sql += " AND definition_version = $\(b.count)" }
        add("status", q.status?.rawValue)
        if let a = q.startedAfter { b.append(a); sql += " AND started_at >= $\(b.count)" }
        if let x = q.startedBefore { b.append(x); sql += " AND started_at < $\(b.count)" }
        if !q.variables.isEmpty {
            // containment uses the GIN index on variables
            b.append(JSON.encode(.context(q.variables)))
            sql += " AND variables @> $\(b.count)::jsonb"
        }
        add("correlation_key", q.correlationKey)
        add("business_key", q.businessKey)
        if let w = q.waitingAt {
            b.append(",\(w),")
            sql += " AND strpos(',' || current_activity || ',', $\(b.count)) > 0"
        }
        return sql
    }

    static func summary(_ r: PostgresRandomAccessRow) throws -> InstanceSummary {
        InstanceSummary(id: try str(r, "id"), definitionId: try str(r, "definition_id"),
                        definitionVersion: try int(r, "definition_version"),
                        status: InstanceStatus(rawValue: try str(r, "status")) ?? .running,
                        currentActivity: try optStr(r, "current_activity"),
                        correlationKey: try optStr(r, "correlation_key"), businessKey: try optStr(r, "business_key"),
                        startedAt: try date(r, "started_at"), completedAt: try optDate(r, "completed_at"))
    }
}
