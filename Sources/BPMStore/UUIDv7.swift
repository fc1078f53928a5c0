import Foundation

/// Time-ordered UUIDs (RFC 9562 version 7): inserts append to B-tree indexes.
public enum UUIDv7 {
    /// A new UUIDv7 string for `date`, monotonic within the process. The random bits come
    /// from a SplitMix64 stream seeded once from the system's generator (ids are unique in
    /// the process by time and counter; across processes by the seed), so making one costs
    /// no system call.
    public static func make(_ date: Date = Date()) -> String {
        var ms = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var counter: UInt16 = 0
        var r: UInt64 = 0
        state.withLock { s in
            if ms <= s.lastMs {
                ms = s.lastMs
                s.counter &+= 1
                if s.counter > 0x0FFF { s.lastMs += 1; ms = s.lastMs; s.counter = 0 }
            } else {
                s.lastMs = ms
                s.counter = UInt16(truncatingIfNeeded: s.next() & 0x03FF)
            }
            counter = s.counter
            r = s.next()
        }
        let hex: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 36) { out in
            hex.withUTF8Buffer { digits in
                var n = 0
                func put(_ b: UInt8) {
                    out[n] = digits[Int(b >> 4)]
                    out[n + 1] = digits[Int(b & 0x0F)]
                    n += 2
                }
                for i in 0..<6 {
                    put(UInt8((ms >> (8 * (5 - i))) & 0xFF))
                    if i == 3 { out[n] = UInt8(ascii: "-"); n += 1 }
                }
                out[n] = UInt8(ascii: "-"); n += 1
                put(0x70 | UInt8((counter >> 8) & 0x0F))
                put(UInt8(counter & 0xFF))
                out[n] = UInt8(ascii: "-"); n += 1
                for i in 0..<8 {
                    var b = UInt8((r >> (8 * i)) & 0xFF)
                    if i == 0 { b = (b & 0x3F) | 0x80 }
                    put(b)
                    if i == 1 { out[n] = UInt8(ascii: "-"); n += 1 }
                }
            }
            return 36
        }
    }

    struct State {
        var lastMs: UInt64 = 0
        var counter: UInt16 = 0
        var random = SplitMix64(seed: { var g = SystemRandomNumberGenerator(); return g.next() }())
        mutating func next() -> UInt64 { random.next() }
    }
    static let state = Locked(State())
}

/// SplitMix64: a small, fast generator whose stream a seed fixes (ids, reproducible test runs).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A value behind a lock.
public final class Locked<T>: @unchecked Sendable {
    private var value: T
    private let lock = NSLock()

    public init(_ value: T) { self.value = value }

    public func withLock<R>(_ body: (inout T) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
