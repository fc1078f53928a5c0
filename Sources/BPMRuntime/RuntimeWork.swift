import BPMEngine
import BPMExpressions
import BPMModel
import BPMStore
import Foundation

/// What the runtime is asked to do and what it answers: the work items queued for the group
/// commit, their results, and the errors its callers see.
extension Runtime {
    /// Outcome of an event for one definition.
    public struct EventOutcome: Sendable, Equatable {
        public enum Action: String, Sendable { case started, correlated, buffered, ignored }
        public var definitionId: String
        public var action: Action
        public var instanceId: String?
        public var correlationKey: String?
        public var reason: String?

        public init(definitionId: String, action: Action, instanceId: String? = nil, correlationKey: String? = nil, reason: String? = nil) {
            self.definitionId = definitionId
            self.action = action
            self.instanceId = instanceId
            self.correlationKey = correlationKey
            self.reason = reason
        }
    }

    /// What a published message did.
    public enum MessageOutcome: Sendable, Equatable {
        case correlated(instanceId: String)
        case started(instanceIds: [String])
        case buffered
        case dropped
    }

    /// A start asked for through the API.
    public struct StartRequest: Sendable {
        public var definitionId: String
        public var variables: [String: Value]
        public var businessKey: String?
        /// The same key answers the same instance, with the first answer (`render`).
        public var idempotencyKey: String?
        /// The body of the answer, stored for a start with an idempotency key.
        public var render: @Sendable (InstanceState) -> String
        /// The version to start (nil: the latest), as Zeebe starts an older version by its key.
        public var version: Int? = nil
        /// The elements to start at instead of the none start events (Zeebe's start
        /// instructions; `Engine.start(_:instanceId:version:variables:at:businessKey:now:)`).
        public var startAt: [String] = []

        public init(definitionId: String, variables: [String: Value] = [:], businessKey: String? = nil,
                    idempotencyKey: String? = nil, render: @escaping @Sendable (InstanceState) -> String = { $0.id })
        {
            self.definitionId = definitionId
            self.variables = variables
            self.businessKey = businessKey
            self.idempotencyKey = idempotencyKey
            self.render = render
        }
    }

    /// What an API start did.
    public enum StartOutcome: Sendable {
        case started(InstanceState)
        /// The definition is unique per business key and `correlate`s: the running instance.
        case correlated(InstanceState)
        /// The idempotency key was used before: its first answer.
        case replayed(StartRecord)
    }

    enum Work: Sendable {
        case start(StartRequest)
        case message(PublishedMessage)
        case signal(String, variables: [String: Value])
        case event(Value, topic: String?, definitionId: String?, variables: [String: Value] = [:])
        case intake(IntakeItem)
        /// Consumed items handed over together: applied in order as one work item (their
        /// positions commit together anyway), so a batch of thousands costs one queue entry.
        case intakeBatch([IntakeItem])
        case command(instanceId: String, Command)
        case timer(TimerRecord)
        case jobResult(JobRecord, Command)
        case migrate(instanceId: String, version: Int, mappings: [String: String])
        /// A silence trigger's key went quiet (`SilenceBook`).
        case silence(definitionId: String, SilenceTable.Fire)
        /// Window aggregates of keys gone quiet, to delete if still so (`Runtime.pruneWindows`).
        case pruneWindows(definitionId: String, keys: [String])
    }

    enum WorkResult: Sendable {
        case instance(InstanceState)
        case start(StartOutcome)
        case events([EventOutcome])
        case eventBatch([[EventOutcome]])
        /// A batch applied item by item after a refusal: each item's own result.
        case eventResults([Result<[EventOutcome], any Error>])
        case message(MessageOutcome)
        case signal(correlated: Int, started: [String])
        case none
    }

    struct Pending {
        var work: Work
        var continuation: CheckedContinuation<WorkResult, any Error>?
        /// Told the outcome instead of (or as well as) a waiting caller: consumed events.
        var callback: (@Sendable (Result<WorkResult, any Error>) -> Void)?

        func finish(_ r: Result<WorkResult, any Error>) {
            continuation?.resume(with: r)
            callback?(r)
        }
        /// Times it was applied again after a conflict.
        var attempts = 0
    }

    /// Errors returned to callers of the runtime.
    public enum RuntimeError: Error, Sendable, CustomStringConvertible, Equatable {
        case unknownDefinition(String)
        case unknownInstance(String)
        case unknownTask(String)
        case unknownIncident(String)
        case rejected(String)
        case retired(String)
        /// A start refused: the definition is unique per business key and an instance runs for it.
        case alreadyRunning(definitionId: String, businessKey: String, instanceId: String)
        /// A start refused: `max_running` instances run for the business key (their ids).
        case tooManyRunning(definitionId: String, businessKey: String, instanceIds: [String])
        /// An idempotency key used before to start another definition.
        case idempotencyKeyReused(key: String, definitionId: String)
        /// Input that breaks a rule (a task's form): every problem, each naming its field.
        case invalidInput(String, problems: [String])
        /// A work item that set off more deliveries (messages, signals, called instances
        /// ending) than an instance may take steps in one instant, without any instance
        /// waiting: processes that loop through each other. Nothing of the item is written.
        case runaway(String)

        public var description: String {
            switch self {
            case .unknownDefinition(let id): "no deployed definition '\(id)'"
            case .unknownInstance(let id): "no instance '\(id)'"
            case .unknownTask(let id): "no user task '\(id)'"
            case .unknownIncident(let id): "no incident '\(id)'"
            case .rejected(let m): m
            case .retired(let id): "definition '\(id)' is retired for new instances"
            case .alreadyRunning(let d, let bk, let id):
                "instance \(id) of '\(d)' is running for business key '\(bk)': one runs per business key"
            case .tooManyRunning(let d, let bk, let ids):
                "\(ids.count) instance(s) of '\(d)' run for business key '\(bk)', the most it allows: "
                    + ids.joined(separator: ", ")
            case .idempotencyKeyReused(let key, let d): "idempotency key '\(key)' was used to start '\(d)'"
            case .invalidInput(let what, let problems): "\(what): " + problems.joined(separator: "; ")
            case .runaway(let m): m
            }
        }
    }
}
