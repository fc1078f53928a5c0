import Yams

/// Compensation in the YAML DSL (BPMN 2.0.2 §10.6.5, §13.5.5): `compensate_with:` on an
/// activity is its handler, an activity written inline (`{type: script, set: {…}}`, without
/// `id` or `next`); a `compensate` activity compensates every completed activity of the process
/// (or the one `activity:` names), the last completed first, and waits for the handlers
/// (`wait: false`: it moves on at once).
extension YAMLDefinitionReader.Builder {
    static let compensableTypes: Set<String> = ["service", "script", "user", "receive", "rules", "timer"]
    static let handlerTypes: Set<String> = ["service", "script", "user"]

    /// The compensation boundary event and handler of an activity with `compensate_with`.
    mutating func readCompensation(_ a: YAMLDefinitionReader.Activity) -> [FlowElement] {
        guard let node = a.mapping[key: "compensate_with"] else { return [] }
        guard Self.compensableTypes.contains(a.type) else {
            ctx.error("compensate_with applies to tasks (\(Self.compensableTypes.sorted().joined(separator: ", "))), "
                + "not to a \(a.type)", node)
            return []
        }
        guard case .mapping(let m) = node, let type = m[key: "type"].flatMap({ ctx.string($0, "type") }),
              Self.handlerTypes.contains(type), let extra = YAMLDefinitionReader.typeKeys[type] else {
            ctx.error("compensate_with of '\(a.id)' must be an activity written inline: "
                + "{type: service|script|user, …}", node)
            return []
        }
        for key in ["id", "next", "timeout", "multi_instance", "compensate_with"] where m[key: key] != nil {
            ctx.error("the compensation handler of '\(a.id)' cannot have '\(key)': it runs only when '\(a.id)' "
                + "is compensated, and its path ends with it", m.keyNode(key))
        }
        if type != "service" {
            ctx.checkKeys(m, allowed: Set(["name", "type", "description"]).union(extra),
                          in: "compensation handler of '\(a.id)'")
        }
        var h = YAMLDefinitionReader.Activity(id: "\(a.id)_compensation", type: type, node: node, mapping: m)
        guard var handler = readElement(&h) else { return [] }
        handler.isForCompensation = true
        let event = BoundaryEvent(attachedTo: a.id, trigger: .compensation(handler: handler.id))
        let boundary = FlowElement(id: "\(a.id)_compensate", name: "compensation of \(a.id)",
                                   kind: .boundaryEvent(event), location: ctx.location(node))
        return [boundary, handler]
    }

    /// A `compensate` activity: a compensation throw event.
    mutating func readCompensate(_ a: YAMLDefinitionReader.Activity) -> ElementKind? {
        let target = a.mapping[key: "activity"].flatMap { ctx.string($0, "activity") }
        var wait = true
        if let w = a.mapping[key: "wait"] {
            guard let b = w.bool else {
                ctx.error("'wait' of '\(a.id)' must be true or false", w)
                return nil
            }
            wait = b
        }
        return .compensationThrowEvent(CompensationThrow(activityRef: target, waitForCompletion: wait))
    }
}
