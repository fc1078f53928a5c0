import Foundation

/// A schedule's due times, computed without a clock of its own (`now` is passed in): the
/// time after a due time, previews, the deterministic jitter of a due time, and which due
/// times run when a timer fires late (catch-up after a downtime).
public enum ScheduleTimes {
    /// At most this many missed due times run at once with `catch_up: {policy: all}` (the latest ones).
    public static let maxCatchUpRuns = 1000
    /// At most this many due times are looked at when a timer fires late.
    static let maxSteps = 100_000

    /// The first due time of a schedule deployed at `now`.
    public static func first(_ s: TimerSchedule, now: Date) -> Date? {
        switch s {
        case .duration(let d): now.addingTimeInterval(d)
        case .date(let d): d
        case .cycle(_, let interval, let start): start ?? now.addingTimeInterval(interval)
        case .cron(let c): c.next(after: now)
        }
    }

    /// The due time after `due`; nil for a one-shot schedule.
    public static func successor(_ s: TimerSchedule, of due: Date) -> Date? {
        switch s {
        case .cron(let c): c.next(after: due)
        case .cycle(_, let interval, _): due.addingTimeInterval(interval)
        case .duration, .date: nil
        }
    }

    /// `count` due times starting with `first`.
    public static func upcoming(_ s: TimerSchedule, from first: Date, count: Int) -> [Date] {
        var out: [Date] = []
        var d: Date? = first
        while let due = d, out.count < count {
            out.append(due)
            d = successor(s, of: due)
        }
        return out
    }

    /// The first due time after `now` of the chain through `due`.
    public static func firstAfter(_ s: TimerSchedule, from due: Date, now: Date) -> Date? {
        switch s {
        case .cron(let c): return c.next(after: max(now, due))
        case .cycle(_, let interval, _):
            guard due <= now else { return due.addingTimeInterval(interval) }
            let skipped = (now.timeIntervalSince(due) / interval).rounded(.down) + 1
            return due.addingTimeInterval(skipped * interval)
        case .duration, .date: return nil
        }
    }

    /// The delay added to a due time: between 0 and `max` seconds (milliseconds), derived from
    /// the schedule id and the due time only, so every replica computes the same one.
    public static func jitter(scheduleId: String, due: Date, max: Double) -> Double {
        guard max > 0 else { return 0 }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a, 64 bits
        for b in "\(scheduleId)|\(Int64((due.timeIntervalSince1970 * 1000).rounded()))".utf8 {
            h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3
        }
        return (Double(h % 1_000_001) / 1_000_000 * max * 1000).rounded() / 1000
    }

    /// What a fired timer does: the due times to start (oldest first) and the next due time.
    public struct Plan: Sendable, Equatable {
        public var runs: [Date]
        public var next: Date?
    }

    /// The plan when the timer of due time `firstDue` fires at `now` (at or after it). Without
    /// catch-up, missed due times collapse into one start (of `firstDue`); with it, the due
    /// times of the chain within `window` before now run: all of them or only the last.
    public static func plan(_ s: TimerSchedule, options: ScheduleOptions, firstDue: Date, now: Date) -> Plan {
        let next = firstAfter(s, from: firstDue, now: now)
        guard let catchUp = options.catchUp else { return Plan(runs: [firstDue], next: next) }
        let lower = now.addingTimeInterval(-catchUp.window)
        var d = firstInWindow(s, firstDue: firstDue, lower: lower)
        var found: [Date] = []
        var steps = 0
        while let due = d, due <= now, steps < maxSteps {
            found.append(due)
            if catchUp.policy == .last, found.count > 1 { found.removeFirst() }
            if found.count > maxCatchUpRuns { found.removeFirst() }
            d = successor(s, of: due)
            steps += 1
        }
        return Plan(runs: found, next: next)
    }

    /// The first due time of the chain through `firstDue` at or after `lower`.
    static func firstInWindow(_ s: TimerSchedule, firstDue: Date, lower: Date) -> Date? {
        if firstDue >= lower { return firstDue }
        switch s {
        case .cron(let c): return c.next(after: lower.addingTimeInterval(-0.001))
        case .cycle(_, let interval, _):
            let steps = (lower.timeIntervalSince(firstDue) / interval).rounded(.up)
            return firstDue.addingTimeInterval(steps * interval)
        case .duration, .date: return nil
        }
    }
}
