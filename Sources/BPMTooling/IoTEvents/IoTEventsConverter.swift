import BPMExpressions
import Foundation

/// Writes a detector model as a process (docs/iot-events.md): the first input message for a
/// key starts the key's instance, which then runs the detector's state machine for ever —
/// each state a `receive` of the next input with a `timeout` at the earliest armed timer,
/// followed by the state's `onInput` events and transitions in document order.
struct IoTEventsConverter {
    let model: DetectorModel
    let options: IoTEventsImport.Options
    var unmapped: [IoTEventsImport.Unmapped] = []
    var activities: [YNode] = []
    var input = ""
    var inputMembers: [String] = []
    var timers: [String] = []
    var variables: [String: String] = [:]
    var stateIds: [String: String] = [:]

    init(model: DetectorModel, options: IoTEventsImport.Options) {
        self.model = model
        self.options = options
        unmapped = model.unmapped
    }

    mutating func run() -> IoTEventsImport.Output {
        scan()
        let initial = model.initialState
        if stateIds[initial] == nil {
            report(model.definitionPath + ".initialStateName", "no state is named '\(initial)'")
        }
        if model.evaluationMethod == "BATCH" {
            report(model.keyPath.replacingOccurrences(of: ".key", with: ".evaluationMethod"),
                   "BATCH evaluation; the process evaluates SERIAL (each action sees the ones before it)")
        }
        let head = unmapped.count
        emitCreation(initial)
        for (i, s) in model.states.enumerated() { emitState(s, path: "\(model.definitionPath).states[\(i)]") }
        var seen: Set<String> = []
        let states = unmapped[head...].sorted { Self.naturalOrder($0.path, $1.path) }
        let report = (unmapped[..<head] + states).filter { seen.insert($0.description).inserted }
        return .init(yaml: document(), unmapped: report)
    }

    /// JSON paths in document order: indexes compared as numbers.
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        func runs(_ s: String) -> [String] {
            var out: [String] = []
            for ch in s {
                if let l = out.last, l.last?.isNumber == ch.isNumber {
                    out[out.count - 1].append(ch)
                } else {
                    out.append(String(ch))
                }
            }
            return out
        }
        for (x, y) in zip(runs(a), runs(b)) where x != y {
            if let i = Int(x), let j = Int(y) { return i < j }
            return x < y
        }
        return a.count < b.count
    }

    mutating func report(_ path: String, _ message: String) {
        unmapped.append(.init(path: path, message: message))
    }

    // MARK: names

    /// The input, its referenced members, the timers and variables, and the state ids.
    mutating func scan() {
        let strings = model.allStrings
        var counts: [String: Int] = [:]
        for s in strings {
            for m in Self.matches(#"\$input\.([A-Za-z0-9_]+)"#, s) { counts[m, default: 0] += 1 }
            for m in Self.matches(#"currentInput\(\s*["']([^"']+)["']"#, s) { counts[m, default: 0] += 1 }
        }
        let most = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.first?.key
        input = options.input ?? most
            ?? "Input"
        var members: Set<String> = []
        for s in strings {
            let pattern = #"\$input\."# + NSRegularExpression.escapedPattern(for: input) + #"\.`?([A-Za-z0-9_]+)"#
            for m in Self.matches(pattern, s) {
                members.insert(m)
            }
        }
        inputMembers = members.sorted()
        var taken = Set(inputMembers)
        var names: Set<String> = []
        var timerNames: Set<String> = []
        for s in strings {
            for m in Self.matches(#"\$variable\.`?([A-Za-z0-9_\-]+)"#, s) { names.insert(m) }
            for m in Self.matches(#"timeout\(\s*["']([^"']+)["']"#, s) { timerNames.insert(m) }
        }
        forEachAction { a, _ in
            if let v = a["setVariable"]?.contextValue?["variableName"]?.stringValue { names.insert(v) }
            for k in ["setTimer", "resetTimer", "clearTimer"] {
                if let t = a[k]?.contextValue?["timerName"]?.stringValue { timerNames.insert(t) }
            }
        }
        for n in names.sorted() {
            var v = FEELName.isPlain(n) && !n.hasPrefix("iot_") ? n : "var_" + FEELName.sanitized(n)
            if taken.contains(v) { v = "var_" + FEELName.sanitized(n) }
            taken.insert(v)
            variables[n] = v
        }
        timers = timerNames.sorted()
        var used: Set<String> = ["detector"]
        for s in model.states {
            guard let n = s["stateName"]?.stringValue else { continue }
            var id = FEELName.sanitized(n.lowercased())
            while used.contains(id) { id += "_" }
            used.insert(id)
            stateIds[n] = id
        }
    }

    func forEachAction(_ body: ([String: Value], String) -> Void) {
        for (i, s) in model.states.enumerated() {
            for (part, list) in [("onEnter", "events"), ("onExit", "events"), ("onInput", "events"), ("onInput",
                "transitionEvents")] {
                let events = s[part]?.contextValue?[list]?.listValue ?? []
                for (j, e) in events.enumerated() {
                    for (k, a) in (e.contextValue?["actions"]?.listValue ?? []).enumerated() {
                        body(a.contextValue ?? [:], "states[\(i)].\(part).\(list)[\(j)].actions[\(k)]")
                    }
                }
            }
        }
    }

    static func matches(_ pattern: String, _ s: String) -> [String] {
        guard let re = try? NSRegularExpression(pattern: pattern) else { return [] }
        let ns = s as NSString
        return re.matches(in: s, range: NSRange(location: 0,
            length: ns.length)).map { ns.substring(with: $0.range(at: 1)) }
    }

    func timerVar(_ t: String) -> String { "iot_timer_" + FEELName.sanitized(t) }
    func timeoutVar(_ t: String) -> String { "iot_timeout_" + FEELName.sanitized(t) }

    var expressionNames: IoTEventsExpression.Names {
        let vars = variables
        return .init(input: input, variable: { vars[$0] ?? "var_" + FEELName.sanitized($0) },
                     timeout: { "iot_timeout_" + FEELName.sanitized($0) })
    }

    /// An IoT Events expression as FEEL; nil (reported at `path`) when it has no counterpart.
    mutating func feel(_ source: String, _ path: String) -> String? {
        var x = IoTEventsExpression(names: expressionNames)
        do { return try x.translate(source) } catch {
            report(path, error.message)
            return nil
        }
    }

    // MARK: the process

    func id(_ state: String) -> String { stateIds[state] ?? FEELName.sanitized(state.lowercased()) }

    /// The process document: header, trigger, key, then the activities.
    func document() -> String {
        let pid = options.processId ?? Self.processId(model.name)
        var lines = ["# Imported by `bpm import iot-events` from \((model.file as NSString).lastPathComponent)"
                     + " (AWS IoT Events detector model '\(model.name)'); see docs/iot-events.md."]
        var top: [(String, YNode)] = [("id", .raw(pid)), ("name", .str(model.name))]
        if let d = model.description { top.append(("description", .str(d))) }
        let keyPath = model.key ?? "detector_key"
        top.append(("trigger", .map([("source", .raw(options.source)), ("topic", .str(topic)),
                                     ("condition", .expr("\(keyPath) != null"))])))
        top.append(("variables", .list([.map([("name", .raw("iot_key")), ("source", .raw(keyPath))])])))
        top.append(("correlation_key", .raw("iot_key")))
        top.append(("activities", .list(activities)))
        lines += YNode.map(top).render(indent: 0)
        return lines.joined(separator: "\n") + "\n"
    }

    var topic: String { options.topic ?? input }

    static func processId(_ name: String) -> String {
        let s = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        return s.isEmpty ? "detector-model" : s
    }

    mutating func add(_ id: String, _ type: String, _ fields: [(String, YNode)]) {
        activities.append(.map([("id", .raw(id)), ("type", .raw(type))] + fields))
    }

    /// The wait for the message that creates the detector, then the initial state's `onEnter`
    /// and `onInput` with that message.
    mutating func emitCreation(_ initial: String) {
        if model.key == nil {
            report(model.keyPath, "a detector model without a key (one detector for all messages); the process keys on "
                   + "the message member 'detector_key': edit the trigger variable's source")
        }
        add("detector_create", "receive", receiveFields + [("next", .raw("detector_created"))])
        guard let i = model.states.firstIndex(where: { $0["stateName"]?.stringValue == initial }) else {
            add("detector_created", "end", [])
            return
        }
        let path = "\(model.definitionPath).states[\(i)].onEnter.events"
        let events = model.states[i]["onEnter"]?.contextValue?["events"]?.listValue ?? []
        let first = chain(events, path: path, prefix: "detector_\(id(initial))_enter", state: initial,
                          then: "\(id(initial))_input")
        let created = YNode.map([("id", .raw("detector_created")), ("type", .raw("script")),
                                 ("set", .map(messageSet + [("iot_state", .str(initial))])), ("next", .raw(first))])
        activities.insert(created, at: 1)
    }

    var receiveFields: [(String, YNode)] {
        [("message", .str(input)), ("topic", .str(topic)), ("source", .raw(options.source)),
         ("key_path", .raw(model.key ?? "detector_key")), ("ttl", .raw(options.ttl))]
    }

    /// What a message sets before its evaluation: which input, no timer fired.
    var messageSet: [(String, YNode)] {
        [("iot_trigger", .str("Message")), ("iot_input", .str(input))] + timers.map { (timeoutVar($0), .expr("false")) }
    }

    /// One state: enter (onEnter), wait (idle, receive with timeout), message or timer, then
    /// onInput's events and transitions; a transition runs its actions and onExit and enters the next state.
    mutating func emitState(_ state: [String: Value], path: String) {
        guard let name = state["stateName"]?.stringValue else {
            report(path + ".stateName", "a state without a name")
            return
        }
        let sid = id(name)
        for k in state.keys.sorted() where !["stateName", "onEnter", "onInput", "onExit"].contains(k) {
            report("\(path).\(k)", "unknown field")
        }
        emitChain(state["onEnter"]?.contextValue?["events"]?.listValue ?? [], path: path + ".onEnter.events",
                  prefix: "\(sid)_enter", state: name, then: "\(sid)_idle", entry: "\(sid)_enter")
        add("\(sid)_idle", "script", [("set", .map([("iot_input", .expr("null"))] + inputMembers.map { ($0,
            .expr("null")) })),
                                     ("next", .raw("\(sid)_wait"))])
        var wait = receiveFields
        if !timers.isEmpty {
            let list = timers.map(timerVar).joined(separator: ", ")
            wait.append(("timeout", .map([("at",
                .expr("min(for t in [\(list)][item != null] return date and time(t))")),
                                          ("next", .raw("\(sid)_timer"))])))
        }
        add("\(sid)_wait", "receive", wait + [("next", .raw("\(sid)_message"))])
        add("\(sid)_message", "script", [("set", .map(messageSet)), ("next", .raw("\(sid)_input"))])
        if !timers.isEmpty {
            var set: [(String, YNode)] = [("iot_trigger", .str("Timer")), ("iot_input", .expr("null"))]
            for t in timers {
                let (v, f) = (timerVar(t), timeoutVar(t))
                set.append((f, .expr("\(v) != null and date and time(\(v)) <= now()")))
                set.append((v, .expr("if \(f) then null else \(v)")))
            }
            add("\(sid)_timer", "script", [("set", .map(set)), ("next", .raw("\(sid)_input"))])
        }
        emitInput(state, sid: sid, name: name, path: path)
    }

    /// onInput: its events, then its transition events (the first whose condition holds).
    mutating func emitInput(_ state: [String: Value], sid: String, name: String, path: String) {
        let onInput = state["onInput"]?.contextValue ?? [:]
        for k in onInput.keys.sorted() where !["events", "transitionEvents"].contains(k) {
            report("\(path).onInput.\(k)", "unknown field")
        }
        let transitions = onInput["transitionEvents"]?.listValue ?? []
        let firstTransition = transitions.isEmpty ? "\(sid)_idle" : "\(sid)_to_0"
        emitChain(onInput["events"]?.listValue ?? [], path: path + ".onInput.events", prefix: "\(sid)_on",
                  state: name, then: firstTransition, entry: "\(sid)_input")
        let exits = state["onExit"]?.contextValue?["events"]?.listValue ?? []
        for (k, t) in transitions.enumerated() {
            let tp = "\(path).onInput.transitionEvents[\(k)]"
            let tm = t.contextValue ?? [:]
            let otherwise = k + 1 < transitions.count ? "\(sid)_to_\(k + 1)" : "\(sid)_idle"
            var target = tm["nextState"]?.stringValue ?? ""
            if stateIds[target] == nil {
                report(tp + ".nextState", "no state is named '\(target)'; the transition stays in '\(name)'")
                target = name
            }
            let condition = tm["condition"]?.stringValue.flatMap { feel($0, tp + ".condition") } ?? "false"
            let go = "\(sid)_to_\(k)_go"
            add("\(sid)_to_\(k)", "decision", [("condition", .expr(condition)), ("true_path", .raw(go)),
                                              ("false_path", .raw(otherwise))])
            let exit = "\(sid)_to_\(k)_exit"
            let start = activities.count
            let first = actions(tm["actions"]?.listValue ?? [], path: tp + ".actions", id: go, state: name, then: exit)
            add(go, "script", [("set", .map([("iot_next", .str(target))])), ("next", .raw(first))])
            activities.insert(activities.removeLast(), at: start)
            emitChain(exits, path: path + ".onExit.events", prefix: exit, state: name,
                      then: "\(id(target))_enter", entry: exit)
        }
    }

    /// An event list under a fixed entry id (a pass-through script when it has nothing to do).
    mutating func emitChain(_ events: [Value], path: String, prefix: String, state: String, then: String,
        entry: String) {
        let start = activities.count
        let first = chain(events, path: path, prefix: prefix, state: state, then: then)
        add(entry, "script", [("set", .map([("iot_state", .str(state))])), ("next", .raw(first))])
        activities.insert(activities.removeLast(), at: start)
    }
}
