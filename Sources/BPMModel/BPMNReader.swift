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
        var associations: [(source: String, target: String)] = []  // every association of the file
        var embeddedForms: [String: String] = [:]  // the process's zeebe:userTaskForm JSON by id
        /// Whether the process being read is executable (a drawing-only one may leave values out).
        var inExecutableProcess = true

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
            for s in root.children("signal", ns: bpmnNS) {
                guard let id = s.attributes["id"] else { continue }
                signalNames[id] = s.attributes["name"].map { deployTimeString($0, s, "signal name") ?? $0 } ?? id
            }
            for e in root.children("escalation", ns: bpmnNS) { if let id = e.attributes["id"] { escalationCodes[id] = e.attributes["escalationCode"] ?? id } }
            for m in root.children("message", ns: bpmnNS) {
                guard let id = m.attributes["id"] else { continue }
                let name = m.attributes["name"].map { deployTimeString($0, m, "message name") ?? $0 }
                var def = MessageDefinition(name: name ?? id)
                if let sub = m.child("extensionElements", ns: bpmnNS)?.child("subscription", ns: zeebeNS),
                   let key = sub.attributes["correlationKey"]
                {
                    def.correlationKey = requiredFEEL(key, sub, "correlation key of message '\(def.name)'")
                }
                messages[id] = def
            }
            associations = root.descendants("association", ns: bpmnNS).compactMap { a in
                a.attributes["sourceRef"].flatMap { s in a.attributes["targetRef"].map { (s, $0) } }
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
            inExecutableProcess = executable
            defer { inExecutableProcess = true }
            embeddedForms = Self.userTaskForms(p)
            readContainer(p, parent: nil, executable: executable, elements: &elements, flows: &flows, docs: &docs)
            if executable { checkDefaultFlows(elements, flows) }
            if executable { checkCompensation(elements, flows) }
            var def = ProcessDefinition(id: pid, name: p.attributes["name"] ?? poolName ?? pid, elements: elements, flows: flows, sourceFile: file)
            def.isExecutable = executable
            def.diagram = diagram
            def.documentation = docs
            applyProcessExtensions(p, &def)
            def.executionListeners = executionListeners(p, what: "process '\(pid)'")
            if let doc = p.child("documentation", ns: bpmnNS)?.trimmedText, !doc.isEmpty { def.description = doc }
            // graph checks only when every element was read: otherwise they would repeat the rejection
            if errors.count == errorsBefore {
                let found = Validator.check(def, zeebe: true)
                errors += executable ? found.errors : found.errors.filter { $0.message.contains("unknown") }
                if executable { def.warnings = found.warnings }
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
                if c.name == "completionCondition", p.name == "adHocSubProcess" { continue }  // read with it
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
            cond = expressionChild(c, "conditionExpression", "condition of sequence flow '\(id)'")
            return SequenceFlow(id: id, source: s, target: t, condition: cond, location: loc(c), label: c.attributes["name"])
        }

        /// FEEL as Camunda writes it (`=expr`), or plain; JUEL (`${…}`) is refused in an executable
        /// process, and read for its FEEL-compatible inside in a drawing-only one.
        mutating func expression(_ raw: String, _ e: XMLElement, _ what: String) -> BPMExpressions.Expression? {
            var text = raw
            if inExecutableProcess, !text.hasPrefix("="), let lang = Self.foreignLanguage(text, language: nil) {
                self.error("\(what) is written in \(lang), which this engine does not run: "
                    + "write it in FEEL (`= …`)", e)
                return nil
            }
            if text.hasPrefix("=") {
                text.removeFirst()
            } else if text.hasPrefix("${") || text.hasPrefix("#{"), text.hasSuffix("}") {
                text = String(text.dropFirst(2).dropLast())
            }
            do { return try BPMExpressions.Expression(text) } catch {
                self.error("invalid expression in \(what): \(error.message) (column \(error.column) of '\(text)')", e)
                return nil
            }
        }

        func zeebe(_ c: XMLElement, _ name: String) -> XMLElement? {
            c.child("extensionElements", ns: bpmnNS)?.child(name, ns: zeebeNS)
        }

        mutating func readElement(_ c: XMLElement, executable: Bool, parent: String?) -> FlowElement? {
            guard let id = c.attributes["id"] else { error("'bpmn:\(c.name)' without id", c); return nil }
            let name = c.attributes["name"]
            var outputs: [(String, BPMExpressions.Expression)] = []
            for output in zeebe(c, "ioMapping")?.children("output", ns: zeebeNS) ?? [] {
                guard let target = output.attributes["target"], let src = output.attributes["source"] else { continue }
                if let e = requiredFEEL(src, output, "output mapping '\(target)'") { outputs.append((target, e)) }
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
                let cond = expressionChild(lc, "loopCondition", "loop condition of '\(id)'")
                loop = .standard(condition: cond, testBefore: lc.attributes["testBefore"] == "true",
                                 maximum: loopMaximum(lc, id: id))
            }
            let before = errors.count
            let defs = eventDefinitions(c)
            checkReferences(c, defs, id: id)
            refuseUnrunSemantics(c, defs, id: id)
            if errors.count > before { return nil }  // one refusal per unknown reference, not one per consequence
            var element = readKind(Draft(c: c, id: id, defs: defs, executable: executable, parent: parent, make: el))
            element?.loop = loop
            element?.startQuantity = tokenQuantity(c, "startQuantity", id: id)
            element?.completionQuantity = tokenQuantity(c, "completionQuantity", id: id)
            element?.isForCompensation = c.attributes["isForCompensation"] == "true"
            if let element { checkInputsApply(c, element) }
            if element != nil { applyBPMExtensions(c, &element!) }
            if element != nil { applyListeners(c, &element!) }
            refuseCamunda7Extensions(c, id: id)
            return element
        }

        mutating func multiInstance(_ lc: XMLElement, _ c: XMLElement) -> MultiInstance? {
            var mi = MultiInstance(sequential: lc.attributes["isSequential"] == "true")
            mi.cardinality = expressionChild(lc, "loopCardinality", "loop cardinality")
            if let card = mi.cardinality { checkCardinality(card, lc, id: c.attributes["id"] ?? "") }
            if let z = lc.child("extensionElements", ns: bpmnNS)?.child("loopCharacteristics", ns: zeebeNS) {
                if let col = z.attributes["inputCollection"] {
                    mi.collection = requiredFEEL(col, z, "input collection")
                }
                mi.elementVariable = z.attributes["inputElement"]
                mi.outputCollection = z.attributes["outputCollection"]
                if let oe = z.attributes["outputElement"] { mi.outputElement = requiredFEEL(oe, z, "output element") }
            }
            mi.completionCondition = expressionChild(lc, "completionCondition", "completion condition")
            if mi.cardinality == nil && mi.collection == nil {
                unsupported(c, "multi-instance without a loop cardinality or an input collection (zeebe:loopCharacteristics inputCollection)")
                return nil
            }
            return mi
        }

        mutating func serviceTask(_ c: XMLElement, id: String, executable: Bool) -> ServiceTask? {
            let td = zeebe(c, "taskDefinition")
            let before = errors.count
            var type = td?.attributes["type"].flatMap { deployTimeString($0, td!, "job type of '\(id)'") } ?? ""
            if td == nil, let topic = camundaExternalTopic(c) { type = topic }
            if errors.count > before { return nil }  // the job type was refused
            if type.isEmpty, executable {
                if td == nil, let why = camunda7Implementation(c) {
                    error("service task '\(id)' \(why)", c)
                    return nil
                }
                error("service task '\(id)' has no job type: add <zeebe:taskDefinition type=\"…\"/> in its extensionElements", c)
                return nil
            }
            var retry = RetryPolicy(retries: 2)  // without `retries`, Zeebe's default: 3 attempts
            if let r = td?.attributes["retries"], let n = deployTimeInt(r, td!, "retries of '\(id)'") {
                retry.retries = max(0, n - 1)  // Zeebe's retries count attempts
            }
            var params: [String: TemplateValue] = [:]
            for input in zeebe(c, "ioMapping")?.children("input", ns: zeebeNS) ?? [] {
                guard let target = input.attributes["target"], let src = input.attributes["source"] else { continue }
                // a static value (as connector templates write them), or FEEL
                if let v = jobParameter(src, input, "input mapping '\(target)'") {
                    Self.set(v, at: target, in: &params)
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
            if let p = zeebe(c, "priorityDefinition"), let raw = p.attributes["priority"],
               let n = deployTimeInt(raw, p, "job priority of '\(id)'")
            {
                task.priority = n
            }
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
            let before = errors.count
            func text(_ name: String) -> (String, XMLElement)? {
                guard let e = d.child(name, ns: bpmnNS) else { return nil }
                let t = e.trimmedText
                guard t.hasPrefix("=") else { return (t, e) }
                return deployTimeString(t, e, "timer \(name)").map { ($0, e) }
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
            if errors.count == before { error("timer start event without timeCycle, timeDate or timeDuration", c) }
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
    }
}
