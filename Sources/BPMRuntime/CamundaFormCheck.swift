import BPMExpressions
import Foundation

/// The checks of one form-js input component's value: what form-js checks in the browser
/// (`validate.required`, `min`/`max`, `minLength`/`maxLength`, `pattern`), and what its input
/// allows (a number, a boolean, one of a choice's options, a list of them, a date or time).
enum CamundaFormCheck {
    static func problems(_ c: Value, key: String, value v: Value, data: [String: Value]) -> [String] {
        let rules = c[member: "validate"], type = c[member: "type"].stringValue ?? ""
        if isEmpty(v) {
            return rules[member: "required"] == .bool(true) ? ["\(key): required"] : []
        }
        switch type {
        case "number": return number(v, key, rules)
        case "checkbox":
            if case .bool = v { return [] }
            return ["\(key): must be true or false, got \(v.typeName)"]
        case "select", "radio": return choice([v], key, c, data, many: false)
        case "checklist", "taglist":
            guard let items = v.listValue else { return ["\(key): must be a list, got \(v.typeName)"] }
            return choice(items, key, c, data, many: true)
        case "datetime": return datetime(v, key, subtype: c[member: "subtype"].stringValue ?? "date")
        default: return text(v, key, rules)
        }
    }

    static func isEmpty(_ v: Value) -> Bool {
        switch v {
        case .null: true
        case .string(let s): s.isEmpty
        case .list(let l): l.isEmpty
        default: false
        }
    }

    static func number(_ v: Value, _ key: String, _ rules: Value) -> [String] {
        guard let n = v.doubleValue else { return ["\(key): must be a number, got \(v.typeName)"] }
        var out: [String] = []
        if let min = rules[member: "min"].doubleValue, n < min {
            out.append("\(key): must be at least \(Value.format(number: min))")
        }
        if let max = rules[member: "max"].doubleValue, n > max {
            out.append("\(key): must be at most \(Value.format(number: max))")
        }
        return out
    }

    static func text(_ v: Value, _ key: String, _ rules: Value) -> [String] {
        guard let s = v.stringValue else { return ["\(key): must be text, got \(v.typeName)"] }
        var out: [String] = []
        if let min = rules[member: "minLength"].doubleValue, Double(s.count) < min {
            out.append("\(key): must have at least \(Int(min)) characters")
        }
        if let max = rules[member: "maxLength"].doubleValue, Double(s.count) > max {
            out.append("\(key): must have at most \(Int(max)) characters")
        }
        if let p = rules[member: "pattern"].stringValue, !matches(s, "^(?:\(p))$") {
            out.append("\(key): must match the pattern \(p)")
        }
        if rules[member: "validationType"].stringValue == "email", !matches(s, #"^[^@\s]+@[^@\s]+\.[^@\s]+$"#) {
            out.append("\(key): must be an e-mail address")
        }
        return out
    }

    /// One or many of the options (a choice whose options cannot be known is not checked).
    static func choice(_ items: [Value], _ key: String, _ c: Value, _ data: [String: Value], many: Bool) -> [String] {
        guard let options = CamundaForm.options(c, data) else { return [] }
        let allowed = options.map(\.value)
        let wrong = items.filter { !allowed.contains($0) }
        guard !wrong.isEmpty else { return [] }
        let list = allowed.map(\.interpolated).joined(separator: ", ")
        return ["\(key): \(wrong.map(\.interpolated).joined(separator: ", ")) is not "
                + (many ? "among" : "one of") + " the options (\(list))"]
    }

    /// form-js's formats: `2027-01-04`, `11:30` (seconds and an offset allowed), `2027-01-04T11:30`.
    static func datetime(_ v: Value, _ key: String, subtype: String) -> [String] {
        let date = #"\d{4}-\d{2}-\d{2}"#, time = #"\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"#
        let (pattern, example) = switch subtype {
        case "time": (time, "11:30")
        case "datetime": ("\(date)T\(time)", "2027-01-04T11:30")
        default: (date, "2027-01-04")
        }
        guard let s = v.stringValue, matches(s, "^\(pattern)$") else {
            return ["\(key): must be a \(subtype == "datetime" ? "date and time" : subtype) like \(example)"]
        }
        return []
    }

    static func matches(_ s: String, _ pattern: String) -> Bool {
        guard let re = try? NSRegularExpression(pattern: pattern) else { return true }
        return re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }
}
