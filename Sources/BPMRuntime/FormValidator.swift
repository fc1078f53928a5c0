import BPMExpressions

/// Checks a user task's completion variables against its form, a JSON Schema (the subset
/// forms use: type, required, properties, enum, minimum/maximum, minLength/maxLength, items).
public enum FormValidator {
    /// Every problem, each naming the field: `approved: required`, `amount: must be a number`.
    public static func problems(_ variables: [String: Value], schema: Value) -> [String] {
        var out: [String] = []
        check(.context(variables), schema, path: "", into: &out)
        return out
    }

    static func check(_ v: Value, _ schema: Value, path: String, into out: inout [String]) {
        guard case .context(let s) = schema else { return }
        let name = path.isEmpty ? "the variables" : path
        if let t = s["type"]?.stringValue, !v.isNull {
            let ok: Bool
            switch t {
            case "string": ok = v.stringValue != nil
            case "number": ok = v.doubleValue != nil
            case "integer": ok = v.doubleValue.map { $0 == $0.rounded() } ?? false
            case "boolean": if case .bool = v { ok = true } else { ok = false }
            case "object": ok = v.contextValue != nil
            case "array": ok = v.listValue != nil
            default: ok = true
            }
            if !ok { out.append("\(name): must be \(t == "integer" || t == "array" || t == "object" ? "an" : "a") \(t), got \(v.typeName)"); return }
        }
        if let options = s["enum"]?.listValue, !options.contains(v) {
            out.append("\(name): must be one of \(options.map(\.interpolated).joined(separator: ", "))")
        }
        if let d = v.doubleValue {
            if let min = s["minimum"]?.doubleValue, d < min { out.append("\(name): must be at least \(Value.format(number: min))") }
            if let max = s["maximum"]?.doubleValue, d > max { out.append("\(name): must be at most \(Value.format(number: max))") }
        }
        if let str = v.stringValue {
            if let min = s["minLength"]?.doubleValue, Double(str.count) < min { out.append("\(name): must have at least \(Int(min)) characters") }
            if let max = s["maxLength"]?.doubleValue, Double(str.count) > max { out.append("\(name): must have at most \(Int(max)) characters") }
        }
        if case .context(let obj) = v {
            for r in s["required"]?.listValue ?? [] {
                if let key = r.stringValue, obj[key] == nil || obj[key] == .null { out.append("\(path.isEmpty ? key : path + "." + key): required") }
            }
            if case .context(let props) = s["properties"] ?? .null {
                for (k, sub) in props { if let x = obj[k] { check(x, sub, path: path.isEmpty ? k : path + "." + k, into: &out) } }
            }
        }
        if case .list(let items) = v, let itemSchema = s["items"] {
            for (i, x) in items.enumerated() { check(x, itemSchema, path: "\(name)[\(i)]", into: &out) }
        }
    }
}
