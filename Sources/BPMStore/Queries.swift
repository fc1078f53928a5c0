import Foundation

/// The orders instance lists come in: by start (the default), end, definition or business key.
public enum InstanceSort: String, Sendable, CaseIterable {
    case started, ended, definition, businessKey
}

/// Filters for listing incidents (joined with their instances for the definition).
public struct IncidentQuery: Sendable {
    public var instanceId: String?
    /// Incidents of any of these instances (the markers of an instance list page).
    public var instanceIds: [String]?
    public var definitionId: String?
    public var elementId: String?
    /// Incidents whose message contains this text (case-insensitive for ASCII letters).
    public var messageContains: String?
    public var openOnly: Bool
    public var limit: Int
    public var offset: Int

    public init(instanceId: String? = nil, openOnly: Bool = true, limit: Int = 1000, offset: Int = 0) {
        self.instanceId = instanceId
        self.openOnly = openOnly
        self.limit = limit
        self.offset = offset
    }

    /// The SQL condition and its arguments, `?` placeholders in order (each store numbers
    /// them as it needs); columns of `incidents i` and `process_instances p`.
    public var conditions: (sql: String, arguments: [String]) {
        var sql = "TRUE", args: [String] = []
        if let i = instanceId { sql += " AND i.instance_id = ?"; args.append(i) }
        if let ids = instanceIds {
            let marks = ids.map { _ in "?" }.joined(separator: ", ")
            sql += ids.isEmpty ? " AND FALSE" : " AND i.instance_id IN (\(marks))"
            args += ids
        }
        if let d = definitionId { sql += " AND p.definition_id = ?"; args.append(d) }
        if let e = elementId { sql += " AND i.element_id = ?"; args.append(e) }
        if let m = messageContains, !m.isEmpty {
            sql += " AND lower(i.message) LIKE ? ESCAPE '\\'"
            let escaped = m.lowercased().replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
            args.append("%\(escaped)%")
        }
        if openOnly { sql += " AND i.resolved_at IS NULL" }
        return (sql, args)
    }
}
