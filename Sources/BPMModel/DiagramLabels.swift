/// Where the diagrams put text: an element's name wrapped into lines inside its box (tasks,
/// sub-processes) or under it (events, gateways), and a flow's label beside its first segment.
/// Widths are estimates (the SVG's fonts: 11 px labels, 9 px flow labels), so the lines fit with
/// the usual sans-serif faces; the full text stays in the SVG's `<title>` for hover.
extension DiagramLayout {
    /// An element's label: its lines and where they sit.
    public struct Label: Sendable, Equatable {
        public var lines: [String]
        public var bounds: Diagram.Bounds
        /// Under the shape (events, gateways) rather than inside it.
        public var below: Bool
    }

    public static let charWidth = 6.0
    public static let lineHeight = 13.0
    public static let flowCharWidth = 5.0

    /// Whether an element's label goes under it: events and gateways (small shapes).
    public static func labelBelow(_ e: FlowElement) -> Bool {
        e.kind.isGateway || kindSize(e).0 <= 36
    }

    /// The element's name (its id without one) in lines: inside a box, as many as its height
    /// holds (three in the layered layout); under an event or gateway up to three, under a
    /// boundary event two, narrower, so that it stays in the gap before the next row.
    public static func label(_ e: FlowElement, _ b: Diagram.Bounds) -> Label {
        let boundary = if case .boundaryEvent = e.kind { true } else { false }
        return label(e.name ?? e.id, b, below: labelBelow(e), boundary: boundary)
    }

    /// A label of the given text for a shape at `b`: inside it, or under it.
    public static func label(_ text: String, _ b: Diagram.Bounds, below: Bool, boundary: Bool = false) -> Label {
        let cx = b.x + b.width / 2
        guard below else {
            let lines = wrap(text, width: b.width - 12, maxLines: max(1, min(4, Int((b.height - 16) / lineHeight))))
            let h = Double(lines.count) * lineHeight
            let w = min(b.width - 12, widest(lines))
            return Label(lines: lines, bounds: Diagram.Bounds(x: cx - w / 2, y: b.y + b.height / 2 - h / 2 + 2,
                                                              width: w, height: h), below: false)
        }
        let lines = wrap(text, width: boundary ? 80 : 120, maxLines: boundary ? 2 : 3)
        let w = widest(lines)
        return Label(lines: lines, bounds: Diagram.Bounds(x: cx - w / 2, y: b.y + b.height + 3, width: w,
                                                          height: Double(lines.count) * lineHeight), below: true)
    }

    static func widest(_ lines: [String]) -> Double {
        Double(lines.map(\.count).max() ?? 0) * charWidth
    }

    /// Text in lines of at most `width` (estimated at `charWidth` a character), broken at spaces,
    /// else after `_`, `-` or `/` (ids such as `wait_for_approval`), else anywhere; past `maxLines`
    /// the last line ends with "…".
    public static func wrap(_ text: String, width: Double, maxLines: Int, charWidth: Double = charWidth) -> [String] {
        let limit = max(1, Int(width / charWidth))
        var lines: [String] = []
        var line = ""
        for (glue, piece) in pieces(text) {
            var rest = Substring(piece)
            if !line.isEmpty, line.count + glue.count + rest.count <= limit {
                line += glue + rest
                continue
            }
            if !line.isEmpty { lines.append(line) }
            line = ""
            for _ in 0...rest.count / limit where rest.count > limit {  // a piece longer than a line
                lines.append(String(rest.prefix(limit)))
                rest = rest.dropFirst(limit)
            }
            line = String(rest)
        }
        if !line.isEmpty { lines.append(line) }
        guard lines.count > maxLines, maxLines > 0 else { return lines }
        // the last line kept, cut back to a word's end when it has to be shortened for the "…"
        var last = Substring(lines[maxLines - 1])
        if last.count >= limit {
            last = last.prefix(limit - 1)
            if let space = last.lastIndex(of: " ") { last = last[..<space] }
        }
        return Array(lines.prefix(maxLines - 1)) + [String(last) + "…"]
    }

    /// The text's pieces, each with what joins it to the one before: a space, or nothing after
    /// a `_`, `-` or `/` it ends with.
    static func pieces(_ text: String) -> [(glue: String, piece: String)] {
        var out: [(glue: String, piece: String)] = []
        for word in text.split(whereSeparator: \.isWhitespace) {
            var glue = " ", current = ""
            for c in word {
                current.append(c)
                if "_-/".contains(c) {
                    out.append((glue, current))
                    (glue, current) = ("", "")
                }
            }
            if !current.isEmpty { out.append((glue, current)) }
        }
        return out
    }

    /// A flow's label beside its first segment, at the source (the condition of a gateway's
    /// flow is read where the flow leaves it): above a horizontal segment, right of a vertical one
    /// at its middle (in the gap between rows rather than beside the next box).
    /// When another flow from the same source (`siblings`: their waypoints) runs along the whole
    /// first segment too, the label goes beside the segment after it, where this flow turns away.
    /// `text` is what is shown (the caller shortens it); the bounds' origin is where it starts.
    public static func flowLabel(_ text: String, _ points: [Diagram.Point],
                                 siblings: [[Diagram.Point]] = []) -> Diagram.Bounds? {
        guard points.count >= 2 else { return nil }
        let shared = points.count > 2 && siblings.contains { covers($0, points[0], points[1]) }
        let (p, q) = shared ? (points[1], points[2]) : (points[0], points[1])
        let w = Double(text.count) * flowCharWidth + 2, h = 12.0
        if p.y == q.y {
            return Diagram.Bounds(x: q.x >= p.x ? p.x + 5 : p.x - 5 - w, y: p.y - h - 3, width: w, height: h)
        }
        return Diagram.Bounds(x: p.x + 5, y: (p.y + q.y) / 2 - h / 2, width: w, height: h)
    }

    /// Whether the other route's first segment starts at `p` and runs through `q`, in one line.
    static func covers(_ other: [Diagram.Point], _ p: Diagram.Point, _ q: Diagram.Point) -> Bool {
        guard other.count >= 2, other[0] == p else { return false }
        let r = other[1]
        if p.y == q.y && r.y == p.y { return (q.x - p.x) * (r.x - p.x) > 0 && abs(r.x - p.x) >= abs(q.x - p.x) }
        if p.x == q.x && r.x == p.x { return (q.y - p.y) * (r.y - p.y) > 0 && abs(r.y - p.y) >= abs(q.y - p.y) }
        return false
    }
}
