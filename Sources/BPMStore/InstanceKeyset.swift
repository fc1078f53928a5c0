import BPMEngine
import BPMExpressions
import Foundation

/// Where a keyset page of instances starts: after the row with this sort value and id (the
/// last row of the page before). Paging this way costs the same on the millionth row as on
/// the first: each page is a range read of the sort's index, never rows skipped.
public struct InstanceCursor: Sendable, Equatable {
    /// The row's sorted text: its definition id (definition sort) or business key; nil: none.
    public var text: String?
    /// The row's sorted time: its start (start and definition sorts) or end; nil: none.
    public var date: Date?
    public var id: String

    public init(text: String? = nil, date: Date? = nil, id: String) {
        self.text = text
        self.date = date
        self.id = id
    }

    /// The instance list's keyset indexes: each sort's index ends with the id, the tie-breaker.
    /// One text for SQLite migration 022 and PostgreSQL 013, which run the same statements.
    public static let indexes = """
        DROP INDEX process_instances_started;
        CREATE INDEX process_instances_started_id ON process_instances(started_at, id);
        DROP INDEX process_instances_completed;
        CREATE INDEX process_instances_completed_id ON process_instances(completed_at, id);
        DROP INDEX process_instances_business_key;
        CREATE INDEX process_instances_business_key_id ON process_instances(business_key, id);
        DROP INDEX process_instances_status_started;
        CREATE INDEX process_instances_status_started_id ON process_instances(status, started_at, id);
        CREATE INDEX process_instances_definition_started_id ON process_instances(definition_id, started_at, id);
        CREATE INDEX process_instances_correlation ON process_instances(correlation_key, id)
            WHERE correlation_key IS NOT NULL;
        """

    /// The cursor after `row` in a list sorted by `sort`.
    public init(after row: InstanceSummary, sort: InstanceSort) {
        switch sort {
        case .started: self.init(date: row.startedAt, id: row.id)
        case .ended: self.init(date: row.completedAt, id: row.id)
        case .definition: self.init(text: row.definitionId, date: row.startedAt, id: row.id)
        case .businessKey: self.init(text: row.businessKey, id: row.id)
        }
    }

    /// As a URL parameter: base64url of `[text, microseconds since 1970, id]` in JSON.
    public var token: String {
        let micros = date.map { Value.number(($0.timeIntervalSince1970 * 1e6).rounded()) } ?? .null
        let json = JSON.encode(.list([text.map(Value.string) ?? .null, micros, .string(id)]))
        return Data(json.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Nil for a token that is not one.
    public init?(token: String) {
        var b64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        b64 += String(repeating: "=", count: (4 - b64.count % 4) % 4)
        guard let data = Data(base64Encoded: b64), let v = try? JSON.parse(String(decoding: data, as: UTF8.self)),
              let items = v.listValue, items.count == 3, let id = items[2].stringValue else { return nil }
        let date = items[1].doubleValue.map { Date(timeIntervalSince1970: $0 / 1e6) }
        self.init(text: items[0].stringValue, date: date, id: id)
    }
}

/// How a store reads a page of instances with indexes only: one range read of the sort's
/// index (`(started_at, id)`, `(completed_at, id)`, `(definition_id, started_at, id)`,
/// `(business_key, id)`) per segment. A sort by a value some rows lack (end, business key)
/// reads the rows with one first, then those without (by id): two range reads, where one
/// `ORDER BY x IS NULL, x` would sort the whole table.
public enum InstanceKeyset {
    /// A value to bind.
    public enum Bound: Sendable {
        case text(String)
        case date(Date)
    }

    /// One range read: its condition (`""` for none; `?` where `values` go, in order) and order.
    public struct Segment: Sendable {
        public var condition: String
        public var values: [Bound]
        public var orderBy: String
    }

    /// The segments of a page, in order. With `before`, the rows before the cursor, nearest
    /// first (a page back: the caller reverses them).
    public static func segments(_ q: InstanceQuery) -> [Segment] {
        let backward = q.before != nil, c = q.before ?? q.after
        let ascending = backward ? !q.ascending : q.ascending
        let dir = ascending ? "ASC" : "DESC", op = ascending ? ">" : "<"
        switch q.sort {
        case .started:
            let order = "started_at \(dir), id \(dir)"
            guard let c, let d = c.date else { return [Segment(condition: "", values: [], orderBy: order)] }
            return [Segment(condition: "(started_at, id) \(op) (?, ?)", values: [.date(d), .text(c.id)],
                            orderBy: order)]
        case .definition:
            let order = "definition_id \(dir), started_at \(dir), id \(dir)"
            guard let c, let t = c.text, let d = c.date else {
                return [Segment(condition: "", values: [], orderBy: order)]
            }
            return [Segment(condition: "(definition_id, started_at, id) \(op) (?, ?, ?)",
                            values: [.text(t), .date(d), .text(c.id)], orderBy: order)]
        case .ended:
            let value = c.map { c in c.date.map(Bound.date) }
            return (backward ? nullableBack : nullable)("completed_at", dir, op, c, value)
        case .businessKey:
            let value = c.map { c in c.text.map(Bound.text) }
            return (backward ? nullableBack : nullable)("business_key", dir, op, c, value)
        }
    }

    /// Rows with a value (after the cursor's, when it has one), then rows without (after the
    /// cursor's id, when it has none). `value` is nil without a cursor, `.some(nil)` for a
    /// cursor at a row without a value.
    static func nullable(_ column: String, _ dir: String, _ op: String, _ c: InstanceCursor?,
                         _ value: Bound??) -> [Segment] {
        let withValue = "\(column) \(dir), id \(dir)", without = "id \(dir)"
        guard let c, let value else {
            return [Segment(condition: "\(column) IS NOT NULL", values: [], orderBy: withValue),
                    Segment(condition: "\(column) IS NULL", values: [], orderBy: without)]
        }
        guard let value else {
            return [Segment(condition: "\(column) IS NULL AND id \(op) ?", values: [.text(c.id)], orderBy: without)]
        }
        return [Segment(condition: "\(column) IS NOT NULL AND (\(column), id) \(op) (?, ?)",
                        values: [value, .text(c.id)], orderBy: withValue),
                Segment(condition: "\(column) IS NULL", values: [], orderBy: without)]
    }

    /// Backwards (`dir` and `op` already reversed): from a cursor without a value, the rows
    /// without one before it, then every row with one; from a cursor with one, the rows with
    /// one before it.
    static func nullableBack(_ column: String, _ dir: String, _ op: String, _ c: InstanceCursor?,
                             _ value: Bound??) -> [Segment] {
        let withValue = "\(column) \(dir), id \(dir)"
        guard let c, let value else { return nullable(column, dir, op, c, value) }
        guard let value else {
            return [Segment(condition: "\(column) IS NULL AND id \(op) ?", values: [.text(c.id)], orderBy: "id \(dir)"),
                    Segment(condition: "\(column) IS NOT NULL", values: [], orderBy: withValue)]
        }
        return [Segment(condition: "\(column) IS NOT NULL AND (\(column), id) \(op) (?, ?)",
                        values: [value, .text(c.id)], orderBy: withValue)]
    }
}
