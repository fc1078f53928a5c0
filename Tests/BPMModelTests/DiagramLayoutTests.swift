import BPMModel
import Foundation
import Testing

/// The layered layout's routes and labels (YAML definitions have no diagram interchange):
/// orthogonal flows that go round what lies between their ends, and names wrapped to fit.
@Suite struct DiagramLayoutTests {
    typealias Point = Diagram.Point
    typealias Bounds = Diagram.Bounds

    static func examples() throws -> [(String, ProcessDefinition)] {
        let dir = repoRoot.appendingPathComponent("examples")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { $0.hasSuffix(".yaml") && !$0.hasSuffix(".test.yaml") }.sorted()
        return try files.map { f in
            let text = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
            return (f, try YAMLDefinitionReader.read(source: text, file: f))
        }
    }

    /// Whether the segment from p to q passes through the inside of the box (touching its edge is not).
    static func crosses(_ p: Point, _ q: Point, _ b: Bounds) -> Bool {
        let (x0, x1, y0, y1) = (min(p.x, q.x), max(p.x, q.x), min(p.y, q.y), max(p.y, q.y))
        return x1 > b.x && x0 < b.x + b.width && y1 > b.y && y0 < b.y + b.height
    }

    /// The midpoints of the bounds' sides, where a flow may leave or enter.
    static func sides(_ b: Bounds) -> [Point] {
        [Point(x: b.x, y: b.y + b.height / 2), Point(x: b.x + b.width, y: b.y + b.height / 2),
         Point(x: b.x + b.width / 2, y: b.y), Point(x: b.x + b.width / 2, y: b.y + b.height)]
    }

    @Test func everyExampleFlowIsOrthogonalAndCrossesNoElementNorLabel() throws {
        let examples = try Self.examples()
        #expect(examples.count >= 8)
        for (file, def) in examples {
            let (shapes, edges) = DiagramLayout.layout(def)
            let placed = def.elements.compactMap { e in shapes[e.id].map { (e, $0) } }
            let labels = placed.map { DiagramLayout.label($0.0, $0.1) }.filter(\.below).map(\.bounds)
            for f in def.flows {
                guard let a = shapes[f.source], let b = shapes[f.target] else { continue }
                let pts = try #require(edges[f.id], "\(file): \(f.id) is routed")
                #expect(pts.count >= 2)
                #expect(Self.sides(a).contains(pts[0]), "\(file): \(f.id) leaves \(f.source) at a side")
                #expect(Self.sides(b).contains(pts[pts.count - 1]), "\(file): \(f.id) enters \(f.target) at a side")
                for (p, q) in zip(pts, pts.dropFirst()) {
                    #expect(p != q && (p.x == q.x || p.y == q.y), "\(file): \(f.id) \(p)→\(q) is orthogonal")
                    for (e, box) in placed where Self.crosses(p, q, box) {
                        Issue.record("\(file): \(f.id) \(p)→\(q) crosses \(e.id)")
                    }
                    for l in labels where Self.crosses(p, q, l) {
                        Issue.record("\(file): \(f.id) crosses a label at \(l)")
                    }
                }
            }
        }
    }

    static let loop = """
    id: loop
    activities:
      - {id: prepare, type: script, set: {n: 0}}
      - {id: work, type: script, set: {n: n + 1}}
      - {id: check, type: script, set: {m: n}}
      - id: again
        type: decision
        condition: n < 3
        true_path: work
        false_path: done
      - {id: done, type: script, set: {ok: true}}
    """

    @Test func aLoopBackGoesRoundBelowOrAboveTheElementsItPasses() throws {
        let def = try YAMLDefinitionReader.read(source: Self.loop, file: "loop.yaml")
        let (shapes, edges) = DiagramLayout.layout(def)
        let back = try #require(def.flows.first { $0.source == "again" && $0.target == "work" })
        let pts = try #require(edges[back.id])
        let between = ["work", "check"].compactMap { shapes[$0] }
        let top = between.map(\.y).min() ?? 0, bottom = between.map { $0.y + $0.height }.max() ?? 0
        #expect(pts.contains { $0.y < top } || pts.contains { $0.y > bottom }, "\(pts)")
        for (p, q) in zip(pts, pts.dropFirst()) {
            #expect(p.x == q.x || p.y == q.y)
            #expect(shapes.values.allSatisfy { !Self.crosses(p, q, $0) }, "\(p)→\(q)")
        }
        // a forward flow between neighbours in a row is one straight segment, right side to left side
        let first = try #require(def.flows.first { $0.source == "prepare" })
        let straight = try #require(edges[first.id])
        let (a, b) = try (#require(shapes["prepare"]), #require(shapes["work"]))
        #expect(straight == [Point(x: a.x + a.width, y: a.y + a.height / 2), Point(x: b.x, y: b.y + b.height / 2)])
    }

    /// Whether two segments lie on one line, overlap over some length, and run opposite ways.
    static func opposed(_ s: (Point, Point), _ t: (Point, Point)) -> Bool {
        let (a, b) = s, (c, d) = t
        if a.y == b.y && c.y == d.y && a.y == c.y && a.x != b.x && c.x != d.x {
            let overlap = min(max(a.x, b.x), max(c.x, d.x)) - max(min(a.x, b.x), min(c.x, d.x))
            return overlap > 0 && (b.x - a.x) * (d.x - c.x) < 0
        }
        if a.x == b.x && c.x == d.x && a.x == c.x && a.y != b.y && c.y != d.y {
            let overlap = min(max(a.y, b.y), max(c.y, d.y)) - max(min(a.y, b.y), min(c.y, d.y))
            return overlap > 0 && (b.y - a.y) * (d.y - c.y) < 0
        }
        return false
    }

    @Test func noTwoExampleFlowsRunAlongOneStretchInOppositeWays() throws {
        for (file, def) in try Self.examples() {
            let edges = DiagramLayout.layout(def).edges
            let segments = def.flows.flatMap { f in
                (edges[f.id].map { Array(zip($0, $0.dropFirst())) } ?? []).map { (f.id, $0) }
            }
            for (i, s) in segments.enumerated() {
                for t in segments[(i + 1)...] where s.0 != t.0 && Self.opposed(s.1, t.1) {
                    Issue.record("\(file): \(s.0) and \(t.0) run opposite ways along \(s.1)")
                }
            }
        }
    }

    @Test func theLayoutIsDeterministic() throws {
        for (_, def) in try Self.examples() {
            let (one, two) = (DiagramLayout.layout(def), DiagramLayout.layout(def))
            #expect(one.edges == two.edges && one.shapes == two.shapes)
        }
    }

    @Test func namesWrapAtSpacesThenUnderscoresWithAnEllipsisPastTheLastLine() {
        #expect(DiagramLayout.wrap("Resolve alarm on device", width: 90, maxLines: 3) == ["Resolve alarm", "on device"])
        #expect(DiagramLayout.wrap("Approve", width: 90, maxLines: 3) == ["Approve"])
        #expect(DiagramLayout.wrap("wait_for_approval_by_finance", width: 60, maxLines: 3)
            == ["wait_for_", "approval_", "by_finance"])
        #expect(DiagramLayout.wrap("abcdefghijklmnopqrstuvwxyz", width: 60, maxLines: 4)
            == ["abcdefghij", "klmnopqrst", "uvwxyz"])
        let long = DiagramLayout.wrap("Check the readings of every sensor in the building twice", width: 90,
                                      maxLines: 3)
        #expect(long.count == 3 && long[2].hasSuffix("…") && long.allSatisfy { $0.count <= 15 }, "\(long)")
        #expect(long[0] == "Check the" && long[1] == "readings of")
    }

    @Test func aTaskLabelFitsItsBoxAndAnEventLabelSitsUnderIt() throws {
        let def = try YAMLDefinitionReader.read(source: """
        id: labels
        activities:
          - {id: a, type: user, name: Review the request and approve it or reject it with a reason}
          - {id: b, type: timer, duration: 5m, name: Wait for the device to settle down after restart}
        """, file: "labels.yaml")
        let (shapes, _) = DiagramLayout.layout(def)
        let (task, timer) = try (#require(def.element("a")), #require(def.element("b")))
        let (tb, eb) = try (#require(shapes["a"]), #require(shapes["b"]))
        let inside = DiagramLayout.label(task, tb)
        #expect(!inside.below && inside.lines.count == 3 && inside.lines[2].hasSuffix("…"), "\(inside.lines)")
        #expect(inside.bounds.x >= tb.x && inside.bounds.x + inside.bounds.width <= tb.x + tb.width)
        #expect(inside.bounds.y >= tb.y && inside.bounds.y + inside.bounds.height <= tb.y + tb.height)
        let under = DiagramLayout.label(timer, eb)
        #expect(under.below && under.bounds.y > eb.y + eb.height && (2...3).contains(under.lines.count))
    }

    @Test func aFlowLabelSitsAtItsSource() {
        let right = DiagramLayout.flowLabel("n < 3", [Point(x: 100, y: 50), Point(x: 200, y: 50)])
        #expect(right == Bounds(x: 105, y: 35, width: 27, height: 12))
        let down = DiagramLayout.flowLabel("else", [Point(x: 100, y: 50), Point(x: 100, y: 150), Point(x: 200, y: 150)])
        #expect(down == Bounds(x: 105, y: 94, width: 22, height: 12))
        #expect(DiagramLayout.flowLabel("x", [Point(x: 0, y: 0)]) == nil)
        // two flows leave by the same side: the one that turns off is labelled where it turns
        let straight = [Point(x: 100, y: 50), Point(x: 300, y: 50)]
        let turning = [Point(x: 100, y: 50), Point(x: 140, y: 50), Point(x: 140, y: 150), Point(x: 200, y: 150)]
        #expect(DiagramLayout.flowLabel("yes", turning, siblings: [straight]) == Bounds(x: 145, y: 94, width: 17,
                                                                                       height: 12))
        #expect(DiagramLayout.flowLabel("no", straight, siblings: [turning]) == Bounds(x: 105, y: 35, width: 12,
                                                                                      height: 12))
    }
}
