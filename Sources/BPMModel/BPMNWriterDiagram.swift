import BPMExpressions

/// Diagram interchange for the written process: a shape per flow node and an edge per sequence
/// flow and association, at the coordinates `DiagramLayout` gives the SVG diagrams, with label
/// bounds under events and gateways (as tall as their wrapped lines) and beside named flows' first
/// segments, where the SVG diagrams put them.
extension BPMNWriter.Writer {
    mutating func diagram() -> XMLNode {
        let (shapes, edges) = DiagramLayout.layout(def)
        var children: [XMLNode] = []
        for e in def.elements where e.parent == nil {
            guard let b = shapes[e.id] else {
                refuse(e, "it has no place in the layout")
                continue
            }
            var attrs: [(String, String?)] = [("id", e.id + "_di"), ("bpmnElement", e.id)]
            if case .exclusiveGateway = e.kind { attrs.append(("isMarkerVisible", "true")) }
            var inner = [bounds(b)]
            if e.name != nil, DiagramLayout.labelBelow(e) {
                inner.append(XMLNode("bpmndi:BPMNLabel", [], [bounds(DiagramLayout.label(e, b).bounds)]))
            }
            children.append(XMLNode("bpmndi:BPMNShape", attrs, inner))
        }
        for f in def.flows {
            let id = flowIds[f.id] ?? f.id
            guard let points = edges[f.id], points.count >= 2 else {
                errors.append(DefinitionError("cannot export flow '\(f.id)' to BPMN: it has no place in the layout",
                                              at: f.location ?? location(nil)))
                continue
            }
            var inner = points.map(waypoint)
            let siblings = def.outgoing(f.source).filter { $0.id != f.id }.compactMap { edges[$0.id] }
            if let label = f.label, let at = DiagramLayout.flowLabel(label, points, siblings: siblings) {
                inner.append(XMLNode("bpmndi:BPMNLabel", [], [bounds(at)]))
            }
            children.append(XMLNode("bpmndi:BPMNEdge", [("id", id + "_di"), ("bpmnElement", id)], inner))
        }
        for a in associations {
            let attr = Dictionary(a.attributes, uniquingKeysWith: { x, _ in x })
            guard let id = attr["id"], let s = attr["sourceRef"].flatMap({ shapes[$0] }),
                  let t = attr["targetRef"].flatMap({ shapes[$0] }) else { continue }
            let from = Diagram.Point(x: s.x + s.width / 2, y: s.y + s.height)
            let to = DiagramLayout.center(t)
            children.append(XMLNode("bpmndi:BPMNEdge", [("id", id + "_di"), ("bpmnElement", id)],
                                    [waypoint(from), waypoint(to)]))
        }
        let plane = XMLNode("bpmndi:BPMNPlane", [("id", "BPMNPlane_1"), ("bpmnElement", def.id)], children)
        return XMLNode("bpmndi:BPMNDiagram", [("id", "BPMNDiagram_1")], [plane])
    }

    func bounds(_ b: Diagram.Bounds) -> XMLNode {
        XMLNode("dc:Bounds", [("x", n(b.x)), ("y", n(b.y)), ("width", n(b.width)), ("height", n(b.height))])
    }

    func waypoint(_ p: Diagram.Point) -> XMLNode { XMLNode("di:waypoint", [("x", n(p.x)), ("y", n(p.y))]) }

    func n(_ d: Double) -> String { Value.format(number: d) }
}
