import BPMExpressions
import Foundation

/// One row of an instance's history (the plan's `process_history`).
public struct HistoryEntry: Sendable, Equatable {
    public var instanceId: String
    /// The element, or the process id for process-level events.
    public var elementId: String
    /// `process`, `startEvent`, `serviceTask`, `exclusiveGateway`, …
    public var elementType: String
    /// `started`, `activated`, `completed`, `terminated`, `failed`, `incident`, …
    public var event: String
    public var at: Date
    public var data: Value?
    /// Which activation of the element: a multi-instance (or loop) body and each of its
    /// instances have their own (the body's `elementType` is `multiInstanceBody` or
    /// `loopBody`); nil where an element is activated once in its scope.
    public var elementInstanceId: String?

    public init(instanceId: String, elementId: String, elementType: String, event: String, at: Date, data: Value? = nil,
                elementInstanceId: String? = nil)
    {
        self.instanceId = instanceId
        self.elementId = elementId
        self.elementType = elementType
        self.event = event
        self.at = at
        self.data = data
        self.elementInstanceId = elementInstanceId
    }
}

/// A durable timer.
public struct TimerRecord: Sendable, Equatable {
    public var id: String
    /// The instance; empty for a timer start event's schedule.
    public var instanceId: String
    public var elementId: String
    public var dueAt: Date
    /// For timer start events: the definition, version and what remains of the schedule.
    public var data: Value?

    public init(id: String, instanceId: String, elementId: String, dueAt: Date, data: Value? = nil) {
        self.id = id
        self.instanceId = instanceId
        self.elementId = elementId
        self.dueAt = dueAt
        self.data = data
    }
}

/// A request to perform an action through a connector (a service task's work).
/// `id` is stable across attempts and crashes: connectors use it as the idempotency key.
public struct JobRecord: Sendable, Equatable {
    public var id: String
    public var instanceId: String
    public var definitionId: String
    public var elementId: String
    public var action: String
    public var payload: Value
    public var attempt: Int
    public var createdAt: Date
    /// The instance's variables when the job was created, for handlers that need them (scripts).
    public var variables: [String: Value]?
    /// A job for external workers (activated through the API) rather than an in-process connector.
    public var external = false
    /// Workers get jobs by priority (highest first), then age.
    public var priority = 50
    /// The version of the instance's definition, where the store read it with the job (on
    /// activation, so workers learn it without reading the instance); nil otherwise.
    public var definitionVersion: Int?

    /// Zeebe's job kind: `BPMN_ELEMENT`, or `EXECUTION_LISTENER` / `TASK_LISTENER` for a
    /// listener's job (kept in the payload's `listener` member, which workers do not see).
    public var kind: String { payload[member: "listener"][member: "kind"].stringValue ?? "BPMN_ELEMENT" }

    /// Zeebe's listener event type: `START`, `END`, `CREATING`, …; `UNSPECIFIED` for other jobs.
    public var listenerEventType: String {
        payload[member: "listener"][member: "listenerEventType"].stringValue ?? "UNSPECIFIED"
    }

    /// A listener job's retries (the attempts it has); nil for other jobs.
    public var listenerRetries: Int? { payload[member: "listener"][member: "retries"].doubleValue.map { Int($0) } }

    /// A task listener job's user task.
    public var listenerUserTask: String? { payload[member: "listener"][member: "userTask"].stringValue }

    public init(id: String, instanceId: String, definitionId: String, elementId: String, action: String, payload: Value, attempt: Int, createdAt: Date,
                variables: [String: Value]? = nil)
    {
        self.id = id
        self.instanceId = instanceId
        self.definitionId = definitionId
        self.elementId = elementId
        self.action = action
        self.payload = payload
        self.attempt = attempt
        self.createdAt = createdAt
        self.variables = variables
    }
}

/// A user task waiting for a person.
public struct UserTaskRecord: Sendable, Equatable {
    public var id: String
    public var instanceId: String
    public var definitionId: String
    public var elementId: String
    public var name: String?
    public var assignee: String?
    public var candidateUsers: [String]
    public var candidateGroups: [String]
    public var priority: Int
    public var form: Value?
    public var description: String?
    /// `open`, `completed`, `cancelled`.
    public var status: String
    public var createdAt: Date
    public var completedAt: Date?
    public var dueAt: Date?
    public var followUpAt: Date?

    public init(id: String, instanceId: String, definitionId: String, elementId: String, name: String?, assignee: String?,
                candidateUsers: [String], candidateGroups: [String], priority: Int, form: Value?, description: String?,
                status: String, createdAt: Date, completedAt: Date? = nil, dueAt: Date? = nil, followUpAt: Date? = nil)
    {
        self.dueAt = dueAt
        self.followUpAt = followUpAt
        self.id = id
        self.instanceId = instanceId
        self.definitionId = definitionId
        self.elementId = elementId
        self.name = name
        self.assignee = assignee
        self.candidateUsers = candidateUsers
        self.candidateGroups = candidateGroups
        self.priority = priority
        self.form = form
        self.description = description
        self.status = status
        self.createdAt = createdAt
        self.completedAt = completedAt
    }
}

/// A call activity's request to start a child instance.
public struct ChildStart: Sendable, Equatable {
    public var instanceId: String
    public var processId: String
    public var variables: [String: Value]
    public var parent: ParentLink

    public init(instanceId: String, processId: String, variables: [String: Value], parent: ParentLink) {
        self.instanceId = instanceId
        self.processId = processId
        self.variables = variables
        self.parent = parent
    }
}

/// A waiting message catch: where a published message with this name and key is delivered.
public struct MessageSubscription: Sendable, Equatable {
    public var id: String
    public var instanceId: String
    public var elementId: String
    public var name: String
    public var correlationKey: String?
    public var createdAt: Date

    public init(id: String, instanceId: String, elementId: String, name: String, correlationKey: String?, createdAt: Date) {
        self.id = id
        self.instanceId = instanceId
        self.elementId = elementId
        self.name = name
        self.correlationKey = correlationKey
        self.createdAt = createdAt
    }
}

/// A message published by a process (or the API), to be correlated to a subscription or to
/// start an instance; kept for `timeToLive` seconds when nothing waits for it yet.
public struct PublishedMessage: Sendable, Equatable {
    public var name: String
    public var correlationKey: String?
    public var variables: [String: Value]
    public var timeToLive: Double

    public init(name: String, correlationKey: String?, variables: [String: Value] = [:], timeToLive: Double = 0) {
        self.name = name
        self.correlationKey = correlationKey
        self.variables = variables
        self.timeToLive = timeToLive
    }
}

/// What the runtime must do as a result of a transition, once its transaction commits (or,
/// for the bookkeeping effects, inside it).
public enum Effect: Sendable, Equatable {
    case scheduleTimer(TimerRecord)
    case cancelTimer(id: String)
    case dispatchJob(JobRecord)
    case cancelJob(id: String)
    case createUserTask(UserTaskRecord)
    case closeUserTask(id: String, status: String, at: Date)
    /// A user task's lifecycle state while its task listeners run (`creating`, `assigning`,
    /// `completing`, back to `open`), with the listeners' corrections (attribute → value).
    case updateUserTask(id: String, status: String, corrections: [String: Value])
    case raiseIncident(Incident)
    case resolveIncident(id: String)
    /// Start an instance of another process for a call activity.
    case startChild(ChildStart)
    /// Cancel a called instance (its call activity was interrupted).
    case cancelChild(instanceId: String)
    case openSubscription(MessageSubscription)
    case closeSubscription(id: String)
    case publishMessage(PublishedMessage)
    /// Broadcast a signal to other instances (this instance has already received it).
    case broadcastSignal(name: String, variables: [String: Value], from: String)
}
