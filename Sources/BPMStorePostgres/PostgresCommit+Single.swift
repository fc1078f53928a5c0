import BPMStore
import PostgresNIO

/// A batch that only adds rows (new instances with their history, timers, jobs, tasks,
/// subscriptions, outbox entries…), where no two of its statements touch the same row, is
/// written as one statement: each insert becomes a data-modifying `WITH` query of it. One
/// statement is atomic by itself, so it is sent without BEGIN and COMMIT: one round trip
/// instead of one per table plus two. Straight-through instances and most starts are such
/// batches; everything else (updates checked against revisions, deletes, offsets, windows)
/// goes through the transaction.
extension PostgresCommit {
    /// Whether the batch only inserts, and no two of its statements meet on a row.
    static func insertsOnly(_ b: CommitBatch) -> Bool {
        b.instances.allSatisfy { $0.expectedRevision == nil } && b.timersFired.isEmpty && b.timersToDelete.isEmpty
            && b.jobsToDelete.isEmpty && b.taskUpdates.isEmpty && b.taskCorrections.isEmpty
            && b.incidentsResolved.isEmpty && b.subscriptionsToDelete.isEmpty && b.bufferedToDelete.isEmpty
            && b.offsets.isEmpty && b.windows.isEmpty && b.scheduleFires.isEmpty
            && Set(b.timersToAdd.map(\.id)).isDisjoint(with: b.timersToEnsure.map(\.id))
    }

    /// The batch's statements as one query; nil when one of them needs its rows back (then
    /// the transaction writes it).
    static func combined(_ batch: CommitBatch) async throws -> PostgresQuery? {
        var parts: [(sql: String, columns: [any PostgresArrayColumn])] = []
        var checked = false
        try await write(batch, run: { parts.append(($0, $1)) }, rows: { _, _ in checked = true; return [] })
        if checked || parts.isEmpty { return nil }
        if parts.count == 1 { return query(parts[0].sql, parts[0].columns) }
        var sql = ""
        var binds = PostgresBindings()
        var offset = 0
        for (i, p) in parts.enumerated() {
            sql += (i == 0 ? "WITH " : ", ") + "s\(i) AS (" + renumbered(p.sql, by: offset) + ")"
            for c in p.columns { c.bind(into: &binds) }
            offset += p.columns.count
        }
        return PostgresQuery(unsafeSQL: sql + " SELECT 1", binds: binds)
    }

    /// `sql` with each parameter `$n` as `$(n + offset)`.
    static func renumbered(_ sql: String, by offset: Int) -> String {
        guard offset > 0 else { return sql }
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var digits = ""
        var inParameter = false
        for ch in sql {
            if inParameter, ch.isASCII, ch.isNumber {
                digits.append(ch)
                continue
            }
            if inParameter {
                out += digits.isEmpty ? "" : String(Int(digits)! + offset)
                inParameter = false
                digits = ""
            }
            out.append(ch)
            if ch == "$" { inParameter = true }
        }
        if inParameter, !digits.isEmpty { out += String(Int(digits)! + offset) }
        return out
    }
}
