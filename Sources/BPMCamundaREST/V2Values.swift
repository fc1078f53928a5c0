import BPMCamunda
import BPMExpressions
import Foundation
import OpenAPIRuntime

/// Conversions between the generated types' JSON containers and the facade's values and keys.
enum V2 {
    /// A key from its decimal string; 400 naming the field otherwise.
    static func key(_ text: String, _ field: String) throws -> CamundaKey {
        guard let k = Int64(text) else {
            throw V2Problem.invalid("\(field) must be a key, an int64 as a decimal string, got '\(text)'")
        }
        return k
    }

    static func optionalKey(_ text: String?, _ field: String) throws -> CamundaKey? {
        guard let text else { return nil }
        return try key(text, field)
    }

    static func string(_ key: CamundaKey) -> String { String(key) }

    /// A key, or null.
    static func nullable(_ key: CamundaKey?) -> OpenAPIValueContainer {
        guard let key else { return nil }
        return OpenAPIValueContainer(stringLiteral: String(key))
    }

    /// A string, or null.
    static func nullable(_ text: String?) -> OpenAPIValueContainer {
        guard let text else { return nil }
        return OpenAPIValueContainer(stringLiteral: text)
    }

    /// A date-time (RFC 3339 with milliseconds), or null.
    static func nullable(_ date: Date?) -> OpenAPIValueContainer {
        guard let date else { return nil }
        return OpenAPIValueContainer(stringLiteral: iso(date))
    }

    static func iso(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true)
            .timeZone(separator: .omitted))
    }

    /// Request variables as the facade's values (nil: none).
    static func variables(_ object: OpenAPIObjectContainer?) throws -> CamundaVariables {
        guard let object else { return [:] }
        guard case .context(let c) = try value(object) else { return [:] }
        return c
    }

    /// Any generated JSON container as a value, through its JSON text.
    static func value(_ encodable: some Encodable) throws -> Value {
        let data = try JSONEncoder().encode(encodable)
        do { return try JSON.parse(bytes: [UInt8](data)) } catch {
            throw V2Problem.invalid("not JSON: \(error)")
        }
    }

    /// Variables for a response.
    static func object(_ variables: CamundaVariables) throws -> OpenAPIObjectContainer {
        try JSONDecoder().decode(OpenAPIObjectContainer.self, from: Data(JSON.encode(.context(variables)).utf8))
    }

    /// A value as JSON text (the decision and variable responses carry values so).
    static func json(_ value: Value) -> String { JSON.encode(value) }

    /// A search filter's field: the value itself, or an object of operators (`$eq` gives the value; `$neq`,
    /// `$exists`, `$in`, `$notIn`, `$like`, `$gt`, `$gte`, `$lt`, `$lte` become conditions of the search that is
    /// reading its filter, `V2.conditions`); an unknown operator is refused naming the field.
    static func filter(_ container: OpenAPIValueContainer?, _ field: String, key: Bool = false) throws -> Value? {
        guard let container else { return nil }
        let v = try value(container)
        guard case .context(let ops) = v else { return v }
        var eq: Value?
        for (name, operand) in ops.sorted(by: { $0.key < $1.key }) {
            guard let op = CamundaCondition.Op(rawValue: name) else {
                let known = CamundaCondition.Op.allCases.map(\.rawValue).joined(separator: ", ")
                throw V2Problem.invalid("filter '\(field)': unknown operator '\(name)' (one of \(known))")
            }
            if op == .eq { eq = operand; continue }
            guard let box = collected else {
                throw V2Problem.invalid("filter '\(field)': only a value or {\"$eq\": value} is supported here")
            }
            box.items.append(CamundaCondition(field: field, op: op, operand: try operandValue(op, operand, field, key)))
        }
        return eq
    }

    /// An operator's operand, checked: `$exists` a boolean, `$in`/`$notIn` a list, `$like` a string; keys as numbers.
    static func operandValue(_ op: CamundaCondition.Op, _ v: Value, _ field: String, _ key: Bool) throws -> Value {
        func keyed(_ v: Value) throws -> Value {
            guard key, case .string(let s) = v else { return v }
            return .number(Double(try V2.key(s, "filter '\(field)'")))
        }
        switch op {
        case .exists:
            guard case .bool = v else { throw V2Problem.invalid("filter '\(field)': $exists takes true or false") }
            return v
        case .in, .notIn:
            guard case .list(let items) = v else {
                throw V2Problem.invalid("filter '\(field)': \(op.rawValue) takes a list of values")
            }
            return .list(try items.map(keyed))
        case .like:
            guard case .string = v else { throw V2Problem.invalid("filter '\(field)': $like takes a string") }
            return v
        default: return try keyed(v)
        }
    }

    /// The advanced conditions a search's filter holds: `read` parses the filter (its `filter…` calls collect them).
    static func conditions(_ read: () throws -> Void) throws -> [CamundaCondition] {
        let box = V2ConditionBox()
        try $collected.withValue(box) { try read() }
        return box.items
    }

    static func filterString(_ container: OpenAPIValueContainer?, _ field: String) throws -> String? {
        guard let v = try filter(container, field) else { return nil }
        guard case .string(let s) = v else { throw V2Problem.invalid("filter '\(field)' must be a string") }
        return s
    }

    static func filterKey(_ container: OpenAPIValueContainer?, _ field: String) throws -> CamundaKey? {
        guard let v = try filter(container, field, key: true) else { return nil }
        switch v {
        case .string(let s): return try key(s, "filter '\(field)'")
        case .number(let n) where n == n.rounded() && abs(n) < 9.0e15: return Int64(n)
        default: throw V2Problem.invalid("filter '\(field)' must be a key (a decimal string)")
        }
    }

    static func filterInt(_ container: OpenAPIValueContainer?, _ field: String) throws -> Int32? {
        guard let v = try filter(container, field) else { return nil }
        guard case .number(let n) = v, n == n.rounded(), let i = Int32(exactly: n) else {
            throw V2Problem.invalid("filter '\(field)' must be an integer")
        }
        return i
    }

    static func filterBool(_ container: OpenAPIValueContainer?, _ field: String) throws -> Bool? {
        guard let v = try filter(container, field) else { return nil }
        guard case .bool(let b) = v else { throw V2Problem.invalid("filter '\(field)' must be true or false") }
        return b
    }

    /// A filter naming one of an enumeration's values.
    static func filterEnum<E: RawRepresentable & CaseIterable>(_ container: OpenAPIValueContainer?, _ field: String,
                                                             _: E.Type) throws -> E? where E.RawValue == String
    {
        guard let s = try filterString(container, field) else { return nil }
        guard let e = E(rawValue: s) else {
            let all = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw V2Problem.invalid("filter '\(field)' must be one of \(all), got '\(s)'")
        }
        return e
    }
}

/// Where `V2.filter` puts the conditions of the search reading its filter.
final class V2ConditionBox: @unchecked Sendable {
    var items: [CamundaCondition] = []
}

extension V2 {
    @TaskLocal static var collected: V2ConditionBox?
}
