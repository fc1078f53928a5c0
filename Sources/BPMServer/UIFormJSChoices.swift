import BPMExpressions
import BPMRuntime
import Foundation

/// The choices of a Camunda Form: select and radio (one value), checklist and taglist (a
/// list); their options static, from a variable (`valuesKey`) or an expression
/// (`valuesExpression`). Each option's value is JSON in the page (`data-kind=json`, or
/// `data-kind=list` for the many-valued ones), so values keep their types.
extension FormJS {
    static func choice(_ c: Value, _ type: String, _ values: [String: Value], _ out: inout Rendering) -> String {
        guard let key = c[member: "key"].stringValue else {
            out.notRendered.append("\(type) without a key")
            return ""
        }
        guard let options = CamundaForm.options(c, values) else {
            let source = CamundaForm.optionSource(c).map { "its values come from \($0), which gives no list" }
            out.notRendered.append("\(type) '\(key)' (\(source ?? "it has no values"))")
            return ""
        }
        let current = initial(c, key, values), attrs = validation(c, values), name = UI.esc(key)
        let chosen: (Value) -> Bool = { v in
            if let list = current.listValue { return list.contains(v) }
            return v == current
        }
        var html = "<p>\(caption(c, key, values)) "
        switch type {
        case "select", "taglist":
            let many = type == "taglist"
            html += "<select name=\"\(name)\" data-kind=\(many ? "list multiple" : "json")\(attrs)>"
                + (many ? "" : "<option value=\"\"></option>")
            for o in options {
                html += "<option value=\"\(UI.esc(JSON.encode(o.value)))\"\(chosen(o.value) ? " selected" : "")>"
                    + "\(UI.esc(o.label))</option>"
            }
            html += "</select>"
        default:
            let (input, kind) = type == "radio" ? ("radio", "json") : ("checkbox", "list")
            // a checklist's `required` means one at least: checked on completion, not per box
            let boxAttrs = type == "radio" ? attrs : attrs.replacingOccurrences(of: " required", with: "")
            for o in options {
                html += "<label><input type=\(input) name=\"\(name)\" data-kind=\(kind) "
                    + "value=\"\(UI.esc(JSON.encode(o.value)))\"\(boxAttrs)\(chosen(o.value) ? " checked" : "")> "
                    + "\(UI.esc(o.label))</label> "
            }
        }
        return html + "</p>"
    }
}
