import BPMExpressions
import Foundation
import Yams

private let bpmnNS = BPMNDefinitionReader.bpmnNS
private let zeebeNS = BPMNDefinitionReader.zeebeNS
private let bpmNS = BPMNWriter.bpmNS

/// Reads this engine's own `bpm:` extension elements: what `bpm export --bpmn` writes for YAML
/// constructs that BPMN and Zeebe have no form for (docs/bpmn.md, "Export from YAML"). A `bpm:`
/// element that does not apply where it stands, or an attribute it does not have, is refused.
extension BPMNDefinitionReader.Reader {
    static let bpmAttributes: [String: Set<String>] = [
        "connector": ["includeVariables", "external", "resultVariable", "backoffInitial", "backoffMultiplier",
                      "backoffMaximum"],
        "set": ["variable", "expression"], "script": [], "result": ["source", "target"], "error": ["message"],
        "userTask": ["description"], "form": [], "message": ["topic", "source", "keyPath", "timeToLive"],
    ]

    /// Applies the `bpm:` extensions of a flow element to what was read from its BPMN.
    mutating func applyBPMExtensions(_ c: XMLElement, _ e: inout FlowElement) {
        let mine = c.child("extensionElements", ns: bpmnNS)?.children.filter { $0.namespace == bpmNS } ?? []
        guard !mine.isEmpty else { return }
        let sets = mine.filter { $0.name == "set" || $0.name == "script" }
        if !sets.isEmpty { applyAssignments(c, sets, &e) }
        for x in mine where x.name != "set" && x.name != "script" {
            guard checkBPMAttributes(x) else { continue }
            apply(x, to: &e)
        }
    }

    mutating func checkBPMAttributes(_ x: XMLElement) -> Bool {
        guard let allowed = Self.bpmAttributes[x.name] else {
            error("unknown extension element 'bpm:\(x.name)' (known: "
                + Self.bpmAttributes.keys.sorted().map { "bpm:" + $0 }.joined(separator: ", ") + ")", x)
            return false
        }
        for k in x.attributes.keys.sorted() where !allowed.contains(k) {
            error("'bpm:\(x.name)' has no attribute '\(k)'"
                + (allowed.isEmpty ? "" : " (it has: \(allowed.sorted().joined(separator: ", ")))"), x)
            return false
        }
        return true
    }

    /// `bpm:set` (in order): the assignments of a script task, which Zeebe's one `zeebe:script` cannot hold.
    mutating func applyAssignments(_ c: XMLElement, _ sets: [XMLElement], _ e: inout FlowElement) {
        guard c.name == "scriptTask", zeebe(c, "script") == nil else {
            error("'bpm:set' applies to a script task without zeebe:script", sets[0])
            return
        }
        var assignments: [(variable: String, expression: BPMExpressions.Expression)] = []
        for s in sets where s.name == "set" && checkBPMAttributes(s) {
            guard let v = s.attributes["variable"], let raw = s.attributes["expression"] else {
                error("'bpm:set' needs variable and expression", s)
                continue
            }
            if let x = requiredFEEL(raw, s, "assignment of '\(v)'") { assignments.append((v, x)) }
        }
        e.kind = .scriptTask(ScriptTask(assignments: assignments))
        e.bpmnType = nil
    }

    mutating func apply(_ x: XMLElement, to e: inout FlowElement) {
        switch (x.name, e.kind) {
        case ("connector", .serviceTask(var t)):
            applyConnector(x, &t)
            e.kind = .serviceTask(t)
        case ("result", .endEvent(var end)):
            guard let target = x.attributes["target"], let src = x.attributes["source"] else {
                error("'bpm:result' needs source and target", x)
                return
            }
            if let v = jobParameter(src, x, "result '\(target)'") {
                var result = end.result ?? [:]
                Self.set(v, at: target, in: &result)
                end.result = result
            }
            e.kind = .endEvent(end)
        case ("error", .endEvent(var end)) where end.error != nil:
            end.error?.message = template(x.attributes["message"], x, "error message")
            e.kind = .endEvent(end)
        case ("userTask", .userTask(var u)):
            u.description = template(x.attributes["description"], x, "description")
            e.kind = .userTask(u)
        case ("form", .userTask(var u)):
            do { u.form = try JSON.parse(x.trimmedText) } catch { self.error("'bpm:form' is not JSON: \(error)", x) }
            e.kind = .userTask(u)
        case ("message", .messageCatchEvent(var m)):
            applyMessage(x, &m)
            e.kind = .messageCatchEvent(m)
        default:
            error("'bpm:\(x.name)' does not apply to '\(e.id)' (a \(e.typeName))", x)
        }
    }

    mutating func applyConnector(_ x: XMLElement, _ t: inout ServiceTask) {
        func flag(_ name: String) -> Bool? {
            guard let v = x.attributes[name] else { return nil }
            if v == "true" || v == "false" { return v == "true" }
            error("'\(name)' of 'bpm:connector' must be true or false, not '\(v)'", x)
            return nil
        }
        func seconds(_ name: String, atLeast low: Double) -> Double? {
            guard let v = x.attributes[name] else { return nil }
            if let d = Double(v), d >= low { return d }
            let least = Value.format(number: low)
            error("'\(name)' of 'bpm:connector' must be a number of at least \(least), not '\(v)'", x)
            return nil
        }
        if let b = flag("includeVariables") { t.includeVariables = b }
        if let b = flag("external") { t.external = b }
        if let v = x.attributes["resultVariable"] { t.resultVariable = v }
        if let d = seconds("backoffInitial", atLeast: 0) { t.retry.initial = d }
        if let d = seconds("backoffMultiplier", atLeast: 1) { t.retry.multiplier = d }
        if let d = seconds("backoffMaximum", atLeast: 0) { t.retry.maximum = d }
    }

    mutating func applyMessage(_ x: XMLElement, _ m: inout MessageDefinition) {
        m.topic = x.attributes["topic"]
        m.source = x.attributes["source"]
        m.keyPath = x.attributes["keyPath"]
        if let ttl = x.attributes["timeToLive"] {
            do { m.timeToLive = try DurationParser.seconds(ttl) } catch {
                self.error("timeToLive '\(ttl)': \(error.message)", x)
            }
        }
        if let s = m.source, !["redpanda", "kafka", "mqtt"].contains(s) {
            error("unknown message source '\(s)' (one of: redpanda, kafka, mqtt)", x)
        }
    }

    mutating func template(_ raw: String?, _ x: XMLElement, _ what: String) -> Template? {
        guard let raw else { return nil }
        do { return try Template(raw) } catch {
            self.error("invalid template in \(what): \(error.message) (column \(error.column) of '\(raw)')", x)
            return nil
        }
    }

    /// A job parameter or result value: a static string, or `=FEEL` (its value, with its type).
    mutating func jobParameter(_ src: String, _ x: XMLElement, _ what: String) -> TemplateValue? {
        guard src.hasPrefix("=") else { return .constant(.string(src)) }
        return expression(src, x, what).flatMap { try? Template("${\($0.source)}") }.map(TemplateValue.template)
    }

    /// `zeebe:versionTag` and `bpm:dsl`: the YAML trigger, variables, correlation key and timeout.
    mutating func applyProcessExtensions(_ p: XMLElement, _ def: inout ProcessDefinition) {
        guard let ext = p.child("extensionElements", ns: bpmnNS) else { return }
        if let v = ext.child("versionTag", ns: zeebeNS)?.attributes["value"] { def.versionLabel = v }
        for x in ext.children where x.namespace == bpmNS {
            guard x.name == "dsl" else {
                error("'bpm:\(x.name)' does not apply to a process (bpm:dsl does)", x)
                continue
            }
            applyDSL(x, &def)
        }
    }

    mutating func applyDSL(_ x: XMLElement, _ def: inout ProcessDefinition) {
        let (shift, file) = (x.line - 1, self.file)
        let moved = { (e: DefinitionError) -> DefinitionError in
            DefinitionError("in bpm:dsl: " + e.message, at: SourceLocation(file: file, line: e.location.line + shift,
                                                                           column: e.location.column))
        }
        let root: Node?
        do { root = try YAMLDefinitionReader.compose(x.text, file: file) } catch {
            errors += error.errors.map(moved)
            return
        }
        guard case .mapping(let top)? = root else {
            error("'bpm:dsl' must hold a YAML mapping of trigger, variables, correlation_key and timeout", x)
            return
        }
        var b = YAMLDefinitionReader.Builder(ctx: YAMLContext(file: file, source: x.text))
        b.ctx.checkKeys(top, allowed: Set(BPMNWriter.dslKeys), in: "bpm:dsl")
        let level = b.readProcessLevel(top)
        errors += b.ctx.errors.map(moved)
        def.trigger = level.trigger
        def.variables = level.variables
        def.correlationKey = level.correlation
        def.timeout = level.timeout
        guard let schedule = level.trigger?.schedule else { return }
        // the exact schedule (a cron expression's time zone) is the trigger's
        for i in def.elements.indices where def.elements[i].parent == nil {
            if case .timerStartEvent = def.elements[i].kind { def.elements[i].kind = .timerStartEvent(schedule) }
        }
    }
}
