import BPMExpressions
import BPMEngine
import Foundation

/// A REST v2 advanced search filter on one field: `{"$neq": v}`, `{"$exists": true}`,
/// `{"$in": [..]}`, `{"$notIn": [..]}`, `{"$like": "a*b?"}`, `{"$gt": v}`, `$gte`, `$lt`, `$lte`
/// (and `$eq`). Keys are compared as numbers, dates as ISO 8601 text, a list field (a task's
/// candidate groups) matches when one of its items does (`$neq` and `$notIn`: when none does).
public struct CamundaCondition: Sendable, Equatable {
    public enum Op: String, Sendable, CaseIterable {
        case eq = "$eq", neq = "$neq", exists = "$exists", `in` = "$in", notIn = "$notIn", like = "$like"
        case gt = "$gt", gte = "$gte", lt = "$lt", lte = "$lte"
    }

    /// The item's field (REST v2 name).
    public var field: String
    public var op: Op
    public var operand: Value

    public init(field: String, op: Op, operand: Value) {
        self.field = field
        self.op = op
        self.operand = operand
    }

    /// Whether the field's value satisfies the condition.
    public func holds(_ value: Value) -> Bool {
        if case .list(let items) = value, op != .exists {
            let negated: Op? = op == .neq ? .eq : op == .notIn ? .in : nil
            guard let negated else { return items.contains { holds($0) } }
            let positive = CamundaCondition(field: field, op: negated, operand: operand)
            return !items.contains { positive.holds($0) }
        }
        switch op {
        case .eq: return value == operand
        case .neq: return value != operand
        case .exists: return (value != .null) == (operand == .bool(true))
        case .in: return operand.listValue?.contains(value) ?? false
        case .notIn: return !(operand.listValue?.contains(value) ?? false)
        case .like:
            guard case .string(let s) = value, case .string(let pattern) = operand else { return false }
            return Self.like(Array(s), Array(pattern))
        case .gt, .gte, .lt, .lte:
            guard let c = Self.compare(value, operand) else { return false }
            switch op {
            case .gt: return c > 0
            case .gte: return c >= 0
            case .lt: return c < 0
            default: return c <= 0
            }
        }
    }

    static func compare(_ a: Value, _ b: Value) -> Int? {
        switch (a, b) {
        case (.number(let x), .number(let y)): x < y ? -1 : x > y ? 1 : 0
        case (.string(let x), .string(let y)): x < y ? -1 : x > y ? 1 : 0
        default: nil
        }
    }

    /// `*` any run of characters, `?` one character, `\` escapes the next.
    static func like(_ s: [Character], _ p: [Character]) -> Bool {
        // dp[j]: whether s[..<i] matches p[..<j]; bounded by |s|·|p|
        var tokens: [(Character, wild: Character?)] = []
        var i = 0
        while i < p.count {
            if p[i] == "\\", i + 1 < p.count {
                tokens.append((p[i + 1], nil))
                i += 2
            } else {
                tokens.append((p[i], p[i] == "*" || p[i] == "?" ? p[i] : nil))
                i += 1
            }
        }
        var dp = [Bool](repeating: false, count: tokens.count + 1)
        dp[0] = true
        for j in tokens.indices where tokens[j].wild == "*" && dp[j] { dp[j + 1] = true }
        for c in s {
            var next = [Bool](repeating: false, count: tokens.count + 1)
            for (j, t) in tokens.enumerated() {
                switch t.wild {
                case "*": next[j + 1] = next[j] || dp[j + 1] || dp[j]
                case "?": next[j + 1] = dp[j]
                default: next[j + 1] = dp[j] && t.0 == c
                }
            }
            dp = next
        }
        return dp[tokens.count]
    }

    /// Whether an item satisfies every condition (its fields read by name).
    static func all<T>(_ conditions: [CamundaCondition], _ item: T) -> Bool {
        guard !conditions.isEmpty else { return true }
        let fields = Self.fields(item)
        return conditions.allSatisfy { $0.holds(fields[$0.field] ?? .null) }
    }

    /// An item's fields as values, by name (keys as numbers, dates as ISO text, enums their raw value);
    /// a user task's `candidateGroups`/`candidateUsers` also under the filter names `candidateGroup`/`candidateUser`.
    static func fields<T>(_ item: T) -> [String: Value] {
        var out: [String: Value] = [:]
        for child in Mirror(reflecting: item).children {
            guard let name = child.label else { continue }
            out[name] = value(child.value)
        }
        if let g = out["candidateGroups"] { out["candidateGroup"] = g }
        if let u = out["candidateUsers"] { out["candidateUser"] = u }
        return out
    }

    static func value(_ any: Any) -> Value {
        switch any {
        case let k as Int64: return .number(Double(k))
        case let n as Int32: return .number(Double(n))
        case let n as Int: return .number(Double(n))
        case let s as String: return .string(s)
        case let b as Bool: return .bool(b)
        case let d as Date: return .string(Coding.iso(d))
        case let list as [String]: return .list(list.map(Value.string))
        case let e as any RawRepresentable: return (e.rawValue as? String).map(Value.string) ?? .null
        default:
            let m = Mirror(reflecting: any)
            guard m.displayStyle == .optional else { return .null }
            return m.children.first.map { value($0.value) } ?? .null
        }
    }
}
