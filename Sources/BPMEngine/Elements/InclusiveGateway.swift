import BPMExpressions
import BPMModel

extension Run {
    /// An inclusive gateway forks into every outgoing flow whose condition holds (the default
    /// flow when none does). With several incoming flows it joins: it waits while any other
    /// path in its scope can still reach it, then continues once for the paths that arrived.
    mutating func activateInclusiveGateway(_ element: FlowElement, via flowId: String?, scope: String?) {
        if definition.incoming(element.id).count > 1 {
            let key = joinKey(element.id, scope)
            var arrived = state.joins[key] ?? [:]
            arrived[flowId ?? "", default: 0] += 1
            state.joins[key] = arrived
            record(element, "arrived", data: flowId.map { .context(["flow": .string($0)]) })
            return  // fired by fireReadyInclusiveJoin once nothing else is on its way
        }
        forkInclusive(element, scope: scope)
    }

    mutating func forkInclusive(_ element: FlowElement, scope: String?) {
        record(element, "activated", scope: scope)
        let vars = variables(in: scope)
        var taken: [String] = []
        for f in definition.outgoing(element.id) where f.id != element.defaultFlow {
            if let c = f.condition, !c.test(vars) { continue }
            taken.append(f.id)
        }
        if taken.isEmpty, let d = element.defaultFlow { taken = [d] }
        guard !taken.isEmpty else {
            raiseIncident(at: element, scope: scope, type: "condition_failed",
                          message: "no condition of inclusive gateway '\(element.id)' is true and it has no default flow")
            return
        }
        record(element, "completed", scope: scope, data: .context(["flows": .list(taken.map { .string($0) })]))
        for id in taken { if let f = definition.flow(id) { arrive(at: f.target, via: f.id, scope: scope) } }
    }

    /// Fires one inclusive (or condition-less complex) join that has arrivals and that no other
    /// path of its scope can still reach; ends a complex join's round the same way. Returns
    /// whether it did anything.
    mutating func fireReadyInclusiveJoin() -> Bool {
        for (key, arrived) in state.joins where !arrived.isEmpty {
            guard let bar = key.firstIndex(of: "|") else { continue }
            let gatewayId = String(key[key.index(after: bar)...])
            guard let element = definition.element(gatewayId) else { continue }
            let isComplex: Bool
            switch element.kind {
            case .inclusiveGateway: isComplex = false
            case .complexGateway: isComplex = true
            default: continue
            }
            let scope: String? = bar == key.startIndex ? nil : String(key[..<bar])
            // other places in the scope where a path waits: tokens, and arrivals held at other joins
            var places = state.tokens.filter { $0.scope == scope }.map(\.elementId)
            for (otherKey, a) in state.joins where otherKey != key && !a.isEmpty && otherKey.hasPrefix((scope ?? "") + "|") {
                places.append(String(otherKey.dropFirst((scope ?? "").count + 1)))
            }
            if places.contains(where: { canReach(from: $0, to: gatewayId) }) { continue }
            state.joins[key] = nil
            if isComplex && arrived["#fired"] != nil {
                record(element, "reset")  // the round is over: every path that could arrive did
            } else {
                forkInclusive(element, scope: scope)
            }
            return true
        }
        return false
    }

    /// Whether a path at `from` can still arrive at `target` (following flows and boundary events).
    func canReach(from: String, to target: String) -> Bool {
        var seen: Set<String> = [from]
        var work = [from]
        while let id = work.popLast() {
            var next = definition.outgoing(id).map(\.target)
            next += definition.boundaryEvents(of: id).map(\.id)
            for n in next {
                if n == target { return true }
                if seen.insert(n).inserted { work.append(n) }
            }
        }
        return false
    }
}

extension Run {
    /// A complex gateway: a fork behaves like an inclusive one; a join continues as soon as its
    /// activation condition holds for the arrivals of the round, then absorbs the rest of the
    /// round (ended by `fireReadyInclusiveJoin` once nothing more can arrive).
    mutating func activateComplexGateway(_ element: FlowElement, _ condition: Expression?, via flowId: String?, scope: String?) {
        guard definition.incoming(element.id).count > 1 else {
            forkInclusive(element, scope: scope)
            return
        }
        let key = joinKey(element.id, scope)
        var arrived = state.joins[key] ?? [:]
        arrived[flowId ?? "", default: 0] += 1
        let count = arrived.filter { $0.key != "#fired" }.values.reduce(0, +)
        record(element, "arrived", data: flowId.map { .context(["flow": .string($0)]) })
        if arrived["#fired"] == nil, let condition {
            var vars = variables(in: scope)
            vars["activationCount"] = .number(Double(count))
            if condition.test(vars) {
                arrived["#fired"] = 1
                state.joins[key] = arrived
                forkInclusive(element, scope: scope)
                return
            }
        }
        state.joins[key] = arrived
    }
}
