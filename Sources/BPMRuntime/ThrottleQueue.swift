import BPMEngine
import BPMExpressions
import BPMModel
import BPMStore
import Foundation

/// The queue of a throttle with `excess: queue`: the starts past the budget are kept in the
/// key's pattern window (`event_windows`, member `queue`: each start's variables and when it
/// was queued), at most `queue_limit` of them, and one stored timer per key (`throttle:` + the
/// definition and key; `release_at` in the window says it is armed) fires when the oldest start
/// leaves the period: the batch that applies it starts queued ones, in order, while the budget
/// allows, and arms the timer again if some remain. The window and the timer are written in the
/// same transaction; on PostgreSQL the timer is claimed by one replica and the window written
/// only if unchanged since it was read, so each queued start starts once.
extension BatchContext {
    /// The pattern-window members the throttle keeps across starts and cool-downs.
    static let throttleKeys: Set<String> = ["starts", "dropped", "queue", "release_at"]

    /// The throttle's release timer for a key.
    static func releaseTimer(_ defId: String, _ key: String, at: Double) -> TimerRecord {
        TimerRecord(id: "throttle:\(defId):\(key)", instanceId: "", elementId: "",
                    dueAt: Date(timeIntervalSince1970: at), data: ["throttle": .string(defId), "key": .string(key)])
    }

    /// A start past the budget (or behind queued ones): queued, or dropped and counted when the
    /// queue is full. Why it did not start.
    mutating func enqueue(_ th: FlowControl.Throttle, _ defId: String, _ key: String, _ w: [String: Value],
                          variables: [String: Value]) -> String
    {
        var next = w
        var queue = w["queue"]?.listValue ?? []
        let budget = "\(th.starts == 1 ? "1 start" : "\(th.starts) starts") per \(Self.seconds(th.per))"
        guard queue.count < th.queueLimit else {
            let dropped = (w["dropped"]?.doubleValue ?? 0) + 1
            next["dropped"] = .number(dropped)
            setWindow(defId, key, next)
            counters.throttled[defId, default: 0] += 1
            return "throttled: \(budget) for key '\(key)', queue full (\(th.queueLimit)); \(Int(dropped)) dropped"
        }
        queue.append(["vars": .context(variables), "at": .number(now.timeIntervalSince1970)])
        next["queue"] = .list(queue)
        armRelease(th, defId, key, &next)
        setWindow(defId, key, next)
        counters.throttleQueued[defId, default: 0] += 1
        return "queued: \(budget) for key '\(key)' (\(queue.count) waiting)"
    }

    /// Arms the key's release timer when the oldest kept start leaves the period (unless armed).
    mutating func armRelease(_ th: FlowControl.Throttle, _ defId: String, _ key: String, _ w: inout [String: Value]) {
        guard w["release_at"] == nil else { return }
        let starts = (w["starts"]?.listValue ?? []).compactMap(\.doubleValue)
        let at = max(now.timeIntervalSince1970, (starts.min() ?? 0) + th.per)
        w["release_at"] = .number(at)
        commit.timersToAdd.append(Self.releaseTimer(defId, key, at: at))
    }

    /// A key's release timer fired: its queued starts, in order, while the budget allows (one
    /// for a key whose instance still runs is correlated to it instead, as its event would have
    /// been); the timer again for the rest.
    mutating func releaseQueued(_ t: TimerRecord) async throws {
        commit.timersToDelete.append(t.id)
        guard let defId = t.data?[member: "throttle"].stringValue, let key = t.data?[member: "key"].stringValue,
              let (def, version) = await definition(defId) else { return }
        var w = try await window(defId, key)
        w["release_at"] = nil
        var queue = w["queue"]?.listValue ?? []
        guard let th = def.trigger?.flow.throttle, th.excess == .queue, !registry.retired.contains(defId) else {
            w["queue"] = nil
            setWindow(defId, key, w)
            return
        }
        let at = now.timeIntervalSince1970
        let kept = (w["starts"]?.listValue ?? []).compactMap(\.doubleValue)
        var starts = FlowControl.recentStarts(kept, at: at, per: th.per)
        while starts.count < th.starts, !queue.isEmpty {
            let vars = queue.removeFirst()[member: "vars"].contextValue ?? [:]
            if def.correlationKey != nil, let running = try await activeInstance(defId, key) {
                _ = try await applyCommand(.correlate(variables: vars), to: running)
                continue
            }
            let k = def.correlationKey == nil ? nil : key
            _ = start(def, version: version, variables: vars, key: k, businessKey: nil)
            starts.append(at)
        }
        w["starts"] = .list(starts.map(Value.number))
        w["queue"] = queue.isEmpty ? nil : .list(queue)
        if !queue.isEmpty { armRelease(th, defId, key, &w) }
        setWindow(defId, key, w)
    }
}
