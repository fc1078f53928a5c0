import BPMExpressions
import BPMRuntime
import Foundation

/// Camunda Forms (form-js JSON, as Modeler saves them) as HTML inputs for the task inbox:
/// textfield, textarea, number, checkbox, checklist, taglist, select and radio (static values,
/// `valuesKey` or `valuesExpression`), datetime, text (a Markdown subset), spacer, separator
/// and groups without a path. `conditional.hide` is evaluated (FEEL) against the instance's
/// variables and again as the form is filled in (`POST /ui/tasks/{id}/form-state`); `readonly`
/// and `disabled` may be expressions. The browser checks `required`, `min`/`max`, lengths and
/// `pattern`; the runtime checks them again on completion (`CamundaForm`). Whatever is not
/// rendered is listed on the page by name: component types, templates, dynamic values that
/// give no list.
enum FormJS {
    struct Rendering {
        var html = ""
        var notRendered: [String] = []
    }

    /// The form's inputs, filled from `values` (the instance's variables) or each field's `defaultValue`.
    static func render(_ text: String, values: [String: Value]) -> Rendering {
        var out = Rendering()
        guard let form = CamundaForm(text) else {
            out.notRendered.append("the whole form: it is not form-js JSON with a components list")
            return out
        }
        for (i, c) in form.components.enumerated() { component(c, path: "c\(i)", values, &out) }
        return out
    }

    /// The ids (`c0`, `c2-1`: positions, groups' inner ones after a dash) of the components
    /// hidden for this data, as the page names them.
    static func hidden(_ text: String, data: [String: Value]) -> [String] {
        guard let form = CamundaForm(text) else { return [] }
        var out: [String] = []
        var stack: [(Value, String)] = form.components.enumerated().map { ($1, "c\($0)") }.reversed()
        // bounded: each component is taken once
        while let item = stack.popLast() {
            let (c, path) = item
            if CamundaForm.isHidden(c, data) { out.append(path) }
            let inner = c[member: "components"].listValue ?? []
            stack += inner.enumerated().map { ($1, "\(path)-\($0)") }.reversed()
        }
        return out
    }

    static func component(_ c: Value, path: String, _ values: [String: Value], _ out: inout Rendering) {
        let type = c[member: "type"].stringValue ?? "?"
        let name = c[member: "key"].stringValue ?? c[member: "id"].stringValue ?? type
        notes(c, type: type, name: name, &out)
        let conditional = c[member: "conditional"][member: "hide"].isNull ? "" : " data-conditional"
        let hidden = CamundaForm.isHidden(c, values) ? " hidden" : ""
        out.html += "<div class=fjs data-c=\"\(path)\"\(conditional)\(hidden)>"
        switch type {
        case "textfield", "textarea", "number", "checkbox", "datetime": out.html += field(c, type, values, &out)
        case "select", "radio", "checklist", "taglist": out.html += choice(c, type, values, &out)
        case "text": out.html += "<div class=form-text>\(Markdown.html(c[member: "text"].stringValue ?? ""))</div>"
        case "spacer": out.html += "<div style=\"height:\(Int(c[member: "height"].doubleValue ?? 16))px\"></div>"
        case "separator": out.html += "<hr>"
        case "group" where (c[member: "path"].stringValue ?? "").isEmpty:
            out.html += "<fieldset><legend>\(UI.esc(label(c, "", values)))</legend>"
            for (i, sub) in (c[member: "components"].listValue ?? []).enumerated() {
                component(sub, path: "\(path)-\(i)", values, &out)
            }
            out.html += "</fieldset>"
        case "button":
            out.notRendered.append("button '\(label(c, name, values))' (the complete button submits the form)")
        default: out.notRendered.append("\(type) '\(name)' (component type not supported)")
        }
        out.html += "</div>"
    }

    /// What of a supported component is not applied: templates, expressions of other properties.
    static func notes(_ c: Value, type: String, name: String, _ out: inout Rendering) {
        let what = "\(type) '\(name)'"
        for attribute in ["defaultValue", "text"] where c[member: attribute].stringValue?.hasPrefix("=") == true {
            out.notRendered.append("the \(attribute) expression of \(what) (shown as written)")
        }
        let templated = ["label", "description", "text"].filter { c[member: $0].stringValue?.contains("{{") == true }
        for attribute in templated {
            out.notRendered.append("the templates in the \(attribute) of \(what) (as written)")
        }
        if let kind = c[member: "validate"][member: "validationType"].stringValue, kind != "email" {
            out.notRendered.append("the \(kind) validation of \(what)")
        }
    }

    /// A text property: as written, or what its `=…` expression gives.
    static func text(_ c: Value, _ attribute: String, _ values: [String: Value]) -> String? {
        guard let s = c[member: attribute].stringValue else { return nil }
        guard s.hasPrefix("=") else { return s }
        let v = CamundaForm.evaluate(String(s.dropFirst()), values)
        return v.stringValue ?? (v.isNull ? "" : v.interpolated)
    }

    static func label(_ c: Value, _ fallback: String, _ values: [String: Value]) -> String {
        text(c, "label", values) ?? fallback
    }

    /// `required`, `min`/`max`, lengths and pattern, as the browser checks them; read-only and disabled.
    static func validation(_ c: Value, _ values: [String: Value]) -> String {
        let v = c[member: "validate"]
        var a = v[member: "required"] == .bool(true) ? " required" : ""
        for (key, attr) in [("min", "min"), ("max", "max"), ("minLength", "minlength"), ("maxLength", "maxlength")] {
            if let n = v[member: key].doubleValue { a += " \(attr)=\"\(Value.format(number: n))\"" }
        }
        if let p = v[member: "pattern"].stringValue { a += " pattern=\"\(UI.esc(p))\"" }
        if CamundaForm.flag(c, "readonly", values) { a += " readonly data-readonly" }
        if CamundaForm.flag(c, "disabled", values) { a += " disabled" }
        return a
    }

    static func initial(_ c: Value, _ key: String, _ values: [String: Value]) -> Value {
        values[key] ?? c[member: "defaultValue"]
    }

    static func caption(_ c: Value, _ key: String, _ values: [String: Value]) -> String {
        let required = c[member: "validate"][member: "required"] == .bool(true) ? " *" : ""
        let description = text(c, "description", values).map { " <span class=muted>\(UI.esc($0))</span>" } ?? ""
        return "\(UI.esc(label(c, key, values)))\(required)\(description)"
    }

    static func field(_ c: Value, _ type: String, _ values: [String: Value], _ out: inout Rendering) -> String {
        guard let key = c[member: "key"].stringValue else {
            out.notRendered.append("\(type) without a key")
            return ""
        }
        let v = initial(c, key, values), attrs = " name=\"\(UI.esc(key))\"" + validation(c, values)
        let shown = v.isNull ? "" : UI.esc(v.stringValue ?? v.interpolated), captioned = caption(c, key, values)
        switch type {
        case "checkbox":
            let checked = v == .bool(true) ? " checked" : ""
            return "<p><label><input type=checkbox\(attrs)\(checked)> \(captioned)</label></p>"
        case "number":
            return "<p><label>\(captioned) <input type=number step=any\(attrs) value=\"\(shown)\"></label></p>"
        case "textarea":
            return "<p><label>\(captioned)<br><textarea rows=3 cols=50\(attrs)>\(shown)</textarea></label></p>"
        case "datetime":
            let input = ["date": "date", "time": "time"][c[member: "subtype"].stringValue ?? "date"] ?? "datetime-local"
            let named = (c[member: "dateLabel"].stringValue ?? c[member: "timeLabel"].stringValue).map { UI.esc($0) }
            return "<p><label>\(named ?? captioned) <input type=\(input)\(attrs) value=\"\(shown)\"></label></p>"
        default:
            let kind = c[member: "validate"][member: "validationType"].stringValue == "email" ? " type=email" : ""
            return "<p><label>\(captioned) <input\(kind)\(attrs) value=\"\(shown)\"></label></p>"
        }
    }
}
