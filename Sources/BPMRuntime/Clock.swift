import Foundation

/// Where the runtime gets time from. Injected so tests and simulations control it.
public protocol EngineClock: Sendable {
    func now() -> Date
    /// Suspends until the clock reaches `deadline` (or the task is cancelled).
    func sleep(until deadline: Date) async throws
}

/// The wall clock.
public struct SystemClock: EngineClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(until deadline: Date) async throws {
        let s = deadline.timeIntervalSinceNow
        if s > 0 { try await Task.sleep(nanoseconds: UInt64(s * 1_000_000_000)) }
    }
}

/// A clock that moves only when told to: tests advance it; sleepers wake when it passes their deadline.
public final class ManualClock: EngineClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    private var sleepers: [(id: Int, deadline: Date, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextId = 0

    public init(_ start: Date = Date(timeIntervalSince1970: 1_790_000_000)) { current = start }

    public func now() -> Date { lock.withLock { current } }

    /// Moves the clock forward and wakes every sleeper whose deadline has passed.
    public func advance(by seconds: Double) { set(now().addingTimeInterval(seconds)) }

    public func set(_ date: Date) {
        let due: [CheckedContinuation<Void, any Error>] = lock.withLock {
            current = max(current, date)
            let ready = sleepers.filter { $0.deadline <= current }
            sleepers.removeAll { $0.deadline <= current }
            return ready.map(\.continuation)
        }
        due.forEach { $0.resume() }
    }

    public func sleep(until deadline: Date) async throws {
        let id: Int = lock.withLock { nextId += 1; return nextId }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool = lock.withLock {
                    if deadline <= current || Task.isCancelled { return true }
                    sleepers.append((id, deadline, c))
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            let c: CheckedContinuation<Void, any Error>? = lock.withLock {
                guard let i = sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return sleepers.remove(at: i).continuation
            }
            c?.resume(throwing: CancellationError())
        }
    }
}

/// The wall clock, unless pinned: `bpm serve --clock-control` lets tests pin the engine's
/// time (`PUT /clock`) and so fire timers without waiting, as Camunda 8's controlled clock
/// does. A pinned clock stands still until pinned again or reset; sleepers wake by wall time,
/// so the timer loop (which sleeps at most its poll interval) sees a new pin at once.
public final class ControlledClock: EngineClock, @unchecked Sendable {
    private let lock = NSLock()
    private var pinned: Date?

    public init() {}

    public func now() -> Date { lock.withLock { pinned } ?? Date() }

    /// The pinned time, or nil when the clock follows the wall clock.
    public var pin: Date? { lock.withLock { pinned } }

    /// Stops the clock at `date`.
    public func pin(_ date: Date) { lock.withLock { pinned = date } }

    /// Lets the clock follow the wall clock again.
    public func reset() { lock.withLock { pinned = nil } }

    public func sleep(until deadline: Date) async throws {
        let s = deadline.timeIntervalSince(now())
        if s > 0 { try await Task.sleep(nanoseconds: UInt64(min(s, 86_400) * 1_000_000_000)) }
    }
}
