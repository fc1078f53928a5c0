/// Prints the resolved flow of a definition, so users can see what their YAML means.
public enum FlowPrinter {
    public static func text(_ def: ProcessDefinition) -> String {
        var out = "process \(def.id)" + (def.name != def.id ? " (\(def.name))" : "") + "\n"
        if let t = def.trigger {
            out += "  trigger: \(t.kind.rawValue)"
            if let s = t.schedule { out += " \(s)" }
            if let s = t.source { out += " from \(s)" }
            if let topic = t.topic { out += " topic \(topic)" }
            if let c = t.condition { out += " when \(c.source.trimmingCharacters(in: .whitespacesAndNewlines))" }
            out += "\n"
        }
        if let k = def.correlationKey { out += "  correlation key: \(k.source)\n" }
        for e in def.elements {
            out += "  \(e.id) [\(describe(e))]\n"
            let flows = def.outgoing(e.id)
            for f in flows {
                var how = ""
                if f.id == e.defaultFlow {
                    how = f.label == "false" ? "false" : "otherwise"
                } else if let c = f.condition {
                    how = f.label == "true" ? "true: \(c.source)" : "when \(c.source)"
                } else if f.label == "timeout" {
                    how = "timeout"
                } else if case .eventBasedGateway = e.kind {
                    how = "on event"
                } else if flows.count > 1 {
                    how = "parallel"
                }
                out += "    " + (how.isEmpty ? "→ " : "–\(how)→ ") + f.target + "\n"
            }
        }
        return out
    }

    static func describe(_ e: FlowElement) -> String {
        switch e.kind {
        case .serviceTask(let s): return "service \(s.action)"
        case .timerCatchEvent(let t): return "timer \(t.text)"
        case .callActivity(let c): return "call \(c.processId)"
        case .escalationThrowEvent(let code): return "escalate \(code)"
        case .linkThrowEvent(let n): return "link to \(n)"
        case .linkCatchEvent(let n): return "link \(n)"
        case .messageCatchEvent(let m): return "wait for message \(m.name)"
        case .messageThrowEvent(let m): return "publish message \(m.name)"
        case .messageStartEvent(let m): return "start on message \(m.name)"
        case .timerStartEvent(let t): return "start on timer \(t)"
        case .signalStartEvent(let n): return "start on signal \(n)"
        case .boundaryEvent(let b):
            if let t = b.timer { return "timeout \(t.text) on \(b.attachedTo)" }
            if b.isCompensation { return "compensation of \(b.attachedTo) by \(b.handler ?? "?")" }
            if case .cancel = b.trigger { return "cancel boundary on \(b.attachedTo)" }
            return "event boundary on \(b.attachedTo)"
        case .compensationThrowEvent(let t): return "compensate \(t.activityRef ?? "scope")"
        case .cancelEndEvent: return "cancel transaction"
        case .endEvent(let end): return end.error != nil ? "end with error \(end.error!.code)" : "end"
        default: return e.isForCompensation ? "\(e.typeName), compensation handler" : e.typeName
        }
    }

    /// Graphviz DOT, for drawing.
    public static func dot(_ def: ProcessDefinition) -> String {
        var out = "digraph \"\(def.id)\" {\n  rankdir=LR;\n"
        for e in def.elements {
            let shape: String
            switch e.kind {
            case .startEvent, .endEvent, .timerCatchEvent, .boundaryEvent: shape = "circle"
            case .exclusiveGateway, .parallelGateway, .inclusiveGateway, .eventBasedGateway, .complexGateway: shape = "diamond"
            default: shape = "box"
            }
            out += "  \"\(e.id)\" [shape=\(shape), label=\"\(e.id)\\n\(describe(e))\"];\n"
        }
        for f in def.flows {
            let label = f.label.map { " [label=\"\($0.replacingOccurrences(of: "\"", with: "'"))\"]" } ?? ""
            out += "  \"\(f.source)\" -> \"\(f.target)\"\(label);\n"
        }
        return out + "}\n"
    }
}
