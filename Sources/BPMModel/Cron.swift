import Foundation

/// A cron expression: 5 fields (`minute hour day-of-month month day-of-week`) or 6 with
/// seconds first (Spring/Zeebe style); `*`, `?`, numbers, ranges `a-b`, lists `a,b`, steps
/// `*/n` and `a-b/n`, month and day names (`JAN`, `MON`). Evaluated in a named time zone.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    public let text: String
    public let timeZone: TimeZone
    let seconds: [Int], minutes: [Int], hours: [Int], days: Set<Int>, months: Set<Int>, weekdays: Set<Int>
    let anyDay: Bool, anyWeekday: Bool

    public struct Failure: Error, Sendable { public let message: String }

    public init(_ text: String, timeZone: TimeZone = TimeZone(identifier: "UTC")!) throws(Failure) {
        self.text = text
        self.timeZone = timeZone
        var f = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard f.count == 5 || f.count == 6 else { throw Failure(message: "a cron expression has 5 fields (minute hour day month weekday) or 6 with seconds first; '\(text)' has \(f.count)") }
        if f.count == 5 { f.insert("0", at: 0) }
        seconds = try Self.field(f[0], 0...59, "second").sorted()
        minutes = try Self.field(f[1], 0...59, "minute").sorted()
        hours = try Self.field(f[2], 0...23, "hour").sorted()
        days = try Self.field(f[3], 1...31, "day of month")
        months = try Self.field(f[4], 1...12, "month", names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], base: 1)
        var wd = try Self.field(f[5], 0...7, "day of week", names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], base: 0)
        if wd.contains(7) { wd.insert(0); wd.remove(7) }
        weekdays = wd
        anyDay = ["*", "?"].contains(f[3])
        anyWeekday = ["*", "?"].contains(f[5])
    }

    static func field(_ s: String, _ range: ClosedRange<Int>, _ what: String, names: [String] = [], base: Int = 0) throws(Failure) -> Set<Int> {
        var out: Set<Int> = []
        for part in s.uppercased().split(separator: ",") {
            var spec = String(part)
            var step = 1
            if let slash = spec.firstIndex(of: "/") {
                guard let n = Int(spec[spec.index(after: slash)...]), n > 0 else { throw Failure(message: "bad step in \(what) field '\(s)'") }
                step = n
                spec = String(spec[..<slash])
            }
            func value(_ t: String) throws(Failure) -> Int {
                if let i = names.firstIndex(of: t) { return i + base }
                guard let n = Int(t), range.contains(n) else { throw Failure(message: "\(what) '\(t)' is outside \(range.lowerBound)…\(range.upperBound)") }
                return n
            }
            let lo: Int, hi: Int
            if spec == "*" || spec == "?" { lo = range.lowerBound; hi = range.upperBound } else if let dash = spec.firstIndex(of: "-") {
                lo = try value(String(spec[..<dash]))
                hi = try value(String(spec[spec.index(after: dash)...]))
            } else {
                lo = try value(spec)
                hi = step > 1 ? range.upperBound : lo
            }
            guard lo <= hi else { throw Failure(message: "empty range in \(what) field '\(s)'") }
            out.formUnion(stride(from: lo, through: hi, by: step))
        }
        return out
    }

    /// The first time strictly after `date` that matches, within about five years. A local
    /// time a DST change skips matches once at the end of the gap; one it repeats, once.
    public func next(after date: Date) -> Date? {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        let startDay = cal.startOfDay(for: date)
        for dayOffset in 0..<(366 * 5) {
            guard let day = cal.date(byAdding: .day, value: dayOffset, to: startDay) else { return nil }
            let c = cal.dateComponents([.year, .month, .day, .weekday], from: day)
            guard let m = c.month, let d = c.day, let w = c.weekday, months.contains(m) else { continue }
            let dayOK = days.contains(d), weekdayOK = weekdays.contains(w - 1)
            // cron: with both day fields restricted, either matches
            let matches = anyDay && anyWeekday ? true : anyDay ? weekdayOK : anyWeekday ? dayOK : (dayOK || weekdayOK)
            guard matches else { continue }
            for h in hours {
                for mi in minutes {
                    for s in seconds {
                        var dc = DateComponents()
                        dc.year = c.year; dc.month = m; dc.day = d; dc.hour = h; dc.minute = mi; dc.second = s
                        guard var t = cal.date(from: dc) else { continue }
                        if cal.component(.hour, from: t) != h || cal.component(.minute, from: t) != mi {
                            // a local time a DST change skips runs once, at the first valid time after the gap
                            guard let gapEnd = timeZone.nextDaylightSavingTimeTransition(after: day) else { continue }
                            t = gapEnd
                        }
                        // a local time a DST change repeats is one candidate: it runs once
                        if t > date { return t }
                    }
                }
            }
        }
        return nil
    }

    public var description: String { "\(text) (\(timeZone.identifier))" }
}
