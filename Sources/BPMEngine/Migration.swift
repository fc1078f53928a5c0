import BPMModel
import Foundation

extension Engine {
    /// Moves a running (or suspended) instance to another version of its definition. Allowed
    /// when the mapping is clear: every element the instance is at — where its tokens wait,
    /// their boundary events, joins with arrivals, event sub-process starts armed — exists in
    /// the target version with the same id and the same kind. Otherwise refused, naming every
    /// element that does not map. Timers, jobs, tasks and subscriptions stay as they are (they
    /// are keyed by instance and element); new paths follow the target version.
    public static func migrate(_ state: InstanceState, from source: ProcessDefinition, to target: ProcessDefinition, version: Int,
                               now: Date) throws(CommandRejection) -> Transition
    {
        guard state.status.isActive else { throw .invalid("instance \(state.id) is \(state.status.rawValue); only running or suspended instances migrate") }
        guard source.id == target.id else { throw .invalid("version \(version) belongs to '\(target.id)', not '\(source.id)'") }
        guard version != state.definitionVersion else { throw .invalid("instance \(state.id) already runs on version \(version)") }
        var problems: [String] = []
        func check(_ id: String, _ what: String) {
            guard let old = source.element(id) else { return }
            guard let new = target.element(id) else {
                problems.append("\(what) '\(id)' does not exist in version \(version)")
                return
            }
            if caseName(old.kind) != caseName(new.kind) || old.typeName != new.typeName {
                problems.append("\(what) '\(id)' is a \(describe(old)) in version \(state.definitionVersion) but a \(describe(new)) in version \(version)")
            }
        }
        for t in state.tokens {
            check(t.elementId, "the instance waits at")
            for b in t.boundaryTimers { check(b.boundaryElementId, "the boundary event") }
        }
        for key in state.joins.keys.sorted() { check(String(key.split(separator: "|").last ?? ""), "the join with arrivals") }
        for p in state.processTriggers { check(p.boundaryElementId, "the event sub-process start") }
        var seen: Set<String> = []
        problems = problems.filter { seen.insert($0).inserted }
        if !problems.isEmpty {
            throw .invalid("instance \(state.id) cannot migrate to version \(version): " + problems.joined(separator: "; "))
        }
        var run = Run(definition: target, state: state, now: now)
        let from = state.definitionVersion
        run.state.definitionVersion = version
        run.record(target.id, "process", "migrated", data: .context(["fromVersion": .number(Double(from)), "toVersion": .number(Double(version))]))
        return run.finish()
    }

    static func caseName(_ kind: ElementKind) -> String {
        String(String(describing: kind).prefix { $0 != "(" })
    }

    static func describe(_ e: FlowElement) -> String {
        let c = caseName(e.kind)
        return c == e.typeName ? e.typeName : "\(e.typeName) (\(c))"
    }
}
