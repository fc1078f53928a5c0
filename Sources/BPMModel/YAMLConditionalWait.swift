import BPMExpressions
import Yams

/// `on_condition` on an activity that waits (service, user, receive, timer): conditional boundary
/// events (BPMN 2.0.2 §10.5.4), with their semantics in docs/bpmn.md — the condition is evaluated
/// when the wait begins and whenever the instance's variables may have changed (a correlated
/// Kafka or MQTT event included), and fires on a change from false to true.
///
/// ```yaml
/// on_condition: {when: flow_temp_c > 30, next: emergency_stop}          # interrupts the wait
/// on_condition:
///   - {when: flow_temp_c > 30, next: emergency_stop}
///   - {when: flow_temp_c > 28, next: warn, interrupting: false}          # a side path; the wait goes on
/// ```
struct ConditionalWait {
    var condition: Expression
    var target: (String, Node)?
    var interrupting: Bool
    var node: Node
}

extension YAMLDefinitionReader.Builder {
    mutating func readOnCondition(_ a: inout YAMLDefinitionReader.Activity) {
        guard let node = a.mapping[key: "on_condition"] else { return }
        guard YAMLDefinitionReader.waitingTypes.contains(a.type) || a.type == "timer" else {
            ctx.error("'on_condition' applies only to activities that wait (service, user, receive, timer); "
                + "'\(a.id)' is a \(a.type)", a.mapping.keyNode("on_condition"))
            return
        }
        let items: [Node]
        switch node {
        case .mapping: items = [node]
        case .sequence(let s): items = Array(s)
        default:
            ctx.error("'on_condition' must be a mapping {when, next, interrupting} or a list of them", node)
            return
        }
        for item in items {
            guard case .mapping(let m) = item else {
                ctx.error("each on_condition must be a mapping {when, next, interrupting}", item)
                continue
            }
            ctx.checkKeys(m, allowed: ["when", "next", "interrupting"], in: "on_condition")
            guard m[key: "when"] != nil else {
                ctx.error("on_condition needs 'when' (a condition such as flow_temp_c > 30)", item)
                continue
            }
            guard let condition = ctx.expression(m[key: "when"], "on_condition when") else { continue }
            var interrupting = true
            if let i = m[key: "interrupting"] {
                guard let b = i.bool else {
                    ctx.error("on_condition interrupting must be true or false", i)
                    continue
                }
                interrupting = b
            }
            let next = target(m[key: "next"], "on_condition next")
            if !interrupting, next == nil {
                ctx.error("a non-interrupting on_condition needs 'next': the side path it starts while '\(a.id)' "
                    + "goes on waiting", item)
                continue
            }
            a.conditions.append(ConditionalWait(condition: condition, target: next, interrupting: interrupting,
                                                node: item))
        }
    }

    /// The `n`th conditional boundary event of an activity.
    func conditionalBoundary(_ activity: String, _ n: Int, _ c: ConditionalWait) -> FlowElement {
        let id = "\(activity)_condition" + (n == 0 ? "" : "_\(n + 1)")
        let boundary = BoundaryEvent(attachedTo: activity, trigger: .condition(c.condition),
                                     interrupting: c.interrupting)
        return FlowElement(id: id, name: "when \(c.condition.source)", kind: .boundaryEvent(boundary),
                           location: ctx.location(c.node))
    }
}
