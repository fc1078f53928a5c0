import BPMExpressions

/// The structural difference between two versions of a process: elements and flows added,
/// removed and changed, and changes to the process itself (trigger, variables, correlation).
/// Layout, comments and the order of fields do not count; meaning does.
public struct DefinitionDiff: Sendable {
    public struct ElementChange: Sendable {
        public var id: String
        public var type: String
        /// What changed, each as `field: old → new` (or just the field when the values are long).
        public var changes: [String]
    }

    public struct FlowRef: Sendable, Hashable {
        public var source: String
        public var target: String
    }

    public struct FlowChange: Sendable {
        public var flow: FlowRef
        public var condition: String?
        public var changes: [String]
    }

    public var addedElements: [ElementChange] = []
    public var removedElements: [ElementChange] = []
    public var changedElements: [ElementChange] = []
    public var addedFlows: [FlowChange] = []
    public var removedFlows: [FlowChange] = []
    public var changedFlows: [FlowChange] = []
    /// Changes to the process as a whole.
    public var processChanges: [String] = []

    public var isEmpty: Bool {
        addedElements.isEmpty && removedElements.isEmpty && changedElements.isEmpty && addedFlows.isEmpty && removedFlows.isEmpty
            && changedFlows.isEmpty && processChanges.isEmpty
    }

    public init(from a: ProcessDefinition, to b: ProcessDefinition) {
        processChanges = Self.fieldChanges([
            ("id", a.id, b.id), ("name", a.name, b.name), ("version label", a.versionLabel ?? "", b.versionLabel ?? ""),
            ("trigger", Canonical.text(a.trigger as Any), Canonical.text(b.trigger as Any)),
            ("variables", Canonical.text(a.variables), Canonical.text(b.variables)),
            ("correlation key", a.correlationKey?.source ?? "", b.correlationKey?.source ?? ""),
            ("timeout", Canonical.text(a.timeout as Any), Canonical.text(b.timeout as Any)),
        ])
        let old = Dictionary(a.elements.map { ($0.id, $0) }, uniquingKeysWith: { x, _ in x })
        let new = Dictionary(b.elements.map { ($0.id, $0) }, uniquingKeysWith: { x, _ in x })
        for e in b.elements where old[e.id] == nil { addedElements.append(ElementChange(id: e.id, type: e.typeName, changes: [])) }
        for e in a.elements where new[e.id] == nil { removedElements.append(ElementChange(id: e.id, type: e.typeName, changes: [])) }
        for e in b.elements {
            guard let o = old[e.id] else { continue }
            var fields: [(String, String, String)] = [("type", o.typeName, e.typeName), ("name", o.name ?? "", e.name ?? ""), ("parent", o.parent ?? "", e.parent ?? ""),
                                                      ("default flow", o.defaultFlow ?? "", e.defaultFlow ?? ""),
                                                      ("outputs", Canonical.text(o.outputs.map { "\($0.target)=\($0.source.source)" }), Canonical.text(e.outputs.map { "\($0.target)=\($0.source.source)" })),
                                                      ("loop", Canonical.text(o.loop as Any), Canonical.text(e.loop as Any))]
            if o.typeName == e.typeName { fields += Self.settings(o.kind, e.kind) } else { fields.append(("settings", Canonical.text(o.kind), Canonical.text(e.kind))) }
            let changes = Self.fieldChanges(fields)
            if !changes.isEmpty { changedElements.append(ElementChange(id: e.id, type: e.typeName, changes: changes)) }
        }
        // flows are matched by their ends: generated ids shift when activities are inserted
        func index(_ d: ProcessDefinition) -> [FlowRef: SequenceFlow] {
            Dictionary(d.flows.map { (FlowRef(source: $0.source, target: $0.target), $0) }, uniquingKeysWith: { x, _ in x })
        }
        let of = index(a), nf = index(b)
        for f in b.flows {
            let r = FlowRef(source: f.source, target: f.target)
            guard let o = of[r] else { addedFlows.append(FlowChange(flow: r, condition: f.condition?.source, changes: [])); continue }
            let changes = Self.fieldChanges([("condition", o.condition?.source ?? "", f.condition?.source ?? ""), ("label", o.label ?? "", f.label ?? "")])
            if !changes.isEmpty { changedFlows.append(FlowChange(flow: r, condition: f.condition?.source, changes: changes)) }
        }
        for f in a.flows where nf[FlowRef(source: f.source, target: f.target)] == nil {
            removedFlows.append(FlowChange(flow: FlowRef(source: f.source, target: f.target), condition: f.condition?.source, changes: []))
        }
    }

    /// The fields of two element kinds of the same type, compared one by one.
    static func settings(_ a: ElementKind, _ b: ElementKind) -> [(String, String, String)] {
        let ma = Mirror(reflecting: a), mb = Mirror(reflecting: b)
        guard let pa = ma.children.first?.value, let pb = mb.children.first?.value else { return [] }
        let ca = Mirror(reflecting: pa), cb = Mirror(reflecting: pb)
        // an associated struct: compare field by field; anything else as a whole
        guard ca.displayStyle == .struct, cb.displayStyle == .struct else { return [("settings", Canonical.text(pa), Canonical.text(pb))] }
        let fb = Dictionary(cb.children.compactMap { c in c.label.map { ($0, c.value) } }, uniquingKeysWith: { x, _ in x })
        return ca.children.compactMap { c in
            guard let l = c.label else { return nil }
            return (l, Canonical.text(c.value), fb[l].map(Canonical.text) ?? "")
        }
    }

    static func fieldChanges(_ fields: [(String, String, String)]) -> [String] {
        fields.compactMap { name, old, new in
            guard old != new else { return nil }
            if old.count + new.count > 100 { return name }
            return "\(name): \(old.isEmpty ? "(none)" : old) → \(new.isEmpty ? "(none)" : new)"
        }
    }

    /// The diff as JSON (the API's `GET /definitions/{id}/diff`).
    public var value: Value {
        func el(_ e: ElementChange) -> Value {
            var c: [String: Value] = ["id": .string(e.id), "type": .string(e.type)]
            if !e.changes.isEmpty { c["changes"] = .list(e.changes.map(Value.string)) }
            return .context(c)
        }
        func fl(_ f: FlowChange) -> Value {
            var c: [String: Value] = ["source": .string(f.flow.source), "target": .string(f.flow.target)]
            if let cond = f.condition { c["condition"] = .string(cond) }
            if !f.changes.isEmpty { c["changes"] = .list(f.changes.map(Value.string)) }
            return .context(c)
        }
        return [
            "identical": .bool(isEmpty),
            "process": ["changes": .list(processChanges.map(Value.string))],
            "elements": ["added": .list(addedElements.map(el)), "removed": .list(removedElements.map(el)), "changed": .list(changedElements.map(el))],
            "flows": ["added": .list(addedFlows.map(fl)), "removed": .list(removedFlows.map(fl)), "changed": .list(changedFlows.map(fl))],
        ]
    }

    /// The diff as lines: `+` added, `-` removed, `~` changed.
    public var lines: [String] {
        var out = processChanges.map { "~ process: \($0)" }
        out += addedElements.map { "+ element \($0.id) (\($0.type))" }
        out += removedElements.map { "- element \($0.id) (\($0.type))" }
        for e in changedElements { out += e.changes.map { c in "~ element \(e.id): \(c)" } }
        func cond(_ f: FlowChange) -> String { f.condition.map { " [\($0)]" } ?? "" }
        out += addedFlows.map { "+ flow \($0.flow.source) → \($0.flow.target)\(cond($0))" }
        out += removedFlows.map { "- flow \($0.flow.source) → \($0.flow.target)\(cond($0))" }
        for f in changedFlows { out += f.changes.map { c in "~ flow \(f.flow.source) → \(f.flow.target): \(c)" } }
        return out
    }
}

/// A description of a value that is the same for the same meaning: dictionaries sorted by key,
/// expressions and templates by their text, source locations left out.
enum Canonical {
    static func text(_ v: Any) -> String {
        if let e = v as? Expression { return e.source }
        if let t = v as? Template { return t.source }
        if let x = v as? Value { return x.stringValue ?? JSON.encode(x) }
        if let x = v as? TemplateValue {
            switch x {
            case .constant(let c): return text(c)
            case .template(let t): return t.source
            case .list(let l): return "[" + l.map(text).joined(separator: ", ") + "]"
            case .context(let c): return "{" + c.keys.sorted().map { "\($0): \(text(c[$0]!))" }.joined(separator: ", ") + "}"
            }
        }
        if v is SourceLocation { return "" }
        if let s = v as? String { return s }
        if let n = v as? Double { return n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n) }
        if let x = v as? CustomStringConvertible, Mirror(reflecting: v).children.isEmpty { return x.description }
        let m = Mirror(reflecting: v)
        switch m.displayStyle {
        case .optional:
            return m.children.first.map { text($0.value) } ?? ""
        case .dictionary:
            let pairs = m.children.map { c -> String in
                let kv = Mirror(reflecting: c.value).children.map(\.value)
                return kv.count == 2 ? "\(text(kv[0])): \(text(kv[1]))" : text(c.value)
            }
            return "{" + pairs.sorted().joined(separator: ", ") + "}"
        case .collection, .set:
            let items = m.children.map { text($0.value) }
            return "[" + (m.displayStyle == .set ? items.sorted() : items).joined(separator: ", ") + "]"
        case .enum:
            let name = String(describing: v).split(separator: "(").first.map(String.init) ?? ""
            guard let payload = m.children.first else { return name }
            return "\(payload.label ?? name)(\(text(payload.value)))"
        default:
            let fields = m.children.compactMap { c -> String? in
                guard let l = c.label, l != "location" else { return nil }
                let t = text(c.value)
                return t.isEmpty ? nil : "\(l): \(t)"
            }
            return fields.isEmpty ? String(describing: v) : "{" + fields.joined(separator: ", ") + "}"
        }
    }
}
