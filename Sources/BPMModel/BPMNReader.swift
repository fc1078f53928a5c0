import BPMExpressions
import Foundation

/// Reads BPMN 2.0 XML (Camunda Modeler, bpmn.io, any namespace prefix) into the same
/// `ProcessDefinition` as the YAML DSL: one per process in the file, with the diagram
/// interchange kept. Elements the engine does not run yet are rejected with their location
/// and the reason — never ignored silently. Artifacts and data associations, which do not
/// change the control flow, are accepted.
public enum BPMNDefinitionReader {
    public static let bpmnNS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
    static let zeebeNS = "http://camunda.org/schema/zeebe/1.0"
    static let diNS = "http://www.omg.org/spec/BPMN/20100524/DI"

    /// Elements accepted without execution semantics (artifacts, data, structure).
    static let accepted: Set<String> = [
        "documentation", "extensionElements", "incoming", "outgoing", "laneSet", "lane", "flowNodeRef", "childLaneSet",
        "dataObject", "dataObjectReference", "dataStoreReference", "dataStore", "textAnnotation", "text", "association", "group",
        "category", "categoryValue", "ioSpecification", "dataInput", "dataOutput", "inputSet", "outputSet", "dataInputRefs",
        "dataOutputRefs", "property", "dataInputAssociation", "dataOutputAssociation", "sourceRef", "targetRef", "assignment",
        "from", "to", "transformation", "dataState", "auditing", "monitoring",
        "multiInstanceLoopCharacteristics", "standardLoopCharacteristics",  // read with their activity
    ]

    /// Reads every process of a BPMN file.
    public static func read(source: String, file: String) throws(DefinitionErrors) -> [ProcessDefinition] {
        if let e = Limits.sizeError(source, file: file) { throw e }
        let root: XMLElement
        do { root = try XMLReader.parse(source) } catch {
            throw DefinitionErrors([DefinitionError(error.message, at: SourceLocation(file: file, line: error.line, column: error.column))])
        }
        guard root.name == "definitions", root.namespace == bpmnNS else {
            throw DefinitionErrors([DefinitionError("not a BPMN 2.0 file: the root element must be <definitions> in namespace \(bpmnNS)",
                                                    at: SourceLocation(file: file, line: root.line, column: root.column))])
        }
        var r = Reader(file: file, root: root)
        let defs = r.readAll()
        for d in defs { if let e = Limits.elementsError(d, at: SourceLocation(file: file, line: root.line, column: root.column)) { r.errors.append(e) } }
        if !r.errors.isEmpty { throw DefinitionErrors(Array(Set(r.errors))) }
        return defs
    }

    struct Reader {
        let file: String
        let root: XMLElement
        var errors: [DefinitionError] = []
        var errorCodes: [String: String] = [:]  // error id → errorCode
        var signalNames: [String: String] = [:]  // signal id → name
        var messages: [String: MessageDefinition] = [:]  // message id → name and correlation key
        var escalationCodes: [String: String] = [:]  // escalation id → escalationCode

        init(file: String, root: XMLElement) {
            self.file = file
            self.root = root
        }

        func loc(_ e: XMLElement) -> SourceLocation { SourceLocation(file: file, line: e.line, column: e.column) }

        mutating func error(_ message: String, _ e: XMLElement) { errors.append(DefinitionError(message, at: loc(e))) }

        mutating func unsupported(_ e: XMLElement, _ why: String) {
            error("unsupported element 'bpmn:\(e.name)'\(e.attributes["id"].map { " '\($0)'" } ?? ""): \(why)", e)
        }

        mutating func readAll() -> [ProcessDefinition] {
            for e in root.children("error", ns: bpmnNS) { if let id = e.attributes["id"] { errorCodes[id] = e.attributes["errorCode"] ?? id } }
            for s in root.children("signal", ns: bpmnNS) { if let id = s.attributes["id"] { signalNames[id] = s.attributes["name"] ?? id } }
            for e in root.children("escalation", ns: bpmnNS) { if let id = e.attributes["id"] { escalationCodes[id] = e.attributes["escalationCode"] ?? id } }
            for m in root.children("message", ns: bpmnNS) {
                guard let id = m.attributes["id"] else { continue }
                var def = MessageDefinition(name: m.attributes["name"] ?? id)
                if let sub = m.child("extensionElements", ns: bpmnNS)?.child("subscription", ns: zeebeNS), let key = sub.attributes["correlationKey"] {
                    def.correlationKey = expression(key, sub, "correlation key of message '\(def.name)'")
                }
                messages[id] = def
            }
            let diagram = readDiagram()
            var out: [ProcessDefinition] = []
            let participantNames = Dictionary(root.descendants("participant", ns: bpmnNS).compactMap { p in
                p.attributes["processRef"].map { ($0, p.attributes["name"] ?? $0) } }, uniquingKeysWith: { a, _ in a })
            for p in root.children("process", ns: bpmnNS) {
                if let d = readProcess(p, diagram: diagram, poolName: p.attributes["id"].flatMap { participantNames[$0] }) { out.append(d) }
            }
            for c in root.children where c.namespace == bpmnNS {
                switch c.name {
                case "process", "collaboration", "error", "message", "signal", "escalation", "itemDefinition", "dataStore", "category",
                     "interface", "BPMNDiagram", "documentation", "extensionElements", "import", "resource", "relationship":
                    continue
                case "globalTask", "globalScriptTask", "globalUserTask", "globalManualTask", "globalBusinessRuleTask":
                    continue  // callable elements: used only through call activities
                case "choreography", "conversation":
                    unsupported(c, "choreographies and conversations have no execution semantics in a process engine")
                default:
                    continue
                }
            }
            if out.isEmpty, errors.isEmpty {
                errors.append(DefinitionError("the file contains no process", at: loc(root)))
            }
            return out
        }

        mutating func readDiagram() -> Diagram {
            var d = Diagram()
            for shape in root.descendants("BPMNShape", ns: diNS) {
                guard let el = shape.attributes["bpmnElement"], let b = shape.children.first(where: { $0.name == "Bounds" }) else { continue }
                func n(_ k: String) -> Double { Double(b.attributes[k] ?? "") ?? 0 }
                d.shapes[el] = Diagram.Bounds(x: n("x"), y: n("y"), width: n("width"), height: n("height"))
            }
            for edge in root.descendants("BPMNEdge", ns: diNS) {
                guard let el = edge.attributes["bpmnElement"] else { continue }
                d.edges[el] = edge.children.filter { $0.name == "waypoint" }.map {
                    Diagram.Point(x: Double($0.attributes["x"] ?? "") ?? 0, y: Double($0.attributes["y"] ?? "") ?? 0)
                }
            }
            return d
        }

        mutating func readProcess(_ p: XMLElement, diagram: Diagram, poolName: String?) -> ProcessDefinition? {
            guard let pid = p.attributes["id"] else { error("process without id", p); return nil }
            let executable = p.attributes["isExecutable"].map { $0 == "true" } ?? true
            var elements: [FlowElement] = []
            var flows: [SequenceFlow] = []
            var docs: [String: String] = [:]
            let errorsBefore = errors.count
            readContainer(p, parent: nil, executable: executable, elements: &elements, flows: &flows, docs: &docs)
            var def = ProcessDefinition(id: pid, name: p.attributes["name"] ?? poolName ?? pid, elements: elements, flows: flows, sourceFile: file)
            def.isExecutable = executable
            def.diagram = diagram
            def.documentation = docs
            if let doc = p.child("documentation", ns: bpmnNS)?.trimmedText, !doc.isEmpty { def.description = doc }
            // graph checks only when every element was read: otherwise they would repeat the rejection
            if errors.count == errorsBefore {
                errors += executable ? Validator.validate(def) : Validator.validate(def).filter { $0.message.contains("unknown") }
            }
            return def
        }

        /// Reads the flow elements and flows of a process or sub-process (recursively).
        mutating func readContainer(_ p: XMLElement, parent: String?, executable: Bool, elements: inout [FlowElement],
                                    flows: inout [SequenceFlow], docs: inout [String: String])
        {
            for c in p.children {
                guard c.namespace == bpmnNS else { continue }  // foreign extensions outside extensionElements
                if let doc = c.child("documentation", ns: bpmnNS)?.trimmedText, !doc.isEmpty, let id = c.attributes["id"] { docs[id] = doc }
                if c.name == "sequenceFlow" {
                    if let f = readFlow(c) { flows.append(f) }
                    continue
                }
                if BPMNDefinitionReader.accepted.contains(c.name) { continue }
                guard var e = readElement(c, executable: executable, parent: parent) else { continue }
                e.parent = parent
                elements.append(e)
                if case .subProcess = e.kind {
                    readContainer(c, parent: e.id, executable: executable, elements: &elements, flows: &flows, docs: &docs)
                }
            }
        }

        mutating func readFlow(_ c: XMLElement) -> SequenceFlow? {
            guard let id = c.attributes["id"], let s = c.attributes["sourceRef"], let t = c.attributes["targetRef"] else {
                error("sequence flow needs id, sourceRef and targetRef", c)
                return nil
            }
            var cond: BPMExpressions.Expression?
            if let ce = c.child("conditionExpression", ns: bpmnNS), !ce.trimmedText.isEmpty {
                cond = expression(ce.trimmedText, ce, "condition of sequence flow '\(id)'")
            }
            return SequenceFlow(id: id, source: s, target: t, condition: cond, location: loc(c), label: c.attributes["name"])
        }

        /// FEEL as Camunda writes it (`=expr`), and plain or `${…}` expressions.
        mutating func expression(_ raw: String, _ e: XMLElement, _ what: String) -> BPMExpressions.Expression? {
            var text = raw
            if text.hasPrefix("=") { text.removeFirst() } else if text.hasPrefix("${"), text.hasSuffix("}") { text = String(text.dropFirst(2).dropLast()) }
            do { return try BPMExpressions.Expression(text) } catch {
                self.error("invalid expression in \(what): \(error.message) (column \(error.column) of '\(text)')", e)
                return nil
            }
        }

        func zeebe(_ c: XMLElement, _ name: String) -> XMLElement? {
            c.child("extensionElements", ns: bpmnNS)?.child(name, ns: zeebeNS)
        }

        func eventDefinitions(_ c: XMLElement) -> [XMLElement] {
            c.children.filter { $0.namespace == bpmnNS && $0.name.hasSuffix("EventDefinition") }
        }

        mutating func readElement(_ c: XMLElement, executable: Bool, parent: String?) -> FlowElement? {
            guard let id = c.attributes["id"] else { error("'bpmn:\(c.name)' without id", c); return nil }
            let name = c.attributes["name"]
            var outputs: [(String, BPMExpressions.Expression)] = []
            for output in zeebe(c, "ioMapping")?.children("output", ns: zeebeNS) ?? [] {
                guard let target = output.attributes["target"], let src = output.attributes["source"] else { continue }
                if let e = expression(src, output, "output mapping '\(target)'") { outputs.append((target, e)) }
            }
            let location = loc(c)
            let defaultFlow = c.attributes["default"]
            let el = { (kind: ElementKind, type: String?) -> FlowElement in
                var e = FlowElement(id: id, name: name, kind: kind, location: location, defaultFlow: defaultFlow)
                if let type, type != kind.typeName { e.bpmnType = type }
                e.outputs = outputs
                return e
            }
            var loop: LoopCharacteristics?
            if let lc = c.child("multiInstanceLoopCharacteristics", ns: bpmnNS) {
                if executable {
                    guard let mi = multiInstance(lc, c) else { return nil }
                    loop = .multiInstance(mi)
                } else {
                    // a drawing-only process may mark multi-instance without saying over what
                    var probe = self
                    loop = .multiInstance(probe.multiInstance(lc, c) ?? MultiInstance(sequential: lc.attributes["isSequential"] == "true"))
                }
            } else if let lc = c.child("standardLoopCharacteristics", ns: bpmnNS) {
                let cond = lc.child("loopCondition", ns: bpmnNS).flatMap { $0.trimmedText.isEmpty ? nil : expression($0.trimmedText, $0, "loop condition of '\(id)'") }
                loop = .standard(condition: cond, testBefore: lc.attributes["testBefore"] == "true", maximum: lc.attributes["loopMaximum"].flatMap { Int($0) })
            }
            let defs = eventDefinitions(c)
            var element = readKind(Draft(c: c, id: id, defs: defs, executable: executable, parent: parent, make: el))
            element?.loop = loop
            if let q = c.attributes["startQuantity"].flatMap({ Int($0) }), q > 1 { element?.startQuantity = q }
            if let q = c.attributes["completionQuantity"].flatMap({ Int($0) }), q > 1 { element?.completionQuantity = q }
            return element
        }

        mutating func multiInstance(_ lc: XMLElement, _ c: XMLElement) -> MultiInstance? {
            var mi = MultiInstance(sequential: lc.attributes["isSequential"] == "true")
            if let card = lc.child("loopCardinality", ns: bpmnNS)?.trimmedText, !card.isEmpty {
                mi.cardinality = expression(card, lc, "loop cardinality")
            }
            if let z = lc.child("extensionElements", ns: bpmnNS)?.child("loopCharacteristics", ns: zeebeNS) {
                if let col = z.attributes["inputCollection"] { mi.collection = expression(col, z, "input collection") }
                mi.elementVariable = z.attributes["inputElement"]
                mi.outputCollection = z.attributes["outputCollection"]
                if let oe = z.attributes["outputElement"] { mi.outputElement = expression(oe, z, "output element") }
            }
            if let cc = lc.child("completionCondition", ns: bpmnNS)?.trimmedText, !cc.isEmpty {
                mi.completionCondition = expression(cc, lc, "completion condition")
            }
            if mi.cardinality == nil && mi.collection == nil {
                unsupported(c, "multi-instance without a loop cardinality or an input collection (zeebe:loopCharacteristics inputCollection)")
                return nil
            }
            return mi
        }

        mutating func serviceTask(_ c: XMLElement, id: String, executable: Bool) -> ServiceTask? {
            let td = zeebe(c, "taskDefinition")
            var type = td?.attributes["type"] ?? ""
            if type.hasPrefix("=") { type.removeFirst() }  // a constant FEEL string is the usual case
            type = type.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
            if type.isEmpty, executable {
                error("service task '\(id)' has no job type: add <zeebe:taskDefinition type=\"…\"/> in its extensionElements", c)
                return nil
            }
            var jobPriority: Int?
            if let p = zeebe(c, "priorityDefinition")?.attributes["priority"], let n = Int(p) { jobPriority = n }
            var retry = RetryPolicy()
            if let r = td?.attributes["retries"], let n = Int(r.trimmingCharacters(in: CharacterSet(charactersIn: "= "))) {
                retry.retries = max(0, n - 1)  // Zeebe's retries count attempts
            }
            var params: [String: TemplateValue] = [:]
            if let io = zeebe(c, "ioMapping") {
                for input in io.children("input", ns: zeebeNS) {
                    guard let target = input.attributes["target"], let src = input.attributes["source"] else { continue }
                    if let e = expression(src, input, "input mapping '\(target)'"), let t = try? Template("${\(e.source)}") {
                        params[target] = .template(t)
                    }
                }
            }
            if let headers = zeebe(c, "taskHeaders") {
                var h: [String: Value] = [:]
                for header in headers.children("header", ns: zeebeNS) {
                    if let k = header.attributes["key"] { h[k] = .string(header.attributes["value"] ?? "") }
                }
                params["headers"] = .constant(.context(h))
            }
            var task = ServiceTask(action: type, parameters: params, retry: retry)
            task.external = true
            task.includeVariables = true
            if let jobPriority { task.priority = jobPriority }
            return task
        }

        /// A timer start event's schedule: timeDate, timeDuration, or an ISO 8601 repeating timeCycle.
        /// `quiet`: for a non-executable (drawing-only) process, a timer without a usable value is not an error.
        mutating func timerSchedule(_ d: XMLElement, _ c: XMLElement, quiet: Bool = false) -> TimerSchedule? {
            if quiet {
                var probe = self
                let s = probe.timerSchedule(d, c)
                return probe.errors.count == errors.count ? s : nil
            }
            func text(_ name: String) -> (String, XMLElement)? {
                guard let e = d.child(name, ns: bpmnNS) else { return nil }
                var t = e.trimmedText
                if t.hasPrefix("=") { t = String(t.dropFirst()).trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }
                return (t, e)
            }
            if let (t, e) = text("timeCycle") {
                if let s = TimerSchedule.parse(cycle: t) { return s }
                if t.split(separator: " ").count >= 5 {
                    do { return .cron(try CronExpression(t)) } catch {
                        self.error("timer cycle '\(t)': \(error.message)", e)
                        return nil
                    }
                }
                error("timer cycle '\(t)': use an ISO 8601 repeating interval such as R5/PT10S or R/P1D, or a cron expression such as 0 0 8 * * ?", e)
                return nil
            }
            if let (t, e) = text("timeDate") {
                if let date = ISODate.parse(t) { return .date(date) }
                error("timer date '\(t)' is not an ISO 8601 date-time such as 2026-12-01T08:00:00Z", e)
                return nil
            }
            if let (t, e) = text("timeDuration") {
                do { return .duration(try DurationParser.seconds(t)) } catch {
                    self.error("timer duration '\(t)': \(error.message)", e)
                    return nil
                }
            }
            error("timer start event without timeCycle, timeDate or timeDuration", c)
            return nil
        }

        func message(_ ref: String?) -> MessageDefinition {
            guard let ref else { return MessageDefinition(name: "") }
            return messages[ref] ?? MessageDefinition(name: ref)
        }

        func escalation(_ d: XMLElement) -> String {
            d.attributes["escalationRef"].map { escalationCodes[$0] ?? $0 } ?? ""
        }

        func signal(_ d: XMLElement) -> String {
            d.attributes["signalRef"].map { signalNames[$0] ?? $0 } ?? ""
        }

        /// A timer for a drawing-only process: its value if it has a usable one, no error otherwise.
        func quietTimer(_ d: XMLElement, _ c: XMLElement) -> TimerDefinition? {
            var probe = self
            let t = probe.timer(d, c)
            return probe.errors.count == errors.count ? t : nil
        }

        mutating func timer(_ d: XMLElement, _ c: XMLElement) -> TimerDefinition? {
            guard let dur = d.child("timeDuration", ns: bpmnNS) else {
                unsupported(c, "timers with \(d.children.first?.name ?? "no time") are not supported yet (timeDuration is)")
                return nil
            }
            var text = dur.trimmedText
            if text.hasPrefix("=") { text = String(text.dropFirst()).trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }
            do { return TimerDefinition(seconds: try DurationParser.seconds(text), text: text) } catch {
                self.error("timer duration '\(dur.trimmedText)': \(error.message) (dynamic durations are not supported yet)", dur)
                return nil
            }
        }

        mutating func template(_ raw: String, _ e: XMLElement, _ what: String) -> Template? {
            if raw.hasPrefix("="), let ex = expression(raw, e, what) { return try? Template("${\(ex.source)}") }
            return try? Template(raw)
        }

        func list(_ raw: String?) -> [String] {
            guard var s = raw?.trimmingCharacters(in: .whitespaces), !s.isEmpty else { return [] }
            if s.hasPrefix("=") { s = String(s.dropFirst()).trimmingCharacters(in: CharacterSet(charactersIn: "[] ")) }
            return s.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }.filter { !$0.isEmpty }
        }
    }
}
