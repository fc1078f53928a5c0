/// Where a process's elements are drawn: at its BPMN diagram-interchange coordinates when it has
/// them (waypoints as the file has them), laid out left to right in layers otherwise (YAML
/// definitions), with flows routed orthogonally around the elements. The SVG diagrams and the
/// BPMN export (`bpm export --bpmn`) use this one layout, so both show the same picture.
public enum DiagramLayout {
    /// Element bounds and flow waypoints: from diagram interchange, or a layered layout.
    public static func layout(_ def: ProcessDefinition)
        -> (shapes: [String: Diagram.Bounds], edges: [String: [Diagram.Point]])
    {
        let top = def.elements.filter { $0.parent == nil }
        if let d = def.diagram, top.allSatisfy({ d.shapes[$0.id] != nil }), !top.isEmpty {
            var edges = d.edges
            for f in def.flows where edges[f.id] == nil {
                if let a = d.shapes[f.source], let b = d.shapes[f.target] { edges[f.id] = [center(a), center(b)] }
            }
            return (d.shapes, edges)
        }
        // layers: longest distance from a start over forward edges (a DFS drops back edges)
        // boundary events ride on their activity: their flows leave from it
        var attached: [String: [String]] = [:]
        for e in top { if case .boundaryEvent(let b) = e.kind { attached[b.attachedTo, default: []].append(e.id) } }
        let ids = top.filter { if case .boundaryEvent = $0.kind { false } else { true } }.map(\.id)
        let known = Set(ids)
        var order: [String] = []
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var forward: [String: [String]] = [:]
        func visit(_ id: String) {
            state[id] = 1
            let leaving = def.outgoing(id) + (attached[id] ?? []).flatMap { def.outgoing($0) }
            for f in leaving where known.contains(f.target) {
                if state[f.target] == 1 { continue }  // a loop back
                forward[id, default: []].append(f.target)
                if state[f.target] == nil { visit(f.target) }
            }
            state[id] = 2
            order.append(id)
        }
        let starts = ids.filter { def.incoming($0).isEmpty }
        for s in starts + ids where state[s] == nil { visit(s) }
        var level: [String: Int] = [:]
        for id in order.reversed() {
            let l = level[id] ?? 0
            level[id] = l
            for t in forward[id] ?? [] { level[t] = max(level[t] ?? 0, l + 1) }
        }
        var columns: [Int: [String]] = [:]
        for id in order.reversed() { columns[level[id] ?? 0, default: []].append(id) }
        var shapes: [String: Diagram.Bounds] = [:]
        for (col, members) in columns {
            for (row, id) in members.enumerated() {
                let e = def.element(id)
                let (w, h): (Double, Double) = e.map(kindSize) ?? (100, 60)
                let cx = 60 + Double(col) * columnStep, cy = 60 + Double(row) * rowStep
                shapes[id] = Diagram.Bounds(x: cx - w / 2, y: cy - h / 2, width: w, height: h)
            }
        }
        // boundary events sit on their activity's lower edge
        for e in def.elements {
            if case .boundaryEvent(let b) = e.kind, let host = shapes[b.attachedTo] {
                shapes[e.id] = Diagram.Bounds(x: host.x + host.width - 24, y: host.y + host.height - 18,
                                              width: 36, height: 36)
            }
        }
        return (shapes, routes(def, shapes))
    }

    /// The distance between the centres of two columns and of two rows of the layered layout.
    public static let columnStep = 180.0, rowStep = 130.0

    /// Orthogonal routes for every flow between placed elements, around the elements and their
    /// labels (see `DiagramRouter`); flows are routed in definition order.
    static func routes(_ def: ProcessDefinition, _ shapes: [String: Diagram.Bounds]) -> [String: [Diagram.Point]] {
        let placed = def.elements.filter { shapes[$0.id] != nil }
        let obstacles = placed.flatMap { e -> [Diagram.Bounds] in
            guard let b = shapes[e.id] else { return [] }
            let l = label(e, b)
            return l.below ? [b, l.bounds] : [b]
        }
        var router = DiagramRouter(obstacles: obstacles)
        var edges: [String: [Diagram.Point]] = [:]
        for f in def.flows {
            guard let a = shapes[f.source], let b = shapes[f.target] else { continue }
            let all = DiagramRouter.Side.allCases
            edges[f.id] = router.route(from: .init(bounds: a, sides: all), to: .init(bounds: b, sides: all))
                ?? [Diagram.Point(x: a.x + a.width, y: a.y + a.height / 2),
                    Diagram.Point(x: b.x, y: b.y + b.height / 2)]
        }
        return edges
    }

    public static func center(_ b: Diagram.Bounds) -> Diagram.Point {
        Diagram.Point(x: b.x + b.width / 2, y: b.y + b.height / 2)
    }

    public static func kindSize(_ e: FlowElement) -> (Double, Double) {
        if e.kind.isGateway { return (50, 50) }
        switch e.typeName {
        case "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent":
            return (36, 36)
        default: return (110, 64)
        }
    }
}
