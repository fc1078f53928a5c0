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

    /// Formats a number the way users write it: integral values without a fraction.
    public static func format(number d: Double) -> String {
        if d.isFinite, d == d.rounded(), abs(d) < 1e15 {
            return String(Int64(d))
        }
        return "\(d)"
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
    let body: @Sendable ([Value]) -> Value

    public init(parameters: [String], body: @escaping @Sendable ([Value]) -> Value) {
        self.parameters = parameters
        self.body = body
    }

    /// Calls the function; missing arguments are null.
    public func call(_ args: [Value]) -> Value { body(args) }

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
    public static func equal(_ a: Value, _ b: Value) -> Bool { a == b }
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
