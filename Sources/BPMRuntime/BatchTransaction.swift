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
    var keys: [String: String?] = [:]
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

    init(runtime: Runtime, now: Date) {
        self.runtime = runtime
        self.now = now
    }

    static func keyOf(_ definitionId: String, _ key: String) -> String { definitionId + "\u{1}" + key }

    mutating func apply(_ work: Runtime.Work) async throws -> Runtime.WorkResult {
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
        guard let s = try await runtime.store.instance(id) else { throw Runtime.RuntimeError.unknownInstance(id) }
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
            let k = Self.keyOf(t.state.definitionId, key)
            keys[k] = t.state.status.isActive ? .some(id) : .some(nil)
        }
    }

    /// The running instance for a key, seeing this batch's own starts and ends first.
    mutating func activeInstance(_ defId: String, _ key: String) async throws -> String? {
        if let claimed = keys[Self.keyOf(defId, key)] { return claimed }
        return try await runtime.store.activeInstance(definitionId: defId, correlationKey: key)
    }

    mutating func deliver(_ event: Value, topic: String?, definitionId: String?) async throws -> [Runtime.EventOutcome] {
        let targets: [(ProcessDefinition, Int)]
        if let definitionId {
            guard let d = await runtime.definition(definitionId) else { throw Runtime.RuntimeError.unknownDefinition(definitionId) }
            targets = [d]
        } else {
            targets = await runtime.registry.triggered(byTopic: topic)
        }
        var out: [Runtime.EventOutcome] = []
        for (def, version) in targets {
            let m = EventIntake.match(event, def)
            if let key = m.correlationKey, let running = try await activeInstance(def.id, key) {
                // refresh the running instance's event variables; never start a second one
                _ = try await applyCommand(.correlate(variables: m.eventVariables), to: running)
                out.append(.init(definitionId: def.id, action: .correlated, instanceId: running, correlationKey: key))
            } else if m.conditionHolds, !(await runtime.isRetired(def.id)) {
                let s = start(def, version: version, variables: m.startVariables, key: m.correlationKey, businessKey: nil)
                out.append(.init(definitionId: def.id, action: .started, instanceId: s.id, correlationKey: m.correlationKey))
            } else {
                out.append(.init(definitionId: def.id, action: .ignored, correlationKey: m.correlationKey,
                                 reason: def.correlationKey != nil && m.correlationKey == nil ? "event has no value for the correlation key" : "trigger condition is false"))
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
                      let b = try await runtime.store.bufferedMessage(name: sub.name, correlationKey: sub.correlationKey, at: now),
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
        for s in try await runtime.store.subscriptions(name: channel, limit: 100_000) where !subs.contains(where: { $0.id == s.id }) { subs.append(s) }
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
        if sub == nil, let stored = try await runtime.store.subscription(name: m.name, correlationKey: m.correlationKey),
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
        return c
    }
}
