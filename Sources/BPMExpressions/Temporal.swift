import Foundation

/// FEEL's temporal values: dates, times, dates with times (each time with an optional offset
/// or IANA zone), days-and-time durations and years-and-months durations.
public enum Temporal: Sendable, Hashable {
    case date(year: Int, month: Int, day: Int)
    /// Seconds since midnight (with fractions).
    case time(seconds: Double, zone: Zone?)
    case dateTime(year: Int, month: Int, day: Int, seconds: Double, zone: Zone?)
    /// A days-and-time duration in seconds.
    case dayTime(Double)
    /// A years-and-months duration in months.
    case yearMonth(Int)

    public enum Zone: Sendable, Hashable {
        /// Seconds east of UTC (`Z` is 0).
        case offset(Int)
        case id(String)

        func offset(at epoch: Double) -> Int {
            switch self {
            case .offset(let s): return s
            case .id(let name): return TimeZone(identifier: name)?.secondsFromGMT(for: Date(timeIntervalSince1970: epoch)) ?? 0
            }
        }

        var text: String {
            switch self {
            case .offset(0): return "Z"
            case .offset(let s):
                let a = abs(s)
                return (s < 0 ? "-" : "+") + String(format: "%02d:%02d", a / 3600, (a % 3600) / 60) + (a % 60 != 0 ? String(format: ":%02d", a % 60) : "")
            case .id(let n): return "@" + n
            }
        }
    }

    public var typeName: String {
        switch self {
        case .date: "date"
        case .time: "time"
        case .dateTime: "date and time"
        case .dayTime: "days and time duration"
        case .yearMonth: "years and months duration"
        }
    }

    // MARK: calendar arithmetic (proleptic Gregorian, days since 1970-01-01)

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    package static func days(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let y2 = m <= 2 ? y - 1 : y
        let era = (y2 >= 0 ? y2 : y2 - 399) / 400
        let yoe = y2 - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date (year, month, day) of a day number since 1970-01-01.
    package static func civil(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func daysIn(_ y: Int, _ m: Int) -> Int {
        guard (1...12).contains(m) else { return 0 }
        return [31, (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    }

    static func valid(_ y: Int, _ m: Int, _ d: Int) -> Bool { m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m) && y >= -999_999_999 && y <= 999_999_999 }

    /// Local seconds since the epoch (ignoring the zone).
    var localEpoch: Double? {
        switch self {
        case .date(let y, let m, let d): return Double(Self.days(y, m, d)) * 86400
        case .dateTime(let y, let m, let d, let s, _): return Double(Self.days(y, m, d)) * 86400 + s
        default: return nil
        }
    }

    /// The instant, for values with a zone (local time read as UTC otherwise).
    /// 0 without a zone, 1 with an offset, 2 with a time zone id.
    var zoneKind: Int {
        let zone: Zone?
        switch self {
        case .time(_, let z), .dateTime(_, _, _, _, let z): zone = z
        default: return 0
        }
        switch zone {
        case nil: return 0
        case .offset?: return 1
        case .id?: return 2
        }
    }

    public var instant: Double? {
        switch self {
        case .date: return localEpoch
        case .dateTime(_, _, _, _, let z):
            guard let l = localEpoch else { return nil }
            guard let z else { return l }
            return l - Double(z.offset(at: l))
        default: return nil
        }
    }

    static func fromLocal(_ epoch: Double, zone: Zone?) -> Temporal {
        let day = Int(feel: (epoch / 86400).rounded(.down))
        let (y, m, d) = civil(day)
        return .dateTime(year: y, month: m, day: d, seconds: epoch - Double(day) * 86400, zone: zone)
    }

    // MARK: parsing

    /// Reads the FEEL/ISO 8601 text of a date (`2017-01-01`), time (`10:30:00`, `10:30:00+01:00`,
    /// `10:30:00@Europe/Paris`), date and time (`2017-01-01T10:30:00Z`) or duration (`P1DT2H`, `-P1Y2M`).
    public static func parse(_ text: String) -> Temporal? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("P") || t.hasPrefix("-P") { return parseDuration(t) }
        if let i = t.firstIndex(of: "T"), t.contains("-") {
            guard case .date(let y, let m, let d)? = parseDate(String(t[..<i])),
                  case .time(let s, let z)? = parseTime(String(t[t.index(after: i)...])) else { return nil }
            return .dateTime(year: y, month: m, day: d, seconds: s, zone: z)
        }
        if t.contains(":") { return parseTime(t) }
        return parseDate(t)
    }

    static func parseDate(_ t: String) -> Temporal? {
        var s = Substring(t)
        var sign = 1
        if s.hasPrefix("-") { sign = -1; s = s.dropFirst() }
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count >= 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              parts[0].count == 4 || parts[0].first != "0", valid(sign * y, m, d) else { return nil }
        return .date(year: sign * y, month: m, day: d)
    }

    static func parseTime(_ t: String) -> Temporal? {
        var body = Substring(t)
        var zone: Zone?
        if let at = body.firstIndex(of: "@") {
            let name = String(body[body.index(after: at)...])
            guard TimeZone(identifier: name) != nil else { return nil }
            zone = .id(name)
            body = body[..<at]
        } else if body.hasSuffix("Z") {
            zone = .offset(0)
            body = body.dropLast()
        } else if let i = body.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let o = body[body.index(after: i)...].split(separator: ":")
            guard o.count >= 2, let h = Int(o[0]), let mi = Int(o[1]), o[0].count == 2, o[1].count == 2, h <= 14, mi < 60 else { return nil }
            let sec = o.count > 2 ? Int(o[2]) ?? 0 : 0
            zone = .offset((body[i] == "-" ? -1 : 1) * (h * 3600 + mi * 60 + sec))
            body = body[..<i]
        }
        let p = body.split(separator: ":", omittingEmptySubsequences: false)
        guard p.count == 3, p[0].count == 2, p[1].count == 2, p[2].count >= 2, let h = Int(p[0]), let m = Int(p[1]),
              let s = Double(p[2]), p[2].prefix(2).allSatisfy(\.isNumber), h < 24 || (h == 24 && m == 0 && s == 0), m < 60, s < 60 else { return nil }
        return .time(seconds: Double(h * 3600 + m * 60) + s, zone: zone)
    }

    static func parseDuration(_ t: String) -> Temporal? {
        var s = Substring(t)
        var sign = 1.0
        if s.hasPrefix("-") { sign = -1; s = s.dropFirst() }
        guard s.hasPrefix("P") else { return nil }
        s = s.dropFirst()
        var years = 0, months = 0
        var secs = 0.0
        var inTime = false
        var num = ""
        var sawYM = false, sawDT = false, sawAny = false
        for c in s {
            if c == "T" { guard !inTime else { return nil }; inTime = true; continue }
            if c.isNumber || c == "." { num.append(c); continue }
            guard let n = Double(num) else { return nil }
            num = ""
            sawAny = true
            switch (c, inTime) {
            case ("Y", false): years = Int(feel: n); sawYM = true
            case ("M", false): months = Int(feel: n); sawYM = true
            case ("W", false): secs += n * 7 * 86400; sawDT = true
            case ("D", false): secs += n * 86400; sawDT = true
            case ("H", true): secs += n * 3600; sawDT = true
            case ("M", true): secs += n * 60; sawDT = true
            case ("S", true): secs += n; sawDT = true
            default: return nil
            }
        }
        guard num.isEmpty, sawAny, !(sawYM && sawDT) else { return nil }
        if sawYM { return .yearMonth(Int(sign) * (years * 12 + months)) }
        return .dayTime(sign * secs)
    }

    // MARK: text

    static func secondsText(_ s: Double) -> String {
        let whole = Int(feel: s.rounded(.down))
        var out = String(format: "%02d:%02d:%02d", whole / 3600, (whole % 3600) / 60, whole % 60)
        let frac = s - Double(whole)
        if frac > 1e-9 {
            var f = String(format: "%.9f", frac).dropFirst()  // ".123000000"
            while f.hasSuffix("0") { f = f.dropLast() }
            out += f
        }
        return out
    }

    static func dateText(_ y: Int, _ m: Int, _ d: Int) -> String {
        (y < 0 ? "-" : "") + String(format: "%04d-%02d-%02d", abs(y), m, d)
    }

    public var text: String {
        switch self {
        case .date(let y, let m, let d): return Self.dateText(y, m, d)
        case .time(let s, let z): return Self.secondsText(s) + (z?.text ?? "")
        case .dateTime(let y, let m, let d, let s, let z): return Self.dateText(y, m, d) + "T" + Self.secondsText(s) + (z?.text ?? "")
        case .yearMonth(let months):
            let a = abs(months)
            if a == 0 { return "P0M" }
            var out = months < 0 ? "-P" : "P"
            if a / 12 != 0 { out += "\(a / 12)Y" }
            if a % 12 != 0 { out += "\(a % 12)M" }
            return out
        case .dayTime(let secs):
            let a = abs(secs)
            if a < 1e-9 { return "PT0S" }
            var out = secs < 0 ? "-P" : "P"
            let whole = Int(feel: a.rounded(.down))
            let days = whole / 86400, h = (whole % 86400) / 3600, m = (whole % 3600) / 60
            let s = a - Double(whole - whole % 60)
            if days > 0 { out += "\(days)D" }
            if h > 0 || m > 0 || s > 1e-9 {
                out += "T"
                if h > 0 { out += "\(h)H" }
                if m > 0 { out += "\(m)M" }
                if s > 1e-9 {
                    var st = s == s.rounded() ? String(Int(feel: s)) : String(format: "%.9f", s)
                    if st.contains(".") { while st.hasSuffix("0") { st.removeLast() } }
                    out += st + "S"
                }
            }
            return out
        }
    }

    // MARK: comparison and arithmetic

    /// Orders two temporal values of the same kind; nil when they do not compare.
    static func compare(_ a: Temporal, _ b: Temporal) -> Int? {
        func c(_ x: Double, _ y: Double) -> Int { x < y ? -1 : (x > y ? 1 : 0) }
        switch (a, b) {
        case (.date, .date), (.dateTime, .dateTime):
            guard let x = a.instant, let y = b.instant else { return nil }
            return c(x, y)
        case (.time(let x, let zx), .time(let y, let zy)):
            return c(x - Double(zx?.offset(at: 0) ?? 0), y - Double(zy?.offset(at: 0) ?? 0))
        case (.dayTime(let x), .dayTime(let y)): return c(x, y)
        case (.yearMonth(let x), .yearMonth(let y)): return c(Double(x), Double(y))
        default: return nil
        }
    }

    static func addMonths(_ y: Int, _ m: Int, _ d: Int, _ n: Int) -> (Int, Int, Int) {
        let (total, overflow) = (y * 12 + (m - 1)).addingReportingOverflow(n)
        guard !overflow else { return (Int.max / 24, 1, 1) }  // far outside any valid date: refused by the caller
        let ny = total >= 0 ? total / 12 : -((-total + 11) / 12)  // floor division, exact for any Int
        let nm = total - ny * 12 + 1
        return (ny, nm, min(d, daysIn(ny, nm)))
    }

    static func add(_ a: Temporal, _ b: Temporal, sign: Double) -> Temporal? {
        switch (a, b) {
        case (.dayTime(let x), .dayTime(let y)): return .dayTime(x + sign * y)
        case (.yearMonth(let x), .yearMonth(let y)): return .yearMonth(x + Int(sign) * y)
        case (.dateTime(_, _, _, _, let z), .dayTime(let s)):
            return fromLocal(a.localEpoch! + sign * s, zone: z)
        case (.dateTime(let y, let m, let d, let s, let z), .yearMonth(let n)):
            let (ny, nm, nd) = addMonths(y, m, d, Int(sign) * n)
            guard abs(ny) <= 999_999_999 else { return nil }
            return .dateTime(year: ny, month: nm, day: nd, seconds: s, zone: z)
        case (.date(let y, let m, let d), .yearMonth(let n)):
            let (ny, nm, nd) = addMonths(y, m, d, Int(sign) * n)
            guard abs(ny) <= 999_999_999 else { return nil }
            return .date(year: ny, month: nm, day: nd)
        case (.date, .dayTime(let s)):
            let day = Int(feel: ((a.localEpoch! + sign * s) / 86400).rounded(.down))
            let (y, m, d) = civil(day)
            guard abs(y) <= 999_999_999 else { return nil }
            return .date(year: y, month: m, day: d)
        case (.time(let t, let z), .dayTime(let s)):
            var r = (t + sign * s).truncatingRemainder(dividingBy: 86400)
            if r < 0 { r += 86400 }
            return .time(seconds: r, zone: z)
        default:
            return nil
        }
    }

    static func subtract(_ a: Temporal, _ b: Temporal) -> Temporal? {
        switch (a, b) {
        case (.date, .date), (.dateTime, .dateTime), (.date, .dateTime), (.dateTime, .date):
            // a zoned and an unzoned value do not subtract
            if case .dateTime(_, _, _, _, let za) = a, case .dateTime(_, _, _, _, let zb) = b, (za == nil) != (zb == nil) { return nil }
            guard let x = a.instant, let y = b.instant else { return nil }
            return .dayTime(x - y)
        case (.time(let x, let zx), .time(let y, let zy)):
            if (zx == nil) != (zy == nil) { return nil }
            return .dayTime((x - Double(zx?.offset(at: 0) ?? 0)) - (y - Double(zy?.offset(at: 0) ?? 0)))
        default:
            return add(a, b, sign: -1)
        }
    }

    // MARK: properties

    func property(_ name: String) -> Value? {
        switch (self, name) {
        case (.date(let y, _, _), "year"), (.dateTime(let y, _, _, _, _), "year"): return .number(Double(y))
        case (.date(_, let m, _), "month"), (.dateTime(_, let m, _, _, _), "month"): return .number(Double(m))
        case (.date(_, _, let d), "day"), (.dateTime(_, _, let d, _, _), "day"): return .number(Double(d))
        case (.date, "weekday"), (.dateTime, "weekday"):
            let days = Int(feel: ((localEpoch ?? 0) / 86400).rounded(.down))
            return .number(Double(((days % 7) + 7 + 3) % 7 + 1))  // 1970-01-01 was a Thursday; Monday = 1
        case (.time(let s, _), "hour"), (.dateTime(_, _, _, let s, _), "hour"): return .number(Double(Int(feel: s) / 3600))
        case (.time(let s, _), "minute"), (.dateTime(_, _, _, let s, _), "minute"): return .number(Double((Int(feel: s) % 3600) / 60))
        case (.time(let s, _), "second"), (.dateTime(_, _, _, let s, _), "second"): return .number(s - Double(Int(feel: s) - Int(feel: s) % 60))
        case (.time(_, let z), "time offset"), (.dateTime(_, _, _, _, let z), "time offset"):
            guard let z else { return .null }
            if case .offset(let o) = z { return .temporal(.dayTime(Double(o))) }
            return .null
        case (.time(_, let z), "timezone"), (.dateTime(_, _, _, _, let z), "timezone"):
            if case .id(let n)? = z { return .string(n) }
            return .null
        case (.dayTime(let s), "days"): return .number(Double(Int(feel: s / 86400)))
        case (.dayTime(let s), "hours"): return .number(Double(Int(feel: s.truncatingRemainder(dividingBy: 86400) / 3600)))
        case (.dayTime(let s), "minutes"): return .number(Double(Int(feel: s.truncatingRemainder(dividingBy: 3600) / 60)))
        case (.dayTime(let s), "seconds"): return .number(Double(Int(feel: s.truncatingRemainder(dividingBy: 60))))
        case (.yearMonth(let m), "years"): return .number(Double(m / 12))
        case (.yearMonth(let m), "months"): return .number(Double(m % 12))
        default: return nil
        }
    }

    /// Camunda's `date and time(from, timezone)`: the same instant in the zone named (an IANA
    /// name or an offset such as `+01:00`); a local date and time is read as UTC.
    static func inZone(_ v: Value, _ zone: String) -> Value {
        guard case .temporal(let t) = v, case .dateTime = t, let instant = t.instant else { return .null }
        let z: Zone
        if TimeZone(identifier: zone) != nil, zone.contains("/") || zone == "UTC" {
            z = .id(zone)
        } else if case .time(_, let parsed?)? = parseTime("00:00:00" + zone) {
            z = parsed
        } else {
            return .null
        }
        return .temporal(fromLocal(instant + Double(z.offset(at: instant)), zone: z))
    }
}
