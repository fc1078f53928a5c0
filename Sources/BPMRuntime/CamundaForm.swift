import BPMExpressions
import Foundation

/// A Camunda Form (form-js JSON, as Modeler saves it), read for what the engine needs of it:
/// which components are hidden (`conditional.hide`, a FEEL expression), read-only or disabled
/// (a boolean or an expression), which values a choice offers (static `values`, a variable
/// named by `valuesKey`, or a `valuesExpression`), and whether a completion's variables satisfy
/// the validation of the components shown (`required`, `min`/`max`, lengths, `pattern`, the
/// type of each input, a choice among its options, date and time formats).
public struct CamundaForm: Sendable {
    /// The form's top-level components.
    public let components: [Value]

    /// The components inputs are (the others show text, structure or buttons).
    public static let inputTypes: Set<String> = [
        "textfield", "textarea", "number", "checkbox", "checklist", "taglist", "select", "radio", "datetime",
    ]

    /// Nil when `text` is not form-js JSON with a components list.
    public init?(_ text: String) {
        // (a member of a list is the list of its items' members, as in FEEL: a context is wanted)
        guard let form = (try? JSON.parse(text))?.contextValue, let list = form["components"]?.listValue else {
            return nil
        }
        components = list
    }

    /// A component's input name: its key (groups without a `path` add none).
    public static func key(_ c: Value) -> String? { c[member: "key"].stringValue }

    /// The expression of an `=…` text, else nil.
    static func expression(_ text: String?) -> String? {
        guard let t = text?.trimmingCharacters(in: .whitespaces), t.hasPrefix("=") else { return nil }
        return String(t.dropFirst())
    }

    /// Evaluates a form expression against the form's data (an expression that does not parse
    /// is null, as form-js treats it).
    public static func evaluate(_ expression: String, _ data: [String: Value]) -> Value {
        guard let e = try? Expression(expression) else { return .null }
        return e.evaluate(data)
    }

    /// Whether `conditional.hide` holds for this data.
    public static func isHidden(_ c: Value, _ data: [String: Value]) -> Bool {
        let hide = c[member: "conditional"][member: "hide"]
        if hide == .bool(true) { return true }
        guard let text = hide.stringValue else { return false }
        return evaluate(expression(text) ?? text, data) == .bool(true)
    }

    /// A boolean property (`readonly`, `disabled`): true, or an expression that is true.
    public static func flag(_ c: Value, _ name: String, _ data: [String: Value]) -> Bool {
        let v = c[member: name]
        if v == .bool(true) { return true }
        guard let e = expression(v.stringValue) else { return false }
        return evaluate(e, data) == .bool(true)
    }

    /// One option of a choice.
    public struct Option: Sendable, Equatable {
        public var label: String
        public var value: Value
        public init(label: String, value: Value) {
            self.label = label
            self.value = value
        }
    }

    /// Where a choice's options come from, for messages: nil when it has no source at all.
    public static func optionSource(_ c: Value) -> String? {
        if c[member: "values"].listValue != nil { return "static values" }
        if let k = c[member: "valuesKey"].stringValue { return "the variable '\(k)' (valuesKey)" }
        if let e = c[member: "valuesExpression"].stringValue { return "the expression '\(e)'" }
        return nil
    }

    /// A choice's options: its static `values`, the list the variable `valuesKey` holds, or
    /// what `valuesExpression` gives; items are `{label, value}` contexts or plain values.
    /// Nil when the source gives no list.
    public static func options(_ c: Value, _ data: [String: Value]) -> [Option]? {
        let list: [Value]?
        if let values = c[member: "values"].listValue {
            list = values
        } else if let key = c[member: "valuesKey"].stringValue {
            list = data[key]?.listValue
        } else if let text = c[member: "valuesExpression"].stringValue {
            list = evaluate(expression(text) ?? text, data).listValue
        } else {
            list = nil
        }
        return list?.map { item in
            guard item.contextValue != nil else { return Option(label: item.interpolated, value: item) }
            let value = item[member: "value"]
            return Option(label: item[member: "label"].stringValue ?? value.interpolated, value: value)
        }
    }

    /// The input components shown for this data, with the groups (without a path) they sit in
    /// flattened; hidden groups hide what they hold.
    public func shownInputs(_ data: [String: Value]) -> [Value] {
        var out: [Value] = []
        var stack = components.reversed() as [Value]
        // bounded: each component is taken once
        while let c = stack.popLast() {
            if Self.isHidden(c, data) { continue }
            let type = c[member: "type"].stringValue ?? ""
            if type == "group" && (c[member: "path"].stringValue ?? "").isEmpty {
                stack += (c[member: "components"].listValue ?? []).reversed()
            } else if Self.inputTypes.contains(type), Self.key(c) != nil {
                out.append(c)
            }
        }
        return out
    }

    /// Every problem of a completion, each naming the field (`amount: must be at most 100`):
    /// the submitted variables over the instance's are the form's data. Hidden and disabled
    /// components are not checked (their values are not submitted).
    public func problems(_ submitted: [String: Value], instance: [String: Value]) -> [String] {
        let data = instance.merging(submitted) { _, new in new }
        var out: [String] = []
        for c in shownInputs(data) where !Self.flag(c, "disabled", data) {
            guard let key = Self.key(c) else { continue }
            out += CamundaFormCheck.problems(c, key: key, value: data[key] ?? .null, data: data)
        }
        return out
    }
}

extension Runtime {
    /// The Camunda Form of a task's `form`: embedded (`zeebe:userTaskForm`), or the latest
    /// deployed version of the form its `formId` links (Camunda deployments store forms as
    /// `form:ID`); nil for other forms and for a link to a form not deployed.
    public func camundaFormSource(_ form: Value?) async throws -> String? {
        if let embedded = form?[member: "embedded"].stringValue { return embedded }
        guard let formId = form?[member: "formId"].stringValue else { return nil }
        let versions = try await store.definitions().filter { $0.id == "form:" + formId }
        return versions.max { $0.version < $1.version }?.source
    }
}
