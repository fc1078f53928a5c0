import BPMExpressions
import Foundation

/// The lifecycle status of a process instance (the plan's `status` column).
public enum InstanceStatus: String, Sendable, Codable, CaseIterable {
    case running, completed, failed, terminated, suspended

    /// Not ended: running or suspended.
    public var isActive: Bool { self == .running || self == .suspended }
}

/// Everything the engine knows about one process instance. A value: the core returns a new
/// one for every command; the runtime persists it.
public struct InstanceState: Sendable, Equatable {
    public var id: String
    public var definitionId: String
    public var definitionVersion: Int
    public var status: InstanceStatus
    public var variables: [String: Value]
    /// Paths of execution that wait for something outside (a timer, a job, a person, an operator).
    public var tokens: [Token]
    /// Arrivals at joins: "scope|gateway id" → incoming flow id → count.
    public var joins: [String: [String: Int]]
    /// Variables local to a scope (multi-instance items, loop counters): scope id → variables.
    public var locals: [String: [String: Value]] = [:]
    /// Open incidents.
    public var incidents: [Incident]
    public var correlationKey: String?
    public var businessKey: String?
    /// Counter for the deterministic ids of timers, jobs and tasks created by this instance.
    public var sequence: Int
    public var startedAt: Date
    public var endedAt: Date?
    public var error: InstanceError?
    /// Bumped on every change; stores use it to refuse lost updates.
    public var revision: Int
    /// For an instance started by a call activity: the caller and its waiting token.
    public var parent: ParentLink?
    /// Armed start events of the process's event sub-processes (timers, subscriptions).
    public var processTriggers: [BoundaryTimer] = []
    /// What arrived while the instance was suspended, applied in order when it resumes.
    public var held: [Command] = []
    /// Completed activities that compensation can still undo, in order of completion.
    public var compensable: [CompensationRecord] = []
    /// Ad-hoc sub-process scopes that activated nothing on entry: they stay active (Camunda 8).
    public var adHocWaiting: Set<String> = []

    public init(id: String, definitionId: String, definitionVersion: Int, variables: [String: Value] = [:],
                correlationKey: String? = nil, businessKey: String? = nil, startedAt: Date)
    {
        self.id = id
        self.definitionId = definitionId
        self.definitionVersion = definitionVersion
        status = .running
        self.variables = variables
        tokens = []
        joins = [:]
        incidents = []
        self.correlationKey = correlationKey
        self.businessKey = businessKey
        sequence = 0
        self.startedAt = startedAt
        revision = 0
    }

    /// The elements where the instance currently waits (the plan's `current_activity`).
    public var currentActivities: [String] { tokens.map(\.elementId) }
}

/// A waiting path of execution, at one element.
public struct Token: Sendable, Equatable {
    public var id: String
    public var elementId: String
    public var wait: Wait
    /// Timers of boundary events (timeouts) attached to the element while the token waits.
    public var boundaryTimers: [BoundaryTimer]
    /// The scope the token runs in: the id of a sub-process, multi-instance or inner-instance
    /// token (nil: the process).
    public var scope: String?

    public init(id: String, elementId: String, wait: Wait, boundaryTimers: [BoundaryTimer] = [], scope: String? = nil) {
        self.id = id
        self.elementId = elementId
        self.wait = wait
        self.boundaryTimers = boundaryTimers
        self.scope = scope
    }
}

/// A catch event armed by an event-based gateway.
public struct ArmedEvent: Sendable, Equatable {
    public var elementId: String
    public var timerId: String?
    public var signal: String?
    /// The message subscription's id, for a message catch event.
    public var subscriptionId: String?

    public init(elementId: String, timerId: String?, signal: String?, subscriptionId: String? = nil) {
        self.elementId = elementId
        self.timerId = timerId
        self.signal = signal
        self.subscriptionId = subscriptionId
    }
}

/// Progress of a multi-instance or loop activity.
public struct LoopState: Sendable, Equatable {
    /// Instances to run (nil for a standard loop, which runs while its condition holds).
    public var total: Int?
    public var started: Int
    public var completed: Int
    /// The items of the input collection, when there is one.
    public var items: [Value]?
    /// Output elements by instance index.
    public var outputs: [Value]

    public init(total: Int?, items: [Value]?) {
        self.total = total
        self.items = items
        started = 0
        completed = 0
        outputs = Array(repeating: .null, count: total ?? 0)
    }
}

/// The call activity that started an instance.
public struct ParentLink: Sendable, Equatable {
    public var instanceId: String
    public var tokenId: String

    public init(instanceId: String, tokenId: String) {
        self.instanceId = instanceId
        self.tokenId = tokenId
    }
}

/// A boundary timer armed for a waiting token.
public struct BoundaryTimer: Sendable, Equatable {
    public var timerId: String
    public var boundaryElementId: String
    /// When an armed timer is due (for a cycle's next occurrence); nil for subscriptions.
    public var dueAt: Date? = nil
    /// How often a cycle has fired before this occurrence.
    public var fired = 0
    /// The cycle an expression gave when the timer was first armed.
    public var cycle: String? = nil
    /// For a condition: whether it held when last evaluated (it fires on a change to true).
    public var held = false
}

/// What a token waits for.
public enum Wait: Sendable, Equatable {
    /// A timer catch event.
    case timer(timerId: String)
    /// A job (connector call) in flight; `attempt` counts from 1.
    case job(jobId: String, attempt: Int)
    /// Backoff before the next attempt of a failed job.
    case retry(timerId: String, jobId: String, attempt: Int)
    /// A person completing a user task.
    case userTask(taskId: String)
    /// An operator resolving an incident.
    case incident(incidentId: String)
    /// A sub-process (or event sub-process) running: tokens with this token's id as scope are inside.
    case subProcess
    /// A multi-instance or loop activity; its instances run in inner-instance scopes.
    case loop(LoopState)
    /// One instance of a multi-instance or loop activity (index from 0).
    case innerInstance(index: Int)
    /// A signal, by name.
    case signal(String)
    /// A called process's instance running.
    case calledInstance(String)
    /// A message, by name and correlation key; the token's id is the subscription's.
    case message(name: String, correlationKey: String?)
    /// An event-based gateway: the catch events that follow it, armed; the first to fire wins.
    case eventGateway([ArmedEvent])
    /// A conditional catch event, until its condition holds.
    case condition
    /// A compensation throw (or a cancelled transaction's cancel boundary event) running the
    /// handlers of `pending`, first to last, one at a time; `resume`: it continues once they are done.
    case compensating(pending: [CompensationRecord], resume: Bool)
    /// One compensation handler (or compensation event sub-process) running, for `record`:
    /// a scope whose locals are the variables as they were when the activity completed.
    case compensationHandler(CompensationRecord)
    /// A Camunda 8 listener's job (execution or user task listener) in flight, in its
    /// backoff, or held by an incident (ExecutionListeners.swift, TaskListeners.swift).
    case listener(ListenerJob)
    /// One activation of an inner element of an ad-hoc sub-process with a job worker (Zeebe's
    /// ad-hoc inner instance): a scope whose locals are the variables the job result gave it.
    case adHocActivation

    /// Whether the token is a scope that holds other tokens.
    public var isScope: Bool {
        switch self {
        case .subProcess, .loop, .innerInstance, .compensating, .compensationHandler, .adHocActivation: true
        default: false
        }
    }
}

/// A problem the engine cannot resolve by itself; the instance waits at the element until an
/// operator retries.
public struct Incident: Sendable, Equatable {
    public var id: String
    public var instanceId: String
    public var elementId: String
    /// `job_failed`, `no_connector`, `condition_failed`, `step_limit`.
    public var type: String
    public var message: String
    public var jobId: String?
    public var createdAt: Date
    /// The job's retries set while the incident is open (Zeebe's UpdateJobRetries): retrying
    /// dispatches the job with them (nil: from its first attempt).
    public var retries: Int?

    public init(id: String, instanceId: String, elementId: String, type: String, message: String, jobId: String? = nil, createdAt: Date) {
        self.id = id
        self.instanceId = instanceId
        self.elementId = elementId
        self.type = type
        self.message = message
        self.jobId = jobId
        self.createdAt = createdAt
    }
}

/// Why an instance failed: an error end event's code and message.
public struct InstanceError: Sendable, Equatable {
    public var code: String
    public var message: String?

    public init(code: String, message: String?) {
        self.code = code
        self.message = message
    }
}

/// Which listeners a listener job belongs to, and what resumes when the last completes.
public enum ListenerPhase: Sendable, Equatable {
    /// Start listeners: the element's behaviour runs after them (`flowId`: the flow it was entered by).
    case start(flowId: String?)
    /// End listeners: the element's outgoing flows are taken after them.
    case end
    /// User task listeners of `event` for task `taskId`; `variables`: a completion's variables.
    case task(event: String, taskId: String, variables: [String: Value])
}

/// A listener job of a waiting token: the `index`th listener of its phase, at `attempt`.
public struct ListenerJob: Sendable, Equatable {
    public var phase: ListenerPhase
    public var index: Int
    public var jobId: String
    public var attempt: Int
    /// The job type (evaluated when the job was created) and the retries it has.
    public var type: String
    public var retries: Int
    /// A failed attempt's backoff timer, when the next attempt waits for it.
    public var retryTimer: String?
    /// The incident holding the job when it failed with no retries left.
    public var incident: String?
    /// Corrections made by earlier task listeners of the same transition.
    public var corrections: [String: Value] = [:]

    public init(phase: ListenerPhase, index: Int, jobId: String, attempt: Int, type: String, retries: Int) {
        self.phase = phase
        self.index = index
        self.jobId = jobId
        self.attempt = attempt
        self.type = type
        self.retries = retries
    }
}
