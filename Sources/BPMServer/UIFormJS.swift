import BPMExpressions
import Foundation

/// Camunda Forms (form-js JSON, as Modeler saves them) as HTML inputs for the task inbox:
/// textfield, textarea, number, checkbox, select and radio with static values, datetime, text
/// (a Markdown subset), spacer, separator and groups without a path. Validation is the browser's
/// (`required`, `min`/`max`, `minlength`/`maxlength`, `pattern`). Whatever is not rendered is
/// listed on the page: component types, dynamic values, conditions, expressions, templates.
enum FormJS {
    struct Rendering {
        var html = ""
        var notRendered: [String] = []
    }

    /// The form's inputs, filled from `values` (the instance's variables) or each field's `defaultValue`.
    static func render(_ text: String, values: [String: Value]) -> Rendering {
        var out = Rendering()
        guard let form = try? JSON.parse(text), let components = form[member: "components"].listValue else {
            out.notRendered.append("the whole form: it is not form-js JSON with a components list")
            return out
        }
        for c in components { component(c, values, &out) }
        return out
    }

    static func component(_ c: Value, _ values: [String: Value], _ out: inout Rendering) {
        let type = c[member: "type"].stringValue ?? "?"
        let name = c[member: "key"].stringValue ?? c[member: "id"].stringValue ?? type
        notes(c, type: type, name: name, &out)
        switch type {
        case "textfield", "textarea", "number", "checkbox", "datetime": out.html += field(c, type, values, &out)
        case "select", "radio": out.html += choice(c, type, values, &out)
        case "text": out.html += "<div class=form-text>\(Markdown.html(c[member: "text"].stringValue ?? ""))</div>"
        case "spacer": out.html += "<div style=\"height:\(Int(c[member: "height"].doubleValue ?? 16))px\"></div>"
        case "separator": out.html += "<hr>"
        case "group" where (c[member: "path"].stringValue ?? "").isEmpty:
            out.html += "<fieldset><legend>\(UI.esc(c[member: "label"].stringValue ?? ""))</legend>"
            for sub in c[member: "components"].listValue ?? [] { component(sub, values, &out) }
            out.html += "</fieldset>"
        case "button": out.notRendered.append("button '\(label(c, name))' (the complete button submits the form)")
        default: out.notRendered.append("\(type) '\(name)' (component type not supported)")
        }
    }

    /// What of a supported component is not applied: conditions, expressions, templates.
    static func notes(_ c: Value, type: String, name: String, _ out: inout Rendering) {
        let what = "\(type) '\(name)'"
        if !c[member: "conditional"].isNull { out.notRendered.append("the condition of \(what) (always shown)") }
        for attribute in ["label", "description", "readonly", "disabled", "defaultValue", "text"] {
            let s = c[member: attribute].stringValue ?? ""
            if s.hasPrefix("=") { out.notRendered.append("the \(attribute) expression of \(what) (shown as written)") }
            if s.contains("{{") { out.notRendered.append("the templates in the \(attribute) of \(what) (as written)") }
        }
    }

    static func label(_ c: Value, _ fallback: String) -> String { c[member: "label"].stringValue ?? fallback }

    /// `required`, `min`/`max`, lengths and pattern, as the browser checks them.
    static func validation(_ c: Value) -> String {
        let v = c[member: "validate"]
        var a = v[member: "required"] == .bool(true) ? " required" : ""
        for (key, attr) in [("min", "min"), ("max", "max"), ("minLength", "minlength"), ("maxLength", "maxlength")] {
            if let n = v[member: key].doubleValue { a += " \(attr)=\"\(Value.format(number: n))\"" }
        }
        if let p = v[member: "pattern"].stringValue { a += " pattern=\"\(UI.esc(p))\"" }
        if c[member: "readonly"] == .bool(true) { a += " readonly" }
        if c[member: "disabled"] == .bool(true) { a += " disabled" }
        return a
    }

    static func initial(_ c: Value, _ key: String, _ values: [String: Value]) -> Value {
        values[key] ?? c[member: "defaultValue"]
    }

    static func caption(_ c: Value, _ key: String) -> String {
        let required = c[member: "validate"][member: "required"] == .bool(true) ? " *" : ""
        let description = c[member: "description"].stringValue.map { " <span class=muted>\(UI.esc($0))</span>" } ?? ""
        return "\(UI.esc(label(c, key)))\(required)\(description)"
    }

    static func field(_ c: Value, _ type: String, _ values: [String: Value], _ out: inout Rendering) -> String {
        guard let key = c[member: "key"].stringValue else {
            out.notRendered.append("\(type) without a key")
            return ""
        }
        let v = initial(c, key, values), attrs = " name=\"\(UI.esc(key))\"" + validation(c)
        let shown = v.isNull ? "" : UI.esc(v.stringValue ?? v.interpolated)
        switch type {
        case "checkbox":
            let checked = v == .bool(true) ? " checked" : ""
            return "<p><label><input type=checkbox\(attrs)\(checked)> \(caption(c, key))</label></p>"
        case "number":
            return "<p><label>\(caption(c, key)) <input type=number step=any\(attrs) value=\"\(shown)\"></label></p>"
        case "textarea":
            return "<p><label>\(caption(c, key))<br><textarea rows=3 cols=50\(attrs)>\(shown)</textarea></label></p>"
        case "datetime":
            let input = ["date": "date", "time": "time"][c[member: "subtype"].stringValue ?? "date"] ?? "datetime-local"
            let text = c[member: "dateLabel"].stringValue ?? c[member: "timeLabel"].stringValue
            let named = text.map { UI.esc($0) } ?? caption(c, key)
            return "<p><label>\(named) <input type=\(input)\(attrs) value=\"\(shown)\"></label></p>"
        default:
            return "<p><label>\(caption(c, key)) <input\(attrs) value=\"\(shown)\"></label></p>"
        }
    }

    /// A select or radio group with static values; each option's value is JSON (`data-kind=json`).
    static func choice(_ c: Value, _ type: String, _ values: [String: Value], _ out: inout Rendering) -> String {
        guard let key = c[member: "key"].stringValue else {
            out.notRendered.append("\(type) without a key")
            return ""
        }
        guard let options = c[member: "values"].listValue else {
            let source = c[member: "valuesKey"].stringValue.map { "valuesKey '\($0)'" } ?? "an expression"
            out.notRendered.append("\(type) '\(key)' (its values come from \(source))")
            return ""
        }
        let current = initial(c, key, values), attrs = validation(c)
        var html = "<p>\(caption(c, key)) "
        if type == "select" {
            html += "<select name=\"\(UI.esc(key))\" data-kind=json\(attrs)><option value=\"\"></option>"
        }
        for o in options {
            let value = o[member: "value"], text = UI.esc(o[member: "label"].stringValue ?? value.interpolated)
            let json = UI.esc(JSON.encode(value)), on = value == current
            html += type == "select"
                ? "<option value=\"\(json)\"\(on ? " selected" : "")>\(text)</option>"
                : "<label><input type=radio name=\"\(UI.esc(key))\" data-kind=json value=\"\(json)\"\(attrs)"
                    + "\(on ? " checked" : "")> \(text)</label> "
        }
        return html + (type == "select" ? "</select></p>" : "</p>")
    }
}
