import BPMExpressions

/// A completed activity that compensation can undo (BPMN 2.0.2 §10.6.5): where it completed,
/// and the variables as they were then — its handler sees those.
public struct CompensationRecord: Sendable, Equatable {
    public var id: String
    public var elementId: String
    /// The scope the activity completed in (nil: the process); a throw event in that scope compensates it.
    public var scope: String?
    /// The variables visible to the activity when it completed.
    public var variables: [String: Value]
    /// For a completed sub-process: its scope's id, which the records of its inner activities name.
    public var inner: String?
    /// For a sub-process compensated by default: its inner activities have been queued before this entry.
    public var expanded = false

    public init(id: String, elementId: String, scope: String?, variables: [String: Value], inner: String? = nil) {
        self.id = id
        self.elementId = elementId
        self.scope = scope
        self.variables = variables
        self.inner = inner
    }

    var value: Value {
        var c: [String: Value] = ["id": .string(id), "element": .string(elementId), "variables": .context(variables)]
        if let scope { c["scope"] = .string(scope) }
        if let inner { c["inner"] = .string(inner) }
        if expanded { c["expanded"] = true }
        return .context(c)
    }

    init?(_ v: Value) {
        guard case .context(let c) = v, let id = c["id"]?.stringValue, let el = c["element"]?.stringValue
        else { return nil }
        self.init(id: id, elementId: el, scope: c["scope"]?.stringValue, variables: c["variables"]?.contextValue ?? [:],
                  inner: c["inner"]?.stringValue)
        expanded = c["expanded"] == true
    }
}
