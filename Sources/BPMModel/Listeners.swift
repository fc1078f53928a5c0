import BPMExpressions

/// A listener's job type or retries: a static value, or a FEEL expression evaluated when the
/// listener's job is created (Camunda 8: "evaluated right before the job creation").
public enum ListenerValue: Sendable {
    case constant(Value)
    case expression(Expression)

    /// The value over the variables (an expression that fails gives null).
    public func evaluate(_ vars: [String: Value]) -> Value {
        switch self {
        case .constant(let v): v
        case .expression(let e): e.evaluate(vars)
        }
    }

    /// The source text, as written (`=expr` for an expression).
    public var source: String {
        switch self {
        case .constant(let v): v.stringValue ?? JSON.encode(v)
        case .expression(let e): "=" + e.source
        }
    }
}

/// One job run before or after an element, or by a user task's lifecycle (Camunda 8 listeners).
public struct Listener: Sendable {
    /// The job type workers subscribe to.
    public var type: ListenerValue
    /// Zeebe's retries: the attempts the job has (3 unless given).
    public var retries: ListenerValue
    /// Static headers handed to the worker with the job (`zeebe:taskHeaders` are merged under them).
    public var headers: [String: String] = [:]
    public var location: SourceLocation?

    public init(type: ListenerValue, retries: ListenerValue = .constant(.number(3)), location: SourceLocation? = nil) {
        self.type = type
        self.retries = retries
        self.location = location
    }
}

/// When an execution listener runs: `start` before the element's behaviour (after its input
/// mappings), `end` after its completion and output mappings, before its outgoing flows.
public enum ExecutionListenerEvent: String, Sendable, CaseIterable {
    case start, end

    /// Zeebe's `listenerEventType` name.
    public var zeebeName: String { rawValue.uppercased() }
}

/// A user task's lifecycle event that task listeners react to (Camunda 8.8).
public enum TaskListenerEvent: String, Sendable, CaseIterable {
    case creating, assigning, updating, completing, canceling

    /// Zeebe's `listenerEventType` name.
    public var zeebeName: String { rawValue.uppercased() }

    /// Whether a listener's result may deny the transition (assigning, updating, completing).
    public var deniable: Bool { self == .assigning || self == .updating || self == .completing }

    /// Camunda's deprecated spellings (`create`, `assignment`, `update`, `complete`).
    public static func named(_ s: String) -> TaskListenerEvent? {
        if let e = TaskListenerEvent(rawValue: s) { return e }
        let deprecated: [String: TaskListenerEvent] = [
            "create": .creating, "assignment": .assigning, "update": .updating, "complete": .completing,
            "cancel": .canceling,
        ]
        return deprecated[s]
    }
}

/// An element's (or the process's) execution listeners, in the order they are written.
public struct ExecutionListeners: Sendable {
    public var start: [Listener] = []
    public var end: [Listener] = []

    public init(start: [Listener] = [], end: [Listener] = []) {
        self.start = start
        self.end = end
    }

    public var isEmpty: Bool { start.isEmpty && end.isEmpty }

    public subscript(event: ExecutionListenerEvent) -> [Listener] {
        get { event == .start ? start : end }
        set { if event == .start { start = newValue } else { end = newValue } }
    }
}

/// Which element kinds accept which execution listeners (Camunda 8 "Limitations"): start
/// events and boundary events have no start listeners, gateways no end listeners, error end
/// events no end listeners, compensation boundary events none.
public enum ExecutionListenerRules {
    /// Why `event` listeners are refused on the element, or nil when they are accepted.
    public static func refusal(_ event: ExecutionListenerEvent, on element: FlowElement) -> String? {
        switch (element.kind, event) {
        case (.startEvent, .start), (.eventStartEvent, .start), (.messageStartEvent, .start),
             (.timerStartEvent, .start), (.signalStartEvent, .start):
            return "start events have no start execution listeners (use the process's or sub-process's start listeners)"
        case (.boundaryEvent(let b), _):
            if case .compensation = b.trigger {
                return "compensation boundary events have no execution listeners (put them on the compensation handler)"
            }
            return event == .start
                ? "boundary events have no start execution listeners (use the start listeners of the activity)" : nil
        case (.exclusiveGateway, .end), (.parallelGateway, .end), (.inclusiveGateway, .end),
             (.eventBasedGateway, .end), (.complexGateway, .end):
            return "gateways have no end execution listeners (use start listeners of the element after the gateway)"
        case (.endEvent(let e), .end) where e.error != nil:
            return "error end events have no end execution listeners (put them on the catching event)"
        default:
            return nil
        }
    }
}

extension ExecutionListenerRules {
    /// Start listeners on a joining parallel, inclusive or complex gateway (more than one
    /// incoming flow) are refused: this engine would run them at each arrival, Camunda once.
    static func joinRefusals(_ def: ProcessDefinition) -> [DefinitionError] {
        def.elements.compactMap { e in
            guard !e.executionListeners.start.isEmpty, def.incoming(e.id).count > 1 else { return nil }
            switch e.kind {
            case .parallelGateway, .inclusiveGateway, .complexGateway:
                return DefinitionError("start execution listeners on the joining gateway '\(e.id)' are not "
                    + "supported yet (put them on the element after the gateway)",
                    at: e.location ?? SourceLocation(file: def.sourceFile, line: 1, column: 1))
            default:
                return nil
            }
        }
    }
}
