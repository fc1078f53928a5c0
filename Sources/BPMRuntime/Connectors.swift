import BPMEngine
import BPMExpressions
import BPMStore
import Foundation

/// What a connector reports for one job.
public enum ConnectorOutcome: Sendable, Equatable {
    /// Done; the output is merged into the instance's variables.
    case completed([String: Value])
    /// Failed; retryable failures are retried with the task's backoff.
    case failed(message: String, retryable: Bool)
    /// A business error (BPMN error code), caught by an error boundary or event sub-process.
    case bpmnError(code: String, message: String?)
}

/// Performs actions of service tasks (`database_log`, `mqtt_publish`, `http`, …).
/// `job.id` is stable across retries and restarts: use it as the idempotency key.
public protocol Connector: Sendable {
    func execute(_ job: JobRecord) async -> ConnectorOutcome
}

/// Maps action names to connectors.
public struct ConnectorRegistry: Sendable {
    var connectors: [String: any Connector]
    /// When set, every action goes here instead (the `--dry-run` recorder) — but the engine's
    /// own internal actions (decisions), which are not outside effects.
    var fallback: (any Connector)?
    var internalConnectors: [String: any Connector] = [:]
    /// Sees every call before it is performed, in-process connector or not (a simulation's
    /// sandbox records the calls and bounds them); a command it returns answers the call
    /// instead of the connector.
    public var interceptor: (@Sendable (JobRecord) -> Command?)?

    public init(_ connectors: [String: any Connector] = [:], fallback: (any Connector)? = nil) {
        self.connectors = connectors
        self.fallback = fallback
    }

    public mutating func register(_ action: String, _ connector: any Connector) { connectors[action] = connector }

    /// Registers an action the engine performs itself, even under `--dry-run`.
    public mutating func registerInternal(_ action: String, _ connector: any Connector) { internalConnectors[action] = connector }

    /// The actions with a connector.
    public var actions: [String] { connectors.keys.sorted() }

    /// Whether something in the process performs this action (else an external job waits for a worker).
    public func handles(_ action: String) -> Bool { internalConnectors[action] != nil || fallback != nil || connectors[action] != nil }

    /// Runs a job and turns the outcome into the engine command that reports it.
    public func execute(_ job: JobRecord) async -> Command {
        if let answer = interceptor?(job) { return answer }
        guard let c = internalConnectors[job.action] ?? fallback ?? connectors[job.action] else {
            if job.action == "script" {
                let format = job.payload[member: "format"].stringValue ?? ""
                return .jobFailed(jobId: job.id, message: "no script handler registered for script format '\(format.isEmpty ? "(none: a bare script body)" : format)'",
                                  retryable: false, incidentType: "no_script_handler")
            }
            let known = actions.isEmpty ? "none" : actions.joined(separator: ", ")
            return .jobFailed(jobId: job.id, message: "no connector configured for action '\(job.action)' (configured: \(known))",
                              retryable: false, incidentType: "no_connector")
        }
        switch await c.execute(job) {
        case .completed(let output): return .jobCompleted(jobId: job.id, output: output)
        case .failed(let message, let retryable): return .jobFailed(jobId: job.id, message: message, retryable: retryable, incidentType: "job_failed")
        case .bpmnError(let code, let message): return .jobThrewError(jobId: job.id, code: code, message: message)
        }
    }
}

/// Records every call instead of performing it (`--dry-run` and tests). Can be told to fail
/// an action a number of times, or to return outputs.
public final class RecordingConnector: Connector, @unchecked Sendable {
    public struct Call: Sendable, Equatable {
        public var action: String
        public var payload: Value
        public var jobId: String
        public var attempt: Int
    }

    private let lock = NSLock()
    private var recorded: [Call] = []
    private var failures: [String: (remaining: Int, message: String)] = [:]
    private var outputs: [String: [String: Value]] = [:]

    public init() {}

    /// Every call so far, in order.
    public var calls: [Call] { lock.withLock { recorded } }

    /// Makes the next `times` calls of `action` fail (retryably) with `message`; `Int.max` for always.
    public func fail(_ action: String, times: Int = .max, message: String = "simulated failure") {
        lock.withLock { failures[action] = (times, message) }
    }

    /// Makes calls of `action` return `output`.
    public func respond(_ action: String, with output: [String: Value]) {
        lock.withLock { outputs[action] = output }
    }

    public func execute(_ job: JobRecord) async -> ConnectorOutcome {
        lock.withLock {
            recorded.append(Call(action: job.action, payload: job.payload, jobId: job.id, attempt: job.attempt))
            if var f = failures[job.action], f.remaining > 0 {
                f.remaining -= 1
                failures[job.action] = f
                return .failed(message: f.message, retryable: true)
            }
            return .completed(outputs[job.action] ?? [:])
        }
    }
}

/// The plan's `database_log` action: writes `message` (and `level`, `data`) to the store's
/// `process_logs`, keyed by the job id so a repeated call writes once.
public struct DatabaseLogConnector: Connector {
    let store: any ProcessStore
    let clock: any EngineClock

    public init(store: any ProcessStore, clock: any EngineClock) {
        self.store = store
        self.clock = clock
    }

    public func execute(_ job: JobRecord) async -> ConnectorOutcome {
        let message = job.payload[member: "message"]
        let level = job.payload[member: "level"].stringValue ?? "info"
        var data = job.payload.contextValue ?? [:]
        data["message"] = nil
        data["level"] = nil
        do {
            try await store.appendLog(LogRecord(id: job.id, instanceId: job.instanceId, elementId: job.elementId, level: level,
                                                message: message.isNull ? "" : message.interpolated, data: data.isEmpty ? nil : .context(data),
                                                createdAt: clock.now()))
            return .completed([:])
        } catch {
            return .failed(message: "database_log: \(error)", retryable: true)
        }
    }
}
