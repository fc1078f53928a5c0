import BPMExpressions
import Yams

/// Reads the plan's YAML process DSL into a `ProcessDefinition`.
///
/// Succession rule (see docs/dsl.md): an activity with no explicit successor (`next`, the
/// paths of a decision, or being an `end`) continues with the next activity in the list,
/// unless that activity is a *branch target* — named by a decision path (`true_path`,
/// `false_path`, `cases`, `default`), a parallel `next: [..]` list, or a `timeout` of an
/// activity listed before it — in which case, as after the last activity, the path ends.
public enum YAMLDefinitionReader {
    static let topLevelKeys: Set<String> = ["id", "name", "version", "description", "trigger", "variables", "correlation_key", "activities", "timeout",
                                            "listeners"]
    static let commonKeys: Set<String> = ["id", "name", "type", "description", "next", "timeout", "multi_instance",
                                          "compensate_with", "listeners", "on_condition"]
    static let typeKeys: [String: Set<String>] = [
        "decision": ["condition", "true_path", "false_path", "cases", "default"],
        "service": [],  // any other key is a parameter of the action
        "script": ["set", "script", "expression", "result_variable"],
        "user": ["assignee", "candidate_users", "candidate_groups", "priority", "form", "due", "follow_up",
                 "task_listeners"],
        "timer": ["duration"],
        "receive": ["message", "correlation_key", "topic", "source", "key_path", "ttl"],
        "rules": ["decision", "result_variable"],
        "join": [],
        "end": ["result", "error", "terminate"],
        "compensate": ["activity", "wait"],
    ]
    static let serviceReserved: Set<String> = ["action", "retries", "backoff", "result_variable", "job_priority",
                                               "listeners"]
    static let waitingTypes: Set<String> = ["service", "user", "receive"]
    /// The BPMN element an activity type stands for, where it is not its kind's own.
    static let bpmnTypes: [String: String] = ["rules": "businessRuleTask", "receive": "receiveTask"]

    /// Reads a definition; throws every problem found, each with its file, line and column.
    public static func read(source: String, file: String) throws(DefinitionErrors) -> ProcessDefinition {
        var ctx = YAMLContext(file: file, source: source)
        let root = try compose(source, file: file)
        guard let root, case .mapping(let top) = root else {
            throw DefinitionErrors([DefinitionError("a process definition must be a YAML mapping with 'id' and 'activities'", at: ctx.location(root))])
        }
        var builder = Builder(ctx: ctx)
        let def = builder.build(top, root: root)
        ctx = builder.ctx
        // graph checks only when the structure is intact, so one mistake is not reported three times
        if let def, let e = Limits.elementsError(def, at: ctx.location(root)) { throw DefinitionErrors([e]) }
        if let def, !builder.structureBroken { ctx.errors += Validator.validate(def) }
        if !ctx.errors.isEmpty || def == nil { throw DefinitionErrors(Array(Set(ctx.errors))) }
        return def!
    }

    /// Parses YAML into a node tree; a syntax error becomes a `file:line:col` definition error,
    /// and a file past the size or expansion limit is refused.
    public static func compose(_ source: String, file: String) throws(DefinitionErrors) -> Node? {
        if let e = Limits.sizeError(source, file: file) { throw e }
        let root: Node?
        do {
            root = try Yams.compose(yaml: source)
        } catch let e as YamlError {
            throw DefinitionErrors([yamlSyntaxError(e, file: file)])
        } catch {
            throw DefinitionErrors([DefinitionError("cannot read YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))])
        }
        if let root { try checkExpansion(root, file: file) }
        return root
    }

    /// Refuses a document whose aliases expand it past `Limits.yamlNodes` values. The walk
    /// stops at the limit, so it costs at most that many steps however far the aliases go.
    static func checkExpansion(_ root: Node, file: String) throws(DefinitionErrors) {
        let limit = Limits.active.yamlNodes
        var count = 0
        var stack = [root]
        while let node = stack.popLast() {
            count += 1
            if count > limit {
                let m = node.mark
                throw DefinitionErrors([DefinitionError("the YAML expands to more than \(limit) values (aliases like *name repeat what they refer to); the limit is \(Limits.Option.yamlNodes.rawValue)",
                                                        at: SourceLocation(file: file, line: m?.line ?? 1, column: m?.column ?? 1))])
            }
            switch node {
            case .sequence(let s): stack.append(contentsOf: s)
            case .mapping(let m): for (k, v) in m { stack.append(k); stack.append(v) }
            case .scalar, .alias: break
            }
        }
    }

    static func yamlSyntaxError(_ e: YamlError, file: String) -> DefinitionError {
        switch e {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return DefinitionError("YAML syntax: \(problem)", at: SourceLocation(file: file, line: mark.line, column: mark.column))
        case .duplicatedKeysInMapping(let dups, let context):
            return DefinitionError("duplicate key(s) \(dups.joined(separator: ", "))", at: SourceLocation(file: file, line: context.mark.line, column: context.mark.column))
        default:
            return DefinitionError("YAML: \(e)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }

    /// One activity as written, before successors are resolved.
    struct Activity {
        var id: String
        var type: String
        var node: Node
        var mapping: Node.Mapping
        var element: FlowElement?
        var nextTargets: [(String, Node)] = []  // explicit `next`
        var isFork: Bool { nextTargets.count > 1 }
        var trueTarget: (String, Node)?
        var falseTarget: (String, Node)?
        var condition: Expression?
        var cases: [(Expression?, String, Node)] = []
        var defaultTarget: (String, Node)?
        var timeout: (timer: TimerDefinition, text: String, target: (String, Node)?, node: Node)?
        var compensation: [FlowElement] = []  // its compensation boundary event and handler
        var conditions: [ConditionalWait] = []  // `on_condition`: conditional boundary events
    }

    struct Builder {
        var ctx: YAMLContext
        var flows: [SequenceFlow] = []
        var flowIds: Set<String> = []
        /// Set when an activity or a reference could not be read: graph checks would only repeat it.
        var structureBroken = false

        mutating func build(_ top: Node.Mapping, root: Node) -> ProcessDefinition? {
            ctx.checkKeys(top, allowed: YAMLDefinitionReader.topLevelKeys, in: "the process definition")
            guard let id = ctx.string(top[key: "id"], "id"), !id.isEmpty else {
                ctx.error("missing required field 'id'", root)
                return nil
            }
            let name = ctx.string(top[key: "name"], "name") ?? id
            let versionLabel = top[key: "version"].flatMap { ctx.string($0, "version") }
            let description = top[key: "description"].flatMap { ctx.string($0, "description") }
            let level = readProcessLevel(top)

            guard let actsNode = top[key: "activities"] else {
                ctx.error("missing required field 'activities': a process needs at least one activity", root)
                return nil
            }
            guard case .sequence(let seq) = actsNode, !seq.isEmpty else {
                ctx.error("'activities' must be a non-empty list", actsNode)
                return nil
            }

            var activities: [Activity] = []
            var seen: [String: Node] = [:]
            for item in seq {
                guard case .mapping(let m) = item else {
                    ctx.error("each activity must be a mapping with 'id' and 'type'", item)
                    continue
                }
                guard let aid = ctx.string(m[key: "id"], "id") else {
                    structureBroken = true
                    ctx.error("activity without 'id'", item)
                    continue
                }
                if let first = seen[aid] {
                    structureBroken = true
                    ctx.error("duplicate activity id '\(aid)' (first defined at line \(first.mark?.line ?? 0))", m[key: "id"])
                    continue
                }
                if ["start", "end"].contains(aid) {
                    ctx.error("'\(aid)' is reserved for the process's own \(aid) event; choose another id", m[key: "id"])
                    continue
                }
                seen[aid] = m[key: "id"]
                guard let type = ctx.string(m[key: "type"], "type") else {
                    structureBroken = true
                    ctx.error("activity '\(aid)' has no 'type' (one of: \(YAMLDefinitionReader.typeKeys.keys.sorted().joined(separator: ", ")))", item)
                    continue
                }
                guard let extra = YAMLDefinitionReader.typeKeys[type] else {
                    structureBroken = true
                    let hint = Suggest.closest(type, in: YAMLDefinitionReader.typeKeys.keys).map { "; did you mean '\($0)'?" } ?? ""
                    ctx.error("unknown activity type '\(type)' (one of: \(YAMLDefinitionReader.typeKeys.keys.sorted().joined(separator: ", ")))\(hint)", m[key: "type"])
                    continue
                }
                if type != "service" {
                    ctx.checkKeys(m, allowed: YAMLDefinitionReader.commonKeys.union(extra), in: "\(type) activity '\(aid)'")
                }
                var a = Activity(id: aid, type: type, node: item, mapping: m)
                a.element = readElement(&a)
                applyListeners(&a)
                a.compensation = readCompensation(a)
                if let mi = m[key: "multi_instance"] {
                    if ["service", "user", "script", "timer", "receive", "rules"].contains(type) {
                        a.element?.loop = readMultiInstance(mi).map(LoopCharacteristics.multiInstance)
                    } else {
                        ctx.error("'multi_instance' applies to tasks (service, user, script, timer, receive, rules), not to a \(type)", m.keyNode("multi_instance"))
                    }
                }
                if a.element == nil { structureBroken = true }
                activities.append(a)
            }

            // successors: a branch target ends the path of the activity listed just before it,
            // when the branch comes from an activity listed earlier (loops back do not count)
            let ids = Set(activities.map(\.id))
            var position: [String: Int] = [:]
            for (i, a) in activities.enumerated() { position[a.id] = i }
            var branchTargets: Set<String> = []
            for (i, a) in activities.enumerated() {
                var targets: [String] = []
                if a.isFork { targets += a.nextTargets.map(\.0) }
                if let t = a.trueTarget { targets.append(t.0) }
                if let f = a.falseTarget { targets.append(f.0) }
                if let d = a.defaultTarget { targets.append(d.0) }
                targets += a.cases.map(\.1)
                if let t = a.timeout?.target { targets.append(t.0) }
                targets += a.conditions.compactMap { $0.target?.0 }
                for t in targets where (position[t] ?? -1) > i { branchTargets.insert(t) }
            }
            var needsEnd = false
            func fallThrough(_ i: Int) -> String {
                if i + 1 < activities.count, !branchTargets.contains(activities[i + 1].id) { return activities[i + 1].id }
                needsEnd = true
                return "end"
            }
            func check(_ target: (String, Node), _ what: String) -> String? {
                if ids.contains(target.0) { return target.0 }
                let hint = Suggest.closest(target.0, in: ids).map { " (did you mean '\($0)'?)" } ?? ""
                structureBroken = true
                ctx.error("\(what) refers to unknown activity '\(target.0)'\(hint)", target.1)
                return nil
            }

            let startKind: ElementKind = level.trigger?.schedule.map { .timerStartEvent($0) } ?? .startEvent
            var elements: [FlowElement] = [FlowElement(id: "start", kind: startKind, location: ctx.location(seq.first))]
            if let first = activities.first { addFlow("start", first.id, location: ctx.location(first.node)) }

            for (i, a) in activities.enumerated() {
                guard let element = a.element else { continue }
                var el = element
                let loc = ctx.location(a.node)
                var normalSuccessors: [String] = []
                switch a.type {
                case "decision":
                    if let cond = a.condition, let t = a.trueTarget {
                        if let target = check(t, "true_path") { addFlow(a.id, target, condition: cond, location: ctx.location(t.1), label: "true") }
                    }
                    for (cond, target, node) in a.cases {
                        if let t = check((target, node), "case") { addFlow(a.id, t, condition: cond, location: ctx.location(node), label: cond?.source) }
                    }
                    let elseTarget = a.falseTarget ?? a.defaultTarget
                    let elseId: String?
                    if let e = elseTarget { elseId = check(e, a.falseTarget != nil ? "false_path" : "default") } else { elseId = fallThrough(i) }
                    if let elseId {
                        let fid = addFlow(a.id, elseId, location: elseTarget.map { ctx.location($0.1) } ?? loc, label: a.falseTarget != nil ? "false" : "default")
                        el.defaultFlow = fid
                    }
                case "end":
                    break
                default:
                    if !a.nextTargets.isEmpty {
                        for t in a.nextTargets { if let target = check(t, "next") { normalSuccessors.append(target) } }
                    } else {
                        normalSuccessors.append(fallThrough(i))
                    }
                    for s in normalSuccessors { addFlow(a.id, s, location: loc) }
                }
                elements.append(el)
                elements += a.compensation
                if let to = a.timeout {
                    let bid = "\(a.id)_timeout"
                    elements.append(FlowElement(id: bid, name: "timeout \(to.text)",
                                                kind: .boundaryEvent(BoundaryEvent(attachedTo: a.id, timer: to.timer)),
                                                location: ctx.location(to.node)))
                    if let t = to.target {
                        if let target = check(t, "timeout next") { addFlow(bid, target, location: ctx.location(t.1), label: "timeout") }
                    } else {
                        for s in normalSuccessors { addFlow(bid, s, location: ctx.location(to.node), label: "timeout") }
                    }
                }
                for (n, c) in a.conditions.enumerated() {  // without next, an interrupting one goes on as usual
                    let b = conditionalBoundary(a.id, n, c)
                    elements.append(b)
                    let next = c.target.map { check($0, "on_condition next").map { [$0] } ?? [] } ?? normalSuccessors
                    let at = ctx.location(c.target?.1 ?? c.node)
                    for s in next { addFlow(b.id, s, location: at, label: c.condition.source) }
                }
            }
            if needsEnd { elements.append(FlowElement(id: "end", kind: .endEvent(EndEvent()))) }

            var def = ProcessDefinition(id: id, name: name, versionLabel: versionLabel, description: description,
                                        elements: elements, flows: flows, trigger: level.trigger,
                                        variables: level.variables, correlationKey: level.correlation,
                                        sourceFile: ctx.file)
            def.timeout = level.timeout
            def.executionListeners = readExecutionListeners(top[key: "listeners"], on: nil, what: "the process")
            def.warnings = ctx.warnings
            return def
        }

        /// `timeout: 24h` (the instance fails) or `timeout: {after: 24h, then: fail|terminate}`.
        mutating func processTimeout(_ node: Node) -> ProcessTimeout? {
            if case .scalar = node { return ctx.duration(node, "timeout").map { ProcessTimeout(after: $0, action: .fail) } }
            guard case .mapping(let m) = node else {
                ctx.error("timeout must be a duration (24h) or {after: 24h, then: fail|terminate}", node)
                return nil
            }
            ctx.checkKeys(m, allowed: ["after", "then"], in: "the process timeout")
            guard let after = ctx.duration(m[key: "after"], "timeout.after") else {
                if m[key: "after"] == nil { ctx.error("the process timeout needs 'after' (e.g. 24h)", node) }
                return nil
            }
            var action = ProcessTimeout.Action.fail
            if let t = m[key: "then"], let text = ctx.string(t, "timeout.then") {
                guard let a = ProcessTimeout.Action(rawValue: text) else {
                    ctx.error("timeout.then must be 'fail' (the instance fails with error process_timeout) or 'terminate' (it is cancelled)", t)
                    return nil
                }
                action = a
            }
            return ProcessTimeout(after: after, action: action)
        }

        @discardableResult
        mutating func addFlow(_ from: String, _ to: String, condition: Expression? = nil, location: SourceLocation?, label: String? = nil) -> String {
            var fid = "\(from)->\(to)"
            var n = 2
            while flowIds.contains(fid) { fid = "\(from)->\(to)#\(n)"; n += 1 }
            flowIds.insert(fid)
            flows.append(SequenceFlow(id: fid, source: from, target: to, condition: condition, location: location, label: label))
            return fid
        }

        mutating func target(_ node: Node?, _ what: String) -> (String, Node)? {
            guard let node, let s = ctx.string(node, what) else { return nil }
            return (s, node)
        }

        mutating func readElement(_ a: inout Activity) -> FlowElement? {
            let name = a.mapping[key: "name"].flatMap { ctx.string($0, "name") }
            let loc = ctx.location(a.node)
            readNext(&a)
            readTimeout(&a)
            readOnCondition(&a)
            guard let kind = readKind(&a) else { return nil }
            var element = FlowElement(id: a.id, name: name, kind: kind, location: loc)
            element.bpmnType = YAMLDefinitionReader.bpmnTypes[a.type]
            return element
        }

        /// `next`: an activity id, or a list of them (a fork).
        mutating func readNext(_ a: inout Activity) {
            let m = a.mapping
            if let next = m[key: "next"] {
                switch next {
                case .scalar:
                    if let t = target(next, "next") { a.nextTargets = [t] }
                case .sequence(let s):
                    if s.isEmpty { ctx.error("'next' list must not be empty", next) }
                    for item in s { if let t = target(item, "next") { a.nextTargets.append(t) } }
                default:
                    ctx.error("'next' must be an activity id or a list of ids", next)
                }
                if ["decision", "end"].contains(a.type) {
                    ctx.error("a \(a.type) activity cannot have 'next' (\(a.type == "decision" ? "use true_path/false_path or cases" : "an end has no successor"))", m.keyNode("next"))
                }
            }
        }

        /// `timeout`: a duration, `{after, next}`, or `{at, next}` (an expression giving the date
        /// and time, evaluated when the wait begins; `null` arms no timeout), on an activity that waits.
        mutating func readTimeout(_ a: inout Activity) {
            let m = a.mapping
            guard let t = m[key: "timeout"] else { return }
            guard YAMLDefinitionReader.waitingTypes.contains(a.type) else {
                ctx.error("'timeout' applies only to activities that wait (service, user, receive); "
                          + "'\(a.id)' is a \(a.type)",
                          m.keyNode("timeout"))
                return
            }
            switch t {
            case .scalar:
                if let s = ctx.duration(t, "timeout") { a.timeout = (TimerDefinition(seconds: s,
                    text: t.string ?? ""), t.string ?? "", nil, t) }
            case .mapping(let tm):
                ctx.checkKeys(tm, allowed: ["after", "at", "next"], in: "timeout")
                let next = target(tm[key: "next"], "timeout next")
                if let atNode = tm[key: "at"] {
                    if tm[key: "after"] != nil {
                        ctx.error("timeout takes 'after' (a duration) or 'at' (a date and time), not both", t)
                    }
                    guard let e = ctx.expression(atNode, "timeout at") else { return }
                    var timer = TimerDefinition(.expression(e, .date), text: "=" + e.source)
                    timer.unarmedWhenNull = true
                    a.timeout = (timer, "at " + e.source, next, t)
                    return
                }
                let afterNode = tm[key: "after"]
                if afterNode == nil {
                    ctx.error("timeout needs 'after' (a duration such as 24h) or 'at' (a date and time)", t)
                }
                if let s = ctx.duration(afterNode, "timeout after") {
                    a.timeout = (TimerDefinition(seconds: s, text: afterNode?.string ?? ""), afterNode?.string ?? "",
                        next, t)
                }
            default:
                ctx.error("'timeout' must be a duration or a mapping with 'after' (or 'at') and 'next'", t)
            }
        }

        /// `multi_instance: {over: approvers, as: approver, sequential: false, until: expr, collect: result, into: results}`
        /// or `{count: 3}`: one instance per item (or `count` instances), in parallel unless sequential.
        mutating func readMultiInstance(_ node: Node) -> MultiInstance? {
            guard case .mapping(let m) = node else {
                ctx.error("'multi_instance' must be a mapping: {over, as, sequential, until, collect, into} or {count}", node)
                return nil
            }
            ctx.checkKeys(m, allowed: ["over", "as", "count", "sequential", "until", "collect", "into"], in: "multi_instance")
            var mi = MultiInstance(sequential: m[key: "sequential"]?.bool ?? false)
            mi.collection = m[key: "over"].flatMap { ctx.expression($0, "multi_instance over") }
            mi.cardinality = m[key: "count"].flatMap { ctx.expression($0, "multi_instance count") }
            mi.elementVariable = m[key: "as"].flatMap { ctx.string($0, "multi_instance as") }
            mi.completionCondition = m[key: "until"].flatMap { ctx.expression($0, "multi_instance until") }
            mi.outputElement = m[key: "collect"].flatMap { ctx.expression($0, "multi_instance collect") }
            mi.outputCollection = m[key: "into"].flatMap { ctx.string($0, "multi_instance into") }
            if mi.collection == nil && mi.cardinality == nil {
                ctx.error("'multi_instance' needs 'over' (a list expression) or 'count'", node)
                return nil
            }
            if (mi.outputElement == nil) != (mi.outputCollection == nil) {
                ctx.error("'multi_instance' needs both 'collect' (what each instance gives) and 'into' (the list variable)", node)
            }
            return mi
        }

        /// `due: 2d` (after the task's creation) or `due: deadline` (an expression giving a date
        /// and time, or a duration).
        mutating func taskDate(_ node: Node?, _ what: String) -> TaskDate? {
            guard let node, let text = ctx.string(node, what) else { return nil }
            if let s = try? DurationParser.seconds(text) { return .after(s) }
            return ctx.expression(node, what).map(TaskDate.expression)
        }

        mutating func stringList(_ node: Node?, _ what: String) -> [String] {
            guard let node else { return [] }
            switch node {
            case .scalar(let s): return s.string.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            case .sequence(let seq): return seq.compactMap { ctx.string($0, what) }
            default:
                ctx.error("\(what) must be a list of names", node)
                return []
            }
        }

        static func literalSource(_ v: Value) -> String {
            switch v {
            case .string: return JSON.encode(v)
            case .list(let l): return "[" + l.map(literalSource).joined(separator: ", ") + "]"
            case .context(let c): return "{" + c.keys.sorted().map { JSON.encode(.string($0)) + ": " + literalSource(c[$0]!) }.joined(separator: ", ") + "}"
            default: return JSON.encode(v)
            }
        }

        mutating func readTrigger(_ node: Node) -> Trigger? {
            guard case .mapping(let m) = node else {
                ctx.error("'trigger' must be a mapping with type, source, topic, condition", node)
                return nil
            }
            let allowed = ["type", "source", "topic", "condition", "cron", "timezone", "every", "at", "for", "count", "within",
                           "cooldown"]
            let triggerKeys = allowed + YAMLFlowControl.keys + YAMLSilence.keys + YAMLScheduleOptions.keys + ["windows"]
            ctx.checkKeys(m, allowed: Set(triggerKeys), in: "trigger")
            let typeText = ctx.string(m[key: "type"], "trigger type") ?? "event"
            guard let kind = Trigger.Kind(rawValue: typeText) else {
                ctx.error("unknown trigger type '\(typeText)' (one of: event, manual, timer)", m[key: "type"])
                return nil
            }
            if kind == .timer {
                let schedule = YAMLTimerTrigger.schedule(m, node, &ctx)
                var t = Trigger(kind: .timer)
                t.schedule = schedule
                t.scheduleOptions = YAMLScheduleOptions.read(m, schedule: schedule, &ctx)
                t.flow = YAMLFlowControl.read(m, &ctx)
                if t.flow.throttle != nil { ctx.error("'throttle' applies to event triggers", m[key: "throttle"]) }
                _ = YAMLSilence.read(m, t, &ctx)
                _ = YAMLWindows.read(m, t, &ctx)
                return t
            }
            YAMLScheduleOptions.refuse(m, &ctx)
            let source = m[key: "source"].flatMap { ctx.string($0, "source") }
            if let s = source, !["redpanda", "kafka", "mqtt", "http"].contains(s) {
                ctx.error("unknown trigger source '\(s)' (one of: redpanda, kafka, mqtt, http)", m[key: "source"])
            }
            let topic = m[key: "topic"].flatMap { ctx.string($0, "topic") }
            if kind == .event, topic == nil, source != "http" {
                ctx.error("an event trigger needs a 'topic'", node)
            }
            var trigger = Trigger(kind: kind, source: source, topic: topic, condition: ctx.expression(m[key: "condition"], "trigger condition"))
            trigger.flow = YAMLFlowControl.read(m, &ctx)
            readPattern(m, node, into: &trigger)
            trigger.silence = YAMLSilence.read(m, trigger, &ctx)
            trigger.windows = YAMLWindows.read(m, trigger, &ctx)
            return trigger
        }

        /// `for:`, `count:`/`within:` and `cooldown:` of an event trigger.
        mutating func readPattern(_ m: Node.Mapping, _ node: Node, into t: inout Trigger) {
            t.holdFor = m[key: "for"].flatMap { ctx.duration($0, "for") }
            t.count = m[key: "count"].flatMap { ctx.int($0, "count") }
            t.within = m[key: "within"].flatMap { ctx.duration($0, "within") }
            t.cooldown = m[key: "cooldown"].flatMap { ctx.duration($0, "cooldown") }
            if t.kind != .event, t.hasPattern || t.within != nil, t.flow.throttle == nil {
                ctx.error("'for', 'count', 'within' and 'cooldown' apply to event triggers", node)
            }
            if t.kind != .event, t.flow.throttle != nil {
                ctx.error("'throttle' applies to event triggers", m[key: "throttle"])
            }
            if let c = t.count, c < 1 { ctx.error("'count' must be 1 or more", m[key: "count"]) }
            if t.count != nil, t.within == nil { ctx.error("'count' needs 'within': the window the matches must fall in (e.g. 10m)", m[key: "count"]) }
            if t.within != nil, t.count == nil { ctx.error("'within' needs 'count': how many matches the window must hold", m[key: "within"]) }
            if t.count != nil, t.holdFor != nil { ctx.error("a trigger has either 'for' (the condition holds for a time) or 'count' (matches in a window), not both", m[key: "for"]) }
            for k in ["for", "within", "cooldown"] {
                if let n = m[key: k], let v = ctx.duration(n, k), v <= 0 { ctx.error("'\(k)' must be longer than zero", n) }
            }
        }

        mutating func readVariables(_ node: Node) -> [VariableSpec] {
            guard case .sequence(let seq) = node else {
                ctx.error("'variables' must be a list of {name, source} or {name, value}", node)
                return []
            }
            var out: [VariableSpec] = []
            var names: Set<String> = []
            for item in seq {
                guard case .mapping(let m) = item else { ctx.error("each variable must be a mapping with 'name'", item); continue }
                ctx.checkKeys(m, allowed: ["name", "source", "value"], in: "variable")
                guard let name = ctx.string(m[key: "name"], "name") else { ctx.error("variable without 'name'", item); continue }
                if !names.insert(name).inserted { ctx.error("duplicate variable '\(name)'", m[key: "name"]) }
                let source = m[key: "source"].flatMap { ctx.string($0, "source") }
                if let s = source {
                    let ok = !s.isEmpty && s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && !$0.contains(" ") }
                    if !ok { ctx.error("source must be a dotted path into the event, such as tags.device_id", m[key: "source"]) }
                }
                let value = m[key: "value"].map { ctx.value($0) }
                if source == nil && value == nil { ctx.error("variable '\(name)' needs 'source' (a path in the event) or 'value'", item) }
                out.append(VariableSpec(name: name, source: source, value: value))
            }
            return out
        }
    }

    /// The default correlation key: the first variable taken from the event's `tags` (which
    /// identify the device or series), else the first variable taken from the event at all.
    public static func defaultCorrelationVariable(_ variables: [VariableSpec]) -> String? {
        variables.first { $0.source?.hasPrefix("tags.") == true }?.name ?? variables.first { $0.source != nil }?.name
    }
}
