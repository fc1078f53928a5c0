import Foundation

/// Per-key flow control of a definition's starts (its trigger's `throttle:` and `unique:`).
public struct FlowControl: Sendable, Equatable {
    /// At most `starts` instances per correlation key and `per` seconds; the events past it
    /// are counted and dropped.
    public struct Throttle: Sendable, Equatable {
        public var starts: Int
        public var per: Double

        public init(starts: Int, per: Double) {
            self.starts = starts
            self.per = per
        }
    }

    /// What a start with the business key of a running instance gets (`unique:`).
    public enum Unique: String, Sendable, Equatable, CaseIterable {
        /// Refused, naming the running instance (HTTP 409 with its id).
        case refuse
        /// Given the running instance, its variables refreshed with the start's.
        case correlate
    }

    public var throttle: Throttle?
    /// One running (or suspended) instance per business key, enforced by the store.
    public var unique: Unique?
    /// At most this many running (or suspended) instances per business key (`max_running:`);
    /// a start past it is refused, naming the running ones.
    public var maxRunning: Int?

    public init(throttle: Throttle? = nil, unique: Unique? = nil, maxRunning: Int? = nil) {
        self.throttle = throttle
        self.unique = unique
        self.maxRunning = maxRunning
    }

    /// The starts within `per` seconds before `at` that still count, given the start times kept.
    public static func recentStarts(_ times: [Double], at: Double, per: Double) -> [Double] {
        times.filter { at - $0 < per }
    }
}
