import BPMEngine
import BPMExpressions
import Foundation

/// A user task's change of lifecycle state while its listeners run, with their corrections,
/// as stores write it: the status and each corrected column's new value (nil: cleared).
public struct TaskCorrection: Sendable, Equatable {
    public var id: String
    public var status: String
    /// Column → value as text (JSON for the candidate lists, ISO 8601 for dates); nil clears it.
    public var columns: [String: String?]

    public init(id: String, status: String, corrections: [String: Value]) {
        self.id = id
        self.status = status
        var c: [String: String?] = [:]
        for (name, v) in corrections {
            guard let column = Self.column[name] else { continue }
            c[column] = Self.text(name, v)
        }
        columns = c
    }

    /// Camunda's attribute names → `user_tasks` columns.
    public static let column: [String: String] = [
        "assignee": "assignee", "candidateUsers": "candidate_users", "candidateGroups": "candidate_groups",
        "priority": "priority", "dueDate": "due_at", "followUpDate": "follow_up_at",
    ]

    /// A correction's stored text: null and "" clear; lists are JSON; priorities whole numbers.
    static func text(_ name: String, _ v: Value) -> String? {
        switch (name, v) {
        case ("candidateUsers", _), ("candidateGroups", _):
            let names = (v.listValue ?? []).compactMap(\.stringValue)
            return JSON.encode(.list(names.map(Value.string)))
        case (_, .null): return nil
        case ("priority", _): return v.doubleValue.map { String(Int($0)) } ?? v.stringValue
        case ("dueDate", _), ("followUpDate", _): return v.stringValue.flatMap(Coding.date).map(Coding.iso)
        default:
            guard let s = v.stringValue, !s.isEmpty else { return nil }
            return s
        }
    }

    /// Applies the correction to a task record not yet written (created in the same batch).
    public func apply(to t: inout UserTaskRecord) {
        t.status = status
        for (column, value) in columns {
            switch column {
            case "assignee": t.assignee = value
            case "candidate_users": t.candidateUsers = Self.names(value)
            case "candidate_groups": t.candidateGroups = Self.names(value)
            case "priority": t.priority = value.flatMap { Int($0) } ?? t.priority
            case "due_at": t.dueAt = value.flatMap(Coding.date)
            case "follow_up_at": t.followUpAt = value.flatMap(Coding.date)
            default: break
            }
        }
    }

    static func names(_ json: String?) -> [String] {
        (json.flatMap { try? JSON.parse($0) }?.listValue ?? []).compactMap(\.stringValue)
    }
}
