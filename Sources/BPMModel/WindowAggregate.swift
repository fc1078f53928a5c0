import Foundation

/// A window aggregate of an event trigger (`windows: {flow_avg_10m: {of: fields.flow_temp_c, avg: 10m}}`):
/// per correlation key, one function of a numeric event path over the last `length` seconds
/// (sliding) or over the current period of `length` seconds (tumbling, aligned to the epoch).
/// Its value is a variable of the trigger condition and of the instance it starts or refreshes.
///
/// Memory is bounded per key: a sliding window keeps a ring of at most `buckets` buckets of
/// `length / buckets` seconds each (count, sum, min, max, first and last sample per bucket), a
/// tumbling window one bucket; the configuration is refused past `maxBuckets`.
public struct WindowAggregate: Sendable, Equatable {
    public enum Function: String, Sendable, Equatable, CaseIterable {
        case avg, min, max, count, sum, first, last
        /// Per second: (last − first) / (time of last − time of first).
        case rateOfChange = "rate_of_change"
    }

    /// The variable name.
    public var name: String
    /// The dotted event path whose numbers are aggregated.
    public var of: String
    public var function: Function
    /// Seconds.
    public var length: Double
    public var tumbling: Bool
    /// Buckets a sliding window is kept in (1 for a tumbling one).
    public var buckets: Int

    /// Buckets of a sliding window unless `buckets:` says otherwise.
    public static let defaultBuckets = 60
    /// The most buckets one window may keep.
    public static let maxBuckets = 360
    /// The most windows one trigger may have.
    public static let maxWindows = 16

    public init(name: String, of: String, function: Function, length: Double, tumbling: Bool = false,
                buckets: Int = WindowAggregate.defaultBuckets)
    {
        self.name = name
        self.of = of
        self.function = function
        self.length = length
        self.tumbling = tumbling
        self.buckets = tumbling ? 1 : buckets
        ofPath = of.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    /// `of` split at its dots.
    public private(set) var ofPath: [String]

    /// Seconds one bucket covers.
    public var width: Double { length / Double(buckets) }
}
