import BPMEngine
import BPMExpressions
import Foundation

/// A deployed version of a definition, with its source text.
public struct DefinitionRecord: Sendable, Equatable {
    public var id: String
    public var version: Int
    public var name: String
    /// `yaml` or `bpmn`.
    public var format: String
    public var source: String
    public var contentHash: String
    public var deployedAt: Date
    /// Where it came from (a file path or `api`).
    public var origin: String

    public init(id: String, version: Int, name: String, format: String, source: String, contentHash: String, deployedAt: Date, origin: String) {
        self.id = id
        self.version = version
        self.name = name
        self.format = format
        self.source = source
        self.contentHash = contentHash
        self.deployedAt = deployedAt
        self.origin = origin
    }
}

/// An instance row as listed by queries (the plan's `process_instances` columns).
public struct InstanceSummary: Sendable, Equatable {
    public var id: String
    public var definitionId: String
    public var definitionVersion: Int
    public var status: InstanceStatus
    public var currentActivity: String?
    public var correlationKey: String?
    public var businessKey: String?
    public var startedAt: Date
    public var completedAt: Date?

    public init(id: String, definitionId: String, definitionVersion: Int, status: InstanceStatus, currentActivity: String?,
                correlationKey: String?, businessKey: String?, startedAt: Date, completedAt: Date?)
    {
        self.id = id
        self.definitionId = definitionId
        self.definitionVersion = definitionVersion
        self.status = status
        self.currentActivity = currentActivity
        self.correlationKey = correlationKey
        self.businessKey = businessKey
        self.startedAt = startedAt
        self.completedAt = completedAt
    }
}

/// A message written by the `database_log` action.
public struct LogRecord: Sendable, Equatable {
    /// The job id: writing the same log twice (a retry after a crash) keeps one row.
    public var id: String
    public var instanceId: String
    public var elementId: String
    public var level: String
    public var message: String
    public var data: Value?
    public var createdAt: Date

    public init(id: String, instanceId: String, elementId: String, level: String, message: String, data: Value?, createdAt: Date) {
        self.id = id
        self.instanceId = instanceId
        self.elementId = elementId
        self.level = level
        self.message = message
        self.data = data
        self.createdAt = createdAt
    }
}

/// An incident with its resolution time, as listed by queries.
public struct IncidentRecord: Sendable, Equatable {
    public var incident: Incident
    public var resolvedAt: Date?

    public init(incident: Incident, resolvedAt: Date?) {
        self.incident = incident
        self.resolvedAt = resolvedAt
    }
}

/// An instance to write: new (`expectedRevision` nil) or updated from `expectedRevision`.
public struct InstanceWrite: Sendable {
    public var state: InstanceState
    public var expectedRevision: Int?
    /// For a new instance of a definition unique per business key: its business key, which
    /// the store lets only one running (or suspended) instance of the definition hold.
    public var uniqueKey: String?

    public init(state: InstanceState, expectedRevision: Int?, uniqueKey: String? = nil) {
        self.state = state
        self.expectedRevision = expectedRevision
        self.uniqueKey = uniqueKey
    }
}

/// An API start made with an idempotency key: what it answered, to answer again.
public struct StartRecord: Sendable, Equatable {
    public var key: String
    public var definitionId: String
    public var instanceId: String
    /// The HTTP status and body of the first answer.
    public var status: Int
    public var response: String
    public var createdAt: Date

    public init(key: String, definitionId: String, instanceId: String, status: Int, response: String, createdAt: Date) {
        self.key = key
        self.definitionId = definitionId
        self.instanceId = instanceId
        self.status = status
        self.response = response
        self.createdAt = createdAt
    }
}

/// A job locked to a worker until a time: activated.
public struct JobLock: Sendable, Equatable {
    public var worker: String
    public var until: Date

    public init(worker: String, until: Date) {
        self.worker = worker
        self.until = until
    }
}

/// Everything one group commit writes, in one transaction.
public struct CommitBatch: Sendable {
    public var instances: [InstanceWrite] = []
    public var history: [HistoryEntry] = []
    public var timersToAdd: [TimerRecord] = []
    public var timersToDelete: [String] = []
    /// Timers written only when no timer with the id exists (start-event schedules at start-up).
    public var timersToEnsure: [TimerRecord] = []
    public var jobsToAdd: [JobRecord] = []
    /// New external jobs (of `jobsToAdd`) handed to a waiting worker as this batch commits:
    /// written locked to it, as an activation would lock them (`JobHandOff`).
    public var jobLocks: [String: JobLock] = [:]
    public var jobsToDelete: [String] = []
    public var tasksToAdd: [UserTaskRecord] = []
    public var taskUpdates: [(id: String, status: String, at: Date)] = []
    /// Lifecycle states and listener corrections of open tasks (written after the batch's new tasks).
    public var taskCorrections: [TaskCorrection] = []
    public var incidentsToAdd: [Incident] = []
    public var incidentsResolved: [(id: String, at: Date)] = []
    public var subscriptionsToAdd: [MessageSubscription] = []
    public var subscriptionsToDelete: [String] = []
    public var messagesToBuffer: [BufferedMessage] = []
    public var bufferedToDelete: [String] = []
    /// Timers this batch fired: deleted, and on a store shared by replicas only while still
    /// claimed by `owner` (else the commit fails as a conflict: another replica took them over).
    public var timersFired: [String] = []
    /// The engine process writing (its claims and leases), on stores shared by replicas.
    public var owner: String?
    /// Until when new jobs are leased to `owner`.
    public var leaseUntil: Date?
    /// Positions of consumed Kafka records, written only when each partition's stored
    /// position is the one the batch's first record of it follows (else `offsetConflict`).
    public var offsets: [OffsetWrite] = []
    /// Event-pattern windows to save (nil state: delete), per definition and correlation key.
    public var windows: [WindowWrite] = []
    /// Lifecycle events to publish once committed (the outbox).
    public var outbox: [OutboxRecord] = []
    /// Idempotent API starts (a key already stored fails the commit as a conflict).
    public var startRecords: [StartRecord] = []
    /// Schedule due times started in this batch (one already stored fails the commit as a conflict).
    public var scheduleFires: [ScheduleFire] = []

    public init() {}

    public var isEmpty: Bool {
        instances.isEmpty && history.isEmpty && timersToAdd.isEmpty && timersToDelete.isEmpty && timersToEnsure.isEmpty && jobsToAdd.isEmpty
            && jobsToDelete.isEmpty && tasksToAdd.isEmpty && taskUpdates.isEmpty && taskCorrections.isEmpty
            && incidentsToAdd.isEmpty && incidentsResolved.isEmpty
            && subscriptionsToAdd.isEmpty && subscriptionsToDelete.isEmpty && messagesToBuffer.isEmpty && bufferedToDelete.isEmpty && timersFired.isEmpty
            && offsets.isEmpty && windows.isEmpty && outbox.isEmpty && startRecords.isEmpty && scheduleFires.isEmpty
    }

    /// Records that a consumed record was handled in this batch (see `ConsumedPositions`).
    public mutating func consumed(_ o: ConsumedOffset) { ConsumedPositions.record(o, in: &offsets) }
}

/// A published message kept until a subscription takes it or it expires.
public struct BufferedMessage: Sendable, Equatable {
    public var id: String
    public var message: PublishedMessage
    public var expiresAt: Date

    public init(id: String, message: PublishedMessage, expiresAt: Date) {
        self.id = id
        self.message = message
        self.expiresAt = expiresAt
    }
}

/// Orders of task lists.
public enum TaskSort: String, Sendable, CaseIterable {
    case priority, created, due, followUp
}

/// How an element of a definition did across its instances: activations, those completed,
/// and their average duration (an activation pairs with the element's next completion in the
/// same instance; parallel multi-instance activations overlap, so their average is approximate).
public struct ElementStatistics: Sendable, Equatable {
    public var elementId: String
    public var activations: Int
    public var completions: Int
    public var averageSeconds: Double?

    public init(elementId: String, activations: Int, completions: Int, averageSeconds: Double?) {
        self.elementId = elementId
        self.activations = activations
        self.completions = completions
        self.averageSeconds = averageSeconds
    }
}

/// Filters for listing instances.
public struct InstanceQuery: Sendable {
    public var definitionId: String?
    public var definitionVersion: Int?
    public var status: InstanceStatus?
    public var correlationKey: String?
    public var businessKey: String?
    /// Instances with a token at this element now (their current activities include it).
    public var waitingAt: String?
    /// Started at or after / before.
    public var startedAfter: Date?
    public var startedBefore: Date?
    /// Variables that must have these values (top-level names).
    public var variables: [String: Value] = [:]
    /// The order (newest first unless `ascending`); ties by id.
    public var sort: InstanceSort = .started
    public var ascending = false
    public var limit: Int
    /// Rows skipped (only without `after`: deep offsets cost what skipping the rows costs).
    public var offset: Int
    /// Keyset paging: the page starts after this row of the same sort and order.
    public var after: InstanceCursor?
    /// Keyset paging back: the rows before this one, nearest first (`InstanceKeyset`).
    public var before: InstanceCursor?

    /// The ORDER BY clause for `sort` (instances without the sorted value last).
    public var orderBy: String {
        let dir = ascending ? "ASC" : "DESC"
        switch sort {
        case .started: return "started_at \(dir), id \(dir)"
        case .ended: return "completed_at IS NULL, completed_at \(dir), id \(dir)"
        case .definition: return "definition_id \(dir), started_at \(dir), id \(dir)"
        case .businessKey: return "business_key IS NULL, business_key \(dir), id \(dir)"
        }
    }

    public init(definitionId: String? = nil, status: InstanceStatus? = nil, correlationKey: String? = nil, businessKey: String? = nil, limit: Int = 50, offset: Int = 0) {
        self.definitionId = definitionId
        self.status = status
        self.correlationKey = correlationKey
        self.businessKey = businessKey
        self.limit = limit
        self.offset = offset
    }
}

/// Filters for listing user tasks.
public struct TaskQuery: Sendable {
    public var status: String?
    public var assignee: String?
    public var candidateGroup: String?
    public var instanceId: String?
    public var definitionId: String?
    public var minPriority: Int?
    public var dueBefore: Date?
    public var dueAfter: Date?
    public var followUpBefore: Date?
    /// `priority` (highest first, the default), `created`, `due` (soonest first; tasks without a due date last) or `followUp`.
    public var sort: TaskSort = .priority
    public var limit: Int
    public var offset: Int

    public init(status: String? = "open", assignee: String? = nil, candidateGroup: String? = nil, instanceId: String? = nil, limit: Int = 50, offset: Int = 0) {
        self.status = status
        self.assignee = assignee
        self.candidateGroup = candidateGroup
        self.instanceId = instanceId
        self.limit = limit
        self.offset = offset
    }
}

/// The durable state of a trigger's event pattern for one correlation key.
public struct WindowWrite: Sendable {
    public var definitionId: String
    public var key: String
    /// nil deletes the window.
    public var state: Value?
    /// Whether the write holds only if the stored state is still `expected` (nil: no row), as
    /// the batch read it: on a store shared by replicas another writer's change is a conflict.
    public var checked: Bool
    public var expected: Value?

    public init(definitionId: String, key: String, state: Value?, checked: Bool = false, expected: Value? = nil) {
        self.definitionId = definitionId
        self.key = key
        self.state = state
        self.checked = checked
        self.expected = expected
    }
}

/// A message to publish after its transaction committed (engine lifecycle events).
public struct OutboxRecord: Sendable, Equatable {
    public var id: String
    public var topic: String
    public var key: String
    public var payload: String
    public var createdAt: Date

    public init(id: String, topic: String, key: String, payload: String, createdAt: Date) {
        self.id = id
        self.topic = topic
        self.key = key
        self.payload = payload
        self.createdAt = createdAt
    }
}
