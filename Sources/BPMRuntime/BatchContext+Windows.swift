import BPMEngine
import BPMExpressions
import BPMModel
import BPMStore
import Foundation

/// Window aggregates of event triggers (`windows:`): each key's buckets are a row of
/// `event_windows` (definition id `window:` + the definition's), read once per batch and
/// written with the batch — in the transaction that stores the consumed event's position, so
/// a replayed event is never counted twice; on a store shared by replicas a row is written only
/// if no other replica changed it since it was read (else the batch is applied again).
extension BatchContext {
    /// The prefix of the `event_windows` definition ids that hold window aggregates.
    static let windowNamespace = "window:"

    /// Adds an event to its key's windows; every window's value after it (empty without windows or a key).
    /// The key's windows stay decoded for the rest of the batch (`decodedWindows`), encoded
    /// once when it closes (`encodedWindows`).
    mutating func windowValues(_ def: ProcessDefinition, key: String?, event: Value) async throws -> [String: Value] {
        guard let windows = def.trigger?.windows, !windows.isEmpty, let key else { return [:] }
        let k = WindowKey(definitionId: Self.windowNamespace + def.id, key: key)
        var decoded: [String: WindowBuckets]
        if let d = decodedWindows[k] {
            decoded = d
        } else {
            decoded = WindowAggregates.decode(windows, state: try await window(k.definitionId, key))
            markChanged(k)
        }
        let at = WindowAggregates.time(of: event, now: now.timeIntervalSince1970)
        let values = WindowAggregates.add(windows, event: event, at: at, to: &decoded)
        decodedWindows[k] = decoded
        return values
    }

    /// The windows the batch decoded, in their stored form (with when they were written).
    func encodedWindows() -> [WindowKey: [String: Value]] {
        decodedWindows.mapValues { d in
            var state = WindowAggregates.encode(d)
            state[WindowAggregates.writtenKey] = .number(now.timeIntervalSince1970)
            return state
        }
    }

    /// Deletes the window aggregates of keys that are still gone quiet as the batch reads them
    /// (an event in the batch, or since the sweep read them, keeps them); all of them when the
    /// definition has no windows any more.
    mutating func pruneWindows(_ defId: String, _ keys: [String]) async throws {
        let windows = await definition(defId)?.0.trigger?.windows ?? []
        let id = Self.windowNamespace + defId
        for key in keys where decodedWindows[WindowKey(definitionId: id, key: key)] == nil {
            let state = try await window(id, key)
            if state.isEmpty || WindowAggregates.expired(state, windows, now: now.timeIntervalSince1970) {
                setWindow(id, key, [:])
            }
        }
    }
}

extension EventIntake {
    /// Whether the trigger condition holds for an event, with its window values beside the
    /// event's fields (a window's name wins over a field of the same name).
    static func conditionHolds(_ event: Value, _ def: ProcessDefinition, windows: [String: Value]) -> Bool {
        guard !windows.isEmpty, let c = def.trigger?.condition else { return conditionHolds(event, def) }
        return c.test((event.contextValue ?? [:]).merging(windows) { _, w in w })
    }

    /// What a windowed condition is checked with before any window is read (the decoder's check
    /// that it gives true or false): every window at zero.
    static func placeholderWindows(_ def: ProcessDefinition) -> [String: Value] {
        Dictionary((def.trigger?.windows ?? []).map { ($0.name, Value.number(0)) }) { a, _ in a }
    }
}
