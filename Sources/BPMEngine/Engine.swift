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
/// It performs no I/O and reads no clock; `now` comes with each call (and is what `now()` reads).
public enum Engine {
    /// The most element activations one command may cause; beyond it an incident stops a
    /// runaway loop (`Limits.steps`, `--max-steps`).
    public static var stepLimit: Int { Limits.active.steps }

    /// Starts an instance at the definition's start event and runs it until every path waits or ends.
    /// `startEvent` names a message start event to begin at; by default the none start events.
    public static func start(_ definition: ProcessDefinition, instanceId: String, version: Int,
                             variables: [String: Value], correlationKey: String? = nil, businessKey: String? = nil,
                             startEvent: String? = nil, parent: ParentLink? = nil, now: Date) -> Transition
    {
        EvaluationClock.$now.withValue(now) {
            begin(definition, instanceId, version, variables, correlationKey, businessKey, startEvent, parent,
                  now: now)
        }
    }

    static func begin(_ definition: ProcessDefinition, _ instanceId: String, _ version: Int,
                      _ variables: [String: Value], _ correlationKey: String?, _ businessKey: String?,
                      _ startEvent: String?, _ parent: ParentLink?,
                      now: Date) -> Transition
    {
        var run = Run.beginning(definition, instanceId, version, variables, correlationKey, businessKey, parent,
                                now: now)
        guard run.state.status == .running else { return run.finish() }
        if !definition.executionListeners.start.isEmpty {
            // the process's start listeners run before its start event
            run.dispatchListener(at: definition.id, .start(flowId: startEvent), index: 0, attempt: 1, scope: nil)
        } else if let startEvent {
            run.arrive(at: startEvent, via: nil, scope: nil)
        } else {
            for s in definition.startEvents { run.arrive(at: s.id, via: nil, scope: nil) }
        }
        run.drain()
        return run.finish()
    }

    /// Applies a command to a running instance.
    public static func apply(_ command: Command, to state: InstanceState, definition: ProcessDefinition, now: Date) throws(CommandRejection) -> Transition {
        try EvaluationClock.$now.withValue(now) {
            Result { () throws(CommandRejection) in try applying(command, to: state, definition: definition, now: now) }
        }.get()
    }

    static func applying(_ command: Command, to state: InstanceState, definition: ProcessDefinition,
                         now: Date) throws(CommandRejection) -> Transition {
        guard state.status.isActive else {
            throw .invalid("instance \(state.id) is \(state.status.rawValue)")
        }
        var run = Run(definition: definition, state: state, now: now)
        if state.status == .suspended {
            switch command {
            case .resume:
                run.state.status = .running
                run.record(definition.id, "process", "resumed")
                let held = run.state.held
                run.state.held = []
                for c in held {
                    do { try run.applyCommand(c) } catch {}  // a held arrival the instance no longer waits for is dropped
                    run.drain()
                    if !run.state.status.isActive { break }
                }
                run.drain()
                return run.finish()
            case .cancel, .setVariables, .setScopedVariables, .suspend:
                break
            case .completeUserTask, .retryIncident, .resolveIncident, .assignUserTask, .modify:
                throw .invalid("instance \(state.id) is suspended: resume it first")
            default:
                run.state.held.append(command)
                run.record(definition.id, "process", "held", data: .context(["while": "suspended"]))
                return run.finish()
            }
        }
        try run.applyCommand(command)
        run.drain()
        return run.finish()
    }
}

/// An arrival not yet processed: the element, the flow that led there, and the scope.
struct Arrival {
    var elementId: String
    var flowId: String?
    var scope: String?
}

/// The working state while one command is applied. Element kinds extend it, one file each
/// (see `Elements/`); scopes (sub-processes, loops) are in `Scopes.swift`.
struct Run {
    let definition: ProcessDefinition
    let now: Date
    var state: InstanceState
    var history: [HistoryEntry] = []
    var effects: [Effect] = []
    var queue: [Arrival] = []
    var steps = 0
    /// The elements of the last steps before the step limit, to name a runaway loop.
    var recent: [String] = []
    /// Why a timer being armed has no usable value (settled by an incident, see Timers.swift).
    var timerFailure: String?

    init(definition: ProcessDefinition, state: InstanceState, now: Date) {
        self.definition = definition
        self.state = state
        self.now = now
    }

    mutating func nextId(_ kind: String) -> String {
        state.sequence += 1
        return "\(state.id)-\(kind)\(state.sequence)"
    }

    mutating func record(_ elementId: String, _ type: String, _ event: String, data: Value? = nil, instance: String? = nil) {
        history.append(HistoryEntry(instanceId: state.id, elementId: elementId, elementType: type, event: event, at: now, data: data,
                                    elementInstanceId: instance))
    }

    /// Records an element's event in a scope: an instance of a multi-instance or loop activity
    /// (its scope is the inner instance) is recorded with that instance's id.
    mutating func record(_ element: FlowElement, _ event: String, scope: String? = nil, data: Value? = nil) {
        record(element.id, element.typeName, event, data: data, instance: innerInstance(of: element, scope))
    }

    /// The inner instance of a multi-instance or loop activity that `scope` is, for `element`.
    func innerInstance(of element: FlowElement, _ scope: String?) -> String? {
        guard element.loop != nil, let scope, let i = tokenIndex(scope), state.tokens[i].elementId == element.id,
              case .innerInstance = state.tokens[i].wait else { return nil }
        return scope
    }

    /// The history kind of a multi-instance or loop activity's body.
    static func bodyType(_ element: FlowElement) -> String {
        if case .multiInstance = element.loop { return "multiInstanceBody" }
        return "loopBody"
    }

    /// Records an event of a multi-instance or loop body.
    mutating func recordBody(_ element: FlowElement, _ event: String, body: String?, data: Value? = nil) {
        record(element.id, Self.bodyType(element), event, data: data, instance: body)
    }

    /// Records that a waiting token's element ended early (interrupted, cancelled): a body as
    /// the body; an inner instance not at all (what waits inside it records itself).
    mutating func recordTerminated(_ token: Token) {
        guard let e = definition.element(token.elementId) else { return }
        switch token.wait {
        case .loop: recordBody(e, "terminated", body: token.id)
        case .innerInstance, .compensationHandler, .adHocActivation: return
        default:
            if isAdHocJob(token) { return }  // the sub-process records itself
            record(e, "terminated", scope: token.scope)
        }
    }

    mutating func arrive(at elementId: String, via flowId: String?, scope: String?) {
        queue.append(Arrival(elementId: elementId, flowId: flowId, scope: scope))
    }

    /// Runs arrivals until every path waits or ends; completes scopes and joins that are done.
    mutating func drain() {
        while state.status == .running {
            while !queue.isEmpty, state.status == .running {
                let a = queue.removeFirst()
                steps += 1
                guard let element = definition.element(a.elementId) else { continue }
                if steps > Engine.stepLimit - RunawayLoop.window { recent.append(element.id) }
                if steps > Engine.stepLimit {
                    queue.removeAll()
                    let loop = RunawayLoop.cycle(in: recent, order: definition.elements.map(\.id))
                    raiseIncident(at: element, scope: a.scope, type: "step_limit", message: RunawayLoop.message(loop))
                    return
                }
                activate(element, via: a.flowId, scope: a.scope)
            }
            // with nothing queued: finished scopes complete, inclusive joins with nothing left to wait for fire
            if completeFinishedScope() || completeFinishedAdHocActivation() || completeFinishedHandler()
                || fireReadyInclusiveJoin() || fireConditionalEvent()
            {
                continue
            }
            break
        }
        completeIfDone()
    }

    /// Dispatches an arrival to the element kind's behaviour (or to its loop, when it has one).
    mutating func activate(_ element: FlowElement, via flowId: String?, scope: String?, inner: Bool = false,
                           listeners: Bool = true)
    {
        if element.startQuantity > 1, !inner {
            // wait for startQuantity arrivals, then start once
            let key = joinKey(element.id, scope)
            let n = (state.joins[key]?["*"] ?? 0) + 1
            if n < element.startQuantity {
                state.joins[key] = ["*": n]
                return
            }
            state.joins[key] = nil
        }
        if !inner, element.loop != nil {
            activateLoop(element, scope: scope)
        } else if !(listeners && startListeners(element, via: flowId, scope: scope)) {
            activateKind(element, via: flowId, scope: scope)
        }
        settleTimerFailure(element, scope: scope)
    }

    mutating func activateKind(_ element: FlowElement, via flowId: String?, scope: String?) {
        switch element.kind {
        case .startEvent, .eventStartEvent, .messageStartEvent, .timerStartEvent, .signalStartEvent: activateStartEvent(element, scope: scope)
        case .endEvent(let end): activateEndEvent(element, end, scope: scope)
        case .serviceTask(let task): activateServiceTask(element, task, scope: scope)
        case .userTask(let task): activateUserTask(element, task, scope: scope)
        case .scriptTask(let task): activateScriptTask(element, task, scope: scope)
        case .exclusiveGateway: activateExclusiveGateway(element, scope: scope)
        case .parallelGateway: activateParallelGateway(element, via: flowId, scope: scope)
        case .inclusiveGateway: activateInclusiveGateway(element, via: flowId, scope: scope)
        case .complexGateway(let condition): activateComplexGateway(element, condition, via: flowId, scope: scope)
        case .timerCatchEvent(let timer): activateTimerCatchEvent(element, timer, scope: scope)
        case .boundaryEvent: leave(element, scope: scope)  // boundary events are entered by their trigger, not by flows
        case .passThrough: activatePassThrough(element, scope: scope)
        case .subProcess: activateSubProcess(element, scope: scope)
        case .eventBasedGateway: activateEventBasedGateway(element, scope: scope)
        case .signalCatchEvent(let name): activateSignalCatchEvent(element, name, scope: scope)
        case .signalThrowEvent(let name): activateSignalThrowEvent(element, name, scope: scope)
        case .conditionalCatchEvent: activateConditionalCatchEvent(element, scope: scope)
        case .callActivity(let call): activateCallActivity(element, call, scope: scope)
        case .escalationThrowEvent(let code): activateEscalationThrowEvent(element, code, scope: scope)
        case .linkThrowEvent(let name): activateLinkThrowEvent(element, name, scope: scope)
        case .linkCatchEvent: activatePassThrough(element, scope: scope)
        case .messageCatchEvent(let m): activateMessageCatchEvent(element, m, scope: scope)
        case .messageThrowEvent(let m): activateMessageThrowEvent(element, m, scope: scope)
        case .compensationThrowEvent(let t): activateCompensationThrowEvent(element, t, scope: scope)
        case .cancelEndEvent: activateCancelEndEvent(element, scope: scope)
        }
    }

    /// Completes an element and follows its outgoing flows: every unconditional flow and every
    /// conditional one whose condition holds; the default flow when no conditional flow holds
    /// (BPMN 13.2.1). `completionQuantity` tokens go on each flow. The last step of an instance
    /// of a loop or multi-instance reports to its body instead.
    mutating func leave(_ element: FlowElement, scope: String?, applyOutputs: Bool = true, body: String? = nil,
                        listened: Bool = false)
    {
        if applyOutputs { self.applyOutputs(of: element, scope: scope) }
        if !listened, endListeners(element, scope: scope) { return }  // they leave it when done
        noteCompensable(element, scope: scope)
        if element.loop != nil, innerInstance(of: element, scope) == nil {
            recordBody(element, "completed", body: body)
        } else {
            record(element, "completed", scope: scope)
        }
        if let scope, let i = tokenIndex(scope), state.tokens[i].elementId == element.id, case .innerInstance = state.tokens[i].wait {
            innerInstanceCompleted(tokenIndex: i)
            return
        }
        let out = definition.outgoing(element.id)
        let vars = variables(in: scope)
        var taken = false
        var conditionHeld = false
        for f in out where f.id != element.defaultFlow {
            if let c = f.condition {
                guard c.test(vars) else { continue }
                conditionHeld = true
            }
            for _ in 0..<element.completionQuantity { arrive(at: f.target, via: f.id, scope: scope) }
            taken = true
        }
        if !conditionHeld, let d = element.defaultFlow, let f = definition.flow(d) {
            for _ in 0..<element.completionQuantity { arrive(at: f.target, via: f.id, scope: scope) }
            taken = true
        }
        if !taken, !out.isEmpty {
            raiseIncident(at: element, scope: scope, type: "condition_failed", message: "no outgoing flow of '\(element.id)' has a true condition and there is no default flow")
        }
        if let scope { adHocElementCompleted(element, scope: scope, endsFlow: out.isEmpty) }
    }

    // MARK: variables

    /// The ids of the scopes enclosing `scope`, innermost first.
    func scopeChain(_ scope: String?) -> [String] {
        var out: [String] = []
        var s = scope
        while let id = s, let i = tokenIndex(id) {
            out.append(id)
            s = state.tokens[i].scope
        }
        return out
    }

    /// The variables visible in a scope: the process's, overridden by locals from outer to inner.
    func variables(in scope: String?) -> [String: Value] {
        let chain = scopeChain(scope)
        if chain.allSatisfy({ state.locals[$0] == nil }) { return state.variables }
        var v = state.variables
        for id in chain.reversed() { if let l = state.locals[id] { v.merge(l) { _, local in local } } }
        return v
    }

    /// Sets a variable where it lives: the innermost scope that has it as a local, else the process.
    mutating func setVariable(_ name: String, _ value: Value, scope: String?) {
        let chain = scopeChain(scope)
        for id in chain where state.locals[id]?[name] != nil {
            state.locals[id]![name] = value
            return
        }
        // a new variable of an ad-hoc activation stays local to it (Camunda 8.8's inner instances)
        if let a = chain.first(where: { id in state.tokens.contains { $0.id == id && $0.wait == .adHocActivation } }) {
            state.locals[a, default: [:]][name] = value
            return
        }
        state.variables[name] = value
    }

    mutating func setVariables(_ values: [String: Value], scope: String?) {
        for (k, v) in values { setVariable(k, v, scope: scope) }
    }

    /// When the element has output mappings, sets only those — over the scope's variables and
    /// a result (a job's output, a called instance's variables) — and leaves; returns whether it did.
    mutating func leaveWithMappedResult(_ element: FlowElement, _ result: [String: Value], scope: String?) -> Bool {
        guard !element.outputs.isEmpty else { return false }
        let vars = variables(in: scope).merging(result) { _, r in r }
        for (target, source) in element.outputs { setVariable(target, source.evaluate(vars), scope: scope) }
        leave(element, scope: scope, applyOutputs: false)
        return true
    }

    /// Sets the element's output mappings over the variables of its scope.
    mutating func applyOutputs(of element: FlowElement, scope: String?) {
        for (target, source) in element.outputs { setVariable(target, source.evaluate(variables(in: scope)), scope: scope) }
    }

    // MARK: tokens

    func tokenIndex(_ id: String) -> Int? { state.tokens.firstIndex { $0.id == id } }

    /// Arms the boundary timers of an activity that starts waiting — unless it runs as one
    /// instance of a loop, whose body carries the boundary events.
    mutating func armBoundaryEvents(of element: FlowElement, scope: String?) -> [BoundaryTimer] {
        if let scope, let i = tokenIndex(scope), state.tokens[i].elementId == element.id,
           case .innerInstance = state.tokens[i].wait { return [] }
        return armBoundaryEvents(of: element)
    }

    /// Arms the boundary events of an activity: timers are scheduled and message and signal
    /// subscriptions opened (the armed entry's id is the timer's or the subscription's).
    mutating func armBoundaryEvents(of element: FlowElement, keyScope: String? = nil) -> [BoundaryTimer] {
        definition.boundaryEvents(of: element.id).compactMap { b in
            guard case .boundaryEvent(let be) = b.kind else { return nil }
            return arm(be.trigger, at: b.id, keyScope: keyScope)
        }
    }

    /// Arms one catching event: schedules its timer or opens its subscription. Errors and
    /// escalations need no arming (they are thrown to their catchers); nil for those.
    mutating func arm(_ trigger: EventTrigger, at elementId: String, keyScope: String?) -> BoundaryTimer? {
        switch trigger {
        case .timer(let timer):
            return armTimer(timer, at: elementId, keyScope: keyScope)
        case .message(let m):
            let sid = nextId("m")
            effects.append(.openSubscription(MessageSubscription(id: sid, instanceId: state.id, elementId: elementId, name: m.name,
                                                                 correlationKey: messageKey(m, scope: keyScope), createdAt: now)))
            return BoundaryTimer(timerId: sid, boundaryElementId: elementId)
        case .signal(let name):
            let sid = nextId("m")
            effects.append(.openSubscription(MessageSubscription(id: sid, instanceId: state.id, elementId: elementId, name: Run.signalChannel(name),
                                                                 correlationKey: nil, createdAt: now)))
            return BoundaryTimer(timerId: sid, boundaryElementId: elementId)
        case .condition:
            // evaluated each time the instance comes to rest (ConditionalEvents.swift)
            return BoundaryTimer(timerId: nextId("c"), boundaryElementId: elementId)
        case .error, .escalation, .compensation, .cancel:
            return nil
        }
    }

    /// Disarms an armed boundary event or event sub-process start: cancels its timer or closes
    /// its subscription (a condition has neither).
    mutating func disarm(_ b: BoundaryTimer) {
        let trigger: EventTrigger?
        switch definition.element(b.boundaryElementId)?.kind {
        case .boundaryEvent(let be)?: trigger = be.trigger
        case .eventStartEvent(let t, _)?: trigger = t
        default: trigger = nil
        }
        switch trigger {
        case .message?, .signal?: effects.append(.closeSubscription(id: b.timerId))
        case .condition?: break
        default: effects.append(.cancelTimer(id: b.timerId))
        }
    }

    /// Arms the timer, message and signal start events of the event sub-processes directly in
    /// a scope (the element id of a sub-process, or nil for the process).
    mutating func armEventSubProcesses(in container: String?, scope: String?) -> [BoundaryTimer] {
        var armed: [BoundaryTimer] = []
        for esp in definition.eventSubProcesses(in: container) {
            for start in definition.elements where start.parent == esp.id {
                guard case .eventStartEvent(let trigger, _) = start.kind, let a = arm(trigger, at: start.id, keyScope: scope) else { continue }
                armed.append(a)
            }
        }
        return armed
    }

    /// An armed event sub-process start fired in `scope`: an interrupting one ends the rest
    /// of the scope first; either way the event sub-process runs in the scope.
    mutating func triggerEventSubProcess(start: FlowElement, scope: String?, variables values: [String: Value] = [:]) {
        guard case .eventStartEvent(_, let interrupting) = start.kind, let espId = start.parent, let esp = definition.element(espId) else { return }
        if interrupting {
            if let scope { terminateScope(scope) } else { terminateAllTokens() }
            disarmScopeTriggers(scope)
        } else {
            // a non-interrupting start fires once per arming: drop it from the armed list
            removeTrigger(elementId: start.id, scope: scope)
        }
        setVariables(values, scope: scope)
        record(esp, "activated")
        let espToken = wait(at: esp, .subProcess, scope: scope)
        arrive(at: start.id, via: nil, scope: espToken)
    }

    mutating func disarmScopeTriggers(_ scope: String?) {
        if let scope, let i = tokenIndex(scope) {
            for b in state.tokens[i].boundaryTimers where definition.element(b.boundaryElementId).map({ if case .eventStartEvent = $0.kind { true } else { false } }) == true {
                disarm(b)
            }
            state.tokens[i].boundaryTimers.removeAll { b in definition.element(b.boundaryElementId).map { if case .eventStartEvent = $0.kind { true } else { false } } == true }
        } else if scope == nil {
            for b in state.processTriggers { disarm(b) }
            state.processTriggers = []
        }
    }

    mutating func removeTrigger(elementId: String, scope: String?) {
        if let scope, let i = tokenIndex(scope) {
            state.tokens[i].boundaryTimers.removeAll { $0.boundaryElementId == elementId }
        } else {
            state.processTriggers.removeAll { $0.boundaryElementId == elementId }
        }
    }

    /// Adds a waiting token at an element; returns its id.
    @discardableResult
    mutating func wait(at element: FlowElement, _ wait: Wait, scope: String?, boundaries: [BoundaryTimer] = []) -> String {
        let id = nextId("k")
        state.tokens.append(Token(id: id, elementId: element.id, wait: wait, boundaryTimers: boundaries, scope: scope))
        return id
    }

    /// Removes a token, cancelling what it waited for and, for a scope, everything inside it.
    @discardableResult
    mutating func removeToken(at index: Int, cancelWait: Bool) -> Token {
        let token = state.tokens[index]
        if token.wait.isScope { terminateScope(token.id) }
        if token.wait.isScope, cancelWait { dropCompensable(in: token.id) }  // only completed scopes are compensated
        let i = tokenIndex(token.id)!
        state.tokens.remove(at: i)
        state.locals[token.id] = nil
        state.adHocWaiting.remove(token.id)
        for b in token.boundaryTimers { disarm(b) }
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
            case .subProcess, .loop, .innerInstance, .condition, .compensating, .compensationHandler, .adHocActivation:
                break
            case .message, .signal: effects.append(.closeSubscription(id: token.id))
            case .listener(let l): cancelListenerJob(l)
            case .calledInstance(let child): effects.append(.cancelChild(instanceId: child))
            case .eventGateway(let armed):
                for a in armed {
                    if let t = a.timerId { effects.append(.cancelTimer(id: t)) }
                    if let m = a.subscriptionId { effects.append(.closeSubscription(id: m)) }
                }
            }
        }
        return token
    }

    /// Ends every token inside a scope (recursively), recording each as terminated.
    mutating func terminateScope(_ scopeId: String) {
        while let i = state.tokens.lastIndex(where: { $0.scope == scopeId }) {
            let t = removeToken(at: i, cancelWait: true)
            recordTerminated(t)
        }
        queue.removeAll { $0.scope == scopeId }
        state.joins = state.joins.filter { !$0.key.hasPrefix(scopeId + "|") }
    }

    /// Ends every waiting path (cancel, terminate end at the top, uncaught error).
    mutating func terminateAllTokens() {
        for b in state.processTriggers { disarm(b) }
        state.processTriggers = []
        while let i = state.tokens.lastIndex(where: { $0.scope == nil }) {
            recordTerminated(removeToken(at: i, cancelWait: true))
        }
        state.tokens.removeAll()
        state.joins = [:]
        state.locals = [:]
        queue.removeAll()  // what completed stays compensable: an interrupting event sub-process may compensate it
    }

    /// Puts the path at `element` on hold with an incident.
    mutating func raiseIncident(at element: FlowElement, scope: String?, type: String, message: String, jobId: String? = nil) {
        let incident = Incident(id: nextId("i"), instanceId: state.id, elementId: element.id, type: type, message: message, jobId: jobId, createdAt: now)
        state.incidents.append(incident)
        effects.append(.raiseIncident(incident))
        wait(at: element, .incident(incidentId: incident.id), scope: scope)
        record(element, "incident", scope: scope, data: .context(["type": .string(type), "message": .string(message)]))
    }

    mutating func finish() -> Transition {
        state.revision += 1
        return Transition(state: state, history: history, effects: effects)
    }
}
