import Foundation

/// Time-ordered UUIDs (RFC 9562 version 7): inserts append to B-tree indexes.
public enum UUIDv7 {
    /// A new UUIDv7 string for `date`, monotonic within the process.
    public static func make(_ date: Date = Date()) -> String {
        var ms = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var counter: UInt16 = 0
        state.withLock { s in
            if ms <= s.lastMs {
                ms = s.lastMs
                s.counter &+= 1
                if s.counter > 0x0FFF { s.lastMs += 1; ms = s.lastMs; s.counter = 0 }
            } else {
                s.lastMs = ms
                s.counter = UInt16.random(in: 0...0x03FF)
            }
            counter = s.counter
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8((ms >> (8 * (5 - i))) & 0xFF) }
        bytes[6] = 0x70 | UInt8((counter >> 8) & 0x0F)
        bytes[7] = UInt8(counter & 0xFF)
        var rng = SystemRandomNumberGenerator()
        let r = rng.next() as UInt64
        for i in 8..<16 { bytes[i] = UInt8((r >> (8 * (i - 8))) & 0xFF) }
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(36)
        for (i, b) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    struct State { var lastMs: UInt64 = 0; var counter: UInt16 = 0 }
    static let state = Locked(State())
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
