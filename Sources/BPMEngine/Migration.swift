import BPMExpressions
import BPMModel
import Foundation

extension Engine {
    /// Moves a running (or suspended) instance to another version of its definition. Allowed
    /// when the mapping is clear: every element the instance is at — where its tokens wait,
    /// their boundary events, joins with arrivals, event sub-process starts armed — exists in
    /// the target version as the same kind, under the id `mappings` gives it (source id →
    /// target id; unmapped: the same id), in the flow scope its scope maps to. Otherwise refused,
    /// naming every element that does not map. Tokens, boundary events, joins, armed starts,
    /// incidents and compensation records move to the mapped ids; timers, jobs, tasks and
    /// subscriptions stay as they are (keyed by their own ids); new paths follow the target version.
    public static func migrate(_ state: InstanceState, from source: ProcessDefinition, to target: ProcessDefinition,
                               version: Int, mappings: [String: String] = [:], now: Date) throws(CommandRejection)
        -> Transition
    {
        guard state.status.isActive else {
            throw .invalid(
                "instance \(state.id) is \(state.status.rawValue); only running or suspended instances migrate")
        }
        guard source.id == target.id else { throw .invalid("version \(version) belongs to '\(target.id)', not '\(source.id)'") }
        guard version != state.definitionVersion else { throw .invalid("instance \(state.id) already runs on version \(version)") }
        let plan = MigrationPlan(source: source, target: target, from: state.definitionVersion, to: version,
                                 mappings: mappings)
        var problems = plan.unknownMappings()
        for t in state.tokens {
            problems += plan.check(t.elementId, "the instance waits at")
            for b in t.boundaryTimers { problems += plan.check(b.boundaryElementId, "the boundary event") }
        }
        for key in state.joins.keys.sorted() {
            problems += plan.check(String(key.split(separator: "|").last ?? ""), "the join with arrivals")
        }
        for p in state.processTriggers { problems += plan.check(p.boundaryElementId, "the event sub-process start") }
        var seen: Set<String> = []
        problems = problems.filter { seen.insert($0).inserted }
        if !problems.isEmpty {
            throw .invalid("instance \(state.id) cannot migrate to version \(version): " + problems.joined(separator: "; "))
        }
        var run = Run(definition: target, state: plan.moved(state), now: now)
        run.state.definitionVersion = version
        var data: [String: Value] = [
            "fromVersion": .number(Double(state.definitionVersion)), "toVersion": .number(Double(version)),
        ]
        if !mappings.isEmpty { data["mappings"] = .context(mappings.mapValues(Value.string)) }
        run.record(target.id, "process", "migrated", data: .context(data))
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

/// What a migration maps: each source element id to its target id (by `mappings`, else itself).
struct MigrationPlan {
    let source: ProcessDefinition
    let target: ProcessDefinition
    let from: Int
    let to: Int
    let mappings: [String: String]

    func map(_ id: String) -> String { mappings[id] ?? id }

    /// Mappings that name an element neither version has.
    func unknownMappings() -> [String] {
        mappings.keys.sorted().compactMap { s in
            if source.element(s) == nil { return "the mapping's source '\(s)' does not exist in version \(from)" }
            if target.element(mappings[s]!) == nil {
                return "the mapping's target '\(mappings[s]!)' does not exist in version \(to)"
            }
            return nil
        }
    }

    /// Why the element cannot move (empty: it can).
    func check(_ id: String, _ what: String) -> [String] {
        guard let old = source.element(id) else { return [] }
        let mapped = map(id)
        let named = mapped == id ? "'\(id)'" : "'\(id)' (mapped to '\(mapped)')"
        guard let new = target.element(mapped) else { return ["\(what) \(named) does not exist in version \(to)"] }
        if Engine.caseName(old.kind) != Engine.caseName(new.kind) || old.typeName != new.typeName {
            let kinds = "a \(Engine.describe(old)) in version \(from) but a \(Engine.describe(new)) in version \(to)"
            return ["\(what) \(named) is \(kinds)"]
        }
        if old.parent.map(map) != new.parent {
            let scope = new.parent.map { "'\($0)'" } ?? "the process"
            return ["\(what) \(named) would move to another flow scope (\(scope)) in version \(to)"]
        }
        return []
    }

    /// The state with every element id it holds mapped.
    func moved(_ state: InstanceState) -> InstanceState {
        guard !mappings.isEmpty else { return state }
        var s = state
        for i in s.tokens.indices {
            s.tokens[i].elementId = map(s.tokens[i].elementId)
            for b in s.tokens[i].boundaryTimers.indices {
                s.tokens[i].boundaryTimers[b].boundaryElementId = map(s.tokens[i].boundaryTimers[b].boundaryElementId)
            }
            if case .eventGateway(var armed) = s.tokens[i].wait {
                for a in armed.indices { armed[a].elementId = map(armed[a].elementId) }
                s.tokens[i].wait = .eventGateway(armed)
            }
        }
        s.joins = Dictionary(s.joins.map { key, arrivals in
            let parts = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            let mappedKey = (parts.dropLast() + [map(parts.last ?? "")]).joined(separator: "|")
            return (mappedKey, arrivals)
        }) { a, b in a.merging(b, uniquingKeysWith: +) }
        for p in s.processTriggers.indices {
            s.processTriggers[p].boundaryElementId = map(s.processTriggers[p].boundaryElementId)
        }
        for i in s.incidents.indices { s.incidents[i].elementId = map(s.incidents[i].elementId) }
        for c in s.compensable.indices { s.compensable[c].elementId = map(s.compensable[c].elementId) }
        return s
    }
}
