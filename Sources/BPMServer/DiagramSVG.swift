import BPMModel
import Foundation

/// Draws a process as SVG: at its BPMN diagram-interchange coordinates when the file has them,
/// laid out left to right in layers otherwise (YAML definitions). Elements can carry badges
/// (instances waiting, incidents) and be marked active or visited.
enum DiagramSVG {
    struct Marks {
        var waiting: [String: Int] = [:]
        var incidents: [String: Int] = [:]
        var active: Set<String> = []
        var visited: Set<String> = []
        /// Each element links to this URL with its id appended (the instances waiting there).
        var link: String?
        /// A heat map: activations and average duration per element (warmer: slower).
        var heat: Heat = [:]
    }

    typealias Heat = [String: (count: Int, average: Double?)]

    /// A heat map's fill: white for the fastest, deep orange for the slowest element.
    static func heatFill(_ average: Double?, _ slowest: Double) -> String? {
        guard let a = average, slowest > 0 else { return nil }
        let t = min(1, max(0, a / slowest))
        return "rgb(255,\(Int(255 - 120 * t)),\(Int(255 - 200 * t)))"
    }

    /// The heat map's figures under the element, and under its label when that is below it too.
    static func heatLabel(_ count: Int, _ average: Double?, _ b: Diagram.Bounds, _ l: DiagramLayout.Label) -> String {
        let y = Int((l.below ? l.bounds.y + l.bounds.height : b.y + b.height) + 12)
        let text = "\(count)×" + (average.map { " · " + UI.duration($0) } ?? "")
        return "<text x=\"\(Int(center(b).x))\" y=\"\(y)\" text-anchor=\"middle\" class=\"heat\">\(esc(text))</text>"
    }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Element bounds and flow waypoints: from diagram interchange, or a layered layout.
    static func layout(_ def: ProcessDefinition) -> (shapes: [String: Diagram.Bounds], edges: [String: [Diagram.Point]]) {
        DiagramLayout.layout(def)
    }

    static func center(_ b: Diagram.Bounds) -> Diagram.Point { DiagramLayout.center(b) }

    static func kindSize(_ e: FlowElement) -> (Double, Double) { DiagramLayout.kindSize(e) }

    /// The opening of a diagram spanning the given box, with the arrowhead marker.
    static func open(_ minX: Double, _ minY: Double, _ maxX: Double, _ maxY: Double) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"diagram\" viewBox=\"\(Int(minX)) \(Int(minY)) \(Int(maxX - minX)) \(Int(maxY - minY))\" width=\"\(Int(maxX - minX))\">"
            + "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#555\"/></marker></defs>"
    }

    /// How a flow node is drawn.
    enum Outline { case event(end: Bool), gateway, box }

    static func outline(_ o: Outline, _ b: Diagram.Bounds, fill: String, stroke: String) -> String {
        let c = center(b)
        switch o {
        case .gateway:
            return "<polygon points=\"\(Int(c.x)),\(Int(b.y)) \(Int(b.x + b.width)),\(Int(c.y)) \(Int(c.x)),\(Int(b.y + b.height)) \(Int(b.x)),\(Int(c.y))\" fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"1.5\"/>"
        case .event(let end):
            return "<circle cx=\"\(Int(c.x))\" cy=\"\(Int(c.y))\" r=\"\(Int(min(b.width, b.height) / 2))\" fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"\(end ? 3.5 : 1.5)\"/>"
        case .box:
            return "<rect x=\"\(Int(b.x))\" y=\"\(Int(b.y))\" width=\"\(Int(b.width))\" height=\"\(Int(b.height))\" rx=\"9\" fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"1.5\"/>"
        }
    }

    /// A node's label: inside a box, under an event or gateway, wrapped into lines (`<tspan>`s)
    /// that fit; one past the most lines ends with "…" (the element's `<title>` has it all).
    static func label(_ l: DiagramLayout.Label) -> String {
        let cx = Int(l.bounds.x + l.bounds.width / 2)
        let spans = l.lines.enumerated().map { i, line in
            let y = Int(l.bounds.y + 10 + Double(i) * DiagramLayout.lineHeight)
            return "<tspan x=\"\(cx)\" y=\"\(y)\">\(esc(line))</tspan>"
        }
        return "<text text-anchor=\"middle\" class=\"label\">" + spans.joined() + "</text>"
    }

    /// A flow's label beside its first segment, at the source.
    static func flowLabel(_ text: String, _ points: [Diagram.Point], siblings: [[Diagram.Point]]) -> String {
        let shown = text.count > 28 ? String(text.prefix(27)) + "…" : text
        guard let b = DiagramLayout.flowLabel(shown, points, siblings: siblings) else { return "" }
        return "<text x=\"\(Int(b.x))\" y=\"\(Int(b.y + 9))\" class=\"cond\" stroke=\"#fff\" stroke-width=\"3\" "
            + "paint-order=\"stroke\"><title>\(esc(text))</title>"
            + esc(shown) + "</text>"
    }

    /// What an element's tooltip says: its name in full, its id and type.
    static func title(_ e: FlowElement) -> String {
        let what = "\(e.id) (\(e.typeName))"
        return "<title>" + esc(e.name.map { $0 == e.id ? what : "\($0) — \(what)" } ?? what) + "</title>"
    }

    /// The box holding every shape, label and waypoint, with a margin.
    static func extent(_ shapes: [Diagram.Bounds], _ points: [Diagram.Point]) -> (Double, Double, Double, Double) {
        let xs = shapes.flatMap { [$0.x, $0.x + $0.width] } + points.map(\.x)
        let ys = shapes.flatMap { [$0.y, $0.y + $0.height] } + points.map(\.y)
        return ((xs.min() ?? 0) - 20, (ys.min() ?? 0) - 30, (xs.max() ?? 200) + 20, (ys.max() ?? 100) + 30)
    }

    static func svg(_ def: ProcessDefinition, _ marks: Marks = Marks()) -> String {
        let (shapes, edges) = layout(def)
        let labels = def.elements.compactMap { e in shapes[e.id].map { DiagramLayout.label(e, $0) } }
        let (minX, minY, maxX, maxY) = extent(Array(shapes.values) + labels.map(\.bounds), edges.values.flatMap { $0 })
        var out = open(minX, minY, maxX, maxY)
        var flowLabels = ""  // drawn last, over the elements they may reach
        for f in def.flows {
            guard let pts = edges[f.id], pts.count >= 2 else { continue }
            let taken = marks.visited.contains(f.source)
                && (marks.visited.contains(f.target) || marks.active.contains(f.target))
            let d = "M " + pts.map { "\(Int($0.x)) \(Int($0.y))" }.joined(separator: " L ")
            out += "<path data-flow=\"\(esc(f.id))\" d=\"\(d)\" fill=\"none\" stroke=\"\(taken ? "#2a7" : "#555")\" "
                + "stroke-width=\"\(taken ? 2.5 : 1.2)\" marker-end=\"url(#arrow)\"/>"
            if let c = f.condition?.source ?? f.label {
                let siblings = def.outgoing(f.source).filter { $0.id != f.id }.compactMap { edges[$0.id] }
                flowLabels += flowLabel(c, pts, siblings: siblings)
            }
        }
        let slowest = marks.heat.values.compactMap { $0.average }.max() ?? 0
        for e in def.elements {
            guard let b = shapes[e.id] else { continue }
            let plain = heatFill(marks.heat[e.id]?.average, slowest) ?? "#fff"
            let fill = marks.active.contains(e.id) ? "#fff3c4" : (marks.visited.contains(e.id) ? "#e3f6ea" : plain)
            let stroke = (marks.incidents[e.id] ?? 0) > 0 ? "#c0392b" : (marks.active.contains(e.id) ? "#d4a000" : "#333")
            if let link = marks.link { out += "<a href=\"\(esc(link + e.id))\">" }
            out += "<g data-element=\"\(esc(e.id))\">" + title(e)
            let small = kindSize(e).0 == 36
            let l = DiagramLayout.label(e, b)
            if let h = marks.heat[e.id] { out += heatLabel(h.count, h.average, b, l) }
            out += outline(e.kind.isGateway ? .gateway : small ? .event(end: e.typeName == "endEvent") : .box, b, fill: fill, stroke: stroke)
            out += marker(e, b, stroke: stroke)
            out += label(l)
            if let n = marks.waiting[e.id], n > 0 {
                out += "<g class=\"badge waiting\"><rect x=\"\(Int(b.x - 8))\" y=\"\(Int(b.y - 10))\" width=\"30\" height=\"18\" rx=\"9\" fill=\"#1f6feb\"/><text x=\"\(Int(b.x + 7))\" y=\"\(Int(b.y + 3))\" text-anchor=\"middle\" fill=\"#fff\">\(n)</text></g>"
            }
            if let n = marks.incidents[e.id], n > 0 {
                out += "<g class=\"badge incidents\"><rect x=\"\(Int(b.x + b.width - 22))\" y=\"\(Int(b.y - 10))\" width=\"30\" height=\"18\" rx=\"9\" fill=\"#c0392b\"/><text x=\"\(Int(b.x + b.width - 7))\" y=\"\(Int(b.y + 3))\" text-anchor=\"middle\" fill=\"#fff\">\(n)</text></g>"
            }
            out += marks.link == nil ? "</g>" : "</g></a>"
        }
        return out + flowLabels + "</svg>"
    }
}

extension DiagramSVG {
    /// Draws a BPMN file from its diagram interchange alone — for models the engine does not
    /// run (refused elements, non-executable collaborations): every shape at its coordinates
    /// (pools and lanes as bands, events as circles, gateways as diamonds, the rest as boxes),
    /// every edge along its waypoints. nil when the file has no diagram.
    public static func svg(diagramOf source: String) -> String? {
        guard let root = try? XMLReader.parse(source) else { return nil }
        var semantic: [String: (type: String, name: String?)] = [:]
        func collect(_ e: XMLElement) {
            if let id = e.attributes["id"], e.namespace != "http://www.omg.org/spec/BPMN/20100524/DI" { semantic[id] = (e.name, e.attributes["name"]) }
            e.children.forEach(collect)
        }
        collect(root)
        func num(_ e: XMLElement?, _ a: String) -> Double { Double(e?.attributes[a] ?? "") ?? 0 }
        let shapes = root.descendants("BPMNShape").compactMap { s -> (id: String, b: Diagram.Bounds)? in
            guard let id = s.attributes["bpmnElement"], let b = s.child("Bounds") else { return nil }
            return (id, Diagram.Bounds(x: num(b, "x"), y: num(b, "y"), width: num(b, "width"), height: num(b, "height")))
        }
        guard !shapes.isEmpty else { return nil }
        let edges = root.descendants("BPMNEdge").map { e in
            (id: e.attributes["bpmnElement"] ?? "", points: e.children("waypoint").map { Diagram.Point(x: num($0, "x"), y: num($0, "y")) })
        }
        let (minX, minY, maxX, maxY) = extent(shapes.map(\.b), [])
        var out = open(minX, minY, maxX, maxY)
        // bands first, then larger shapes before smaller: what a sub-process holds is drawn over it
        let bands: Set<String> = ["participant", "lane"]
        let ordered = shapes.filter { bands.contains(semantic[$0.id]?.type ?? "") }
            + shapes.filter { !bands.contains(semantic[$0.id]?.type ?? "") }.sorted { $0.b.width * $0.b.height > $1.b.width * $1.b.height }
        for (id, b) in ordered {
            let type = semantic[id]?.type ?? "unknown"
            let name = semantic[id]?.name ?? ""
            let c = center(b)
            let what = "\(id) (\(type))"
            out += "<g data-element=\"\(esc(id))\"><title>\(esc(name.isEmpty ? what : "\(name) — \(what)"))</title>"
            switch type {
            case "participant", "lane":
                out += "<rect x=\"\(Int(b.x))\" y=\"\(Int(b.y))\" width=\"\(Int(b.width))\" height=\"\(Int(b.height))\" fill=\"none\" stroke=\"#999\" stroke-width=\"1\"/>"
                out += "<text x=\"\(Int(b.x + 14))\" y=\"\(Int(c.y))\" transform=\"rotate(-90 \(Int(b.x + 14)) \(Int(c.y)))\" text-anchor=\"middle\" class=\"label\">\(esc(String(name.prefix(30))))</text>"
            case let t where t.hasSuffix("Event"): out += outline(.event(end: t == "endEvent"), b, fill: "#fff", stroke: "#333")
            case let t where t.hasSuffix("Gateway"): out += outline(.gateway, b, fill: "#fff", stroke: "#333")
            case "textAnnotation", "dataObjectReference", "dataStoreReference", "group":
                out += "<rect x=\"\(Int(b.x))\" y=\"\(Int(b.y))\" width=\"\(Int(b.width))\" height=\"\(Int(b.height))\" fill=\"none\" stroke=\"#777\" stroke-dasharray=\"4 3\"/>"
            default: out += outline(.box, b, fill: "#fff", stroke: "#333")
            }
            if !bands.contains(type), !name.isEmpty {
                let below = type.hasSuffix("Event") || type.hasSuffix("Gateway")
                out += label(DiagramLayout.label(name, b, below: below, boundary: type == "boundaryEvent"))
            }
            out += "</g>"
        }
        for e in edges where e.points.count >= 2 {
            let dashed = semantic[e.id]?.type == "messageFlow" || semantic[e.id]?.type == "association"
            out += "<path data-flow=\"\(esc(e.id))\" d=\"M " + e.points.map { "\(Int($0.x)) \(Int($0.y))" }.joined(separator: " L ")
                + "\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.2\"\(dashed ? " stroke-dasharray=\"6 4\"" : "") marker-end=\"url(#arrow)\"/>"
        }
        return out + "</svg>"
    }
}
