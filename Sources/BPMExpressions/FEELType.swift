/// A FEEL type (DMN 1.5 §10.3.2.9 "Type conformance"; the type grammar of §10.3.1.2, rules
/// 54–56), and a DMN item definition's constraints on top of one.
///
/// `Any` is the top type; `Null` conforms to every type. A context type lists the entries a
/// context must have at least; a list type gives its element type; a function type its
/// parameter and result types.
public indirect enum FEELType: Sendable, Hashable, CustomStringConvertible {
    case any
    case null
    case number
    case string
    case boolean
    case date
    case time
    case dateTime
    case dayTimeDuration
    case yearMonthDuration
    case list(FEELType)
    case context([ContextEntryType])
    case range(FEELType)
    case function(parameters: [FEELType], result: FEELType)
    /// A named DMN item definition: its base type, whether it is a collection, and its
    /// allowed values (unary tests every value must pass, DMN 1.5 §7.3.2).
    case item(ItemType)

    /// One entry of a context type: its name and type.
    public struct ContextEntryType: Sendable, Hashable {
        public var name: String
        public var type: FEELType
        public init(name: String, type: FEELType) {
            self.name = name
            self.type = type
        }
    }

    /// The FEEL name of the type, as `instance of` and error messages write it.
    public var description: String {
        switch self {
        case .any: "Any"
        case .null: "Null"
        case .number: "number"
        case .string: "string"
        case .boolean: "boolean"
        case .date: "date"
        case .time: "time"
        case .dateTime: "date and time"
        case .dayTimeDuration: "days and time duration"
        case .yearMonthDuration: "years and months duration"
        case .list(let t): "list<\(t)>"
        case .context(let e): "context<" + e.map { "\($0.name): \($0.type)" }.joined(separator: ", ") + ">"
        case .range(let t): "range<\(t)>"
        case .function(let p, let r): "function<" + p.map(\.description).joined(separator: ", ") + "> -> \(r)"
        case .item(let i): i.name
        }
    }

    /// The simple type names of FEEL (§10.3.2.9) and the XML Schema names DMN 1.1 models use.
    public static func builtin(_ name: String) -> FEELType? {
        var n = name
        for prefix in ["feel:", "FEEL:", "xsd:", "xs:"] where n.hasPrefix(prefix) { n.removeFirst(prefix.count) }
        switch n {
        case "Any", "any": return .any
        case "Null": return .null
        case "number", "decimal", "integer", "int", "long", "double", "float", "short": return .number
        case "string": return .string
        case "boolean": return .boolean
        case "date": return .date
        case "time": return .time
        case "date and time", "dateTime": return .dateTime
        case "days and time duration", "dayTimeDuration", "duration": return .dayTimeDuration
        case "years and months duration", "yearMonthDuration": return .yearMonthDuration
        case "context": return .context([])
        case "list": return .list(.any)
        case "range": return .range(.any)
        case "function": return .function(parameters: [], result: .any)
        default: return nil
        }
    }
}

/// A DMN item definition as a type (DMN 1.5 §7.3.2): a base type (or components, for a
/// structure), a collection flag, and allowed values.
public final class ItemType: Sendable, Hashable {
    public let name: String
    /// The base type; for a structure, a context type of the components.
    public let base: FEELType
    public let isCollection: Bool
    /// Unary tests the (element) value must pass; nil allows every value of the base type.
    public let allowedValues: UnaryTests?
    /// A structure's components (`itemComponent`s): a context that has each of these entries,
    /// conforming to its type (further entries are allowed: a context type is a supertype of
    /// the contexts with more entries, §10.3.2.9.1).
    public let components: [FEELType.ContextEntryType]?

    public init(name: String, base: FEELType, isCollection: Bool, allowedValues: UnaryTests?,
                components: [FEELType.ContextEntryType]? = nil) {
        self.name = name
        self.base = base
        self.isCollection = isCollection
        self.allowedValues = allowedValues
        self.components = components
    }

    /// The same type, one element of it (for a collection).
    var element: ItemType {
        ItemType(name: name, base: base, isCollection: false, allowedValues: allowedValues, components: components)
    }

    public static func == (a: ItemType, b: ItemType) -> Bool { a === b }
    public func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(self)) }
}

extension FEELType {
    /// Whether `value` conforms to the type (§10.3.2.9.1). `null` conforms to every type.
    public func accepts(_ value: Value) -> Bool {
        if value.isNull { return true }
        return matches(value, constraints: true)
    }

    /// `value instance of type` (§10.3.2.9.2 and Table 61): like conformance, but `null` is an
    /// instance of `Null` only, and an item definition's allowed values are not checked (an
    /// instance of `tAge`, a number type, is any number; conversion to it checks the values).
    public func isInstance(_ value: Value) -> Bool { matches(value, constraints: false) }

    func matches(_ value: Value, constraints: Bool) -> Bool {
        switch (self, value) {
        case (.any, _): return !value.isNull
        case (.null, _): return value.isNull
        case (_, .null): return false
        case (.number, .number), (.string, .string), (.boolean, .bool): return true
        case (.date, .temporal(.date)), (.time, .temporal(.time)), (.dateTime, .temporal(.dateTime)): return true
        case (.dayTimeDuration, .temporal(.dayTime)), (.yearMonthDuration, .temporal(.yearMonth)): return true
        case (.list(let t), .list(let items)): return items.allSatisfy(t.accepts)
        case (.context(let entries), .context(let c)):
            return entries.allSatisfy { e in c[e.name].map(e.type.accepts) ?? false }
        case (.range(let t), .range(let r)):
            return [r.low, r.high].allSatisfy { $0.map(t.accepts) ?? true }
        case (.function(let params, let result), .function(let f)):
            return f.conforms(parameters: params, result: result)
        case (.item(let i), _): return i.accepts(value, constraints: constraints)
        default: return false
        }
    }

    /// Whether every value of this type conforms to `other` (§10.3.2.9.1, type conformance):
    /// Any is the top type, Null conforms to every type, lists and ranges by their elements,
    /// contexts by the entries `other` requires, functions contravariantly in their parameters.
    public func conforms(to other: FEELType) -> Bool {
        switch (self, other) {
        case (_, .any), (.null, _): return true
        case (.list(let a), .list(let b)), (.range(let a), .range(let b)): return a.conforms(to: b)
        case (.context(let a), .context(let b)):
            return b.allSatisfy { e in a.first { $0.name == e.name }.map { $0.type.conforms(to: e.type) } ?? false }
        case (.function(let p, let r), .function(let q, let u)):
            return p.count == q.count && zip(p, q).allSatisfy { $1.conforms(to: $0) } && r.conforms(to: u)
        case (.item(let i), _) where !i.isCollection && i.allowedValues == nil && i.components == nil:
            return i.base.conforms(to: other)
        default: return self == other
        }
    }

    /// The value bound to a variable of this type (§10.3.2.9.4 "Type conversions"): the value
    /// itself when it conforms; a singleton list's element for a non-list type ("from singleton
    /// list"); a list of the value for a list type ("to singleton list"); a date as a date and
    /// time at midnight UTC; otherwise `nil` (a conversion error: the caller yields null).
    public func convert(_ value: Value) -> Value? {
        if accepts(value) { return value }
        if case .list(let items) = value, items.count == 1, !isListType, accepts(items[0]) { return items[0] }
        if let element = listElement, element.accepts(value) { return .list([value]) }
        if case .temporal(.date(let y, let m, let d)) = value, acceptsDateTime {
            let v = Value.temporal(.dateTime(year: y, month: m, day: d, seconds: 0, zone: .offset(0)))
            return accepts(v) ? v : nil
        }
        return nil
    }

    var isListType: Bool {
        switch self {
        case .list: true
        case .item(let i): i.isCollection || i.base.isListType
        default: false
        }
    }

    /// The element type of a list type (nil for other types).
    var listElement: FEELType? {
        switch self {
        case .list(let t): return t
        case .item(let i) where i.isCollection:
            return .item(i.element)
        case .item(let i): return i.base.listElement
        default: return nil
        }
    }

    var acceptsDateTime: Bool {
        switch self {
        case .dateTime: true
        case .item(let i): !i.isCollection && i.base.acceptsDateTime
        default: false
        }
    }
}

extension ItemType {
    func accepts(_ value: Value, constraints: Bool = true) -> Bool {
        if isCollection {
            guard case .list(let items) = value else { return false }
            return items.allSatisfy { acceptsElement($0, constraints: constraints) }
        }
        return acceptsElement(value, constraints: constraints)
    }

    func acceptsElement(_ value: Value, constraints: Bool = true) -> Bool {
        if value.isNull { return true }
        if let components {
            guard case .context(let c) = value else { return false }
            return components.allSatisfy { e in c[e.name].map(e.type.accepts) ?? false }
        }
        guard base.accepts(value) else { return false }
        if constraints, let allowedValues { return allowedValues.matches(value, [:]) == true }
        return true
    }
}
