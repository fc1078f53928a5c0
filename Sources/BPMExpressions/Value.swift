/// A runtime value of the expression language and of process variables: the JSON data model
/// plus FEEL ranges.
public indirect enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case list([Value])
    case context([String: Value])
    case range(RangeValue)
    /// A date, time, date and time, or duration (FEEL's temporal types).
    case temporal(Temporal)
    /// A function (`function(a, b) a + b`, a business knowledge model).
    case function(FunctionValue)

    /// The FEEL type name, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .list: "list"
        case .context: "context"
        case .range: "range"
        case .temporal(let t): t.typeName
        case .function: "function"
        }
    }

    public var isNull: Bool { if case .null = self { true } else { false } }

    /// The boolean reading of a condition: only `true` is true; `false`, `null` and non-booleans are not.
    public var isTrue: Bool { if case .bool(true) = self { true } else { false } }

    public var doubleValue: Double? { if case .number(let d) = self { d } else { nil } }
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var contextValue: [String: Value]? { if case .context(let c) = self { c } else { nil } }
    public var listValue: [Value]? { if case .list(let l) = self { l } else { nil } }

    /// Member access for paths: `a.b` on a context, projected over lists of contexts as FEEL does.
    public subscript(member name: String) -> Value {
        switch self {
        case .context(let c): return c[name] ?? .null
        case .list(let items): return .list(items.map { $0[member: name] })
        case .temporal(let t): return t.property(name) ?? .null
        case .range(let r):  // §10.3.2.7: the properties of a range
            switch name {
            case "start": return r.low ?? .null
            case "end": return r.high ?? .null
            case "start included": return .bool(r.lowInclusive)
            case "end included": return .bool(r.highInclusive)
            default: return .null
            }
        default: return .null
        }
    }

    /// Follows a dotted path such as `fields.flow_temp_c`; `nil` when a step is missing.
    public func lookup(path: String) -> Value? {
        if !path.contains(".") {
            guard case .context(let c) = self else { return nil }
            return c[path]
        }
        var current = self
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard case .context(let c) = current, let next = c[String(part)] else { return nil }
            current = next
        }
        return current
    }

    /// `lookup(path:)` with the path already split at its dots (no allocation per call).
    public func lookup(components: [String]) -> Value? {
        var current = self
        for part in components {
            guard case .context(let c) = current, let next = c[part] else { return nil }
            current = next
        }
        return current
    }

    /// The text used when a value is interpolated into a string with `${…}`.
    public var interpolated: String {
        switch self {
        case .null: return "null"
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .number(let d): return Value.format(number: d)
        case .temporal(let t): return t.text
        default: return JSON.encode(self)
        }
    }

    /// Formats a number the way users write it: integral values without a fraction, and never
    /// in exponent notation (FEEL's `string(1e20)` is `"100000000000000000000"`).
    public static func format(number d: Double) -> String {
        if d.isFinite, d == d.rounded(), abs(d) < 1e15 {
            return String(Int64(d))
        }
        guard d.isFinite else { return "\(d)" }
        return plainDecimal(d.description)
    }

    /// `1.5e-07` as `0.00000015`, `1e+20` as `100000000000000000000`.
    static func plainDecimal(_ text: String) -> String {
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }),
              let exponent = Int(text[text.index(after: e)...]) else {
            return text
        }
        var mantissa = String(text[..<e])
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa.removeFirst() }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(parts[0]), fraction = parts.count > 1 ? String(parts[1]) : ""
        let digits = whole + fraction
        let point = whole.count + exponent  // position of the decimal point in `digits`
        var out: String
        if point <= 0 {
            out = "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            out = digits + String(repeating: "0", count: point - digits.count)
        } else {
            out = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
        }
        if out.contains(".") {
            while out.hasSuffix("0") { out.removeLast() }
            if out.hasSuffix(".") { out.removeLast() }
        }
        return (negative ? "-" : "") + out
    }

    /// FEEL's `string(from)` (DMN 1.5 §10.3.4.1 and §10.3.2.3): a string as itself, numbers in
    /// plain decimal, temporal values in their ISO 8601 form, and lists, contexts and ranges
    /// written as FEEL literals (strings inside them quoted).
    public var feelString: String {
        switch self {
        case .string(let s): return s
        case .list, .context, .range: return feelLiteral
        default: return interpolated
        }
    }

    /// The value as FEEL text.
    var feelLiteral: String {
        switch self {
        case .string(let s):
            let escaped = s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"" + escaped + "\""
        case .list(let items): return "[" + items.map(\.feelLiteral).joined(separator: ", ") + "]"
        case .context(let c):
            return "{" + c.keys.sorted().map { "\($0): \(c[$0]!.feelLiteral)" }.joined(separator: ", ") + "}"
        case .range(let r):
            let low = r.low?.feelLiteral ?? "null", high = r.high?.feelLiteral ?? "null"
            return (r.lowInclusive ? "[" : "(") + low + ".." + high
                + (r.highInclusive ? "]" : ")")
        case .function: return "function"
        default: return interpolated
        }
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: Value...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) {
        self = .context(Dictionary(elements, uniquingKeysWith: { _, b in b }))
    }
    public init(nilLiteral: ()) { self = .null }
}

/// A FEEL range such as `[1..10]` or `(0..25]`; `nil` bounds are open-ended.
public struct RangeValue: Sendable, Hashable {
    public var low: Value?
    public var high: Value?
    public var lowInclusive: Bool
    public var highInclusive: Bool

    public init(low: Value?, high: Value?, lowInclusive: Bool, highInclusive: Bool) {
        self.low = low
        self.high = high
        self.lowInclusive = lowInclusive
        self.highInclusive = highInclusive
    }

    /// The values a `for` iterates over the range (DMN 1.5 §10.3.2.14): the integers from one
    /// end to the other (downwards when the start is greater), or the days between two dates;
    /// nil for other ranges or over a million items.
    public func items() -> [Value]? {
        switch (low, high) {
        case (.number(let lo)?, .number(let hi)?):
            guard lo == lo.rounded(), hi == hi.rounded(), abs(hi - lo) <= 1_000_000 else { return nil }
            let step: Double = lo <= hi ? 1 : -1
            var out: [Value] = []
            var x = lowInclusive ? lo : lo + step
            while step > 0 ? (x < hi || (highInclusive && x == hi)) : (x > hi || (highInclusive && x == hi)) {
                out.append(.number(x))
                x += step
            }
            return out
        case (.temporal(.date(let y1, let m1, let d1))?, .temporal(.date(let y2, let m2, let d2))?):
            let a = Temporal.days(y1, m1, d1), b = Temporal.days(y2, m2, d2)
            guard abs(b - a) <= 1_000_000 else { return nil }
            let step = a <= b ? 1 : -1
            var out: [Value] = []
            var x = lowInclusive ? a : a + step
            while step > 0 ? (x < b || (highInclusive && x == b)) : (x > b || (highInclusive && x == b)) {
                let (y, m, d) = Temporal.civil(x)
                out.append(.temporal(.date(year: y, month: m, day: d)))
                x += step
            }
            return out
        default:
            return nil
        }
    }

    /// Whether `v` lies in the range; `nil` when it cannot be compared.
    public func contains(_ v: Value) -> Bool? {
        if let low {
            guard let c = Comparison.compare(v, low) else { return nil }
            if c < 0 || (c == 0 && !lowInclusive) { return false }
        }
        if let high {
            guard let c = Comparison.compare(v, high) else { return nil }
            if c > 0 || (c == 0 && !highInclusive) { return false }
        }
        return true
    }
}

/// A FEEL function value: its parameter names and a body to call with arguments.
public final class FunctionValue: Sendable, Hashable {
    public let parameters: [String]
    /// The parameters' declared types (nil: not declared, Any).
    public let parameterTypes: [FEELType?]
    /// The type of every result, where it is known before a call (nil: not known).
    public let resultType: FEELType?
    let body: @Sendable ([Value]) -> Value

    public init(
        parameters: [String], types: [FEELType?] = [], result: FEELType? = nil,
        body: @escaping @Sendable ([Value]) -> Value
    ) {
        self.parameters = parameters
        self.parameterTypes = types
        self.resultType = result
        self.body = body
    }

    /// Calls the function; missing arguments are null.
    public func call(_ args: [Value]) -> Value { body(args) }

    /// Whether the function conforms to `function<parameters> -> result` (§10.3.2.9.1: "a function
    /// type (T1, …, Tn) → U conforms to (S1, …, Sn) → V if Si conforms to Ti for all i and U
    /// conforms to V"): it takes as many parameters, and every type the caller may pass conforms
    /// to the parameter's declared type, and the result's type, where known, conforms to `result`.
    public func conforms(parameters types: [FEELType], result: FEELType) -> Bool {
        if types.isEmpty && result == .any { return true }
        guard parameters.count == types.count, resultType.map({ $0.conforms(to: result) }) ?? true else {
            return false
        }
        return types.enumerated().allSatisfy { i, s in
            guard i < parameterTypes.count, let t = parameterTypes[i] else { return true }
            return s.conforms(to: t)
        }
    }

    public static func == (a: FunctionValue, b: FunctionValue) -> Bool { a === b }
    public func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(self)) }
}

/// Ordering and equality of values, with FEEL's rules: only like types compare.
public enum Comparison {
    /// -1, 0 or 1, or `nil` when the two values have no order.
    public static func compare(_ a: Value, _ b: Value) -> Int? {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.string(let x), .string(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : nil
        case (.temporal(let x), .temporal(let y)): return Temporal.compare(x, y)
        default: return nil
        }
    }

    /// Equality: deep for lists and contexts; values of different types are not equal.
    public static func equal(_ a: Value, _ b: Value) -> Bool { feelEqual(a, b) == true }

    /// FEEL's `=` (DMN 1.5 §10.3.2.5, Table 57): `null = null` is true and null equals nothing
    /// else; values of different kinds give null; lists and contexts compare deeply, element by
    /// element and entry by entry; temporal values compare as points or lengths of time.
    public static func feelEqual(_ a: Value, _ b: Value) -> Bool? {
        switch (a, b) {
        case (.null, .null): return true
        case (.null, _), (_, .null): return false
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.temporal(let x), .temporal(let y)):
            guard x.typeName == y.typeName else { return nil }
            // §10.3.2.3.4–5: a time or date and time is local (no zone), has an offset, or has a
            // time zone id; values of two of these kinds are not equal, even at the same instant
            // (`…T00:00:00+00:00` is not `…T00:00:00@Etc/UTC`)
            if x.zoneKind != y.zoneKind { return false }
            return Temporal.compare(x, y).map { $0 == 0 }
        case (.list(let x), .list(let y)):
            guard x.count == y.count else { return false }
            var result: Bool? = true
            for (u, v) in zip(x, y) {
                switch feelEqual(u, v) {
                case false?: return false
                case nil: result = nil
                default: break
                }
            }
            return result
        case (.context(let x), .context(let y)):
            guard Set(x.keys) == Set(y.keys) else { return false }
            var result: Bool? = true
            for (k, u) in x {
                switch feelEqual(u, y[k]!) {
                case false?: return false
                case nil: result = nil
                default: break
                }
            }
            return result
        case (.range(let x), .range(let y)):
            return x.lowInclusive == y.lowInclusive && x.highInclusive == y.highInclusive
                && feelEqual(x.low ?? .null, y.low ?? .null) == true
                && feelEqual(x.high ?? .null, y.high ?? .null) == true
        case (.function(let x), .function(let y)): return x === y
        default: return nil
        }
    }
}

extension Int {
    /// A FEEL number as an Int, clamped to ±2^53 (NaN gives 0): `Int(d)` would trap on an
    /// infinite or huge value, and an expression must never crash the engine.
    public init(feel d: Double) {
        guard d.isFinite else {
            self = d.isNaN ? 0 : (d > 0 ? 1 << 53 : -(1 << 53))
            return
        }
        self = Int(Swift.min(Swift.max(d, -9_007_199_254_740_992), 9_007_199_254_740_992))
    }
}
