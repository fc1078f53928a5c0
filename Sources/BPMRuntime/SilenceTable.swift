import Foundation

/// One silence (or debounce) trigger's keys: when each was last seen, the variables of its last
/// event, and the time its stored row says — with one deadline per key, `after` past its last
/// event. Pure (every time is passed in) and compact: parallel arrays indexed by a slot, one
/// dictionary from key to slot, and the slots linked in the order they were last seen, so the
/// key due first is always the head (every key has the same `after`) and a touch moves its key
/// to the tail in O(1). About 100 bytes per key plus its key and variables text.
public struct SilenceTable: Sendable {
    public let after: Double
    /// See `Silence.slack`.
    public let slack: Double
    /// Nothing fires before this (seconds since 1970): after a restart, the time the intake has
    /// to replay what came while the engine was down.
    public var notBefore: Double = 0

    private var slots: [String: Int32] = [:]
    private var keys: [String] = []
    private var seen: [Double] = []
    /// The time of the key's stored row (NaN: none committed yet).
    private var stored: [Double] = []
    private var variables: [String] = []
    private var prev: [Int32] = []
    private var next: [Int32] = []
    private var head: Int32 = -1
    private var tail: Int32 = -1
    private var free: [Int32] = []

    /// A key gone silent: its last event's variables (JSON text) and when it was last seen.
    public struct Fire: Sendable, Equatable {
        public var key: String
        public var variables: String
        public var lastSeen: Double
    }

    public init(after: Double, slack: Double) {
        self.after = after
        self.slack = slack
    }

    /// Keys tracked.
    public var count: Int { slots.count }

    /// Whether the key is tracked (armed).
    public func contains(_ key: String) -> Bool { slots[key] != nil }

    /// When the key was last seen, if tracked.
    public func lastSeen(_ key: String) -> Double? { slots[key].map { seen[Int($0)] } }

    /// An event for `key` at `at`: its deadline moves to `at + after`. True when its row must be
    /// written (the key is new, or its stored time is `slack` or more behind).
    public mutating func touch(_ key: String, at: Double, variables vars: String) -> Bool {
        if let s = slots[key] {
            let i = Int(s)
            seen[i] = max(seen[i], at)
            variables[i] = vars
            unlink(s)
            append(s)
            return !(seen[i] - stored[i] < slack)
        }
        insert(key, seen: at, stored: .nan, variables: vars)
        return true
    }

    /// A row written for `key` with time `at` was committed.
    public mutating func committed(_ key: String, at: Double) {
        guard let s = slots[key] else { return }
        let i = Int(s)
        stored[i] = stored[i].isNaN ? at : max(stored[i], at)
    }

    /// Keys read from their stored rows after a restart, with their stored times. The last
    /// event of a key may have come up to `slack` after its stored time without a write, so
    /// each is taken as seen at `stored + slack` (never later than `now`): its silence is never
    /// early, and at most `slack` late. An `exact` row (written at a clean stop) holds the last
    /// event's time itself; its key's next event writes its row again (the row then no longer
    /// says exact). Call before any `touch`.
    public mutating func restore(_ rows: [(key: String, stored: Double, variables: String, exact: Bool)], now: Double) {
        for r in rows.sorted(by: { $0.stored < $1.stored }) where slots[r.key] == nil {
            let seen = r.exact ? min(r.stored, now) : min(r.stored + slack, now)
            insert(r.key, seen: seen, stored: r.exact ? .nan : r.stored, variables: r.variables)
        }
    }

    /// The keys whose last event is not what their row says (at a clean stop, to write them).
    public func unsaved() -> [Fire] {
        slots.values.compactMap { s in
            let i = Int(s)
            return stored[i] == seen[i] ? nil : Fire(key: keys[i], variables: variables[i], lastSeen: seen[i])
        }
    }

    /// When the first key is due (nil: none tracked).
    public var nextDue: Double? { head < 0 ? nil : max(seen[Int(head)] + after, notBefore) }

    /// Takes the keys whose deadline has passed at `at` (at most `limit`), oldest first: each is
    /// forgotten until its next event.
    public mutating func due(at: Double, limit: Int = .max) -> [Fire] {
        var out: [Fire] = []
        guard at >= notBefore else { return out }
        while head >= 0, out.count < limit, seen[Int(head)] + after <= at {
            let s = head
            let i = Int(s)
            out.append(Fire(key: keys[i], variables: variables[i], lastSeen: seen[i]))
            remove(s)
        }
        return out
    }

    /// Forgets a key (its definition no longer has the trigger).
    public mutating func forget(_ key: String) {
        if let s = slots[key] { remove(s) }
    }

    private mutating func insert(_ key: String, seen t: Double, stored st: Double, variables vars: String) {
        let s: Int32
        if let f = free.popLast() {
            s = f
            let i = Int(s)
            keys[i] = key
            seen[i] = t
            stored[i] = st
            variables[i] = vars
        } else {
            s = Int32(keys.count)
            keys.append(key)
            seen.append(t)
            stored.append(st)
            variables.append(vars)
            prev.append(-1)
            next.append(-1)
        }
        slots[key] = s
        append(s)
    }

    private mutating func remove(_ s: Int32) {
        let i = Int(s)
        unlink(s)
        slots[keys[i]] = nil
        keys[i] = ""
        variables[i] = ""
        free.append(s)
    }

    private mutating func append(_ s: Int32) {
        let i = Int(s)
        prev[i] = tail
        next[i] = -1
        if tail >= 0 { next[Int(tail)] = s } else { head = s }
        tail = s
    }

    private mutating func unlink(_ s: Int32) {
        let i = Int(s)
        if prev[i] >= 0 { next[Int(prev[i])] = next[i] } else { head = next[i] }
        if next[i] >= 0 { prev[Int(next[i])] = prev[i] } else { tail = prev[i] }
        prev[i] = -1
        next[i] = -1
    }
}
