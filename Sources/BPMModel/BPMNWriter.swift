import BPMExpressions
import Foundation
import Yams

/// Writes a process as BPMN 2.0 XML for Camunda Modeler and Camunda 8: the flow elements with
/// their `zeebe:` extensions, shared root elements (messages, errors), and diagram interchange
/// laid out as the SVG diagrams are (`DiagramLayout`). What BPMN and Zeebe have no form for is
/// carried in `bpm:` extension elements that `BPMNDefinitionReader` reads back (docs/bpmn.md,
/// "Export from YAML"); what neither can carry is refused with the element and the reason.
public enum BPMNWriter {
    /// The namespace of this engine's own extension elements.
    public static let bpmNS = "urn:swift-bpm:bpmn:1.0"
    /// The Camunda 8 version the file says it targets (Modeler's `executionPlatformVersion`).
    public static let platformVersion = "8.6.0"
    /// The top-level keys of a YAML definition that BPMN has no form for: kept as YAML text.
    static let dslKeys = ["trigger", "variables", "correlation_key", "timeout"]

    /// Exports a YAML definition file; its problems (or what cannot be exported) as `file:line:col` errors.
    public static func export(yaml source: String, file: String) throws(DefinitionErrors) -> String {
        let def = try YAMLDefinitionReader.read(source: source, file: file)
        let root = try YAMLDefinitionReader.compose(source, file: file)
        return try write(def, dsl: root.flatMap(dslSection))
    }

    /// Writes a process; `dsl` is the YAML text of its trigger, variables, correlation key and
    /// timeout (kept in `<bpm:dsl>`).
    public static func write(_ def: ProcessDefinition, dsl: String? = nil) throws(DefinitionErrors) -> String {
        var w = Writer(def: def)
        let process = w.process(dsl: dsl)
        let diagram = w.diagram()
        if !w.errors.isEmpty { throw DefinitionErrors(w.errors) }
        let root = XMLNode("bpmn:definitions", [
            ("xmlns:bpmn", BPMNDefinitionReader.bpmnNS),
            ("xmlns:bpmndi", BPMNDefinitionReader.diNS),
            ("xmlns:dc", "http://www.omg.org/spec/DD/20100524/DC"),
            ("xmlns:di", "http://www.omg.org/spec/DD/20100524/DI"),
            ("xmlns:zeebe", BPMNDefinitionReader.zeebeNS),
            ("xmlns:modeler", "http://camunda.org/schema/modeler/1.0"),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            ("xmlns:bpm", bpmNS),
            ("id", "Definitions_" + BPMNWriterExpressions.ncName(def.id, prefix: "")),
            ("targetNamespace", "http://bpmn.io/schema/bpmn"),
            ("exporter", "bpm export"), ("exporterVersion", "1.0"),
            ("modeler:executionPlatform", "Camunda Cloud"),
            ("modeler:executionPlatformVersion", platformVersion),
        ], w.rootElements() + [process, diagram])
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        root.render(into: &out)
        return out
    }

    /// The YAML text of the top-level sections BPMN has no form for, or nil when there are none.
    static func dslSection(_ root: Node) -> String? {
        guard case .mapping(let top) = root else { return nil }
        let pairs = top.filter { k, _ in k.string.map(dslKeys.contains) ?? false }.map { ($0.key, $0.value) }
        guard !pairs.isEmpty, let text = try? Yams.serialize(node: .mapping(Node.Mapping(pairs))) else { return nil }
        return text
    }

    /// The writer's state: ids given to flows and root elements, and the problems found.
    struct Writer {
        let def: ProcessDefinition
        var errors: [DefinitionError] = []
        /// YAML flow ids (`a->b`) are not NCNames: each flow gets one.
        var flowIds: [String: String] = [:]
        /// Shared root elements: messages by name and correlation key, errors by code.
        var messages: [(key: String, id: String, node: XMLNode)] = []
        var shared: [(kind: String, key: String, id: String)] = []
        var associations: [XMLNode] = []
        var usedIds: Set<String> = []

        init(def: ProcessDefinition) {
            self.def = def
            usedIds = Set(def.elements.map(\.id)).union([def.id])
            for f in def.flows {
                let id = unique(BPMNWriterExpressions.isNCName(f.id) ? f.id : flowName(f))
                flowIds[f.id] = id
            }
        }

        func flowName(_ f: SequenceFlow) -> String {
            BPMNWriterExpressions.ncName("\(f.source)_to_\(f.target)", prefix: "Flow_")
        }

        /// An id not used yet in the file.
        mutating func unique(_ base: String) -> String {
            var id = base
            var n = 2
            while usedIds.contains(id) { id = "\(base)_\(n)"; n += 1 }
            usedIds.insert(id)
            return id
        }

        func location(_ e: FlowElement?) -> SourceLocation {
            e?.location ?? SourceLocation(file: def.sourceFile, line: 1, column: 1)
        }

        mutating func refuse(_ e: FlowElement, _ why: String) {
            errors.append(DefinitionError("cannot export '\(e.id)' to BPMN: \(why)", at: location(e)))
        }

        /// The process element: its extensions, flow elements, flows and associations.
        mutating func process(dsl: String?) -> XMLNode {
            if !BPMNWriterExpressions.isNCName(def.id) {
                errors.append(DefinitionError("cannot export process id '\(def.id)' to BPMN: an id must be an XML name "
                    + "(a letter or '_' first, then letters, digits, '-', '_' or '.')", at: location(nil)))
            }
            var ext: [XMLNode] = []
            if let v = def.versionLabel { ext.append(XMLNode("zeebe:versionTag", [("value", v)])) }
            if let dsl {
                var n = XMLNode("bpm:dsl", text: "\n" + dsl)
                n.cdata = true
                ext.append(n)
            }
            ext += listenerNodes(def.executionListeners)
            var children: [XMLNode] = []
            if let d = def.description { children.append(XMLNode("bpmn:documentation", text: d)) }
            if !ext.isEmpty { children.append(XMLNode("bpmn:extensionElements", [], ext)) }
            for e in def.elements {
                if e.parent != nil {
                    refuse(e, "elements inside sub-processes are not exported yet")
                    continue
                }
                if let n = node(e) { children.append(n) }
            }
            children += def.flows.map(flow)
            children += associations
            let executable = def.isExecutable ? "true" : "false"
            return XMLNode("bpmn:process", [("id", def.id), ("name", def.name), ("isExecutable", executable)], children)
        }

        func flow(_ f: SequenceFlow) -> XMLNode {
            var children: [XMLNode] = []
            if let c = f.condition {
                children.append(XMLNode("bpmn:conditionExpression", [("xsi:type", "bpmn:tFormalExpression")],
                                        text: BPMNWriterExpressions.feel(c)))
            }
            return XMLNode("bpmn:sequenceFlow", [("id", flowIds[f.id] ?? f.id), ("name", f.label),
                                                 ("sourceRef", f.source), ("targetRef", f.target)], children)
        }

        /// Messages, errors, escalations and signals, shared by the events that refer to them.
        func rootElements() -> [XMLNode] {
            messages.map(\.node) + shared.map { r in
                switch r.kind {
                case "error": XMLNode("bpmn:error", [("id", r.id), ("name", r.key), ("errorCode", r.key)])
                case "escalation":
                    XMLNode("bpmn:escalation", [("id", r.id), ("name", r.key), ("escalationCode", r.key)])
                default: XMLNode("bpmn:signal", [("id", r.id), ("name", r.key)])
                }
            }
        }

        mutating func messageRef(_ m: MessageDefinition) -> String {
            let key = m.name + "\u{0}" + (m.correlationKey?.source ?? "")
            if let found = messages.first(where: { $0.key == key }) { return found.id }
            let id = unique(BPMNWriterExpressions.ncName(m.name, prefix: "Message_"))
            var ext: [XMLNode] = []
            if let ck = m.correlationKey {
                let sub = XMLNode("zeebe:subscription", [("correlationKey", BPMNWriterExpressions.feel(ck))])
                ext.append(XMLNode("bpmn:extensionElements", [], [sub]))
            }
            messages.append((key, id, XMLNode("bpmn:message", [("id", id), ("name", m.name)], ext)))
            return id
        }

        mutating func errorRef(_ code: String) -> String { sharedRef("error", code) }
        mutating func escalationRef(_ code: String) -> String { sharedRef("escalation", code) }
        mutating func signalRef(_ name: String) -> String { sharedRef("signal", name) }

        /// The id of the shared root element of a kind (`error`, `escalation`, `signal`) for a code or name.
        mutating func sharedRef(_ kind: String, _ key: String) -> String {
            if let found = shared.first(where: { $0.kind == kind && $0.key == key }) { return found.id }
            let prefix = kind.prefix(1).uppercased() + kind.dropFirst() + "_"
            let id = unique(BPMNWriterExpressions.ncName(key, prefix: prefix))
            shared.append((kind, key, id))
            return id
        }
    }
}
