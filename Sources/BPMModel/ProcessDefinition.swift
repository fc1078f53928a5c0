import BPMExpressions

/// A process: typed flow elements joined by sequence flows. Both the YAML DSL and BPMN XML
/// are read into this one model; nothing downstream knows which syntax a process came from.
public struct ProcessDefinition: Sendable {
    public var id: String
    public var name: String
    /// The version label written in the file (`version: 1.0`); deployment numbers are separate.
    public var versionLabel: String?
    public var description: String?
    public var elements: [FlowElement]
    public var flows: [SequenceFlow]
    public var trigger: Trigger?
    /// Variables taken from the triggering event (`source:`) or set to constants (`value:`).
    public var variables: [VariableSpec] {
        didSet { correlationKeyPath = Self.keyPath(correlationKey, variables) }
    }
    /// The correlation key: evaluated over the instance's variables when it starts from an
    /// event; later events with the same key refresh the running instance.
    public var correlationKey: Expression? {
        didSet { correlationKeyPath = Self.keyPath(correlationKey, variables) }
    }
    /// When the correlation key is a variable taken from the event, its path there: the key
    /// is read straight from the event, without evaluating anything.
    public private(set) var correlationKeyPath: [String]?

    static func keyPath(_ key: Expression?, _ variables: [VariableSpec]) -> [String]? {
        guard let key else { return nil }
        let name = key.source.trimmingCharacters(in: .whitespacesAndNewlines)
        let named = variables.filter { $0.name == name }
        guard named.count == 1 else { return nil }
        return named[0].sourcePath
    }
    /// The file it came from.
    public var sourceFile: String
    /// BPMN `isExecutable`: only executable processes are deployed.
    public var isExecutable = true
    /// Shapes and edges from BPMN diagram interchange, for drawing (nil for YAML).
    public var diagram: Diagram?
    /// Documentation text per element id.
    public var documentation: [String: String] = [:]
    /// A limit on how long an instance may run (the YAML `timeout:` at the top level).
    public var timeout: ProcessTimeout?
    /// Problems that do not stop it from deploying (Zeebe deploys them too), for `bpm validate`.
    public var warnings: [DefinitionError] = []
    /// Process-level execution listeners: start before the start event, end after the last path ends.
    public var executionListeners = ExecutionListeners()

    let elementIndex: [String: Int]
    let flowIndex: [String: Int]
    let outgoingByElement: [String: [Int]]
    let incomingByElement: [String: [Int]]
    let boundaryByElement: [String: [Int]]

    public init(id: String, name: String, versionLabel: String? = nil, description: String? = nil,
                elements: [FlowElement], flows: [SequenceFlow], trigger: Trigger? = nil,
                variables: [VariableSpec] = [], correlationKey: Expression? = nil, sourceFile: String = "")
    {
        self.id = id
        self.name = name
        self.versionLabel = versionLabel
        self.description = description
        self.elements = elements
        self.flows = flows
        self.trigger = trigger
        self.variables = variables
        self.correlationKey = correlationKey
        self.correlationKeyPath = Self.keyPath(correlationKey, variables)
        self.sourceFile = sourceFile
        var ei: [String: Int] = [:]
        for (i, e) in elements.enumerated() where ei[e.id] == nil { ei[e.id] = i }
        elementIndex = ei
        var fi: [String: Int] = [:]
        var out: [String: [Int]] = [:]
        var inc: [String: [Int]] = [:]
        for (i, f) in flows.enumerated() {
            if fi[f.id] == nil { fi[f.id] = i }
            out[f.source, default: []].append(i)
            inc[f.target, default: []].append(i)
        }
        flowIndex = fi
        outgoingByElement = out
        incomingByElement = inc
        var b: [String: [Int]] = [:]
        for (i, e) in elements.enumerated() {
            if case .boundaryEvent(let be) = e.kind { b[be.attachedTo, default: []].append(i) }
        }
        boundaryByElement = b
    }

    public func element(_ id: String) -> FlowElement? { elementIndex[id].map { elements[$0] } }
    public func flow(_ id: String) -> SequenceFlow? { flowIndex[id].map { flows[$0] } }
    public func outgoing(_ elementId: String) -> [SequenceFlow] { (outgoingByElement[elementId] ?? []).map { flows[$0] } }
    public func incoming(_ elementId: String) -> [SequenceFlow] { (incomingByElement[elementId] ?? []).map { flows[$0] } }
    /// Boundary events attached to an activity.
    public func boundaryEvents(of elementId: String) -> [FlowElement] { (boundaryByElement[elementId] ?? []).map { elements[$0] } }
    /// The none start events of the process, where an instance begins.
    public var startEvents: [FlowElement] { startEvents(in: nil) }

    /// The none start events directly inside a sub-process (nil: the process).
    public func startEvents(in parent: String?) -> [FlowElement] {
        elements.filter { if case .startEvent = $0.kind { $0.parent == parent } else { false } }
    }

    /// The timer start events of the process.
    public var timerStartEvents: [FlowElement] {
        elements.filter { if case .timerStartEvent = $0.kind { $0.parent == nil } else { false } }
    }

    /// The signal start events of the process.
    public var signalStartEvents: [FlowElement] {
        elements.filter { if case .signalStartEvent = $0.kind { $0.parent == nil } else { false } }
    }

    /// The message start events of the process.
    public var messageStartEvents: [FlowElement] {
        elements.filter { if case .messageStartEvent = $0.kind { $0.parent == nil } else { false } }
    }

    /// Event sub-processes directly inside a scope (nil: the process).
    public func eventSubProcesses(in parent: String?) -> [FlowElement] {
        elements.filter { if case .subProcess(true) = $0.kind { $0.parent == parent } else { false } }
    }
}

/// Where elements were drawn: BPMN diagram interchange (DI) bounds and waypoints.
public struct Diagram: Sendable {
    public struct Bounds: Sendable, Equatable {
        public var x, y, width, height: Double
        public init(x: Double, y: Double, width: Double, height: Double) { self.x = x; self.y = y; self.width = width; self.height = height }
    }
    public struct Point: Sendable, Equatable {
        public var x, y: Double
        public init(x: Double, y: Double) { self.x = x; self.y = y }
    }
    /// Element id → its shape's bounds (pools, lanes and artifacts included).
    public var shapes: [String: Bounds] = [:]
    /// Flow (or association) id → its edge's waypoints.
    public var edges: [String: [Point]] = [:]
    public init() {}
}

/// One node of the process graph.
public struct FlowElement: Sendable {
    public var id: String
    public var name: String?
    public var kind: ElementKind
    public var location: SourceLocation?
    /// For gateways and activities with conditional flows: the flow taken when no condition holds.
    public var defaultFlow: String?
    /// The BPMN element name when it differs from the kind's (`sendTask` run as a service task).
    public var bpmnType: String?
    /// Output mappings (Zeebe `ioMapping` outputs), applied when the element completes: each
    /// target is set from an expression over the variables (and, for a service task, the
    /// connector's output — then only the mapped values are kept).
    public var outputs: [(target: String, source: Expression)] = []
    /// Input mappings of an embedded sub-process: local variables of its scope.
    public var inputs: [(target: String, source: Expression)] = []
    /// The sub-process that contains this element (nil: the process itself).
    public var parent: String?
    /// Standard loop or multi-instance characteristics of an activity.
    public var loop: LoopCharacteristics?
    /// BPMN `startQuantity`: arrivals needed before the activity starts once.
    public var startQuantity = 1
    /// BPMN `completionQuantity`: tokens sent on each outgoing flow when it completes.
    public var completionQuantity = 1
    /// BPMN `isForCompensation`: a compensation handler, run only by compensation (§10.6.5).
    public var isForCompensation = false
    /// An ad-hoc sub-process's activation and completion (its kind is `.subProcess`).
    public var adHoc: AdHocSubProcess?
    /// Camunda 8 execution listeners: jobs run before (start) and after (end) the element.
    public var executionListeners = ExecutionListeners()

    public init(id: String, name: String? = nil, kind: ElementKind, location: SourceLocation? = nil, defaultFlow: String? = nil) {
        self.id = id
        self.name = name
        self.kind = kind
        self.location = location
        self.defaultFlow = defaultFlow
    }

    /// The BPMN element type name, as shown in history (`serviceTask`, `exclusiveGateway`…).
    public var typeName: String { bpmnType ?? kind.typeName }
}

/// The kinds of flow element and what each needs to run.
public enum ElementKind: Sendable {
    case startEvent
    case endEvent(EndEvent)
    case serviceTask(ServiceTask)
    case userTask(UserTask)
    case scriptTask(ScriptTask)
    case exclusiveGateway
    case parallelGateway
    case timerCatchEvent(TimerDefinition)
    case boundaryEvent(BoundaryEvent)
    /// An element that does nothing but pass the token on (plain and manual tasks, none throw events).
    case passThrough
    /// An embedded sub-process: its child elements run in a scope of their own. With
    /// `triggeredByEvent`, an event sub-process started by its start event's trigger.
    case subProcess(triggeredByEvent: Bool)
    /// A start event of an event sub-process.
    case eventStartEvent(EventTrigger, interrupting: Bool)
    /// An inclusive gateway: forks into every flow whose condition holds; joins the paths that
    /// can still arrive.
    case inclusiveGateway
    /// An event-based gateway: waits for the first of the events that follow it.
    case eventBasedGateway
    /// Starts an instance of another process and waits until it ends.
    case callActivity(CallActivity)
    /// Waits for a message (intermediate catch event, receive task).
    case messageCatchEvent(MessageDefinition)
    /// Publishes a message (intermediate throw event, message end event, send task without a job type).
    case messageThrowEvent(MessageDefinition)
    /// Starts an instance when the message is published.
    case messageStartEvent(MessageDefinition)
    /// Starts instances on a schedule.
    case timerStartEvent(TimerSchedule)
    /// Starts an instance when the signal is broadcast.
    case signalStartEvent(signal: String)
    /// Throws an escalation (intermediate throw or end event): caught by an escalation boundary
    /// event or event sub-process around it; uncaught, nothing happens.
    case escalationThrowEvent(code: String)
    /// A link throw event: the path continues at the link catch event of the same name.
    case linkThrowEvent(name: String)
    /// A link catch event: where a link throw event of the same name continues.
    case linkCatchEvent(name: String)
    /// A complex gateway: forks like an inclusive gateway; as a join it continues once its
    /// activation condition holds (`activationCount` arrivals so far), then absorbs the other
    /// arrivals of that round. Without a condition it waits like an inclusive join.
    case complexGateway(activationCondition: Expression?)
    /// An intermediate catch event waiting for a signal.
    case signalCatchEvent(signal: String)
    /// An intermediate throw event (or end event) broadcasting a signal.
    case signalThrowEvent(signal: String)
    /// An intermediate catch event waiting until its condition holds.
    case conditionalCatchEvent(condition: Expression)
    /// A compensation intermediate throw or end event (§10.6.5 and §13.5.5).
    case compensationThrowEvent(CompensationThrow)
    /// A cancel end event: cancels the transaction it is in (§10.6.5).
    case cancelEndEvent

    public var typeName: String {
        switch self {
        case .startEvent: "startEvent"
        case .endEvent: "endEvent"
        case .serviceTask: "serviceTask"
        case .userTask: "userTask"
        case .scriptTask: "scriptTask"
        case .exclusiveGateway: "exclusiveGateway"
        case .parallelGateway: "parallelGateway"
        case .timerCatchEvent: "intermediateCatchEvent"
        case .boundaryEvent: "boundaryEvent"
        case .passThrough: "task"
        case .subProcess: "subProcess"
        case .eventStartEvent: "startEvent"
        case .inclusiveGateway: "inclusiveGateway"
        case .eventBasedGateway: "eventBasedGateway"
        case .complexGateway: "complexGateway"
        case .callActivity: "callActivity"
        case .messageCatchEvent: "intermediateCatchEvent"
        case .messageThrowEvent: "intermediateThrowEvent"
        case .messageStartEvent, .timerStartEvent, .signalStartEvent: "startEvent"
        case .escalationThrowEvent: "intermediateThrowEvent"
        case .linkThrowEvent: "intermediateThrowEvent"
        case .linkCatchEvent: "intermediateCatchEvent"
        case .signalCatchEvent: "intermediateCatchEvent"
        case .signalThrowEvent, .compensationThrowEvent: "intermediateThrowEvent"
        case .conditionalCatchEvent: "intermediateCatchEvent"
        case .cancelEndEvent: "endEvent"
        }
    }

    public var isGateway: Bool {
        switch self {
        case .exclusiveGateway, .parallelGateway, .inclusiveGateway, .eventBasedGateway, .complexGateway: true
        default: false
        }
    }
}

/// A connection between two elements, with an optional condition.
public struct SequenceFlow: Sendable {
    public var id: String
    public var source: String
    public var target: String
    public var condition: Expression?
    public var location: SourceLocation?
    /// What the flow means, for display (`true`, `false`, `timeout`).
    public var label: String?

    public init(id: String, source: String, target: String, condition: Expression? = nil, location: SourceLocation? = nil, label: String? = nil) {
        self.id = id
        self.source = source
        self.target = target
        self.condition = condition
        self.location = location
        self.label = label
    }
}

/// A service task: an action performed by a connector (`database_log`, `mqtt_publish`, …).
public struct ServiceTask: Sendable {
    public var action: String
    /// The action's parameters, with `${…}` templates resolved when the task runs.
    public var parameters: [String: TemplateValue]
    public var retry: RetryPolicy
    /// Where the connector's output goes: into this variable, or merged into the variables when nil.
    public var resultVariable: String?
    /// Whether the job carries a snapshot of the variables (script handlers and workers need them).
    public var includeVariables = false
    /// A job for external workers (a Zeebe job type): without an in-process connector for its
    /// action, it waits for a worker to activate it instead of raising an incident.
    public var external = false
    /// Workers are handed jobs by priority (highest first), then age.
    public var priority = 50

    public init(action: String, parameters: [String: TemplateValue], retry: RetryPolicy = RetryPolicy(), resultVariable: String? = nil) {
        self.action = action
        self.parameters = parameters
        self.retry = retry
        self.resultVariable = resultVariable
    }
}

extension ServiceTask {
    /// A task that evaluates a deployed decision (DMN or a YAML rule set) over the variables
    /// and stores its result in `resultVariable`: a job for the engine's `decision` connector.
    public static func decision(_ id: String, resultVariable: String) -> ServiceTask {
        var t = ServiceTask(action: "decision", parameters: ["decision": .constant(.string(id)), "resultVariable": .constant(.string(resultVariable))],
                            retry: RetryPolicy(retries: 0))
        t.includeVariables = true
        return t
    }
}

/// A human task: the instance waits until someone completes it.
public struct UserTask: Sendable {
    public var assignee: Template?
    public var candidateUsers: [String]
    public var candidateGroups: [String]
    public var priority: Int
    public var form: Value?
    public var description: Template?
    /// When the task is due, and when to look at it again: relative to its creation, or an expression.
    public var due: TaskDate?
    public var followUp: TaskDate?
    /// Camunda 8 user task listeners by lifecycle event, each list in the order written.
    public var taskListeners: [TaskListenerEvent: [Listener]] = [:]

    public init(assignee: Template? = nil, candidateUsers: [String] = [], candidateGroups: [String] = [], priority: Int = 50, form: Value? = nil, description: Template? = nil) {
        self.assignee = assignee
        self.candidateUsers = candidateUsers
        self.candidateGroups = candidateGroups
        self.priority = priority
        self.form = form
        self.description = description
    }
}

/// How long an instance may run, and what happens when it runs longer.
public struct ProcessTimeout: Sendable, Equatable {
    public enum Action: String, Sendable { case fail, terminate }
    public var after: Double
    public var action: Action
    /// The marker for the timeout's timer among an instance's process-level triggers.
    public static let triggerId = "\u{1}process-timeout"

    public init(after: Double, action: Action) {
        self.after = after
        self.action = action
    }
}

/// A user task's due or follow-up date.
public enum TaskDate: Sendable {
    /// This many seconds after the task is created (`due: 2d`).
    case after(Double)
    /// An expression giving an ISO 8601 date and time, or a duration from the task's creation.
    case expression(Expression)
}

/// A script task: assignments of expression results to variables, run in order.
public struct ScriptTask: Sendable {
    public var assignments: [(variable: String, expression: Expression)]

    public init(assignments: [(variable: String, expression: Expression)]) { self.assignments = assignments }
}

/// An end event: the path ends, optionally with a result or an error.
public struct EndEvent: Sendable {
    /// Values set as the instance's result when it ends here.
    public var result: [String: TemplateValue]?
    /// An error end: the instance fails with this code and message.
    public var error: ErrorDefinition?
    /// Terminate end: ends every other path of the instance too.
    public var terminate: Bool

    public init(result: [String: TemplateValue]? = nil, error: ErrorDefinition? = nil, terminate: Bool = false) {
        self.result = result
        self.error = error
        self.terminate = terminate
    }
}

/// A business error thrown by an error end event.
public struct ErrorDefinition: Sendable {
    public var code: String
    public var message: Template?

    public init(code: String, message: Template? = nil) {
        self.code = code
        self.message = message
    }
}

/// When a timer fires: after a duration from activation.

/// What a catching event waits for.
public enum EventTrigger: Sendable {
    case timer(TimerDefinition)
    /// A BPMN error; a nil code catches every error.
    case error(code: String?)
    /// A signal, by name.
    case signal(String)
    /// A message, by name and correlation key.
    case message(MessageDefinition)
    /// An escalation; a nil code catches every escalation.
    case escalation(code: String?)
    /// A condition over the variables: fires when it becomes true.
    case condition(Expression)
    /// Compensation: on a boundary event, with the id of its handler; starts a compensation event sub-process.
    case compensation(handler: String?)
    /// The cancellation of a transaction (a cancel boundary event).
    case cancel

    public var timer: TimerDefinition? { if case .timer(let t) = self { t } else { nil } }
}

/// An event attached to an activity's boundary: a timer (a timeout) or an error catch.
public struct BoundaryEvent: Sendable {
    public var attachedTo: String
    public var trigger: EventTrigger
    /// Interrupting boundary events end the activity they are attached to.
    public var interrupting: Bool

    public init(attachedTo: String, trigger: EventTrigger, interrupting: Bool = true) {
        self.attachedTo = attachedTo
        self.trigger = trigger
        self.interrupting = interrupting
    }

    public init(attachedTo: String, timer: TimerDefinition, interrupting: Bool = true) {
        self.init(attachedTo: attachedTo, trigger: .timer(timer), interrupting: interrupting)
    }

    public var timer: TimerDefinition? { trigger.timer }
}

/// A call activity: the process it starts, and how variables flow.
public struct CallActivity: Sendable {
    public var processId: String
    /// Input mappings: the child's variables are the caller's plus these.
    public var inputs: [(target: String, source: Expression)]
    /// Whether every variable of the ended child comes back (when the element has no output mappings).
    public var propagateAllChildVariables: Bool

    public init(processId: String, inputs: [(target: String, source: Expression)] = [], propagateAllChildVariables: Bool = true) {
        self.processId = processId
        self.inputs = inputs
        self.propagateAllChildVariables = propagateAllChildVariables
    }
}

/// A message a process waits for or publishes: its name, and the expression giving its
/// correlation key (nil: the instance's own correlation key).
public struct MessageDefinition: Sendable {
    public var name: String
    public var correlationKey: Expression?
    /// For a message that arrives as an event: the topic it arrives on (Kafka, or MQTT with
    /// `source: mqtt`), the event path whose value is the message's correlation key, and how
    /// long an event that finds no waiting instance is kept for one still to come (seconds).
    public var topic: String?
    public var source: String?
    public var keyPath: String?
    public var timeToLive: Double = 0

    public init(name: String, correlationKey: Expression? = nil) {
        self.name = name
        self.correlationKey = correlationKey
    }
}

/// Loop characteristics of an activity.
public enum LoopCharacteristics: Sendable {
    /// Repeat while `condition` holds (tested before or after each pass), at most `maximum` times.
    case standard(condition: Expression?, testBefore: Bool, maximum: Int?)
    case multiInstance(MultiInstance)
}

/// Multi-instance: run the activity once per item of a collection, or a number of times,
/// in parallel or one after another.
public struct MultiInstance: Sendable {
    public var sequential: Bool
    public var cardinality: Expression?
    public var collection: Expression?
    /// The local variable holding each instance's item.
    public var elementVariable: String?
    public var outputCollection: String?
    public var outputElement: Expression?
    /// Ends the multi-instance early when it holds after an instance completes.
    public var completionCondition: Expression?

    public init(sequential: Bool, cardinality: Expression? = nil, collection: Expression? = nil, elementVariable: String? = nil,
                outputCollection: String? = nil, outputElement: Expression? = nil, completionCondition: Expression? = nil)
    {
        self.sequential = sequential
        self.cardinality = cardinality
        self.collection = collection
        self.elementVariable = elementVariable
        self.outputCollection = outputCollection
        self.outputElement = outputElement
        self.completionCondition = completionCondition
    }
}

/// What starts instances besides the API.
public struct Trigger: Sendable {
    public enum Kind: String, Sendable { case event, manual, timer }
    public var kind: Kind
    /// `redpanda`, `kafka`, `mqtt` or `http`.
    public var source: String?
    public var topic: String?
    /// Evaluated against the event; the instance starts only when it is true.
    public var condition: Expression?
    /// For `timer` triggers: when instances start.
    public var schedule: TimerSchedule?
    /// For `timer` triggers: name, overlap, catch-up, jitter, paused (`ScheduleOptions`).
    public var scheduleOptions = ScheduleOptions()
    /// Event patterns, per correlation key: the condition must hold in every event for this
    /// long before an instance starts (`for:`, seconds)…
    public var holdFor: Double?
    /// …or hold in `count` events within `within` seconds (`count:`, `within:`)…
    public var count: Int?
    public var within: Double?
    /// …and no instance starts for a key until this long after its last one ended (`cooldown:`).
    public var cooldown: Double?
    /// Throttling and uniqueness of starts (`throttle:`, `unique:`).
    public var flow = FlowControl()
    /// Fires on the absence of events per key (`silence:`, `debounce:`; see `Silence`).
    public var silence: Silence?
    /// Aggregates per key over sliding or tumbling windows (`windows:`; see `WindowAggregate`).
    public var windows: [WindowAggregate] = []

    /// Whether the trigger keeps state per key between events.
    public var hasPattern: Bool { holdFor != nil || count != nil || cooldown != nil || flow.throttle != nil }

    public init(kind: Kind, source: String? = nil, topic: String? = nil, condition: Expression? = nil) {
        self.kind = kind
        self.source = source
        self.topic = topic
        self.condition = condition
    }
}

/// A process variable: copied from a path in the triggering event, or a constant.
public struct VariableSpec: Sendable {
    public var name: String
    /// A dotted path into the event, e.g. `tags.device_id`.
    public var source: String? {
        didSet { sourcePath = source.map { $0.split(separator: ".", omittingEmptySubsequences: false).map(String.init) } }
    }
    /// `source` split at its dots, for `Value.lookup(components:)`.
    public private(set) var sourcePath: [String]?
    public var value: Value?

    public init(name: String, source: String? = nil, value: Value? = nil) {
        self.name = name
        self.source = source
        self.sourcePath = source.map { $0.split(separator: ".", omittingEmptySubsequences: false).map(String.init) }
        self.value = value
    }
}
