import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMStore
import Foundation

extension CamundaError {
    /// The Camunda error for a failure of the runtime, the store or the engine.
    public init(_ error: any Error) {
        switch error {
        case let e as CamundaError: self = e
        case let e as DefinitionErrors: self.init(.invalidArgument, e.description)
        case let e as Runtime.RuntimeError: self.init(runtime: e)
        case let e as CommandRejection:
            if case .stale = e { self.init(.notFound, e.description) } else { self.init(.failedPrecondition, e.description) }
        case let e as StoreError:
            if case .conflict = e { self.init(.failedPrecondition, e.description) } else {
                self.init(.resourceExhausted, e.description)
            }
        default: self.init(.internal, "\(error)")
        }
    }

    init(runtime e: Runtime.RuntimeError) {
        switch e {
        case .unknownDefinition, .unknownInstance, .unknownTask, .unknownIncident, .retired: self.init(.notFound, e.description)
        case .alreadyRunning, .idempotencyKeyReused: self.init(.alreadyExists, e.description)
        case .invalidInput(let m, let problems): self.init(.invalidArgument, ([m] + problems).joined(separator: "; "))
        case .rejected, .runaway: self.init(.failedPrecondition, e.description)
        }
    }
}

/// Runs `body`, turning every failure into a `CamundaError`.
func camunda<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch { throw CamundaError(error) }
}

/// Callers waiting for instances to end (`createInstanceWithResult`).
struct EndWaiters {
    var observing = false
    var waiting: [String: [Int: CheckedContinuation<InstanceState?, Never>]] = [:]
    var last = 0
}

extension CamundaGateway {
    /// `definitionId@version`, the id of a process definition's key.
    static func definitionRef(_ id: String, _ version: Int) -> String { "\(id)@\(version)" }

    /// A process definition key's definition id and version.
    func definition(key: CamundaKey) async throws -> (id: String, version: Int) {
        let ref = try await keys.id(key, .processDefinition, what: "process definition")
        guard let at = ref.lastIndex(of: "@"), let v = Int(ref[ref.index(after: at)...]) else {
            throw CamundaError(.notFound, "no process definition with key \(key)")
        }
        return (String(ref[..<at]), v)
    }

    func definitionKey(_ id: String, _ version: Int) async throws -> CamundaKey {
        try await keys.key(.processDefinition, Self.definitionRef(id, version))
    }

    /// An instance by key; `notFound` when none.
    func instance(key: CamundaKey) async throws -> InstanceState {
        let id = try await keys.id(key, .processInstance, what: "process instance")
        guard let s = try await camunda({ try await runtime.store.instance(id) }) else {
            throw CamundaError(.notFound, "no process instance with key \(key)")
        }
        return s
    }

    /// Milliseconds to seconds.
    static func seconds(_ ms: Int64) -> Double { Double(ms) / 1000 }

    /// Epoch milliseconds of a date.
    static func epochMillis(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1000).rounded()) }
}
