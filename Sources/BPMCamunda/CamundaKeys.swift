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
        /// One-off keys (published messages, signals, evaluations, commands): nothing looks them
        /// up again, so each is a fresh number of the sequence with no row (`isOneOff`).
        case message = "message"
        case signal = "signal"
        case decisionInstance = "di"
        case command = "command"
        /// id: `scopeId/name` (the scope is the instance or a token).
        case variable = "variable"
    }

    public var kind: Kind
    public var id: String

    /// Whether the kind's keys are one-off: a fresh number, never stored nor cached.
    public var isOneOff: Bool { [.message, .signal, .decisionInstance, .command].contains(kind) }

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
    /// Keys never change once assigned, so a cached pair is never stale; the cache is emptied
    /// when it reaches `cacheLimit` pairs, so a long-running server's memory stays bounded.
    let cache = Locked<(keys: [CamundaRef: CamundaKey], refs: [CamundaKey: CamundaRef])>(([:], [:]))

    static let cacheLimit = 200_000

    /// The store calls that assign keys, shared by concurrent callers.
    let assigner: KeyAssigner

    public init(store: any ProcessStore) {
        self.store = store
        assigner = KeyAssigner(store: store)
    }

    /// The keys of objects, assigned where missing, in the order asked (those not cached in
    /// one store call, shared with the callers asking meanwhile: `KeyAssigner`).
    public func keys(_ refs: [CamundaRef]) async throws -> [CamundaKey] {
        if refs.contains(where: \.isOneOff) { return try await withOneOff(refs) }
        let known = cache.withLock { c in refs.map { c.keys[$0] } }
        let missing = Array(Set(zip(refs, known).filter { $0.1 == nil }.map(\.0)))
        if !missing.isEmpty {
            let numbers: [Int64]
            do {
                numbers = try await assigner.numbers(missing.map { KeyRef(kind: $0.kind.rawValue, id: $0.id) })
            } catch {
                throw CamundaError(.resourceExhausted, "the store could not assign keys: \(error)")
            }
            cache.withLock { c in
                for (r, n) in zip(missing, numbers) { Self.remember(r, Self.base + n, in: &c) }
            }
            // from what was looked up, not the cache, which may have been emptied meanwhile
            let assigned = Dictionary(zip(missing, numbers.map { Self.base + $0 }), uniquingKeysWith: { a, _ in a })
            return zip(refs, known).map { r, k in k ?? assigned[r]! }
        }
        return known.map { $0! }
    }

    /// Keys where some are one-off: those are fresh numbers (no row, not cached), the others as `keys`.
    func withOneOff(_ refs: [CamundaRef]) async throws -> [CamundaKey] {
        let numbers: [Int64]
        do {
            numbers = try await store.camundaFreshKeys(refs.filter(\.isOneOff).count)
        } catch {
            throw CamundaError(.resourceExhausted, "the store could not assign keys: \(error)")
        }
        var stored = try await keys(refs.filter { !$0.isOneOff }).makeIterator()
        var fresh = numbers.makeIterator()
        return refs.map { r in r.isOneOff ? Self.base + fresh.next()! : stored.next()! }
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
        cache.withLock { c in Self.remember(r, key, in: &c) }
        return r
    }

    static func remember(_ r: CamundaRef, _ key: CamundaKey,
                         in c: inout (keys: [CamundaRef: CamundaKey], refs: [CamundaKey: CamundaRef])) {
        if c.keys.count >= cacheLimit { c = ([:], [:]) }
        c.keys[r] = key
        c.refs[key] = r
    }

    /// Our id for a key of an expected kind; `notFound` (naming `what`) otherwise.
    public func id(_ key: CamundaKey, _ kind: CamundaRef.Kind, what: String) async throws -> String {
        guard let r = try await ref(key), r.kind == kind else {
            throw CamundaError(.notFound, "no \(what) with key \(key)")
        }
        return r.id
    }
}
