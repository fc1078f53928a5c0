import BPMModel
import BPMServer
import Foundation
import Testing

/// The SVG diagrams the UI and `bpm graph --format svg` draw: names wrapped into `<tspan>` lines
/// with the full text in the tooltip, flows as orthogonal polylines along the layout's routes,
/// and flow labels at their source.
@Suite struct DiagramSVGTests {
    static let yaml = """
    id: drawn
    activities:
      - id: review
        type: user
        name: Review the request and approve it or reject it with a reason for the requester
      - id: ok
        type: decision
        condition: approved = true
        true_path: notify
        false_path: review
      - {id: notify, type: script, name: Notify, set: {done: true}}
    """

    /// The matches of a regular expression's first group in the text.
    static func matches(_ pattern: String, _ text: String) throws -> [String] {
        let re = try NSRegularExpression(pattern: pattern)
        return re.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    /// The element's group in the SVG.
    static func group(_ id: String, _ svg: String) throws -> String {
        try #require(try matches("(<g data-element=\"\(id)\">.*?</text>)", svg).first)
    }

    @Test func aLongNameWrapsIntoLinesInItsBoxWithTheWholeNameInTheTooltip() throws {
        let def = try YAMLDefinitionReader.read(source: Self.yaml, file: "drawn.yaml")
        let svg = BPMServer.diagramSVG(def)
        let review = try Self.group("review", svg)
        let lines = try Self.matches("<tspan[^>]*>([^<]*)</tspan>", review)
        #expect(lines.count == 3, "\(lines)")
        #expect(lines.first == "Review the" && lines.last?.hasSuffix("…") == true, "\(lines)")
        #expect(review.contains("<title>Review the request and approve it or reject it with a reason for the requester"
            + " — review (userTask)</title>"))
        // a short name is one line; the gateway's id (it has no name) goes under it
        #expect(try Self.matches("<tspan[^>]*>([^<]*)</tspan>", Self.group("notify", svg)) == ["Notify"])
        let gateway = try Self.group("ok", svg)
        let y = try #require(Double(try Self.matches("<tspan[^>]* y=\"(\\d+)\"", gateway).first ?? ""))
        let shape = try #require(DiagramLayout.layout(def).shapes["ok"])
        #expect(y > shape.y + shape.height)
    }

    @Test func flowsAreOrthogonalPolylinesWithTheirConditionAtTheSource() throws {
        let def = try YAMLDefinitionReader.read(source: Self.yaml, file: "drawn.yaml")
        let svg = BPMServer.diagramSVG(def)
        let paths = try Self.matches("<path data-flow=\"[^\"]*\" d=\"([^\"]*)\"", svg)
        #expect(paths.count == def.flows.count)
        for d in paths {
            #expect(!d.contains("C"), "no curves: \(d)")
            let numbers = d.split(whereSeparator: { "ML ".contains($0) }).compactMap { Int($0) }
            let points = stride(from: 0, to: numbers.count - 1, by: 2).map { (numbers[$0], numbers[$0 + 1]) }
            for (p, q) in zip(points, points.dropFirst()) { #expect(p.0 == q.0 || p.1 == q.1, "\(d)") }
        }
        // the condition's text starts a few pixels from where the flow leaves (or turns off a shared stretch)
        let flow = try #require(def.flows.first { $0.condition?.source == "approved = true" })
        let route = try #require(DiagramLayout.layout(def).edges[flow.id])
        let cond = "<text x=\"(-?\\d+\" y=\"-?\\d+)\" class=\"cond\"[^>]*><title>approved = true</title>"
        let at = try Self.matches(cond, svg)
        let xy = try #require(at.first).split(separator: "\"").compactMap { Double($0) }
        let (x, y) = try (#require(xy.first), #require(xy.last))
        func beside(_ a: Diagram.Point, _ b: Diagram.Point) -> Bool {
            a.y == b.y ? abs(x - a.x) <= 10 && abs(y - a.y) <= 16
                : abs(x - a.x) <= 10 && y >= min(a.y, b.y) && y <= max(a.y, b.y) + 10
        }
        let segments = Array(zip(route, route.dropFirst()).prefix(2))
        #expect(segments.contains { beside($0.0, $0.1) }, "\((x, y)) beside the start of \(route)")
    }
}
