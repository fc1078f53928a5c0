import BPMExpressions
import struct Foundation.Date
import struct Foundation.Calendar

/// When a timer of an instance fires (an intermediate timer catch event, a boundary event, an
/// event sub-process's timer start): after a duration, at a date, or on a cycle (an ISO 8601
/// repeating interval or a cron expression), each written as a value or as a FEEL expression
/// evaluated when the timer is armed (`=duration(rentDuration)`, `="R3/PT" + string(n) + "M"`).
public struct TimerDefinition: Sendable {
    /// What the timer's text describes (BPMN's `timeDuration`, `timeDate`, `timeCycle`).
    public enum Form: String, Sendable { case duration, date, cycle }

    public enum When: Sendable {
        case fixed(TimerSchedule)
        case expression(BPMExpressions.Expression, Form)
    }

    public var when: When
    /// The text it was written as (`PT1H`, `=remind`), for printing.
    public var text: String
    /// An expression timer that gives `null` is not armed (no timer, no incident): the YAML
    /// `timeout: {at: EXPR}` of a wait that may have nothing to time out on.
    public var unarmedWhenNull = false

    public init(seconds: Double, text: String) {
        self.init(.fixed(.duration(seconds)), text: text)
    }

    public init(_ when: When, text: String) {
        self.when = when
        self.text = text
    }

    /// The seconds of a static duration (0 for the other forms).
    public var seconds: Double {
        if case .fixed(.duration(let s)) = when { s } else { 0 }
    }

    /// Whether the timer may fire more than once (a cycle).
    public var repeats: Bool {
        switch when {
        case .fixed(.cycle), .fixed(.cron), .expression(_, .cycle): true
        default: false
        }
    }

    /// The schedule the timer follows from `now`: its static one, or its expression's value
    /// read as its form requires; a message saying what the expression gave otherwise.
    public func schedule(_ variables: [String: Value], now: Date) -> Result<TimerSchedule, TimerValueError> {
        switch when {
        case .fixed(let s): return .success(s)
        case .expression(let e, let form):
            let v = e.evaluate(variables)
            if let s = Self.read(v, as: form, now: now) { return .success(s) }
            return .failure(TimerValueError(message: "timer \(form.rawValue) '\(text)' gave \(v.interpolated), "
                + "not \(Self.expected[form] ?? "")"))
        }
    }

    static let expected: [Form: String] = [
        .duration: "a duration such as PT15M or duration(\"PT15M\")",
        .date: "a date and time such as 2026-12-01T08:00:00Z or date and time(\"2026-12-01T08:00:00Z\")",
        .cycle: "a cycle such as R5/PT10S, R/P1D or a cron expression such as 0 0 8 * * ?",
    ]

    static func read(_ v: Value, as form: Form, now: Date) -> TimerSchedule? {
        switch (form, v) {
        case (.duration, .temporal(.dayTime(let s))): return .duration(s)
        case (.duration, .temporal(.yearMonth(let m))):
            return Calendar(identifier: .gregorian).date(byAdding: .month, value: m, to: now).map { .date($0) }
        case (.duration, .string(let t)): return (try? DurationParser.seconds(t)).map { .duration($0) }
        case (.date, .temporal(let t)):
            guard case .dateTime = t, let epoch = t.instant else { return nil }
            return .date(Date(timeIntervalSince1970: epoch))
        case (.date, .string(let t)): return ISODate.parse(t).map { .date($0) }
        case (.cycle, .string(let t)): return TimerSchedule.read(cycle: t)
        default: return nil
        }
    }
}

/// A timer expression's value that is not a usable duration, date or cycle.
public struct TimerValueError: Error, Sendable {
    public var message: String
}

extension TimerSchedule {
    /// An ISO 8601 repeating interval or a cron expression; nil when it is neither.
    public static func read(cycle text: String) -> TimerSchedule? {
        if let s = parse(cycle: text) { return s }
        guard text.split(separator: " ").count >= 5 else { return nil }
        return (try? CronExpression(text)).map { .cron($0) }
    }

    /// When an instance's timer armed at `now` first fires: after its duration, at its date, at
    /// a cycle's first occurrence not yet past (one interval from now without a start), or at
    /// the cron expression's next time; nil when a cycle has no occurrence left.
    public func firstDue(now: Date) -> Date? {
        switch self {
        case .duration(let d): return now.addingTimeInterval(d)
        case .date(let d): return d
        case .cycle(let reps, let interval, let start):
            guard let start else { return reps == 0 ? nil : now.addingTimeInterval(interval) }
            guard start < now else { return reps == 0 ? nil : start }
            let k = (now.timeIntervalSince(start) / interval).rounded(.up)
            if let reps, k >= Double(reps) { return nil }
            return start.addingTimeInterval(k * interval)
        case .cron(let c): return c.next(after: now)
        }
    }

    /// The occurrence after the `fired`-th firing (from 1), due at `due`: one interval later,
    /// skipping those missed while the engine was down (they collapse into the firing that
    /// happened, and only firings count against the repetitions); nil when the timer is done.
    public func nextDue(after due: Date, fired: Int, now: Date) -> Date? {
        switch self {
        case .duration, .date: return nil
        case .cycle(let reps, let interval, _):
            if let reps, fired >= reps { return nil }
            var next = due.addingTimeInterval(interval)
            if next <= now {
                let missed = (now.timeIntervalSince(next) / interval).rounded(.down) + 1
                next = next.addingTimeInterval(missed * interval)
            }
            return next
        case .cron(let c): return c.next(after: max(due, now))
        }
    }
}
