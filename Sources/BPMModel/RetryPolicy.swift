/// How a failed action is retried: `retries` more attempts after the first, waiting
/// `initial` seconds, multiplied by `multiplier` each time, at most `maximum`.
public struct RetryPolicy: Sendable, Equatable {
    public var retries: Int
    public var initial: Double
    public var multiplier: Double
    public var maximum: Double

    public init(retries: Int = 3, initial: Double = 1, multiplier: Double = 2, maximum: Double = 300) {
        self.retries = retries
        self.initial = initial
        self.multiplier = multiplier
        self.maximum = maximum
    }

    /// The wait before retry number `n` (1-based).
    public func delay(beforeRetry n: Int) -> Double {
        var d = initial
        for _ in 1..<max(n, 1) { d *= multiplier }
        return min(d, maximum)
    }
}
