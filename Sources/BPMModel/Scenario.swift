import BPMExpressions
import Foundation
import Yams

/// A process test file (`NAME.test.yaml`, beside the definition): scenarios that start an
/// instance on a simulated clock, steer it with events, time, task completions and messages,
/// stub its connector calls, and state what must have happened. See docs/testing.md.
public struct ScenarioFile: Sendable {
    public var file: String
    /// The definition under test, relative to the test file (default: the file beside it with
    /// the same name without `.test`).
    public var process: String?
    /// The process inside a BPMN file with several.
    public var processId: String?
    /// DMN models or YAML rule sets the process's rules tasks call.
    public var decisions: [String]
    /// Other definition files deployed beside it (processes it calls, or that its messages
    /// and signals reach), relative to the test file.
    public var definitions: [String] = []
    /// When the simulated clock starts (default 2026-01-01T00:00:00Z, a fixed instant so
    /// results do not depend on the day the test runs).
    public var start: Date
    public var scenarios: [Scenario]
}

/// One scenario of a test file.
public struct Scenario: Sendable {
    public var name: String
    public var location: SourceLocation
    /// Start variables (with events: added to the first event's).
    public var variables: [String: Value]
    /// What happens, in order.
    public var steps: [ScenarioStep]
    /// Connector outcomes by action: one per call, the last one repeating.
    public var stubs: [String: [StubOutcome]]
    public var expect: ScenarioExpectations
}

public struct ScenarioStep: Sendable {
    public enum Kind: Sendable {
        /// Starts the instance with the scenario's variables merged with these.
        case start([String: Value])
        /// Starts an instance of another process deployed with the test's files (one that the
        /// main instance's messages or signals will reach).
        case startProcess(String, variables: [String: Value])
        /// Delivers an event (the first starts the instance, later ones correlate to it).
        case event(Value)
        /// Moves the clock on by this many seconds, firing the timers due on the way; `nil`
        /// fires every remaining timer in order.
        case advance(Double?)
        /// Completes the first open user task of an element.
        case complete(element: String, variables: [String: Value])
        /// Publishes a message, as `POST /messages` would.
        case message(name: String, correlationKey: String?, variables: [String: Value])
        /// Broadcasts a signal, as `POST /signals` would.
        case signal(name: String, variables: [String: Value])
    }

    public var kind: Kind
    public var location: SourceLocation
}

/// What a stubbed connector call returns.
public enum StubOutcome: Sendable, Equatable {
    /// Completes with these variables.
    case output([String: Value])
    /// Fails; retryable failures are retried with the task's policy, then raise an incident.
    case fail(message: String, retryable: Bool)
    /// Throws a BPMN error code (caught by an error boundary event).
    case error(code: String, message: String?)
}

/// What must hold after the steps. Absent fields are not checked.
public struct ScenarioExpectations: Sendable {
    public struct Located<T: Sendable>: Sendable {
        public var value: T
        public var location: SourceLocation
    }

    /// `completed`, `waiting`, `failed`, `terminated` or `not_started`.
    public var status: Located<String>?
    /// The element ids completed, in order, start and end events included: exactly this.
    public var path: Located<[String]>?
    /// Elements that must appear on the path, in this order (others may come between).
    public var pathIncludes: Located<[String]>?
    /// Elements that must not appear on the path.
    public var pathExcludes: Located<[String]>?
    /// Variables that must have these values at the end (others may exist); `null` asserts absence.
    public var variables: Located<[String: Value]>?
    /// Exactly these connector calls, in order; each payload may name only some fields.
    public var calls: Located<[Value]>?
    /// The open incidents at the end; each names `element` and, optionally, text its message contains.
    public var incidents: Located<[Value]>?
    /// The user tasks created during the run, in order (fields as in the API's task view).
    public var tasks: Located<[Value]>?
    /// The elements where the instance waits at the end.
    public var waiting: Located<[String]>?
    /// The error code an instance that failed ended with.
    public var error: Located<String>?
    /// The other instances of the run (called ones, ones a message or signal started), in
    /// order of start: each names the fields it checks (`process`, `status`, `path`,
    /// `variables`, `waiting`, `error`, `parent`).
    public var instances: Located<[Value]>?
}

/// Reads process test files.
public enum ScenarioReader {
    static let defaultStart = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    public static func read(source: String, file: String) throws(DefinitionErrors) -> ScenarioFile {
        var ctx = YAMLContext(file: file, source: source)
        let root = try YAMLDefinitionReader.compose(source, file: file)
        guard let root, case .mapping(let top) = root else {
            throw DefinitionErrors([DefinitionError("a test file must be a YAML mapping with 'scenarios'", at: ctx.location(root))])
        }
        ctx.checkKeys(top, allowed: ["process", "process_id", "decisions", "definitions", "start", "scenarios"], in: "the test file")
        var out = ScenarioFile(file: file, process: ctx.string(top[key: "process"], "process"), processId: ctx.string(top[key: "process_id"], "process_id"),
                               decisions: [], start: defaultStart, scenarios: [])
        if let d = top[key: "decisions"] {
            if case .sequence(let seq) = d { out.decisions = seq.compactMap { ctx.string($0, "decisions") } } else if let s = ctx.string(d, "decisions") { out.decisions = [s] }
        }
        if let d = top[key: "definitions"] {
            if case .sequence(let seq) = d { out.definitions = seq.compactMap { ctx.string($0, "definitions") } } else if let s = ctx.string(d, "definitions") {
                out.definitions = [s]
            }
        }
        if let s = top[key: "start"] {
            if let text = ctx.string(s, "start"), let date = ISODate.parse(text) { out.start = date } else { ctx.error("start must be an ISO 8601 date and time such as 2026-01-01T08:00:00Z", s) }
        }
        guard let sc = top[key: "scenarios"], case .sequence(let list) = sc, !list.isEmpty else {
            ctx.error("the test file needs 'scenarios', a list of scenarios", top[key: "scenarios"] ?? root)
            throw DefinitionErrors(ctx.errors)
        }
        var names: Set<String> = []
        for node in list {
            guard let s = scenario(node, &ctx) else { continue }
            if !names.insert(s.name).inserted { ctx.error("two scenarios are named '\(s.name)'", node) }
            out.scenarios.append(s)
        }
        if !ctx.errors.isEmpty { throw DefinitionErrors(ctx.errors) }
        return out
    }

    static func scenario(_ node: Node, _ ctx: inout YAMLContext) -> Scenario? {
        guard case .mapping(let m) = node else {
            ctx.error("a scenario must be a mapping with 'name' and 'expect'", node)
            return nil
        }
        ctx.checkKeys(m, allowed: ["name", "variables", "events", "steps", "stubs", "expect"], in: "a scenario")
        guard let name = ctx.string(m[key: "name"], "name") else {
            ctx.error("a scenario needs a 'name'", node)
            return nil
        }
        var s = Scenario(name: name, location: ctx.location(node), variables: [:], steps: [], stubs: [:], expect: ScenarioExpectations())
        if let v = m[key: "variables"] { s.variables = context(v, "variables", &ctx) }
        if m[key: "events"] != nil, m[key: "steps"] != nil {
            ctx.error("a scenario has either 'events' (delivered, then every timer fires) or 'steps', not both", m.keyNode("steps"))
        }
        if let ev = m[key: "events"] {
            guard case .sequence(let seq) = ev else { ctx.error("events must be a list of events", ev); return nil }
            s.steps = seq.map { ScenarioStep(kind: .event(ctx.value($0)), location: ctx.location($0)) }
            s.steps.append(ScenarioStep(kind: .advance(nil), location: ctx.location(ev)))
        } else if let st = m[key: "steps"] {
            guard case .sequence(let seq) = st else { ctx.error("steps must be a list", st); return nil }
            s.steps = seq.compactMap { step($0, &ctx) }
            // steps that neither start the instance nor deliver an event begin with a start
            if !s.steps.contains(where: { if case .start = $0.kind { true } else if case .event = $0.kind { true } else { false } }) {
                s.steps.insert(ScenarioStep(kind: .start([:]), location: ctx.location(st)), at: 0)
            }
        } else {
            s.steps = [ScenarioStep(kind: .start([:]), location: ctx.location(node)), ScenarioStep(kind: .advance(nil), location: ctx.location(node))]
        }
        if let stubs = m[key: "stubs"] {
            guard case .mapping(let sm) = stubs else { ctx.error("stubs must map action names to outcomes", stubs); return nil }
            for (k, v) in sm {
                guard let action = ctx.string(k, "action") else { continue }
                if case .sequence(let seq) = v {
                    s.stubs[action] = seq.compactMap { outcome($0, &ctx) }
                } else if let o = outcome(v, &ctx) {
                    s.stubs[action] = [o]
                }
            }
        }
        guard let e = m[key: "expect"], case .mapping(let em) = e else {
            ctx.error("a scenario needs 'expect', a mapping of what must hold at the end", m[key: "expect"] ?? node)
            return nil
        }
        s.expect = expectations(em, &ctx)
        return s
    }

    static func context(_ node: Node, _ what: String, _ ctx: inout YAMLContext) -> [String: Value] {
        guard case .mapping = node, let c = ctx.value(node).contextValue else {
            ctx.error("\(what) must be a mapping of names to values", node)
            return [:]
        }
        return c
    }

    static let stepKinds: Set<String> = ["start", "start_process", "event", "advance", "complete", "message", "signal"]

    static func step(_ node: Node, _ ctx: inout YAMLContext) -> ScenarioStep? {
        let loc = ctx.location(node)
        if case .scalar = node, node.string == "start" { return ScenarioStep(kind: .start([:]), location: loc) }
        guard case .mapping(let m) = node, let (k, v) = m.first(where: { stepKinds.contains($0.key.string ?? "") }) else {
            ctx.error("a step is one of \(stepKinds.sorted().joined(separator: ", ")), e.g. '- advance: 5m'", node)
            return nil
        }
        switch k.string ?? "" {
        case "start":
            ctx.checkKeys(m, allowed: ["start"], in: "a start step")
            if case .scalar = v, v.string == "" || v.string == "null" { return ScenarioStep(kind: .start([:]), location: loc) }
            return ScenarioStep(kind: .start(context(v, "start", &ctx)), location: loc)
        case "start_process":
            ctx.checkKeys(m, allowed: ["start_process", "variables"], in: "a start_process step")
            guard let process = ctx.string(v, "start_process") else { return nil }
            return ScenarioStep(kind: .startProcess(process, variables: m[key: "variables"].map { context($0, "variables", &ctx) } ?? [:]),
                                location: loc)
        case "event":
            ctx.checkKeys(m, allowed: ["event"], in: "an event step")
            return ScenarioStep(kind: .event(ctx.value(v)), location: loc)
        case "advance":
            ctx.checkKeys(m, allowed: ["advance"], in: "an advance step")
            if v.string == "all" { return ScenarioStep(kind: .advance(nil), location: loc) }
            guard let d = ctx.duration(v, "advance") else { return nil }
            return ScenarioStep(kind: .advance(d), location: loc)
        case "complete":
            ctx.checkKeys(m, allowed: ["complete", "variables"], in: "a complete step")
            guard let element = ctx.string(v, "complete") else { return nil }
            return ScenarioStep(kind: .complete(element: element, variables: m[key: "variables"].map { context($0, "variables", &ctx) } ?? [:]), location: loc)
        case "signal":
            ctx.checkKeys(m, allowed: ["signal", "variables"], in: "a signal step")
            guard let name = ctx.string(v, "signal") else { return nil }
            return ScenarioStep(kind: .signal(name: name, variables: m[key: "variables"].map { context($0, "variables", &ctx) } ?? [:]), location: loc)
        default:
            ctx.checkKeys(m, allowed: ["message", "correlation_key", "variables"], in: "a message step")
            guard let name = ctx.string(v, "message") else { return nil }
            return ScenarioStep(kind: .message(name: name, correlationKey: ctx.string(m[key: "correlation_key"], "correlation_key"),
                                               variables: m[key: "variables"].map { context($0, "variables", &ctx) } ?? [:]), location: loc)
        }
    }

    static func outcome(_ node: Node, _ ctx: inout YAMLContext) -> StubOutcome? {
        guard case .mapping(let m) = node else {
            ctx.error("a stub is {output: {…}}, {fail: MESSAGE} or {error: CODE}", node)
            return nil
        }
        ctx.checkKeys(m, allowed: ["output", "fail", "retryable", "error", "message"], in: "a stub")
        if let o = m[key: "output"] { return .output(context(o, "output", &ctx)) }
        if let f = m[key: "fail"] {
            return .fail(message: ctx.string(f, "fail") ?? "", retryable: m[key: "retryable"]?.bool ?? true)
        }
        if let e = m[key: "error"], let code = ctx.string(e, "error") {
            return .error(code: code, message: ctx.string(m[key: "message"], "message"))
        }
        ctx.error("a stub is {output: {…}}, {fail: MESSAGE} or {error: CODE}", node)
        return nil
    }

    static func expectations(_ m: Node.Mapping, _ ctx: inout YAMLContext) -> ScenarioExpectations {
        ctx.checkKeys(m, allowed: ["status", "path", "path_includes", "path_excludes", "variables", "calls", "incidents", "tasks", "waiting", "error",
                                      "instances"], in: "expect")
        var e = ScenarioExpectations()
        func names(_ key: String) -> ScenarioExpectations.Located<[String]>? {
            guard let n = m[key: key] else { return nil }
            guard case .sequence(let seq) = n else { ctx.error("expect.\(key) must be a list of element ids", n); return nil }
            return .init(value: seq.compactMap { ctx.string($0, "expect.\(key)") }, location: ctx.location(n))
        }
        func list(_ key: String) -> ScenarioExpectations.Located<[Value]>? {
            guard let n = m[key: key] else { return nil }
            guard case .sequence = n, let l = ctx.value(n).listValue else { ctx.error("expect.\(key) must be a list", n); return nil }
            return .init(value: l, location: ctx.location(n))
        }
        if let s = m[key: "status"], let text = ctx.string(s, "expect.status") {
            let words = ["completed", "waiting", "failed", "terminated", "not_started"]
            if words.contains(text) { e.status = .init(value: text, location: ctx.location(s)) } else {
                ctx.error("expect.status must be one of \(words.joined(separator: ", "))", s)
            }
        }
        e.path = names("path")
        e.pathIncludes = names("path_includes")
        e.pathExcludes = names("path_excludes")
        e.waiting = names("waiting")
        if let v = m[key: "variables"] { e.variables = .init(value: context(v, "expect.variables", &ctx), location: ctx.location(v)) }
        e.calls = list("calls")
        e.incidents = list("incidents")
        e.tasks = list("tasks")
        if let s = m[key: "error"], let code = ctx.string(s, "expect.error") { e.error = .init(value: code, location: ctx.location(s)) }
        e.instances = list("instances")
        return e
    }
}
