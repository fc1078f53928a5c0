import BPMExpressions
import Yams

/// The YAML DSL's activity types, one reader each (as the engine has one file per element
/// kind): adding a kind touches one function here, one engine file and their tests.
extension YAMLDefinitionReader.Builder {
    /// Reads an activity's kind by its `type`; nil when it cannot be read (the error is recorded).
    mutating func readKind(_ a: inout YAMLDefinitionReader.Activity) -> ElementKind? {
        switch a.type {
        case "decision": return readDecision(&a)
        case "service": return readService(a)
        case "script": return readScript(a)
        case "user": return readUser(a)
        case "timer": return readTimer(a)
        case "rules": return readRules(a)
        case "receive": return readReceive(a)
        case "join": return readJoin(a)
        case "end": return readEnd(a)
        case "compensate": return readCompensate(a)
        default: return nil
        }
    }

    /// A `decision`: a condition with `true_path`/`false_path`, or `cases` with a `default` (an exclusive gateway).
    mutating func readDecision(_ a: inout YAMLDefinitionReader.Activity) -> ElementKind? {
        let m = a.mapping
        let hasCondition = m[key: "condition"] != nil
        let hasCases = m[key: "cases"] != nil
        if hasCondition == hasCases {
            ctx.error("decision '\(a.id)' needs either 'condition' (with true_path/false_path) or 'cases'", a.node)
        }
        if hasCondition {
            a.condition = ctx.expression(m[key: "condition"], "condition")
            a.trueTarget = target(m[key: "true_path"], "true_path")
            a.falseTarget = target(m[key: "false_path"], "false_path")
            if m[key: "true_path"] == nil { ctx.error("decision '\(a.id)' has a condition but no 'true_path'", a.node) }
            if m[key: "default"] != nil { ctx.error("use 'false_path' with 'condition'; 'default' goes with 'cases'", m.keyNode("default")) }
        }
        if let casesNode = m[key: "cases"] {
            if case .sequence(let cs) = casesNode, !cs.isEmpty {
                for c in cs {
                    guard case .mapping(let cm) = c else { ctx.error("each case must be a mapping with 'when' and 'next'", c); continue }
                    ctx.checkKeys(cm, allowed: ["when", "next"], in: "case")
                    let cond = ctx.expression(cm[key: "when"], "when")
                    if cm[key: "when"] == nil { ctx.error("case without 'when'", c) }
                    if let t = target(cm[key: "next"], "next") { a.cases.append((cond, t.0, t.1)) } else if cm[key: "next"] == nil { ctx.error("case without 'next'", c) }
                }
            } else {
                ctx.error("'cases' must be a non-empty list of {when, next}", casesNode)
            }
            a.defaultTarget = target(m[key: "default"], "default")
        }
        return .exclusiveGateway
    }

    /// A `service` activity: an `action` performed by a connector, its parameters, `retries` and `backoff`.
    mutating func readService(_ a: YAMLDefinitionReader.Activity) -> ElementKind? {
        let m = a.mapping
        guard let action = ctx.string(m[key: "action"], "action") else {
            ctx.error("service activity '\(a.id)' needs an 'action' (e.g. database_log, mqtt_publish, notify)", a.node)
            return nil
        }
        var params: [String: TemplateValue] = [:]
        for (k, v) in m {
            guard let key = k.string, !YAMLDefinitionReader.commonKeys.contains(key), !YAMLDefinitionReader.serviceReserved.contains(key) else { continue }
            params[key] = ctx.templateValue(v, key)
        }
        var retry = RetryPolicy()
        if let r = m[key: "retries"] {
            if let n = ctx.int(r, "retries") {
                if n < 0 { ctx.error("retries must be 0 or more", r) } else { retry.retries = n }
            }
        }
        if let b = m[key: "backoff"] {
            switch b {
            case .scalar:
                if let s = ctx.duration(b, "backoff") { retry.initial = s }
            case .mapping(let bm):
                ctx.checkKeys(bm, allowed: ["initial", "multiplier", "max"], in: "backoff")
                if let s = ctx.duration(bm[key: "initial"], "backoff initial") { retry.initial = s }
                if let mult = bm[key: "multiplier"] {
                    if let d = mult.float ?? mult.int.map(Double.init), d >= 1 { retry.multiplier = d } else { ctx.error("backoff multiplier must be a number ≥ 1", mult) }
                }
                if let s = ctx.duration(bm[key: "max"], "backoff max") { retry.maximum = s }
            default:
                ctx.error("'backoff' must be a duration or a mapping with initial, multiplier, max", b)
            }
        }
        let rv = m[key: "result_variable"].flatMap { ctx.string($0, "result_variable") }
        var st = ServiceTask(action: action, parameters: params, retry: retry, resultVariable: rv)
        if let p = m[key: "job_priority"], let n = ctx.int(p, "job_priority") { st.priority = n }
        return .serviceTask(st)
    }

    /// A `script` activity: `set` (variable: expression, in order) or `script` with `result_variable`.
    mutating func readScript(_ a: YAMLDefinitionReader.Activity) -> ElementKind? {
        let m = a.mapping
        var assignments: [(String, Expression)] = []
        if let setNode = m[key: "set"] {
            if case .mapping(let sm) = setNode, !sm.isEmpty {
                for (k, v) in sm {
                    guard let key = k.string else { continue }
                    if case .scalar(let s) = v, s.style == .plain || s.style == .literal || s.style == .folded {
                        if let e = ctx.expression(v, "set.\(key)") { assignments.append((key, e)) }
                    } else if case .scalar(let s) = v {
                        // a quoted string is a string constant
                        ctx.warnIfDoublyQuoted(v, "set.\(key)", key: key)
                        if let e = try? Expression(JSON.encode(.string(s.string))) { assignments.append((key, e)) }
                    } else {
                        let constant = ctx.value(v)
                        if let e = try? Expression(Self.literalSource(constant)) { assignments.append((key, e)) }
                    }
                }
            } else {
                ctx.error("'set' must be a mapping of variable: expression", setNode)
            }
        }
        let exprNode = m[key: "script"] ?? m[key: "expression"]
        if let exprNode {
            guard let rv = m[key: "result_variable"].flatMap({ ctx.string($0, "result_variable") }) else {
                ctx.error("'\(m[key: "script"] != nil ? "script" : "expression")' needs a 'result_variable' to store its value", exprNode)
                return nil
            }
            if let e = ctx.expression(exprNode, "script") { assignments.append((rv, e)) }
        }
        if m[key: "set"] == nil && exprNode == nil {
            ctx.error("script activity '\(a.id)' needs 'set' (variable: expression, …) or 'script' with 'result_variable'", a.node)
        }
        return .scriptTask(ScriptTask(assignments: assignments))
    }

    /// A `user` activity: a task for a person (assignee, candidates, priority, form, dates).
    mutating func readUser(_ a: YAMLDefinitionReader.Activity) -> ElementKind? {
        let m = a.mapping
        var ut = UserTask()
        if let an = m[key: "assignee"] { ut.assignee = ctx.template(an, "assignee") }
        ut.candidateUsers = stringList(m[key: "candidate_users"], "candidate_users")
        ut.candidateGroups = stringList(m[key: "candidate_groups"], "candidate_groups")
        if let p = m[key: "priority"], let n = ctx.int(p, "priority") { ut.priority = n }
        if let f = m[key: "form"] { ut.form = ctx.value(f) }
        if let d = m[key: "description"] { ut.description = ctx.template(d, "description") }
        ut.due = taskDate(m[key: "due"], "due")
        ut.followUp = taskDate(m[key: "follow_up"], "follow_up")
        return .userTask(ut)
    }

    /// A `timer` activity: wait for a `duration`.
    mutating func readTimer(_ a: YAMLDefinitionReader.Activity) -> ElementKind? {
        let m = a.mapping
        guard let dn = m[key: "duration"] else {
            ctx.error("timer '\(a.id)' needs a 'duration' (e.g. 5m, 30s, PT1H)", a.node)
            return nil
        }
        guard let s = ctx.duration(dn, "duration") else { return nil }
        return .timerCatchEvent(TimerDefinition(seconds: s, text: dn.string ?? ""))
    }

    /// A `rules` activity: evaluate a deployed decision into `result_variable`.
    mutating func readRules(_ a: YAMLDefinitionReader.Activity) -> ElementKind? {
        let m = a.mapping
        guard let decision = ctx.string(m[key: "decision"], "decision") else {
            ctx.error("rules activity '\(a.id)' needs 'decision': the id of a deployed DMN decision or YAML rule set", a.node)
            return nil
        }
        let rv = m[key: "result_variable"].flatMap { ctx.string($0, "result_variable") } ?? a.id
        return .serviceTask(ServiceTask.decision(decision, resultVariable: rv))
    }

    /// A `receive` activity: wait for a `message` (from the API, a process, or a Kafka/MQTT `topic`).
    mutating func readReceive(_ a: YAMLDefinitionReader.Activity) -> ElementKind? {
        let m = a.mapping
        guard let messageName = ctx.string(m[key: "message"], "message") else {
            ctx.error("receive activity '\(a.id)' needs a 'message' name", a.node)
            return nil
        }
        let key = m[key: "correlation_key"].flatMap { ctx.expression($0, "correlation_key") }
        var md = MessageDefinition(name: messageName, correlationKey: key)
        md.topic = m[key: "topic"].flatMap { ctx.string($0, "topic") }
        md.source = m[key: "source"].flatMap { ctx.string($0, "source") }
        if let s = md.source, !["redpanda", "kafka", "mqtt"].contains(s) {
            ctx.error("unknown message source '\(s)' (one of: redpanda, kafka, mqtt)", m[key: "source"])
        }
        md.keyPath = m[key: "key_path"].flatMap { ctx.string($0, "key_path") }
        md.timeToLive = m[key: "ttl"].flatMap { ctx.duration($0, "ttl") } ?? 0
        if md.topic == nil {
            for k in ["source", "key_path", "ttl"] where m[key: k] != nil {
                ctx.error("'\(k)' applies to a message that arrives on a 'topic'; add one", m[key: k])
            }
        }
        return .messageCatchEvent(md)
    }

    /// A `join`: wait for every parallel branch (a parallel gateway).
    mutating func readJoin(_ a: YAMLDefinitionReader.Activity) -> ElementKind? {
        return .parallelGateway
    }

    /// An `end`: finish the path, with a `result`, an `error`, or `terminate`.
    mutating func readEnd(_ a: YAMLDefinitionReader.Activity) -> ElementKind? {
        let m = a.mapping
        var ev = EndEvent()
        if let r = m[key: "result"] {
            if case .mapping(let rm) = r {
                var out: [String: TemplateValue] = [:]
                for (k, v) in rm { out[k.string ?? ""] = ctx.templateValue(v, "result") }
                ev.result = out
            } else {
                ctx.error("'result' must be a mapping of name: value", r)
            }
        }
        if let e = m[key: "error"] {
            switch e {
            case .scalar:
                ev.error = ErrorDefinition(code: e.string ?? "error")
            case .mapping(let em):
                ctx.checkKeys(em, allowed: ["code", "message"], in: "error")
                let code = ctx.string(em[key: "code"], "code") ?? "error"
                ev.error = ErrorDefinition(code: code, message: em[key: "message"].flatMap { ctx.template($0, "message") })
            default:
                ctx.error("'error' must be a code or a mapping with code and message", e)
            }
        }
        if let t = m[key: "terminate"] { ev.terminate = t.bool ?? false }
        return .endEvent(ev)
    }
}
