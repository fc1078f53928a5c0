import Foundation

/// When a timer start event fires: once after a duration from deployment, once at a date, or
/// on an ISO 8601 repeating interval (`R5/PT10S`, `R/PT1H`, `R3/2026-01-01T08:00:00Z/P1D`).
public enum TimerSchedule: Sendable, Equatable {
    case duration(Double)
    case date(Date)
    /// `repetitions` nil repeats forever; `start` nil starts one interval after deployment.
    case cycle(repetitions: Int?, interval: Double, start: Date?)
    /// A cron expression in a time zone.
    case cron(CronExpression)

    /// Parses a timer start event's text.
    public static func parse(cycle text: String) -> TimerSchedule? {
        let parts = text.split(separator: "/").map(String.init)
        guard parts.count >= 2, parts[0].uppercased().hasPrefix("R") else { return nil }
        let reps = parts[0].count == 1 ? nil : Int(parts[0].dropFirst())
        if parts[0].count > 1, reps == nil { return nil }
        if parts.count == 2 {
            guard let i = try? DurationParser.seconds(parts[1]), i > 0 else { return nil }
            return .cycle(repetitions: reps, interval: i, start: nil)
        }
        guard parts.count == 3, let start = ISODate.parse(parts[1]), let i = try? DurationParser.seconds(parts[2]), i > 0 else { return nil }
        return .cycle(repetitions: reps, interval: i, start: start)
    }
}

/// ISO 8601 date-times (`2026-01-01T08:00:00Z`, with offset or fraction).
public enum ISODate {
    public static func parse(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: s) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: s)
    }
}

