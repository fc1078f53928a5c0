import BPMExpressions

/// The stored form of a listener job of a waiting token (part of the instance state's JSON).
extension ListenerJob {
    var value: Value {
        var c: [String: Value] = [
            "index": .number(Double(index)), "job": .string(jobId), "attempt": .number(Double(attempt)),
            "type": .string(type), "retries": .number(Double(retries)),
        ]
        switch phase {
        case .start(let flow): c["phase"] = "start"; c["flow"] = flow.map(Value.string) ?? .null
        case .end: c["phase"] = "end"
        case .task(let event, let task, let vars):
            c["phase"] = .string(event)
            c["task"] = .string(task)
            c["variables"] = .context(vars)
        }
        if let retryTimer { c["retryTimer"] = .string(retryTimer) }
        if let incident { c["incident"] = .string(incident) }
        if !corrections.isEmpty { c["corrections"] = .context(corrections) }
        return .context(c)
    }

    init?(_ v: Value) {
        guard case .context(let c) = v, let job = c["job"]?.stringValue, let p = c["phase"]?.stringValue else {
            return nil
        }
        let phase: ListenerPhase
        switch p {
        case "start": phase = .start(flowId: c["flow"]?.stringValue)
        case "end": phase = .end
        default:
            guard let task = c["task"]?.stringValue else { return nil }
            phase = .task(event: p, taskId: task, variables: c["variables"]?.contextValue ?? [:])
        }
        self.init(phase: phase, index: Int(c["index"]?.doubleValue ?? 0), jobId: job,
                  attempt: Int(c["attempt"]?.doubleValue ?? 1), type: c["type"]?.stringValue ?? "",
                  retries: Int(c["retries"]?.doubleValue ?? 3))
        retryTimer = c["retryTimer"]?.stringValue
        incident = c["incident"]?.stringValue
        corrections = c["corrections"]?.contextValue ?? [:]
    }
}
