import BPMEngine
import BPMExpressions
import BPMModel
import BPMStore
import Foundation

/// The work of one group commit: instance states loaded or created in the batch, the
/// correlation keys claimed or released in it, and what it will write.
struct BatchTransaction {
    let runtime: Runtime
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
    /// Subscriptions opened and closed in the batch, and messages to route before committing.
    var openedSubscriptions: [MessageSubscription] = []
    var closedSubscriptions: Set<String> = []
    var newSubscriptions: [MessageSubscription] = []
    var toPublish: [PublishedMessage] = []
    var takenBuffered: Set<String> = []
    /// Called instances to start or cancel, and parents to tell that a child ended.
    var childStarts: [ChildStart] = []
    var childCancels: [String] = []
    var endedChildren: [InstanceState] = []
    var signals: [(name: String, variables: [String: Value], from: String?)] = []
    /// Event-pattern windows read or changed in the batch, by definition and key.
    var windows: [String: (definitionId: String, key: String, state: [String: Value])] = [:]
    var changedWindows: [String] = []
    /// The deployed definitions when the batch began (routing reads it without leaving the batch).
    let registry: DefinitionRegistry
    /// Cool-downs of event triggers by definition id (seconds).
    var cooldowns: [String: Double] { registry.cooldowns }

    /// The batch being committed while this one is applied: waited for before the first read.
    var previous: Task<Void, Never>?

    init(runtime: Runtime, now: Date, registry: DefinitionRegistry, after previous: Task<Void, Never>? = nil) {
        self.runtime = runtime
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
        return runtime.store
    }

    static func keyOf(_ definitionId: String, _ key: String) -> String { definitionId + "\u{1}" + key }

    mutating func apply(_ work: Runtime.Work) async throws -> Runtime.WorkResult {
        // consumed events: an item that fails leaves nothing in the batch — not its events'
        // positions, nor what its first events did — so its consumer delivers all of it again
        var saved: BatchTransaction?
        switch work {
        case .intake, .intakeBatch: saved = self
        default: break
        }
        do {
            return try await applyAndRoute(work)
        } catch {
            if let saved { self = saved }
            throw error
        }
    }

    private mutating func applyAndRoute(_ work: Runtime.Work) async throws -> Runtime.WorkResult {
        let result = try await applyOne(work)
        try await routeMessages()
        // routing may have moved the instance on (a buffered message, a child that ended): report its latest state
        if case .instance(let s) = result, let latest = states[s.id] { return .instance(latest.state) }
        return result
    }

    mutating func applyOne(_ work: Runtime.Work) async throws -> Runtime.WorkResult {
        switch work {
        case .message(let m):
            return .message(try await deliver(message: m))
        case .signal(let name, let variables):
            let r = try await broadcast(signal: name, variables: variables, except: nil)
            return .signal(correlated: r.correlated, started: r.started)
        case .start(let defId, let vars, let key, let bk):
            guard let (def, version) = await runtime.definition(defId) else { throw Runtime.RuntimeError.unknownDefinition(defId) }
            if await runtime.isRetired(defId) { throw Runtime.RuntimeError.retired(defId) }
            return .instance(start(def, version: version, variables: vars, key: key, businessKey: bk))
        case .event(let event, let topic, let defId):
            return .events(try await deliver(event, topic: topic, definitionId: defId))
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
                try await routeMessages()
            }
            return .eventBatch(outcomes)
        case .command(let id, let command):
            return .instance(try await applyCommand(command, to: id))
        case .migrate(let id, let version):
            let state = try await load(id)
            guard let from = await runtime.definition(state.definitionId, version: state.definitionVersion)?.0 else {
                throw Runtime.RuntimeError.unknownDefinition("\(state.definitionId) v\(state.definitionVersion)")
            }
            guard let to = await runtime.definition(state.definitionId, version: version)?.0 else {
                throw Runtime.RuntimeError.unknownDefinition("\(state.definitionId) v\(version)")
            }
            let t = try Engine.migrate(state, from: from, to: to, version: version, now: now)
            record(t, expected: states[id]?.expected)
            return .instance(t.state)
        case .timer(let t) where t.instanceId.isEmpty:
            firedTimers.append(t.id)
            await startTimerFired(t)
            return .none
        case .timer(let t):
            firedTimers.append(t.id)
            commit.timersToDelete.append(t.id)
            // a stale timer (the path moved on, or the instance ended) is simply deleted
            do { _ = try await applyCommand(.timerFired(timerId: t.id), to: t.instanceId) } catch is CommandRejection {
            } catch Runtime.RuntimeError.unknownInstance { }
            return .none
        case .jobResult(let job, let command):
            commit.jobsToDelete.append(job.id)
            do { _ = try await applyCommand(command, to: job.instanceId) } catch is CommandRejection {
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
        guard let def = await runtime.definition(state.definitionId, version: state.definitionVersion)?.0 else {
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
        commit.addEffects(t)
        for e in t.effects {
            switch e {
            case .openSubscription(let sub):
                openedSubscriptions.append(sub)
                newSubscriptions.append(sub)
            case .closeSubscription(let sid): closedSubscriptions.insert(sid)
            case .publishMessage(let m): toPublish.append(m)
            case .startChild(let c): childStarts.append(c)
            case .cancelChild(let id): childCancels.append(id)
            case .broadcastSignal(let name, let vars, let from): signals.append((name, vars, from))
            default: break
            }
        }
        if t.state.parent != nil, !t.state.status.isActive, t.history.contains(where: { $0.elementType == "process" && ["completed", "failed", "cancelled"].contains($0.event) }) {
            endedChildren.append(t.state)
        }
        if let key = t.state.correlationKey {
            keys[t.state.definitionId, default: [:]][key] = t.state.status.isActive ? .some(id) : .some(nil)
            keysChanged += 1
            // a trigger's cool-down for the key starts when its instance ends
            if let cd = cooldowns[t.state.definitionId], !t.state.status.isActive,
               t.history.contains(where: { $0.elementType == "process" && ["completed", "failed", "cancelled"].contains($0.event) }) {
                setWindow(t.state.definitionId, key, ["cooldown_until": .number(now.timeIntervalSince1970 + cd)])
            }
        }
    }

    /// A trigger's event-pattern state for a key, from the batch or the store.
    mutating func window(_ defId: String, _ key: String) async throws -> [String: Value] {
        let k = Self.keyOf(defId, key)
        if let w = windows[k] { return w.state }
        let w = try await reading().eventWindow(definitionId: defId, key: key)?.contextValue ?? [:]
        windows[k] = (defId, key, w)
        return w
    }

    mutating func setWindow(_ defId: String, _ key: String, _ state: [String: Value]) {
        let k = Self.keyOf(defId, key)
        if !changedWindows.contains(k) { changedWindows.append(k) }
        windows[k] = (defId, key, state)
    }

    /// Whether an event whose condition holds starts an instance now under the trigger's
    /// pattern: nil if it does, else why not (and the window is updated).
    mutating func patternBlocks(_ def: ProcessDefinition, _ t: Trigger, key: String) async throws -> String? {
        var w = try await window(def.id, key)
        let at = now.timeIntervalSince1970
        if let until = w["cooldown_until"]?.doubleValue {
            if at < until { return "cooling down for key '\(key)' for \(Self.seconds(until - at)) more" }
            w["cooldown_until"] = nil
        }
        if let hold = t.holdFor {
            guard let since = w["since"]?.doubleValue else {
                w["since"] = .number(at)
                setWindow(def.id, key, w)
                return "the condition must hold for \(Self.seconds(hold)); it holds from now"
            }
            if at - since < hold { return "the condition has held for \(Self.seconds(at - since)) of \(Self.seconds(hold))" }
        }
        if let count = t.count, let within = t.within {
            let hits = (w["hits"]?.listValue ?? []).compactMap(\.doubleValue).filter { at - $0 < within } + [at]
            if hits.count < count {
                w["hits"] = .list(hits.map(Value.number))
                setWindow(def.id, key, w)
                return "\(hits.count) of \(count) matches within \(Self.seconds(within))"
            }
        }
        // an instance starts: the pattern begins anew
        setWindow(def.id, key, [:])
        return nil
    }

    /// An event whose condition is false breaks a `for:` run.
    mutating func patternBroken(_ def: ProcessDefinition, key: String) async throws {
        var w = try await window(def.id, key)
        guard w["since"] != nil else { return }
        w["since"] = nil
        setWindow(def.id, key, w)
    }

    static func seconds(_ s: Double) -> String {
        if s >= 3600, s.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(s / 3600))h" }
        if s >= 60, s.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(s / 60))m" }
        return s == s.rounded() ? "\(Int(s))s" : String(format: "%.1fs", s)
    }

    /// The running instance for a key, seeing this batch's own starts and ends first.
    mutating func activeInstance(_ defId: String, _ key: String) async throws -> String? {
        if let claimed = keys[defId]?[key] { return claimed }
        for r in reads where r.keys.contains(key) && r.definitions.contains(defId) { return running[defId]?[key] }
        return try await reading().activeInstance(definitionId: defId, correlationKey: key)
    }

    /// Reads, in one query per definition, the running instances for every correlation key the
    /// batch's events carry: an event for a key with a running instance is delivered to it, so
    /// each event would otherwise cost one read per definition listening on its topic.
    mutating func prefetchActiveInstances(_ batch: [Runtime.Pending]) async {
        var definitions: Set<String> = []
        var wanted: Set<String> = []
        var routes: Set<ObjectIdentifier> = []
        func want(_ event: Value, _ topic: String?, _ mqtt: Bool) {
            let route = registry.route(forTopic: topic, mqtt: mqtt)
            guard route.anyKey else { return }
            if routes.insert(ObjectIdentifier(route)).inserted { definitions.formUnion(route.keyed) }
            // a key read from a path is the same for every definition keyed by that path
            let values = route.read(event)
            for slot in route.keySlots { if let v = values[slot], !v.isNull { wanted.insert(v.interpolated) } }
            for i in route.evaluatedKeys { if let key = route.key(i, event, values) { wanted.insert(key) } }
        }
        for item in batch {
            switch item.work {
            case .intake(.event(let e)): want(e.value, e.topic, e.mqtt)
            case .intakeBatch(let items): for case .event(let e) in items { want(e.value, e.topic, e.mqtt) }
            case .event(let v, let t, nil): want(v, t, false)
            default: continue
            }
        }
        guard !wanted.isEmpty else { return }
        // one query for every definition and key of the chunk, without waiting for the batches
        // being written: what they claim and release is laid over what the store has (taken
        // before reading, so a batch finishing meanwhile is counted at least once)
        let overlay = await runtime.keysInFlight
        guard var found = try? await runtime.store.activeInstances(definitionIds: Array(definitions), correlationKeys: Array(wanted)) else {
            prefetchFailed = true
            return
        }
        var seen = 0
        for (_, keys) in overlay {
            for (defId, byKey) in keys where definitions.contains(defId) {
                for (key, id) in byKey where wanted.contains(key) {
                    found[defId, default: [:]][key] = id
                    seen += 1
                }
            }
        }
        if seen > 0 { await runtime.count(keysSeenInFlight: seen) }
        reads.append((definitions, wanted))
        for (defId, byKey) in found where !byKey.isEmpty {
            running[defId, default: [:]].merge(byKey) { old, _ in old }
            keysChanged += 1
        }
    }

    /// A consumed event: its position is stored whatever it leads to — a rejection is its
    /// outcome, not a reason to deliver it again.
    mutating func consume(_ e: IntakeEvent) async throws -> [Runtime.EventOutcome] {
        if let o = e.offset { commit.consumed(o) }
        do {
            return try await deliver(e.value, topic: e.topic, definitionId: nil, mqtt: e.mqtt, detailed: false)
        } catch let error as Runtime.RuntimeError {
            return [.init(definitionId: "", action: .ignored, reason: error.description)]
        } catch let error as CommandRejection {
            return [.init(definitionId: "", action: .ignored, reason: "\(error)")]
        }
    }

    /// Whether an instance of a route's target may be running for one of the batch's keys:
    /// false only when the batch's keys were all read up front, none had one, and the batch
    /// has started or ended none of that definition since (then there is nothing to look up).
    mutating func mayBeRunning(_ route: TopicRoute, _ i: Int, _ routed: Bool) -> Bool {
        guard !prefetchFailed, routed, route.kept else { return true }
        let id = ObjectIdentifier(route)
        if let m = mayRun[id], m.version == keysChanged { return m.flags[i] }
        let flags = route.ids.map { defId in
            keys[defId] != nil || !(running[defId]?.isEmpty ?? true)
        }
        mayRun[id] = (keysChanged, flags)
        return flags[i]
    }

    /// Delivers an event to the definitions listening on its topic (or to one definition).
    /// With `detailed` false (intake from Kafka and MQTT, where nobody reads them) definitions
    /// the event leaves alone give no outcome, and those whose condition cannot hold (a
    /// `path = literal` guard fails) are not evaluated.
    mutating func deliver(_ event: Value, topic: String?, definitionId: String?, mqtt: Bool = false, detailed: Bool = true) async throws -> [Runtime.EventOutcome] {
        let route: TopicRoute
        if let definitionId {
            guard let d = await runtime.definition(definitionId) else { throw Runtime.RuntimeError.unknownDefinition(definitionId) }
            route = TopicRoute([d])
        } else {
            route = registry.route(forTopic: topic, mqtt: mqtt)
        }
        let values = route.read(event)
        var out: [Runtime.EventOutcome] = []
        var visit: [Int]?
        if !detailed, let keyed = route.literalIndex?.keyed {
            visit = route.candidates(values, running: keyed.filter { mayBeRunning(route, $0, definitionId == nil) })
        }
        for i in visit ?? Array(route.targets.indices) {
            // only what the outcome needs: the key, then the condition, variables last
            let key = route.key(i, event, values)
            if let key, mayBeRunning(route, i, definitionId == nil), let running = try await activeInstance(route.ids[i], key) {
                // refresh the running instance's event variables; never start a second one
                do {
                    _ = try await applyCommand(.correlate(variables: EventIntake.eventVariables(event, route.targets[i].0)), to: running)
                    out.append(.init(definitionId: route.ids[i], action: .correlated, instanceId: running, correlationKey: key))
                    continue
                } catch Runtime.RuntimeError.unknownInstance {
                    // claimed by a batch whose write failed: no instance holds the key (should
                    // one have started meanwhile, the start below conflicts and is applied again)
                    keys[route.ids[i], default: [:]][key] = .some(nil)
                    keysChanged += 1
                    await runtime.countKeyFoundReleased()
                }
            }
            if !(route.mayHold(i, values) && EventIntake.conditionHolds(event, route.targets[i].0)) {
                if route.hasHoldFor[i] { try await patternBroken(route.targets[i].0, key: key ?? "") }
                guard detailed else { continue }
                let reason = route.hasKey[i] && key == nil ? "event has no value for the correlation key" : "trigger condition is false"
                out.append(.init(definitionId: route.ids[i], action: .ignored, correlationKey: key, reason: reason))
                continue
            }
            let def = route.targets[i].0
            var reason: String?
            if registry.retired.contains(def.id) {
                reason = "definition is retired for new instances"
            } else if let t = def.trigger, t.hasPattern {
                reason = try await patternBlocks(def, t, key: key ?? "")
            }
            if let reason {
                if detailed { out.append(.init(definitionId: def.id, action: .ignored, correlationKey: key, reason: reason)) }
            } else {
                let s = start(def, version: route.targets[i].1, variables: EventIntake.startVariables(event, def), key: key, businessKey: nil)
                out.append(.init(definitionId: def.id, action: .started, instanceId: s.id, correlationKey: key))
            }
        }
        // message events that take their messages from this topic: one message per name
        guard let topic, definitionId == nil else { return out }
        var names: Set<String> = []
        for (defId, md) in registry.receivers(ofTopic: topic, mqtt: mqtt) where names.insert(md.name).inserted {
            let keyValue = md.keyPath.flatMap { event.lookup(path: $0) }
            let key = keyValue.flatMap { $0.isNull ? nil : $0.interpolated }
            let message = PublishedMessage(name: md.name, correlationKey: key, variables: event.contextValue ?? ["event": event], timeToLive: md.timeToLive)
            switch try await deliver(message: message) {
            case .correlated(let id): out.append(.init(definitionId: defId, action: .correlated, instanceId: id, correlationKey: key))
            case .started(let ids): out += ids.map { .init(definitionId: defId, action: .started, instanceId: $0, correlationKey: key) }
            case .buffered: out.append(.init(definitionId: defId, action: .buffered, correlationKey: key, reason: "kept for \(Self.seconds(md.timeToLive)) for an instance still to wait for message '\(md.name)'"))
            case .dropped: if detailed { out.append(.init(definitionId: defId, action: .ignored, correlationKey: key, reason: "no instance waits for message '\(md.name)'")) }
            }
        }
        return out
    }

    /// Routes messages published in the batch and gives new subscriptions the buffered
    /// messages waiting for them, until nothing is left to route.
    mutating func routeMessages() async throws {
        while true {
            if !childStarts.isEmpty {
                let c = childStarts.removeFirst()
                if let (def, version) = await runtime.definition(c.processId) {
                    let t = Engine.start(def, instanceId: c.instanceId, version: version, variables: c.variables, parent: c.parent, now: now)
                    record(t, expected: nil)
                } else {
                    _ = try await applyCommand(.childStartFailed(tokenId: c.parent.tokenId, message: "no deployed process '\(c.processId)' to call"),
                                               to: c.parent.instanceId)
                }
            } else if !childCancels.isEmpty {
                let id = childCancels.removeFirst()
                _ = try? await applyCommand(.cancel(reason: "its call activity ended"), to: id)
            } else if !endedChildren.isEmpty {
                let child = endedChildren.removeFirst()
                guard let parent = child.parent else { continue }
                let command: Command
                switch child.status {
                case .completed: command = .childCompleted(tokenId: parent.tokenId, variables: child.variables)
                case .failed: command = .childFailed(tokenId: parent.tokenId, code: child.error?.code ?? "error", message: child.error?.message)
                default: continue  // cancelled by its parent
                }
                do { _ = try await applyCommand(command, to: parent.instanceId) } catch is CommandRejection {}
            } else if !signals.isEmpty {
                let s = signals.removeFirst()
                _ = try await broadcast(signal: s.name, variables: s.variables, except: s.from)
            } else if !toPublish.isEmpty {
                _ = try await deliver(message: toPublish.removeFirst())
            } else if !newSubscriptions.isEmpty {
                let sub = newSubscriptions.removeFirst()
                guard !closedSubscriptions.contains(sub.id),
                      let b = try await reading().bufferedMessage(name: sub.name, correlationKey: sub.correlationKey, at: now),
                      !takenBuffered.contains(b.id) else { continue }
                takenBuffered.insert(b.id)
                commit.bufferedToDelete.append(b.id)
                closedSubscriptions.insert(sub.id)
                _ = try await applyCommand(.correlateMessage(subscriptionId: sub.id, variables: b.message.variables), to: sub.instanceId)
            } else {
                return
            }
        }
    }

    /// Delivers a signal to every instance waiting for it (but the one that threw it, which
    /// already has) and starts the processes with a signal start event of its name.
    mutating func broadcast(signal name: String, variables: [String: Value], except: String?) async throws -> (correlated: Int, started: [String]) {
        let channel = "signal:" + name
        var subs = openedSubscriptions.filter { $0.name == channel }
        for s in try await reading().subscriptions(name: channel, limit: 100_000) where !subs.contains(where: { $0.id == s.id }) { subs.append(s) }
        var correlated = 0
        for sub in subs where sub.instanceId != except && !closedSubscriptions.contains(sub.id) {
            if try await correlate(sub, variables: variables) { correlated += 1 }
        }
        let started = await startInstances(variables: variables, correlationKey: nil) { e in
            if case .signalStartEvent(let s) = e.kind { s == name } else { false }
        }
        return (correlated, started)
    }

    /// Delivers to one subscription (closing it); false when its instance no longer waits there,
    /// and the subscription left behind is deleted.
    mutating func correlate(_ sub: MessageSubscription, variables: [String: Value]) async throws -> Bool {
        closedSubscriptions.insert(sub.id)
        do {
            _ = try await applyCommand(.correlateMessage(subscriptionId: sub.id, variables: variables), to: sub.instanceId)
            return true
        } catch is CommandRejection {
            commit.subscriptionsToDelete.append(sub.id)
            return false
        }
    }

    /// Starts an instance of the latest version of every (not retired) definition with a start
    /// event that `matches`; returns their ids.
    mutating func startInstances(variables: [String: Value], correlationKey: String?, at matches: (FlowElement) -> Bool) async -> [String] {
        var started: [String] = []
        for (def, version) in await runtime.registry.all where !(await runtime.isRetired(def.id)) {
            guard let start = def.elements.first(where: { $0.parent == nil && matches($0) }) else { continue }
            let id = UUIDv7.make(now)
            record(Engine.start(def, instanceId: id, version: version, variables: variables, correlationKey: correlationKey,
                                startEvent: start.id, now: now), expected: nil)
            started.append(id)
        }
        return started
    }

    /// Delivers one message: to a subscription, else to message start events, else to the buffer.
    mutating func deliver(message m: PublishedMessage) async throws -> Runtime.MessageOutcome {
        var sub = openedSubscriptions.first { $0.name == m.name && $0.correlationKey == m.correlationKey && !closedSubscriptions.contains($0.id) }
        if sub == nil, let stored = try await reading().subscription(name: m.name, correlationKey: m.correlationKey),
           !closedSubscriptions.contains(stored.id) {
            sub = stored
        }
        if let sub {
            guard try await correlate(sub, variables: m.variables) else { return try await deliver(message: m) }
            return .correlated(instanceId: sub.instanceId)
        }
        let started = await startInstances(variables: m.variables, correlationKey: m.correlationKey) { e in
            if case .messageStartEvent(let md) = e.kind { md.name == m.name } else { false }
        }
        if !started.isEmpty { return .started(instanceIds: started) }
        if m.timeToLive > 0 {
            commit.messagesToBuffer.append(BufferedMessage(id: UUIDv7.make(now), message: m, expiresAt: now.addingTimeInterval(m.timeToLive)))
            return .buffered
        }
        return .dropped
    }

    /// The batch to commit: updates before inserts (a key released by one instance may be
    /// claimed by a new one in the same batch).
    func commitBatch() -> CommitBatch {
        var c = commit
        var updates: [InstanceWrite] = []
        var inserts: [InstanceWrite] = []
        for id in order {
            guard let s = states[id] else { continue }
            if s.expected == nil { inserts.append(InstanceWrite(state: s.state, expectedRevision: nil)) } else {
                if s.state.revision == s.expected { continue }  // untouched
                updates.append(InstanceWrite(state: s.state, expectedRevision: s.expected))
            }
        }
        c.instances = updates + inserts
        c.windows = changedWindows.compactMap { k in
            windows[k].map { WindowWrite(definitionId: $0.definitionId, key: $0.key, state: $0.state.isEmpty ? nil : .context($0.state)) }
        }
        return c
    }
}
