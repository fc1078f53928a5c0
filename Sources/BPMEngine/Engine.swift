import BPMExpressions
import BPMModel
import Foundation

/// The result of applying a command: the new state, the history it wrote and the effects to perform.
public struct Transition: Sendable {
    public var state: InstanceState
    public var history: [HistoryEntry]
    public var effects: [Effect]
}

/// The pure, deterministic engine core: `(state, command) → (state', history, effects)`.
/// It performs no I/O and reads no clock; `now` comes with each call.
public enum Engine {
    /// The most element activations one command may cause; beyond it an incident stops a runaway loop.
    public static let stepLimit = 10_000

    /// Starts an instance at the definition's start event and runs it until every path waits or ends.
    public static func start(_ definition: ProcessDefinition, instanceId: String, version: Int,
                             variables: [String: Value], correlationKey: String? = nil, businessKey: String? = nil,
                             now: Date) -> Transition
    {
        let state = InstanceState(id: instanceId, definitionId: definition.id, definitionVersion: version,
                                  variables: variables, correlationKey: correlationKey, businessKey: businessKey, startedAt: now)
        var run = Run(definition: definition, state: state, now: now)
        run.record(definition.id, "process", "started", data: variables.isEmpty ? nil : .context(variables))
        for s in definition.startEvents { run.arrive(at: s.id, via: nil) }
        run.drain()
        return run.finish()
    }

    /// Applies a command to a running instance.
    public static func apply(_ command: Command, to state: InstanceState, definition: ProcessDefinition, now: Date) throws(CommandRejection) -> Transition {
        guard state.status.isActive else {
            throw .invalid("instance \(state.id) is \(state.status.rawValue)")
        }
        var run = Run(definition: definition, state: state, now: now)
        switch command {
        case .timerFired(let timerId):
            try run.timerFired(timerId)
        case .jobCompleted(let jobId, let output):
            try run.jobCompleted(jobId, output: output)
        case .jobFailed(let jobId, let message, let retryable, let type):
            try run.jobFailed(jobId, message: message, retryable: retryable, incidentType: type)
        case .completeUserTask(let taskId, let variables):
            try run.completeUserTask(taskId, variables: variables)
        case .correlate(let variables):
            run.state.variables.merge(variables) { _, new in new }
            run.record(definition.id, "process", "correlated", data: .context(variables))
        case .setVariables(let variables):
            run.state.variables.merge(variables) { _, new in new }
            run.record(definition.id, "process", "variables_set", data: .context(variables))
        case .retryIncident(let incidentId):
            try run.retryIncident(incidentId)
        case .cancel(let reason):
            run.terminateAllTokens()
            run.state.status = .terminated
            run.state.endedAt = now
            run.record(definition.id, "process", "cancelled", data: reason.map { .context(["reason": .string($0)]) })
        }
        run.drain()
        return run.finish()
    }
}

/// The working state while one command is applied. Element kinds extend it, one file each
/// (see `Elements/`).
struct Run {
    let definition: ProcessDefinition
    let now: Date
    var state: InstanceState
    var history: [HistoryEntry] = []
    var effects: [Effect] = []
    /// Arrivals not yet processed: element id and the flow that led there.
    var queue: [(elementId: String, flowId: String?)] = []
    var steps = 0

    init(definition: ProcessDefinition, state: InstanceState, now: Date) {
        self.definition = definition
        self.state = state
        self.now = now
    }

    mutating func nextId(_ kind: String) -> String {
        state.sequence += 1
        return "\(state.id)-\(kind)\(state.sequence)"
    }

    mutating func record(_ elementId: String, _ type: String, _ event: String, data: Value? = nil) {
        history.append(HistoryEntry(instanceId: state.id, elementId: elementId, elementType: type, event: event, at: now, data: data))
    }

    mutating func record(_ element: FlowElement, _ event: String, data: Value? = nil) {
        record(element.id, element.typeName, event, data: data)
    }

    mutating func arrive(at elementId: String, via flowId: String?) {
        queue.append((elementId, flowId))
    }

    /// Runs arrivals until every path waits or ends.
    mutating func drain() {
        var i = 0
        while i < queue.count {
            guard state.status.isActive else { break }
            let (elementId, flowId) = queue[i]
            i += 1
            steps += 1
            guard let element = definition.element(elementId) else { continue }
            if steps > Engine.stepLimit {
                raiseIncident(at: element, type: "step_limit",
                              message: "more than \(Engine.stepLimit) steps without waiting: the process loops without a wait state")
                break
            }
            activate(element, via: flowId)
        }
        queue.removeAll()
        completeIfDone()
    }

    /// Dispatches an arrival to the element kind's behaviour.
    mutating func activate(_ element: FlowElement, via flowId: String?) {
        switch element.kind {
        case .startEvent: activateStartEvent(element)
        case .endEvent(let end): activateEndEvent(element, end)
        case .serviceTask(let task): activateServiceTask(element, task)
        case .userTask(let task): activateUserTask(element, task)
        case .scriptTask(let task): activateScriptTask(element, task)
        case .exclusiveGateway: activateExclusiveGateway(element)
        case .parallelGateway: activateParallelGateway(element, via: flowId)
        case .timerCatchEvent(let timer): activateTimerCatchEvent(element, timer)
        case .boundaryEvent: leave(element)  // boundary events are entered by their timer, not by flows
        case .passThrough: activatePassThrough(element)
        }
    }

    /// Completes an element and follows its outgoing flows: every unconditional flow and every
    /// conditional one whose condition holds; the default flow when none does.
    mutating func leave(_ element: FlowElement, applyOutputs: Bool = true) {
        if applyOutputs { self.applyOutputs(of: element) }
        record(element, "completed")
        let out = definition.outgoing(element.id)
        var taken = false
        for f in out where f.id != element.defaultFlow {
            if let c = f.condition, !c.test(state.variables) { continue }
            arrive(at: f.target, via: f.id)
            taken = true
        }
        if !taken, let d = element.defaultFlow, let f = definition.flow(d) {
            arrive(at: f.target, via: f.id)
            taken = true
        }
        if !taken, !out.isEmpty {
            raiseIncident(at: element, type: "condition_failed", message: "no outgoing flow of '\(element.id)' has a true condition and there is no default flow")
        }
    }

    /// Sets the element's output mappings over the current variables.
    mutating func applyOutputs(of element: FlowElement) {
        for (target, source) in element.outputs { state.variables[target] = source.evaluate(state.variables) }
    }

    /// Arms the boundary timers of an activity that starts waiting.
    mutating func armBoundaryEvents(of element: FlowElement) -> [BoundaryTimer] {
        var armed: [BoundaryTimer] = []
        for b in definition.boundaryEvents(of: element.id) {
            guard case .boundaryEvent(let be) = b.kind else { continue }
            let tid = nextId("t")
            effects.append(.scheduleTimer(TimerRecord(id: tid, instanceId: state.id, elementId: b.id, dueAt: now.addingTimeInterval(be.timer.seconds))))
            armed.append(BoundaryTimer(timerId: tid, boundaryElementId: b.id))
        }
        return armed
    }

    /// Adds a waiting token at an element.
    mutating func wait(at element: FlowElement, _ wait: Wait, boundaries: [BoundaryTimer] = []) {
        state.tokens.append(Token(id: nextId("k"), elementId: element.id, wait: wait, boundaryTimers: boundaries))
    }

    /// Removes a token, cancelling whatever it waited for; returns it.
    @discardableResult
    mutating func removeToken(at index: Int, cancelWait: Bool) -> Token {
        let token = state.tokens.remove(at: index)
        for b in token.boundaryTimers { effects.append(.cancelTimer(id: b.timerId)) }
        if cancelWait {
            switch token.wait {
            case .timer(let t): effects.append(.cancelTimer(id: t))
            case .job(let j, _): effects.append(.cancelJob(id: j))
            case .retry(let t, let j, _):
                effects.append(.cancelTimer(id: t))
                effects.append(.cancelJob(id: j))
            case .userTask(let id): effects.append(.closeUserTask(id: id, status: "cancelled", at: now))
            case .incident(let id):
                state.incidents.removeAll { $0.id == id }
                effects.append(.resolveIncident(id: id))
            }
        }
        return token
    }

    /// Ends every waiting path (cancel, terminate end, error end).
    mutating func terminateAllTokens() {
        while !state.tokens.isEmpty {
            let token = removeToken(at: state.tokens.count - 1, cancelWait: true)
            if let e = definition.element(token.elementId) { record(e, "terminated") }
        }
        state.joins = [:]
        queue.removeAll()
    }

    /// Puts the path at `element` on hold with an incident.
    mutating func raiseIncident(at element: FlowElement, type: String, message: String, jobId: String? = nil) {
        let incident = Incident(id: nextId("i"), instanceId: state.id, elementId: element.id, type: type, message: message, jobId: jobId, createdAt: now)
        state.incidents.append(incident)
        effects.append(.raiseIncident(incident))
        wait(at: element, .incident(incidentId: incident.id))
        record(element, "incident", data: .context(["type": .string(type), "message": .string(message)]))
    }

    mutating func completeIfDone() {
        guard state.status.isActive, state.tokens.isEmpty, queue.isEmpty else { return }
        state.status = .completed
        state.endedAt = now
        state.joins = [:]
        record(definition.id, "process", "completed")
    }

    mutating func finish() -> Transition {
        state.revision += 1
        return Transition(state: state, history: history, effects: effects)
    }

    // MARK: commands

    mutating func timerFired(_ timerId: String) throws(CommandRejection) {
        for (i, token) in state.tokens.enumerated() {
            switch token.wait {
            case .timer(let t) where t == timerId:
                timerCatchEventFired(tokenIndex: i)
                return
            case .retry(let t, let jobId, let attempt) where t == timerId:
                retryJob(tokenIndex: i, jobId: jobId, attempt: attempt)
                return
            default:
                if let b = token.boundaryTimers.first(where: { $0.timerId == timerId }) {
                    boundaryTimerFired(tokenIndex: i, b)
                    return
                }
            }
        }
        throw .stale("no path of instance \(state.id) waits for timer \(timerId)")
    }

    mutating func retryIncident(_ incidentId: String) throws(CommandRejection) {
        guard let i = state.tokens.firstIndex(where: { $0.wait == .incident(incidentId: incidentId) }),
              let incident = state.incidents.first(where: { $0.id == incidentId }),
              let element = definition.element(state.tokens[i].elementId)
        else { throw .invalid("instance \(state.id) has no open incident \(incidentId)") }
        state.tokens.remove(at: i)
        state.incidents.removeAll { $0.id == incidentId }
        effects.append(.resolveIncident(id: incidentId))
        record(element, "incident_resolved", data: .context(["incident": .string(incidentId)]))
        if case .serviceTask(let task) = element.kind, let jobId = incident.jobId {
            dispatchJob(element, task, jobId: jobId, attempt: 1, boundaries: armBoundaryEvents(of: element))
        } else {
            activate(element, via: nil)
        }
    }
}
