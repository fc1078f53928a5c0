import BPMEngine
import BPMExpressions
import BPMModel
import BPMStore
import Foundation

extension BatchContext {
    /// A trigger's event-pattern state for a key, from the batch or the store.
    mutating func window(_ defId: String, _ key: String) async throws -> [String: Value] {
        let k = WindowKey(definitionId: defId, key: key)
        if let w = windows[k] { return w }
        let store = await reading()
        if let cached = windowCache?.state(k) {
            windows[k] = cached
            return cached
        }
        let stored = try await store.eventWindow(definitionId: defId, key: key)
        windowsRead[k] = stored ?? .null
        let w = stored?.contextValue ?? [:]
        windows[k] = w
        return w
    }

    mutating func setWindow(_ defId: String, _ key: String, _ state: [String: Value]) {
        let k = WindowKey(definitionId: defId, key: key)
        markChanged(k)
        windows[k] = state
    }

    /// Notes that a window is written with the batch (once, in the order first changed).
    mutating func markChanged(_ k: WindowKey) {
        if changedWindowSet.insert(k).inserted { changedWindows.append(k) }
    }

    /// Whether an event whose condition holds starts an instance now under the trigger's
    /// pattern: nil if it does, else why not (and the window is updated).
    mutating func patternBlocks(_ def: ProcessDefinition, _ t: Trigger, key: String,
                                variables: [String: Value] = [:]) async throws -> String?
    {
        var w = try await window(def.id, key)
        let at = now.timeIntervalSince1970
        if let until = w["cooldown_until"]?.doubleValue {
            if at < until { return "cooling down for key '\(key)' for \(Self.seconds(until - at)) more" }
            w["cooldown_until"] = nil
        }
        if let hold = t.holdFor {
            guard let since = w["since"]?.doubleValue else {
                w["since"] = .number(at)
                setWindow(def.id, key, w)
                return "the condition must hold for \(Self.seconds(hold)); it holds from now"
            }
            if at - since < hold { return "the condition has held for \(Self.seconds(at - since)) of \(Self.seconds(hold))" }
        }
        if let count = t.count, let within = t.within {
            let hits = (w["hits"]?.listValue ?? []).compactMap(\.doubleValue).filter { at - $0 < within } + [at]
            if hits.count < count {
                w["hits"] = .list(hits.map(Value.number))
                setWindow(def.id, key, w)
                return "\(hits.count) of \(count) matches within \(Self.seconds(within))"
            }
        }
        if let th = t.flow.throttle { return throttle(th, def.id, key, w, at: at, variables: variables) }
        // an instance starts: the pattern begins anew
        setWindow(def.id, key, [:])
        return nil
    }

    /// A start the pattern lets through, under the trigger's throttle: nil when it starts (its
    /// time kept), else why not (counted as dropped). Either way the pattern begins anew.
    mutating func throttle(_ th: FlowControl.Throttle, _ defId: String, _ key: String, _ w: [String: Value],
                           at: Double, variables: [String: Value]) -> String?
    {
        let kept = (w["starts"]?.listValue ?? []).compactMap(\.doubleValue)
        let starts = FlowControl.recentStarts(kept, at: at, per: th.per)
        var next = w.filter { Self.throttleKeys.contains($0.key) && $0.key != "starts" }
        if th.excess == .queue, starts.count >= th.starts || !(w["queue"]?.listValue ?? []).isEmpty {
            next["starts"] = .list(starts.map(Value.number))
            return enqueue(th, defId, key, next, variables: variables)
        }
        guard starts.count >= th.starts else {
            next["starts"] = .list((starts + [at]).map(Value.number))
            setWindow(defId, key, next)
            return nil
        }
        let dropped = (w["dropped"]?.doubleValue ?? 0) + 1
        next["starts"] = .list(starts.map(Value.number))
        next["dropped"] = .number(dropped)
        setWindow(defId, key, next)
        counters.throttled[defId, default: 0] += 1
        let n = th.starts == 1 ? "1 start" : "\(th.starts) starts"
        return "throttled: \(n) per \(Self.seconds(th.per)) for key '\(key)' (\(Int(dropped)) dropped)"
    }

    /// An event whose condition is false breaks a `for:` run.
    mutating func patternBroken(_ def: ProcessDefinition, key: String) async throws {
        var w = try await window(def.id, key)
        guard w["since"] != nil else { return }
        w["since"] = nil
        setWindow(def.id, key, w)
    }

    static func seconds(_ s: Double) -> String {
        if s >= 3600, s.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(s / 3600))h" }
        if s >= 60, s.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(s / 60))m" }
        return s == s.rounded() ? "\(Int(s))s" : String(format: "%.1fs", s)
    }
}
