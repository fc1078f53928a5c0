import BPMStore
import Foundation

/// What a Zeebe key names: the kind of object and our id for it.
public struct CamundaRef: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        /// id: the instance's id (UUIDv7).
        case processInstance = "pi"
        /// id: `definitionId@version`.
        case processDefinition = "pd"
        /// id: the token's id (element instances waiting), or `instanceId/elementId`.
        case elementInstance = "ei"
        /// id: the job's id.
        case job = "job"
        case userTask = "task"
        case incident = "incident"
        /// id: the deployment's content hash.
        case deployment = "deployment"
        /// id: `decisionId@version`.
        case decision = "decision"
        /// id: `requirementsId@version`.
        case decisionRequirements = "drg"
        /// id: `formId@version`.
        case form = "form"
        /// One-off keys (published messages, signals, evaluations): a fresh id each.
        case message = "message", signal = "signal", decisionInstance = "di", command = "command"
        /// id: `scopeId/name` (the scope is the instance or a token).
        case variable = "variable"
    }

    public var kind: Kind
    public var id: String

    public init(_ kind: Kind, _ id: String) {
        self.kind = kind
        self.id = id
    }
}

/// Zeebe keys for our objects, from the store's durable `camunda_keys` table: a key is
/// `(1 << 51) + n`, n the table's sequence, assigned the first time an object is exposed and
/// never changed (so stable across restarts and shared by replicas). Lookups are cached.
public final class CamundaKeys: Sendable {
    /// Partition 1 in Zeebe's key layout (the partition id in the bits above 51).
    public static let base: Int64 = 1 << 51

    let store: any ProcessStore
    /// Keys never change once assigned: both directions are cached for good.
    let cache = Locked<(keys: [CamundaRef: CamundaKey], refs: [CamundaKey: CamundaRef])>(([:], [:]))

    public init(store: any ProcessStore) {
        self.store = store
    }

    /// The keys of objects, assigned where missing, in the order asked (one store call for
    /// those not cached).
    public func keys(_ refs: [CamundaRef]) async throws -> [CamundaKey] {
        let known = cache.withLock { c in refs.map { c.keys[$0] } }
        let missing = Array(Set(zip(refs, known).filter { $0.1 == nil }.map(\.0)))
        if !missing.isEmpty {
            let numbers: [Int64]
            do {
                numbers = try await store.camundaKeys(missing.map { KeyRef(kind: $0.kind.rawValue, id: $0.id) })
            } catch {
                throw CamundaError(.resourceExhausted, "the store could not assign keys: \(error)")
            }
            cache.withLock { c in
                for (r, n) in zip(missing, numbers) {
                    c.keys[r] = Self.base + n
                    c.refs[Self.base + n] = r
                }
            }
        }
        return cache.withLock { c in refs.map { c.keys[$0]! } }
    }

    /// The key of one object, assigned if missing.
    public func key(_ kind: CamundaRef.Kind, _ id: String) async throws -> CamundaKey {
        try await keys([CamundaRef(kind, id)])[0]
    }

    /// A fresh key for a one-off object (a published message, a signal, a command).
    public func fresh(_ kind: CamundaRef.Kind) async throws -> CamundaKey {
        try await key(kind, UUIDv7.make())
    }

    /// What a key names; nil when no object has it.
    public func ref(_ key: CamundaKey) async throws -> CamundaRef? {
        if let r = cache.withLock({ $0.refs[key] }) { return r }
        guard key > Self.base else { return nil }
        let stored: KeyRef?
        do { stored = try await store.camundaRef(key - Self.base) } catch {
            throw CamundaError(.resourceExhausted, "the store could not read keys: \(error)")
        }
        guard let stored, let kind = CamundaRef.Kind(rawValue: stored.kind) else { return nil }
        let r = CamundaRef(kind, stored.id)
        cache.withLock { c in
            c.keys[r] = key
            c.refs[key] = r
        }
        return r
    }

    /// Our id for a key of an expected kind; `notFound` (naming `what`) otherwise.
    public func id(_ key: CamundaKey, _ kind: CamundaRef.Kind, what: String) async throws -> String {
        guard let r = try await ref(key), r.kind == kind else {
            throw CamundaError(.notFound, "no \(what) with key \(key)")
        }
        return r.id
    }
}
