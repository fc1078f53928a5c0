import BPMModel
import Foundation

/// BPMN's markers on the drawn diagram, so element kinds can be told apart: a gateway's symbol (×, +, ○,
/// the event-based pentagon, the complex asterisk), a task's type icon in its top-left corner (user,
/// service, script, business rule, call activity's thick border) and an event's definition inside its
/// circle (timer, message, signal, error, escalation, conditional, compensation, link, cancel,
/// terminate). Each marker is a `<g class="marker" data-marker="KIND">`.
extension DiagramSVG {
    static func marker(_ e: FlowElement, _ b: Diagram.Bounds, stroke: String) -> String {
        guard let kind = markerKind(e) else { return "" }
        let c = center(b)
        let shape = markerShape(kind, c, b, stroke: stroke)
        return "<g class=\"marker\" data-marker=\"\(kind)\" fill=\"none\" stroke=\"\(stroke)\" "
            + "stroke-width=\"1.4\">" + shape + "</g>"
    }

    /// The marker's name for an element, nil for an element without one (a none event, a plain task).
    static func markerKind(_ e: FlowElement) -> String? {
        switch e.kind {
        case .exclusiveGateway: return "exclusive"
        case .parallelGateway: return "parallel"
        case .inclusiveGateway: return "inclusive"
        case .eventBasedGateway: return "event-based"
        case .complexGateway: return "complex"
        case .userTask: return "user"
        case .serviceTask: return e.typeName == "businessRuleTask" ? "business-rule" : "service"
        case .scriptTask: return "script"
        case .callActivity: return "call"
        case .timerCatchEvent, .timerStartEvent: return "timer"
        case .messageCatchEvent, .messageStartEvent, .messageThrowEvent: return "message"
        case .signalStartEvent, .signalCatchEvent, .signalThrowEvent: return "signal"
        case .escalationThrowEvent: return "escalation"
        case .linkThrowEvent, .linkCatchEvent: return "link"
        case .conditionalCatchEvent: return "conditional"
        case .compensationThrowEvent: return "compensation"
        case .cancelEndEvent: return "cancel"
        case .endEvent(let end): return end.terminate ? "terminate" : end.error != nil ? "error" : nil
        case .boundaryEvent(let be): return triggerKind(be.trigger)
        case .eventStartEvent(let trigger, _): return triggerKind(trigger)
        default: return nil
        }
    }

    static func triggerKind(_ t: EventTrigger) -> String {
        switch t {
        case .timer: "timer"
        case .error: "error"
        case .signal: "signal"
        case .message: "message"
        case .escalation: "escalation"
        case .condition: "conditional"
        case .compensation: "compensation"
        default: "cancel"
        }
    }

    /// A path of polylines (each from its first point), closed when asked, with an optional stroke width.
    static func lines(_ parts: [[(Int, Int)]], closed: Bool = false, width: Double? = nil) -> String {
        let d = parts.map { part in
            "M " + part.map { "\($0.0) \($0.1)" }.joined(separator: " L ") + (closed ? " Z" : "")
        }.joined(separator: " ")
        return "<path d=\"\(d)\"" + (width.map { " stroke-width=\"\($0)\"" } ?? "") + "/>"
    }

    static func circle(_ x: Int, _ y: Int, _ r: Double, width: Double? = nil, fill: String? = nil) -> String {
        "<circle cx=\"\(x)\" cy=\"\(y)\" r=\"\(r)\"" + (width.map { " stroke-width=\"\($0)\"" } ?? "")
            + (fill.map { " fill=\"\($0)\"" } ?? "") + "/>"
    }

    static func markerShape(_ kind: String, _ c: Diagram.Point, _ b: Diagram.Bounds, stroke: String) -> String {
        let x = Int(c.x), y = Int(c.y)
        // a task's icon sits in its top-left corner
        let tx = Int(b.x) + 12, ty = Int(b.y) + 12
        let cross = [[(x - 7, y - 7), (x + 7, y + 7)], [(x + 7, y - 7), (x - 7, y + 7)]]
        let plus = [[(x, y - 10), (x, y + 10)], [(x - 10, y), (x + 10, y)]]
        switch kind {
        case "exclusive": return lines(cross, width: 3)
        case "parallel": return lines(plus, width: 3)
        case "inclusive": return circle(x, y, 8, width: 2.5)
        case "complex": return lines(plus + cross, width: 2.5)
        case "event-based": return circle(x, y, 10) + pentagon(x, y, 6)
        case "user":
            let shoulders = "<path d=\"M \(tx - 6) \(ty + 7) Q \(tx) \(ty - 2) \(tx + 6) \(ty + 7) Z\"/>"
            return circle(tx, ty - 3, 3.5) + shoulders
        case "service":
            return "<circle cx=\"\(tx)\" cy=\"\(ty)\" r=\"5\" stroke-width=\"3.5\" stroke-dasharray=\"2.2 1.7\"/>"
                + circle(tx, ty, 2)
        case "script":
            return lines([[(tx - 5, ty - 7), (tx + 5, ty - 7), (tx + 5, ty + 7), (tx - 5, ty + 7), (tx - 5, ty - 7)]])
                + lines([-3, 0, 3].map { [(tx - 3, ty + $0), (tx + 3, ty + $0)] })
        case "business-rule":
            return lines([[(tx - 7, ty - 5), (tx + 7, ty - 5), (tx + 7, ty + 5), (tx - 7, ty + 5)]], closed: true)
                + lines([[(tx - 7, ty - 1), (tx + 7, ty - 1)], [(tx - 3, ty - 5), (tx - 3, ty + 5)]])
        case "call":
            return "<rect x=\"\(Int(b.x) + 2)\" y=\"\(Int(b.y) + 2)\" width=\"\(Int(b.width) - 4)\" "
                + "height=\"\(Int(b.height) - 4)\" rx=\"7\" stroke-width=\"2.5\"/>"
        default: return eventShape(kind, x, y, stroke: stroke)
        }
    }

    static func eventShape(_ kind: String, _ x: Int, _ y: Int, stroke: String) -> String {
        switch kind {
        case "timer": return circle(x, y, 9) + lines([[(x, y - 6), (x, y), (x + 4, y + 2)]])
        case "message":
            return lines([[(x - 8, y - 5), (x + 8, y - 5), (x + 8, y + 6), (x - 8, y + 6)]], closed: true)
                + lines([[(x - 8, y - 5), (x, y + 1), (x + 8, y - 5)]])
        case "signal": return lines([[(x, y - 9), (x + 8, y + 6), (x - 8, y + 6)]], closed: true)
        case "error":
            let bolt = [(x - 7, y + 8), (x - 3, y - 7), (x + 2, y + 2), (x + 7, y - 8), (x + 3, y + 7), (x - 2, y - 2)]
            return lines([bolt], closed: true)
        case "escalation": return lines([[(x, y - 9), (x + 7, y + 8), (x, y + 2), (x - 7, y + 8)]], closed: true)
        case "conditional":
            return lines([[(x - 6, y - 8), (x + 6, y - 8), (x + 6, y + 8), (x - 6, y + 8)]], closed: true)
                + lines([-4, 0, 4].map { [(x - 3, y + $0), (x + 3, y + $0)] })
        case "compensation":
            return lines([[(x - 9, y), (x - 1, y - 6), (x - 1, y + 6)], [(x - 1, y), (x + 7, y - 6), (x + 7, y + 6)]],
                         closed: true)
        case "link":
            let arrow = [(x - 7, y - 3), (x + 1, y - 3), (x + 1, y - 7), (x + 8, y), (x + 1, y + 7), (x + 1, y + 3),
                         (x - 7, y + 3)]
            return lines([arrow], closed: true)
        case "cancel": return lines([[(x - 6, y - 6), (x + 6, y + 6)], [(x + 6, y - 6), (x - 6, y + 6)]], width: 3)
        case "terminate": return circle(x, y, 9, fill: stroke)
        default: return ""
        }
    }

    static func pentagon(_ x: Int, _ y: Int, _ r: Double) -> String {
        let points = (0..<5).map { k -> String in
            let a = Double(k) * 2 * Double.pi / 5 - Double.pi / 2
            return "\(x + Int((r * cos(a)).rounded())),\(y + Int((r * sin(a)).rounded()))"
        }
        return "<polygon points=\"\(points.joined(separator: " "))\"/>"
    }
}
