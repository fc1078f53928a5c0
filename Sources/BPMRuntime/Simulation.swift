import BPMEngine
import BPMExpressions
import BPMModel
import BPMStore
import Foundation

/// Runs one instance of a definition in memory on a simulated clock: events are delivered in
/// order (each processed until the instance waits), then the clock jumps from timer to timer
/// until the instance completes or waits on something outside (a person, an operator).
/// Used by `bpm run` and by tests of process definitions.
public struct Simulation {
    public let definition: ProcessDefinition
    public let connectors: ConnectorRegistry
    public var now: Date

    public private(set) var state: InstanceState?
    public private(set) var history: [HistoryEntry] = []
    public private(set) var effects: [Call] = []
    public private(set) var timers: [TimerRecord] = []
    public private(set) var openTasks: [UserTaskRecord] = []
    /// Every user task created during the run, in order.
    public private(set) var createdTasks: [UserTaskRecord] = []
    public private(set) var notes: [String] = []
    var jobs: [JobRecord] = []
    /// The instance's open message subscriptions.
    public private(set) var subscriptions: [MessageSubscription] = []
    var published: [PublishedMessage] = []
    var children: [ChildStart] = []

    /// A connector call made during the run.
    public struct Call: Sendable, Equatable {
        public var action: String
        public var payload: Value
        public var elementId: String
        public var attempt: Int
    }

    public init(definition: ProcessDefinition, connectors: ConnectorRegistry, start: Date) {
        self.definition = definition
        self.connectors = connectors
        now = start
    }

    /// Starts with variables (no event).
    public mutating func start(variables: [String: Value]) async {
        let key = definition.correlationKey.map { $0.evaluate(variables) }.flatMap { $0.isNull ? nil : $0.interpolated }
        // a process started only by timers or messages begins at its first such start event
        let startEvent = definition.startEvents.isEmpty ? (definition.timerStartEvents + definition.messageStartEvents).first?.id : nil
        let t = Engine.start(definition, instanceId: "sim-" + UUIDv7.make(now).suffix(12), version: 1, variables: variables,
                             correlationKey: key, startEvent: startEvent, now: now)
        await absorb(t)
    }

    /// Delivers an event: the first starts the instance (if the trigger condition holds); later
    /// ones with the same correlation key refresh its variables.
    public mutating func deliver(event: Value, extraVariables: [String: Value] = [:]) async {
        let m = EventIntake.match(event, definition)
        guard let current = state else {
            guard m.conditionHolds else {
                notes.append("event does not satisfy the trigger condition; no instance started")
                return
            }
            let t = Engine.start(definition, instanceId: "sim-" + UUIDv7.make(now).suffix(12), version: 1,
                                 variables: m.startVariables.merging(extraVariables) { _, x in x }, correlationKey: m.correlationKey, now: now)
            await absorb(t)
            return
        }
        guard current.status.isActive else {
            notes.append("event after the instance ended was not delivered")
            return
        }
        if let key = current.correlationKey, let k = m.correlationKey, k != key {
            notes.append("event for correlation key '\(k)' does not belong to this instance ('\(key)'); ignored")
            return
        }
        await apply(.correlate(variables: m.eventVariables))
    }

    /// Applies a command and runs every resulting job through the connectors.
    public mutating func apply(_ command: Command) async {
        guard let s = state else { return }
        do {
            await absorb(try Engine.apply(command, to: s, definition: definition, now: now))
        } catch {
            notes.append("\(command): \(error)")
        }
    }

    /// Completes an open user task.
    public mutating func completeTask(_ id: String, variables: [String: Value]) async {
        await apply(.completeUserTask(taskId: id, variables: variables))
    }

    /// Jumps the clock to each next timer until none remains or the instance ends.
    public mutating func runTimers(until limit: Date? = nil) async {
        while let s = state, s.status.isActive, let next = timers.min(by: { $0.dueAt < $1.dueAt }) {
            if let limit, next.dueAt > limit { break }
            timers.removeAll { $0.id == next.id }
            if next.dueAt > now { now = next.dueAt }
            await apply(.timerFired(timerId: next.id))
        }
        if let limit, limit > now { now = limit }
    }

    /// Delivers a message to the instance, as the API's `POST /messages` would; returns whether
    /// a subscription took it.
    @discardableResult
    public mutating func publish(_ message: PublishedMessage) async -> Bool {
        guard let sub = takeSubscription(for: message) else { return false }
        await apply(.correlateMessage(subscriptionId: sub.id, variables: message.variables))
        return true
    }

    /// Removes and returns the instance's subscription for a message, if it has one.
    mutating func takeSubscription(for m: PublishedMessage) -> MessageSubscription? {
        guard let i = subscriptions.firstIndex(where: { $0.name == m.name && $0.correlationKey == m.correlationKey }) else { return nil }
        return subscriptions.remove(at: i)
    }

    mutating func absorb(_ t: Transition) async {
        record(t)
        while !jobs.isEmpty || !published.isEmpty || !children.isEmpty {
            if !children.isEmpty {
                let child = children.removeFirst()
                if let s = state, let next = try? Engine.apply(.childStartFailed(tokenId: child.parent.tokenId,
                        message: "call activity to '\(child.processId)': 'bpm run' runs a single instance; called processes run under bpm serve"),
                        to: s, definition: definition, now: now) {
                    record(next)
                }
                continue
            }
            if !published.isEmpty {
                // a message the instance publishes reaches its own subscriptions; others are effects
                let m = published.removeFirst()
                if state != nil, let sub = takeSubscription(for: m), let s = state {
                    if let next = try? Engine.apply(.correlateMessage(subscriptionId: sub.id, variables: m.variables), to: s, definition: definition, now: now) {
                        record(next)
                    }
                } else {
                    var payload: [String: Value] = ["name": .string(m.name), "variables": .context(m.variables)]
                    if let k = m.correlationKey { payload["correlationKey"] = .string(k) }
                    effects.append(Call(action: "publish_message", payload: .context(payload), elementId: "", attempt: 1))
                }
                continue
            }
            let job = jobs.removeFirst()
            effects.append(Call(action: job.action, payload: job.payload, elementId: job.elementId, attempt: job.attempt))
            let command = await connectors.execute(job)
            guard let s = state else { return }
            do {
                record(try Engine.apply(command, to: s, definition: definition, now: now))
            } catch {
                notes.append("job \(job.id): \(error)")
            }
        }
    }

    /// Takes a transition's state and history, and keeps its timers, jobs and tasks.
    mutating func record(_ t: Transition) {
        state = t.state
        history += t.history
        for e in t.effects {
            switch e {
            case .scheduleTimer(let timer): timers.append(timer)
            case .cancelTimer(let id): timers.removeAll { $0.id == id }
            case .dispatchJob(let job): jobs.append(job)
            case .cancelJob(let id): jobs.removeAll { $0.id == id }
            case .createUserTask(let task):
                openTasks.append(task)
                createdTasks.append(task)
            case .closeUserTask(let id, _, _): openTasks.removeAll { $0.id == id }
            case .raiseIncident, .resolveIncident: break
            case .openSubscription(let sub): subscriptions.append(sub)
            case .closeSubscription(let id): subscriptions.removeAll { $0.id == id }
            case .publishMessage(let m): published.append(m)
            case .startChild(let child): children.append(child)
            case .cancelChild, .broadcastSignal: break  // a single instance: signals already reached it
            }
        }
    }

    /// The status word of `bpm run --json`: `completed`, `waiting`, `failed`, `terminated`
    /// (or `not_started` when no event satisfied the trigger).
    public var statusWord: String {
        guard let s = state else { return "not_started" }
        switch s.status {
        case .running, .suspended: return "waiting"
        case .completed: return "completed"
        case .failed: return "failed"
        case .terminated: return "terminated"
        }
    }

    /// The `bpm run --json` document.
    public var report: Value {
        var c: [String: Value] = [
            "status": .string(statusWord),
            "variables": .context(state?.variables ?? [:]),
            "history": .list(history.map { h in
                .context(["elementId": .string(h.elementId), "elementType": .string(h.elementType), "event": .string(h.event), "at": .string(Coding.iso(h.at))])
            }),
            "incidents": .list((state?.incidents ?? []).map(\.value)),
            "effects": .list(effects.map { .context(["action": .string($0.action), "payload": $0.payload]) }),
        ]
        if let s = state {
            c["instanceId"] = .string(s.id)
            c["waitingAt"] = .list(s.tokens.map { .context(["elementId": .string($0.elementId), "waitingFor": .string($0.wait.kind)]) })
            if let e = s.error { c["error"] = .context(["code": .string(e.code), "message": e.message.map(Value.string) ?? .null]) }
        }
        if !openTasks.isEmpty { c["tasks"] = .list(openTasks.map(\.value)) }
        if !notes.isEmpty { c["notes"] = .list(notes.map(Value.string)) }
        return .context(c)
    }

    /// The element ids of the path taken, in order of completion (start and end events included).
    public var path: [String] {
        history.filter { $0.event == "completed" && $0.elementType != "process" }.map(\.elementId)
    }
}
