import BPMExpressions
import Foundation

/// A REST v2 search's `page`: `from` (offset) and `limit` (default 100, as REST v2).
public struct CamundaPage: Sendable, Equatable {
    public var from: Int
    public var limit: Int

    public init(from: Int = 0, limit: Int = 100) {
        self.from = from
        self.limit = limit
    }
}

/// One `sort` entry: a field of the searched item (its REST v2 name) and the order.
public struct CamundaSort: Sendable, Equatable {
    public var field: String
    public var descending: Bool

    public init(field: String, descending: Bool = false) {
        self.field = field
        self.descending = descending
    }
}

/// A search's answer: one page of items and how many match in all (`page.totalItems`).
public struct CamundaSearchResult<Item: Sendable>: Sendable {
    public var items: [Item]
    public var totalItems: Int
}

// MARK: process instances

/// `ACTIVE`, `COMPLETED`, `TERMINATED`, as REST v2 names an instance's state.
public enum CamundaInstanceState: String, Sendable, CaseIterable {
    case active = "ACTIVE"
    case completed = "COMPLETED"
    case terminated = "TERMINATED"
}

/// `POST /v2/process-instances/search` filter (every field optional; all given must hold).
public struct CamundaInstanceFilter: Sendable {
    public var processInstanceKey: CamundaKey?
    public var processDefinitionId: String?
    public var processDefinitionKey: CamundaKey?
    public var processDefinitionVersion: Int32?
    public var parentProcessInstanceKey: CamundaKey?
    public var state: CamundaInstanceState?
    public var hasIncident: Bool?
    public var startDateAfter: Date?
    public var startDateBefore: Date?
    public var tenantId: String?

    /// Advanced conditions (`$neq`, `$in`, `$like`, …) on the items' fields.
    public var conditions: [CamundaCondition] = []

    public init() {}
}

public struct CamundaInstanceItem: Sendable, Equatable {
    public var processInstanceKey: CamundaKey
    public var processDefinitionId: String
    public var processDefinitionName: String
    public var processDefinitionVersion: Int32
    public var processDefinitionKey: CamundaKey
    public var parentProcessInstanceKey: CamundaKey?
    public var startDate: Date
    public var endDate: Date?
    public var state: CamundaInstanceState
    public var hasIncident: Bool
    public var tenantId: String
}

// MARK: user tasks

/// `CREATED` (open), `COMPLETED`, `CANCELED`.
public enum CamundaUserTaskState: String, Sendable, CaseIterable {
    /// Its creating task listeners run.
    case creating = "CREATING"
    case created = "CREATED"
    /// Its assigning task listeners run.
    case assigning = "ASSIGNING"
    /// Its completing task listeners run.
    case completing = "COMPLETING"
    case completed = "COMPLETED"
    case canceled = "CANCELED"
}

/// `POST /v2/user-tasks/search` filter.
public struct CamundaUserTaskFilter: Sendable {
    public var userTaskKey: CamundaKey?
    public var state: CamundaUserTaskState?
    public var assignee: String?
    public var candidateGroup: String?
    public var candidateUser: String?
    public var processInstanceKey: CamundaKey?
    public var processDefinitionKey: CamundaKey?
    public var processDefinitionId: String?
    public var elementId: String?
    public var tenantId: String?

    /// Advanced conditions (`$neq`, `$in`, `$like`, …) on the items' fields.
    public var conditions: [CamundaCondition] = []

    public init() {}
}

public struct CamundaUserTaskItem: Sendable, Equatable {
    public var userTaskKey: CamundaKey
    public var name: String?
    public var state: CamundaUserTaskState
    public var assignee: String?
    public var elementId: String
    public var elementInstanceKey: CamundaKey
    public var candidateGroups: [String]
    public var candidateUsers: [String]
    public var processDefinitionId: String
    public var processDefinitionKey: CamundaKey
    public var processDefinitionVersion: Int32
    public var processInstanceKey: CamundaKey
    public var formKey: CamundaKey?
    public var creationDate: Date
    public var completionDate: Date?
    public var dueDate: Date?
    public var followUpDate: Date?
    public var priority: Int32
    public var tenantId: String
}

// MARK: incidents

/// `ACTIVE`, `RESOLVED`.
public enum CamundaIncidentState: String, Sendable, CaseIterable {
    case active = "ACTIVE"
    case resolved = "RESOLVED"
}

/// `POST /v2/incidents/search` filter.
public struct CamundaIncidentFilter: Sendable {
    public var incidentKey: CamundaKey?
    public var processInstanceKey: CamundaKey?
    public var processDefinitionKey: CamundaKey?
    public var processDefinitionId: String?
    /// Zeebe's error types: `JOB_NO_RETRIES`, `UNHANDLED_ERROR_EVENT`, `IO_MAPPING_ERROR`, ….
    public var errorType: String?
    public var elementId: String?
    public var state: CamundaIncidentState?
    public var jobKey: CamundaKey?
    public var tenantId: String?

    /// Advanced conditions (`$neq`, `$in`, `$like`, …) on the items' fields.
    public var conditions: [CamundaCondition] = []

    public init() {}
}

public struct CamundaIncidentItem: Sendable, Equatable {
    public var incidentKey: CamundaKey
    public var processDefinitionKey: CamundaKey
    public var processDefinitionId: String
    public var processInstanceKey: CamundaKey
    public var errorType: String
    public var errorMessage: String
    public var elementId: String
    public var elementInstanceKey: CamundaKey
    public var creationTime: Date
    public var state: CamundaIncidentState
    public var jobKey: CamundaKey?
    public var tenantId: String
}

// MARK: variables

/// `POST /v2/variables/search` filter.
public struct CamundaVariableFilter: Sendable {
    public var variableKey: CamundaKey?
    public var name: String?
    public var processInstanceKey: CamundaKey?
    /// The element instance (or process instance) whose scope holds the variable.
    public var scopeKey: CamundaKey?
    public var tenantId: String?

    /// Advanced conditions (`$neq`, `$in`, `$like`, …) on the items' fields.
    public var conditions: [CamundaCondition] = []

    public init() {}
}

public struct CamundaVariableItem: Sendable, Equatable {
    public var variableKey: CamundaKey
    public var name: String
    /// The value as JSON text (REST v2 `value`).
    public var value: String
    public var isTruncated: Bool
    public var processInstanceKey: CamundaKey
    public var scopeKey: CamundaKey
    public var tenantId: String
}
