import BPMExpressions
import Yams

/// Camunda 8 listeners in the YAML DSL (docs/dsl.md, "Listeners"): `listeners:` on the process
/// or an activity lists job types by event (`start:`, `end:`), run as Camunda runs
/// zeebe:executionListeners; `task_listeners:` on a user activity lists them by lifecycle
/// event (`creating:`, `assigning:`, `completing:`). Each entry is a job type, or
/// `{type: …, retries: …}` (a type starting with `=` is FEEL, evaluated when the job is created).
extension YAMLDefinitionReader.Builder {
    /// `listeners:` of the process (what = "the process") or of an activity's element.
    mutating func readExecutionListeners(_ node: Node?, on element: FlowElement?, what: String) -> ExecutionListeners {
        var out = ExecutionListeners()
        guard let node else { return out }
        guard case .mapping(let m) = node else {
            ctx.error("listeners of \(what) must be a mapping of start: and end: lists of job types", node)
            return out
        }
        ctx.checkKeys(m, allowed: ["start", "end"], in: "listeners of \(what)")
        for event in ExecutionListenerEvent.allCases {
            guard let list = m[key: event.rawValue] else { continue }
            if let element, let why = ExecutionListenerRules.refusal(event, on: element) {
                ctx.error("\(event.rawValue) listeners on \(what): \(why)", m.keyNode(event.rawValue))
                continue
            }
            out[event] = readListenerList(list, what: "\(event.rawValue) listeners of \(what)")
        }
        return out
    }

    /// `task_listeners:` of a user activity.
    mutating func readTaskListeners(_ node: Node?, what: String) -> [TaskListenerEvent: [Listener]] {
        guard let node else { return [:] }
        guard case .mapping(let m) = node else {
            ctx.error("task_listeners of \(what) must be a mapping of lifecycle events to lists of job types", node)
            return [:]
        }
        let run: [TaskListenerEvent] = [.creating, .assigning, .completing]
        ctx.checkKeys(m, allowed: Set(TaskListenerEvent.allCases.map(\.rawValue)), in: "task_listeners of \(what)")
        var out: [TaskListenerEvent: [Listener]] = [:]
        for event in TaskListenerEvent.allCases {
            guard let list = m[key: event.rawValue] else { continue }
            guard run.contains(event) else {
                ctx.error(TaskListenerEvent.unrunMessage(event, on: what), m.keyNode(event.rawValue))
                continue
            }
            out[event] = readListenerList(list, what: "\(event.rawValue) task listeners of \(what)")
        }
        return out
    }

    mutating func readListenerList(_ node: Node, what: String) -> [Listener] {
        let items: [Node]
        if case .sequence(let s) = node { items = Array(s) } else { items = [node] }
        var out: [Listener] = []
        var seen: Set<String> = []
        for item in items {
            guard let l = readListener(item, what: what) else { continue }
            guard seen.insert(l.type.source).inserted else {
                ctx.error("\(what) list the job type '\(l.type.source)' twice: each type may run once per event", item)
                continue
            }
            out.append(l)
        }
        return out
    }

    mutating func readListener(_ item: Node, what: String) -> Listener? {
        var typeNode = item
        var retriesNode: Node?
        if case .mapping(let m) = item {
            ctx.checkKeys(m, allowed: ["type", "retries"], in: "a listener of \(what)")
            guard let t = m[key: "type"] else {
                ctx.error("a listener of \(what) needs a 'type' (the job type its worker subscribes to)", item)
                return nil
            }
            typeNode = t
            retriesNode = m[key: "retries"]
        }
        guard let type = ctx.string(typeNode, "the job type of a listener"), !type.isEmpty else { return nil }
        var l = Listener(type: .constant(.string(type)), location: ctx.location(item))
        if type.hasPrefix("=") {
            guard let e = ctx.expression(.scalar(.init(String(type.dropFirst()))), "the job type of a listener")
            else { return nil }
            l.type = .expression(e)
        }
        if let retriesNode {
            guard let n = ctx.int(retriesNode, "retries"), n >= 0 else {
                ctx.error("retries of a listener must be a whole number of at least 0", retriesNode)
                return nil
            }
            l.retries = .constant(.number(Double(n)))
        }
        return l
    }
}

extension TaskListenerEvent {
    /// Why listeners of this event are refused (the engine does not run the transition).
    public static func unrunMessage(_ event: TaskListenerEvent, on what: String) -> String {
        switch event {
        case .updating:
            "\(event.rawValue) task listeners on \(what) are not supported: this engine has no user task update "
                + "operation to hold (creating, assigning and completing listeners are)"
        default:
            "\(event.rawValue) task listeners on \(what) are not supported: cancelling a user task does not wait "
                + "for jobs here (creating, assigning and completing listeners are)"
        }
    }
}

extension YAMLDefinitionReader.Builder {
    /// An activity's `listeners:` and, on a user activity, its `task_listeners:`.
    mutating func applyListeners(_ a: inout YAMLDefinitionReader.Activity) {
        guard var e = a.element else { return }
        e.executionListeners = readExecutionListeners(a.mapping[key: "listeners"], on: e,
                                                      what: "\(a.type) activity '\(a.id)'")
        if case .userTask(var task) = e.kind {
            task.taskListeners = readTaskListeners(a.mapping[key: "task_listeners"], what: "user activity '\(a.id)'")
            e.kind = .userTask(task)
        }
        a.element = e
    }
}
