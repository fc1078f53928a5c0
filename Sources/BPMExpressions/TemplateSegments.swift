extension Template {
    /// One piece of a template: literal text, or a `${…}` placeholder's expression.
    public enum Segment: Sendable {
        case text(String)
        case expression(Expression)
    }

    /// The template's pieces in order (what an exporter needs to write it in another notation).
    public var segments: [Segment] {
        parts.map { part in
            switch part {
            case .text(let t): .text(t)
            case .expression(let e, _): .expression(e)
            }
        }
    }
}
