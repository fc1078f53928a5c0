import Foundation

/// Parses durations written as ISO 8601 (`PT5M`, `P1DT2H`, `PT0.5S`) or in the plan's short
/// style (`5m`, `30s`, `1h30m`, `2d`, `500ms`). Returns seconds.
public enum DurationParser {
    public struct Failure: Error, Sendable { public let message: String }

    /// A duration as people write it: `1d2h`, `5m`, `30s`, `500ms`.
    public static func describe(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        var rest = Int(seconds.rounded())
        var out = ""
        for (unit, size) in [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        return out
    }

    public static func seconds(_ text: String) throws(Failure) -> Double {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty else { throw Failure(message: "empty duration") }
        if t.uppercased().hasPrefix("P") { return try iso(t.uppercased()) }
        return try short(t)
    }

    static func short(_ t: String) throws(Failure) -> Double {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604_800)]
        var total = 0.0
        var rest = Substring(t)
        var any = false
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard !digits.isEmpty, let n = Double(digits) else {
                throw Failure(message: "invalid duration '\(t)': expected a number, e.g. 30s, 5m, 1h30m or PT5M")
            }
            rest = rest.dropFirst(digits.count).drop { $0 == " " }
            let unitText = rest.prefix { $0.isLetter }
            guard let unit = units.first(where: { $0.0 == unitText.lowercased() }) else {
                throw Failure(message: "invalid duration '\(t)': unknown unit '\(unitText)' (use ms, s, m, h, d or w)")
            }
            rest = rest.dropFirst(unitText.count).drop { $0 == " " }
            total += n * unit.1
            any = true
        }
        guard any else { throw Failure(message: "invalid duration '\(t)'") }
        return total
    }

    static func iso(_ t: String) throws(Failure) -> Double {
        var total = 0.0
        var inTime = false
        var number = ""
        var any = false
        for c in t.dropFirst() {
            if c == "T" { inTime = true; continue }
            if c.isNumber || c == "." || c == "," { number.append(c == "," ? "." : c); continue }
            guard let n = Double(number) else { throw Failure(message: "invalid ISO 8601 duration '\(t)'") }
            number = ""
            let factor: Double
            switch (c, inTime) {
            case ("Y", false): factor = 365 * 86400
            case ("M", false): factor = 30 * 86400
            case ("W", false): factor = 7 * 86400
            case ("D", false): factor = 86400
            case ("H", true): factor = 3600
            case ("M", true): factor = 60
            case ("S", true): factor = 1
            default: throw Failure(message: "invalid ISO 8601 duration '\(t)': unexpected '\(c)'")
            }
            total += n * factor
            any = true
        }
        guard any, number.isEmpty else { throw Failure(message: "invalid ISO 8601 duration '\(t)'") }
        return total
    }
}
