import BPMExpressions
import BPMModel
import Foundation

/// One key's samples for one `WindowAggregate`, kept as at most `buckets` buckets (pure: every
/// time is passed in). A bucket covers `width` seconds, numbered from the epoch; a sliding
/// window at time `t` is the buckets from `t`'s back `buckets − 1` (so it spans between
/// `length − width` and `length` seconds), a tumbling one the bucket of `t` alone. A sample
/// older than the window is left out (it came too late).
public struct WindowBuckets: Sendable, Equatable {
    public struct Bucket: Sendable, Equatable {
        public var index: Double
        public var count: Double
        public var sum: Double
        public var min: Double
        public var max: Double
        public var firstAt: Double, first: Double
        public var lastAt: Double, last: Double

        init(index: Double, value v: Double, at t: Double) {
            self.init(index: index, count: 1, sum: v, min: v, max: v, firstAt: t, first: v, lastAt: t, last: v)
        }

        init(index: Double, count: Double, sum: Double, min: Double, max: Double,
             firstAt: Double, first: Double, lastAt: Double, last: Double)
        {
            self.index = index
            self.count = count
            self.sum = sum
            self.min = min
            self.max = max
            self.firstAt = firstAt
            self.first = first
            self.lastAt = lastAt
            self.last = last
        }

        mutating func add(_ v: Double, at t: Double) {
            count += 1
            sum += v
            min = Swift.min(min, v)
            max = Swift.max(max, v)
            if t < firstAt { (firstAt, first) = (t, v) }
            if t >= lastAt { (lastAt, last) = (t, v) }
        }

        var row: [Double] { [index, count, sum, min, max, firstAt, first, lastAt, last] }

        init?(row r: [Double]) {
            guard r.count == 9 else { return nil }
            self.init(index: r[0], count: r[1], sum: r[2], min: r[3], max: r[4], firstAt: r[5], first: r[6],
                      lastAt: r[7], last: r[8])
        }
    }

    /// Oldest first; at most the window's `buckets`.
    public private(set) var buckets: [Bucket] = []

    public init() {}

    /// The bucket number of time `t`.
    static func index(_ t: Double, _ w: WindowAggregate) -> Double { (t / w.width).rounded(.down) }

    /// The first bucket number inside the window at `t`.
    static func oldest(_ t: Double, _ w: WindowAggregate) -> Double { index(t, w) - Double(w.buckets - 1) }

    /// Adds a sample taken at `t`; false when it is older than the window (left out). Buckets
    /// that fell out of the window are dropped, so at most `w.buckets` remain.
    @discardableResult
    public mutating func add(_ v: Double, at t: Double, _ w: WindowAggregate) -> Bool {
        let i = Self.index(t, w)
        let newest = Swift.max(i, buckets.last?.index ?? i)
        guard i >= newest - Double(w.buckets - 1) else { return false }
        buckets.removeAll { $0.index < newest - Double(w.buckets - 1) }
        if let at = buckets.firstIndex(where: { $0.index >= i }) {
            if buckets[at].index == i {
                buckets[at].add(v, at: t)
            } else {
                buckets.insert(Bucket(index: i, value: v, at: t), at: at)
            }
        } else {
            buckets.append(Bucket(index: i, value: v, at: t))
        }
        return true
    }

    /// The window's value at `t`: null when it holds no sample (`count`: 0), and for
    /// `rate_of_change` also when its samples span no time.
    public func value(at t: Double, _ w: WindowAggregate) -> Value {
        let from = Self.oldest(t, w)
        let inside = buckets.filter { $0.index >= from && $0.index <= Self.index(t, w) }
        let n = inside.reduce(0) { $0 + $1.count }
        if w.function == .count { return .number(n) }
        guard n > 0, let head = inside.min(by: { $0.firstAt < $1.firstAt }),
              let tail = inside.max(by: { $0.lastAt < $1.lastAt }) else { return .null }
        switch w.function {
        case .count: return .number(n)
        case .sum: return .number(inside.reduce(0) { $0 + $1.sum })
        case .avg: return .number(inside.reduce(0) { $0 + $1.sum } / n)
        case .min: return .number(inside.map(\.min).min()!)
        case .max: return .number(inside.map(\.max).max()!)
        case .first: return .number(head.first)
        case .last: return .number(tail.last)
        case .rateOfChange:
            let dt = tail.lastAt - head.firstAt
            return dt > 0 ? .number((tail.last - head.first) / dt) : .null
        }
    }

    /// The stored form: a list of `[index, count, sum, min, max, firstAt, first, lastAt, last]`.
    public var stored: Value { .list(buckets.map { .list($0.row.map(Value.number)) }) }

    /// Read back from `stored` (rows that do not fit are left out, at most `w.buckets` kept).
    public init(stored: Value?, _ w: WindowAggregate) {
        let rows = (stored?.listValue ?? []).compactMap { r in
            (r.listValue?.compactMap(\.doubleValue)).flatMap { Bucket(row: $0) }
        }
        buckets = Array(rows.sorted { $0.index < $1.index }.suffix(w.buckets))
    }
}

/// A trigger's windows for one key: each window's buckets, by name, and their values at a time.
public enum WindowAggregates {
    /// Adds the event's samples (taken at `t`) to the key's stored windows; the new state and
    /// every window's value at `t` (or at its newest sample, if later).
    public static func apply(_ windows: [WindowAggregate], event: Value, at t: Double, state: [String: Value])
        -> (state: [String: Value], values: [String: Value])
    {
        var decoded = decode(windows, state: state)
        let values = add(windows, event: event, at: t, to: &decoded)
        return (state.merging(encode(decoded)) { _, new in new }, values)
    }

    /// A key's stored windows decoded, by name (what a batch keeps between the key's events).
    public static func decode(_ windows: [WindowAggregate], state: [String: Value]) -> [String: WindowBuckets] {
        Dictionary(windows.map { ($0.name, WindowBuckets(stored: state[$0.name], $0)) }) { a, _ in a }
    }

    /// Adds the event's samples (taken at `t`) to decoded windows; every window's value at `t`
    /// (or at its newest sample, if later).
    public static func add(_ windows: [WindowAggregate], event: Value, at t: Double,
                           to decoded: inout [String: WindowBuckets]) -> [String: Value]
    {
        var values: [String: Value] = [:]
        for w in windows {
            var b = decoded[w.name] ?? WindowBuckets()
            if let v = event.lookup(components: w.ofPath)?.doubleValue, v.isFinite { b.add(v, at: t, w) }
            // a late event sees the window as of the newest sample
            values[w.name] = b.value(at: max(t, b.buckets.last?.lastAt ?? t), w)
            decoded[w.name] = b
        }
        return values
    }

    /// Decoded windows in their stored form, by name.
    public static func encode(_ decoded: [String: WindowBuckets]) -> [String: Value] {
        decoded.mapValues(\.stored)
    }

    /// The member of a key's stored windows that holds when they were last written (the
    /// engine's clock, seconds since 1970; `@` keeps it apart from window names).
    public static let writtenKey = "@written"

    /// Whether a key's stored windows may go: nothing was added to them for the longest
    /// window's length on the engine's clock, and none holds a bucket inside its window at `now`
    /// (so the key reads as empty windows — null, `count` 0 — whether or not it is stored). The
    /// engine's clock guards keys whose samples are old by their own timestamps (a backlog
    /// replayed after a downtime); the buckets, keys whose devices' clocks run ahead.
    public static func expired(_ state: [String: Value], _ windows: [WindowAggregate], now: Double) -> Bool {
        guard let longest = windows.map(\.length).max() else { return true }
        if let written = state[writtenKey]?.doubleValue, now - written < longest { return false }
        return windows.allSatisfy { w in
            WindowBuckets(stored: state[w.name], w).buckets.allSatisfy { $0.index < WindowBuckets.oldest(now, w) }
        }
    }

    /// The event's time: its top-level `timestamp` — seconds since 1970 (milliseconds,
    /// microseconds or nanoseconds when that large) or an ISO 8601 text — else `now`.
    public static func time(of event: Value, now: Double) -> Double {
        switch event.lookup(components: ["timestamp"]) {
        case .number(let n)?:
            var s = n
            while s > 1e11 { s /= 1000 }
            return s
        case .string(let text)?:
            return Coding.date(text)?.timeIntervalSince1970 ?? now
        default:
            return now
        }
    }
}
