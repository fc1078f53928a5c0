import Foundation

/// Per-key flow control of a definition's starts (its trigger's `throttle:` and `unique:`).
public struct FlowControl: Sendable, Equatable {
    /// At most `starts` instances per correlation key and `per` seconds; the events past it
    /// are counted and dropped, or (`excess: queue`) kept, up to `queueLimit` per key, and
    /// started in order as the period allows.
    public struct Throttle: Sendable, Equatable {
        public enum Excess: String, Sendable, Equatable, CaseIterable { case drop, queue }

        public var starts: Int
        public var per: Double
        public var excess: Excess
        /// With `queue`: the most starts kept per key (those past it are dropped and counted).
        public var queueLimit: Int

        /// The queue bound unless `queue_limit:` says otherwise, and the most it may say.
        public static let defaultQueueLimit = 100
        public static let maxQueueLimit = 10_000

        public init(starts: Int, per: Double, excess: Excess = .drop, queueLimit: Int = Throttle.defaultQueueLimit) {
            self.starts = starts
            self.per = per
            self.excess = excess
            self.queueLimit = queueLimit
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
