import BPMEngine
import BPMExpressions
import BPMModel
import BPMStore
import Foundation

/// The work of one group commit: instance states loaded or created in the batch, the
/// correlation keys claimed or released in it, and what it will write. A value that carries
/// everything the batch reads: one snapshot of the deployed definitions (grown only by
/// versions another replica deployed, read from the store), the store, and the batch before
/// it; it never calls back into the runtime while it is applied.
struct BatchContext {
    let store: any ProcessStore
    let now: Date
    /// Instances touched, in first-touch order, with the revision they were loaded at (nil: new).
    var states: [String: (state: InstanceState, expected: Int?)] = [:]
    var order: [String] = []
    /// Correlation keys claimed (instance id) or released (nil) within the batch.
    var keys: [String: [String: String?]] = [:]
    /// Running instances read up front, chunk by chunk: each read covers every pair of its
    /// definitions and keys; `running` holds the instances found (a pair covered but absent:
    /// none is running).
    var reads: [(definitions: Set<String>, keys: Set<String>)] = []
    var running: [String: [String: String]] = [:]
    /// Whether a read up front failed: then the running instances for the batch's keys are
    /// not all known and each key is looked up. (Otherwise every chunk of the batch had the
    /// running instances for its events' keys read before it was applied.)
    var prefetchFailed = false
    /// Bumped whenever `keys` changes, so per-route summaries of it are rebuilt.
    var keysChanged = 0
    /// Per route (by identity): for each target, whether an instance of it may be running for
    /// one of the batch's keys, as of `keysChanged`.
    var mayRun: [ObjectIdentifier: (version: Int, flags: [Bool])] = [:]
    var commit = CommitBatch()
    var firedTimers: [String] = []
    /// What transitions set in motion, to route before committing (`EffectApplier`).
    var routing = Routing()
    /// Buffered messages taken by subscriptions in the batch.
    var takenBuffered: Set<String> = []
    /// Called instances that ended in the batch: their parents are told.
    var endedChildren: [InstanceState] = []
    /// Called instances started for the work item being applied (bounded like an instance's steps).
    var childrenStarted = 0
    /// Deliveries routed for the work item being applied, and in how many rounds (`countRouted`).
    var routed = 0, rounds = 0, roundLeft = 0
    /// A work item that looped through other instances without waiting (`RuntimeError.runaway`):
    /// its effects are in this batch, so the batch is not written; its items are applied again alone.
    var refused: Runtime.RuntimeError?
    /// Business keys of the instances started in the batch of definitions unique per business key.
    var uniqueKeys: [String: String] = [:]
    /// Event-pattern windows read or changed in the batch, by definition and key.
    var windows: [WindowKey: [String: Value]] = [:]
    var changedWindows: [WindowKey] = []
    /// The same, to look up (a batch of thousands of keys checks it per event).
    var changedWindowSet: Set<WindowKey> = []
    /// Window aggregates fed in the batch, decoded (`windowValues`).
    var decodedWindows: [WindowKey: [String: WindowBuckets]] = [:]
    /// Window aggregates as committed by this process (a store not shared by replicas only).
    var windowCache: WindowCache?
    /// The stored state of each window the batch read (null: no row), to write it back only if
    /// it is unchanged on a store shared by replicas.
    var windowsRead: [WindowKey: Value] = [:]
    /// The engine process's silence-trigger keys (`SilenceBook`).
    var silences: SilenceBook?
    /// The deployed definitions when the batch began, and versions read since from a store
    /// shared by replicas (routing reads them without leaving the batch).
    var registry: DefinitionRegistry
    /// Versions read from the store during the batch, for the runtime to learn at its close.
    var discovered: [(ProcessDefinition, Int)] = []
    /// Definition records whose source no longer parses (named once in the runtime's log).
    var unreadable: [String] = []
    /// Counters for the runtime's `stats`, added at the batch's close.
    var counters = Counters()
    /// Cool-downs of event triggers by definition id (seconds).
    var cooldowns: [String: Double] { registry.cooldowns }

    /// The batch being committed while this one is applied: waited for before the first read.
    var previous: Task<Void, Never>?

    /// What a batch counts for `Runtime.stats`.
    struct Counters: Sendable {
        var keysSeenInFlight = 0
        var keysFoundReleased = 0
        /// Trigger starts dropped by a throttle, by definition id.
        var throttled: [String: Int] = [:]
        /// Trigger starts queued by a throttle (`excess: queue`), by definition id.
        var throttleQueued: [String: Int] = [:]
    }

    /// An event-pattern window: a definition's state for one correlation key.
    struct WindowKey: Hashable {
        var definitionId: String
        var key: String
    }

    init(store: any ProcessStore, now: Date, registry: DefinitionRegistry, after previous: Task<Void, Never>? = nil) {
        self.store = store
        self.now = now
        self.registry = registry
        self.previous = previous
    }

    /// The store, to read from: once the batch committed before this one has finished, so a
    /// read never misses what it wrote (a batch that reads nothing — starts — is applied while
    /// the one before it is still being written).
    mutating func reading() async -> any ProcessStore {
        if let p = previous {
            previous = nil
            await p.value
        }
        return store
    }

    /// A deployed version (the latest when `version` is nil). On a store shared by replicas a
    /// version this process has not seen yet (another replica deployed it) is read from the
    /// store and kept for the rest of the batch.
    mutating func definition(_ id: String, version: Int? = nil) async -> (ProcessDefinition, Int)? {
        if let found = lookup(id, version) { return found }
        guard store.sharedByReplicas, let records = try? await reading().definitions() else { return nil }
        let known = Set(registry.versionKeys)
        for rec in records where !known.contains(DefinitionRegistry.VersionKey(id: rec.id, version: rec.version)) {
            switch DefinitionCatalog.parseProcess(rec) {
            case .process(let def)?:
                registry.add(def, version: rec.version)
                discovered.append((def, rec.version))
            case .unreadable(let why)?: unreadable.append(why)
            case nil: continue
            }
        }
        return lookup(id, version)
    }

    private func lookup(_ id: String, _ version: Int?) -> (ProcessDefinition, Int)? {
        guard let version else { return registry.latest(id) }
        return registry.definition(id, version: version).map { ($0, version) }
    }

    mutating func apply(_ work: Runtime.Work) async throws -> Runtime.WorkResult {
        // consumed events: an item that fails leaves nothing in the batch — not its events'
        // positions, nor what its first events did — so its consumer delivers all of it again
        var saved: BatchContext?
        switch work {
        case .intake, .intakeBatch: saved = self
        default: break
        }
        do {
            return try await applyAndRoute(work)
        } catch {
            if let saved { self = saved }
            if let e = error as? Runtime.RuntimeError, case .runaway = e { refused = e }
            throw error
        }
    }

    private mutating func applyAndRoute(_ work: Runtime.Work) async throws -> Runtime.WorkResult {
        (childrenStarted, routed, rounds, roundLeft) = (0, 0, 0, 0)
        let result = try await applyOne(work)
        try await routeMessages()
        // routing may have moved the instance on (a buffered message, a child that ended): report its latest state
        if case .instance(let s) = result, let latest = states[s.id] { return .instance(latest.state) }
        if case .start(let r) = work, case .start(let o) = result { return .start(remember(r, o)) }
        return result
    }

    mutating func applyOne(_ work: Runtime.Work) async throws -> Runtime.WorkResult {
        switch work {
        case .message(let m):
            return .message(try await deliver(message: m))
        case .signal(let name, let variables):
            let r = try await broadcast(signal: name, variables: variables, except: nil)
            return .signal(correlated: r.correlated, started: r.started)
        case .start(let r):
            return .start(try await apiStart(r))
        case .event(let event, let topic, let defId, let variables):
            return .events(try await deliver(event, topic: topic, definitionId: defId, adding: variables))
        case .intake(.consumed(let offset)):
            commit.consumed(offset)
            return .none
        case .intake(.event(let e)):
            return .events(try await consume(e))
        case .intakeBatch(let items):
            var outcomes: [[Runtime.EventOutcome]] = []
            outcomes.reserveCapacity(items.count)
            for item in items {
                switch item {
                case .consumed(let offset): commit.consumed(offset); outcomes.append([])
                case .event(let e): outcomes.append(try await consume(e))
                }
                // what each event set in motion is routed before the next, as for single items
                (childrenStarted, routed, rounds, roundLeft) = (0, 0, 0, 0)
                try await routeMessages()
            }
            return .eventBatch(outcomes)
        case .command(let id, let command):
            return .instance(try await applyCommand(command, to: id))
        case .migrate(let id, let version, let mappings):
            let state = try await load(id)
            guard let from = await definition(state.definitionId, version: state.definitionVersion)?.0 else {
                throw Runtime.RuntimeError.unknownDefinition("\(state.definitionId) v\(state.definitionVersion)")
            }
            guard let to = await definition(state.definitionId, version: version)?.0 else {
                throw Runtime.RuntimeError.unknownDefinition("\(state.definitionId) v\(version)")
            }
            let t = try Engine.migrate(state, from: from, to: to, version: version, mappings: mappings, now: now)
            record(t, expected: states[id]?.expected)
            return .instance(t.state)
        case .timer(let t) where t.instanceId.isEmpty:
            firedTimers.append(t.id)
            if t.data?[member: "throttle"].stringValue != nil {
                try await releaseQueued(t)
            } else {
                try await startTimerFired(t)
            }
            return .none
        case .timer(let t):
            firedTimers.append(t.id)
            commit.timersToDelete.append(t.id)
            // a stale timer (the path moved on, or the instance ended) is simply deleted
            do { _ = try await applyCommand(.timerFired(timerId: t.id), to: t.instanceId) } catch is CommandRejection {
            } catch Runtime.RuntimeError.unknownInstance { }
            return .none
        case .silence(let defId, let fire):
            return .events(try await silenceFired(defId, fire))
        case .pruneWindows(let defId, let keys):
            try await pruneWindows(defId, keys)
            return .none
        case .jobResult(let job, let command):
            commit.jobsToDelete.append(job.id)
            // the instance after the report, for callers that answer with it (no read after the commit)
            do {
                return .instance(try await applyCommand(command, to: job.instanceId))
            } catch let r as CommandRejection {
                // a report the instance refuses (not a stale one) leaves the job to its worker
                if case .invalid = r { commit.jobsToDelete.removeAll { $0 == job.id } }
            } catch Runtime.RuntimeError.unknownInstance { }
            return .none
        }
    }

    mutating func start(_ def: ProcessDefinition, version: Int, variables: [String: Value], key: String?, businessKey: String?) -> InstanceState {
        let id = UUIDv7.make(now)
        // a process that only runs on a schedule can still be started by hand, at its timer start
        let startEvent = def.startEvents.isEmpty ? def.timerStartEvents.first?.id : nil
        let t = Engine.start(def, instanceId: id, version: version, variables: variables, correlationKey: key, businessKey: businessKey,
                             startEvent: startEvent, now: now)
        record(t, expected: nil)
        return t.state
    }

    mutating func load(_ id: String) async throws -> InstanceState {
        if let s = states[id] { return s.state }
        guard let s = try await reading().instance(id) else { throw Runtime.RuntimeError.unknownInstance(id) }
        states[id] = (s, s.revision)
        order.append(id)
        return s
    }

    mutating func applyCommand(_ command: Command, to id: String) async throws -> InstanceState {
        let state = try await load(id)
        guard let def = await definition(state.definitionId, version: state.definitionVersion)?.0 else {
            throw Runtime.RuntimeError.unknownDefinition("\(state.definitionId) v\(state.definitionVersion)")
        }
        let t = try Engine.apply(command, to: state, definition: def, now: now)
        record(t, expected: states[id]?.expected)
        return t.state
    }

    mutating func record(_ t: Transition, expected: Int?) {
        let id = t.state.id
        if states[id] == nil { order.append(id) }
        states[id] = (t.state, expected)
        EffectApplier.apply(t, to: &commit, routing: &routing)
        if t.state.parent != nil, !t.state.status.isActive, t.history.contains(where: { $0.elementType == "process" && ["completed", "failed", "cancelled"].contains($0.event) }) {
            endedChildren.append(t.state)
        }
        if let key = t.state.correlationKey {
            keys[t.state.definitionId, default: [:]][key] = t.state.status.isActive ? .some(id) : .some(nil)
            keysChanged += 1
            // a trigger's cool-down for the key starts when its instance ends
            if let cd = cooldowns[t.state.definitionId], !t.state.status.isActive,
               t.history.contains(where: { $0.elementType == "process" && ["completed", "failed", "cancelled"].contains($0.event) }) {
                var w = windows[WindowKey(definitionId: t.state.definitionId, key: key)] ?? [:]
                w["cooldown_until"] = .number(now.timeIntervalSince1970 + cd)
                setWindow(t.state.definitionId, key, w.filter { $0.key == "cooldown_until" || Self.throttleKeys.contains($0.key) })
            }
        }
    }

    /// The batch to commit: updates before inserts (a key released by one instance may be
    /// claimed by a new one in the same batch).
    func commitBatch() -> CommitBatch {
        var c = commit
        var updates: [InstanceWrite] = []
        var inserts: [InstanceWrite] = []
        for id in order {
            guard let s = states[id] else { continue }
            if s.expected == nil {
                inserts.append(InstanceWrite(state: s.state, expectedRevision: nil, uniqueKey: uniqueKeys[id]))
            } else {
                if s.state.revision == s.expected { continue }  // untouched
                updates.append(InstanceWrite(state: s.state, expectedRevision: s.expected))
            }
        }
        c.instances = updates + inserts
        let shared = store.sharedByReplicas
        let encoded = encodedWindows()
        c.windows = changedWindows.compactMap { k in
            let read = shared ? windowsRead[k] : nil
            return (encoded[k] ?? windows[k]).map {
                WindowWrite(definitionId: k.definitionId, key: k.key, state: $0.isEmpty ? nil : .context($0),
                            checked: read != nil, expected: read == .null ? nil : read)
            }
        }
        return c
    }
}
