import BPMModel

extension Run {
    /// A parallel gateway forks into every outgoing flow; with several incoming flows it first
    /// joins: it waits until a path has arrived on each incoming flow, then continues once.
    mutating func activateParallelGateway(_ element: FlowElement, via flowId: String?, scope: String?) {
        let incoming = definition.incoming(element.id)
        if incoming.count > 1 {
            let key = joinKey(element.id, scope)
            var arrived = state.joins[key] ?? [:]
            if let flowId { arrived[flowId, default: 0] += 1 }
            guard incoming.allSatisfy({ (arrived[$0.id] ?? 0) > 0 }) else {
                state.joins[key] = arrived
                record(element, "arrived", data: flowId.map { .context(["flow": .string($0)]) })
                return
            }
            for f in incoming { arrived[f.id, default: 1] -= 1 }
            arrived = arrived.filter { $0.value > 0 }
            state.joins[key] = arrived.isEmpty ? nil : arrived
        }
        record(element, "activated", scope: scope)
        record(element, "completed", scope: scope)
        for f in definition.outgoing(element.id) { arrive(at: f.target, via: f.id, scope: scope) }
    }

    func joinKey(_ gateway: String, _ scope: String?) -> String { (scope ?? "") + "|" + gateway }
}
