import BPMEngine
import BPMExpressions
import BPMStore
import Foundation

/// A task's completion form: its Camunda Form (embedded with `zeebe:userTaskForm`, or deployed
/// and linked by `formId`), its JSON Schema (YAML tasks), or, for a task without a form,
/// variables as name/value rows or a JSON object. What a form-js form has that is not rendered
/// is listed above the form.
extension UI {
    func completion(_ t: UserTaskRecord, _ variables: [String: Value]) async throws -> String {
        var notes: [String] = [], fields = "", free = false
        if let embedded = t.form?[member: "embedded"].stringValue {
            (fields, notes) = Self.formJS(embedded, variables)
        } else if let formId = t.form?[member: "formId"].stringValue {
            if let source = try await deployedForm(formId) {
                (fields, notes) = Self.formJS(source, variables)
            } else {
                notes = ["form '\(formId)': no form with this id is deployed; set the variables below"]
                free = true
            }
        } else if let key = t.form?[member: "formKey"].stringValue ?? t.form?[member: "externalReference"].stringValue {
            notes = ["form '\(key)': not a form this server holds; set the variables below"]
            free = true
        } else if t.form?[member: "properties"].contextValue != nil {
            fields = Self.formFields(t.form)
        } else {
            free = true
        }
        let listed = notes.isEmpty ? ""
            : "<div id=not-rendered class=error><b>Not rendered:</b><ul>"
                + notes.map { "<li>\(Self.esc($0))</li>" }.joined() + "</ul></div>"
        let save = !free || !Self.may(.operator) ? ""
            : " <button type=button id=save-variables onclick=\"saveVariables('\(Self.esc(t.instanceId))')\">"
                + "set on the instance without completing</button>"
        return """
        \(listed)<form id=task-form onsubmit="return completeTask(event, '\(Self.esc(t.id))')">\(fields)
        \(free ? Self.freeVariables : "")
        <p><button id=complete>complete</button>\(save)</p></form>
        """
    }

    static func formJS(_ source: String, _ variables: [String: Value]) -> (String, [String]) {
        let r = FormJS.render(source, values: variables)
        return ("<div class=camunda-form>\(r.html)</div>", r.notRendered)
    }

    /// The latest deployed version of the form with this id (Camunda deployments store forms as `form:ID`).
    func deployedForm(_ formId: String) async throws -> String? {
        try await runtime.store.definitions().filter { $0.id == "form:" + formId }
            .max { $0.version < $1.version }?.source
    }

    /// Name/value rows (a value that is JSON is taken as such, else as text) and a JSON object.
    static let freeVariables = """
    <fieldset id=free-variables><legend>variables</legend>
    <div id=variable-rows><p class=variable-row><input class=var-name placeholder=name size=14> = \
    <input class=var-value placeholder="value (JSON or text)" size=24></p></div>
    <button type=button id=add-variable onclick="addVariableRow()">another variable</button>
    <p>or as JSON <textarea id=task-json rows=3 cols=50 placeholder='{"approved": true}'></textarea></p></fieldset>
    """

    /// Inputs for a JSON Schema object's properties: checkboxes, numbers, choices, text.
    static func formFields(_ form: Value?) -> String {
        guard let props = form?[member: "properties"].contextValue else { return "" }
        let required = Set((form?[member: "required"].listValue ?? []).compactMap(\.stringValue))
        var out = ""
        for name in props.keys.sorted() {
            let p = props[name]!
            let label = "\(esc(name))\(required.contains(name) ? " *" : "")"
            let req = required.contains(name) && p[member: "type"].stringValue != "boolean" ? " required" : ""
            if let choices = p[member: "enum"].listValue {
                out += "<label>\(label) <select name=\"\(esc(name))\" data-kind=json\(req)><option value=\"\"></option>"
                    + choices.map { "<option value=\"\(esc(JSON.encode($0)))\">\(esc($0.interpolated))</option>" }
                    .joined()
                    + "</select></label> "
                continue
            }
            var bounds = ""
            if let n = p[member: "minimum"].doubleValue { bounds += " min=\"\(Value.format(number: n))\"" }
            if let n = p[member: "maximum"].doubleValue { bounds += " max=\"\(Value.format(number: n))\"" }
            switch p[member: "type"].stringValue ?? "string" {
            case "boolean": out += "<label><input type=\"checkbox\" name=\"\(esc(name))\"> \(label)</label> "
            case "number", "integer":
                out += "<label>\(label) <input type=\"number\" step=\"any\" name=\"\(esc(name))\"\(req)\(bounds)>"
                    + "</label> "
            default: out += "<label>\(label) <input name=\"\(esc(name))\"\(req)></label> "
            }
        }
        return out
    }

    /// The inbox's scripts: collecting a form's variables, completing, claiming, setting variables.
    static let inboxScript = """
    <script>
    function taskVariables(form) {
      const vars = {};
      for (const el of form.elements) {
        if (!el.name || el.disabled) continue;
        if (el.type === 'checkbox') vars[el.name] = el.checked;
        else if (el.type === 'radio') { if (el.checked) vars[el.name] = JSON.parse(el.value); }
        else if (el.type === 'number') { if (el.value !== '') vars[el.name] = Number(el.value); }
        else if (el.dataset.kind === 'json') { if (el.value !== '') vars[el.name] = JSON.parse(el.value); }
        else if (el.value !== '') vars[el.name] = el.value;
      }
      for (const row of form.querySelectorAll('.variable-row')) {
        const name = row.querySelector('.var-name').value.trim(), text = row.querySelector('.var-value').value;
        if (!name) continue;
        try { vars[name] = JSON.parse(text); } catch (e) { vars[name] = text; }
      }
      const json = form.querySelector('#task-json');
      if (json && json.value.trim() !== '') Object.assign(vars, JSON.parse(json.value));
      return vars;
    }
    function addVariableRow() {
      const rows = document.getElementById('variable-rows');
      rows.appendChild(rows.firstElementChild.cloneNode(true));
      for (const i of rows.lastElementChild.querySelectorAll('input')) i.value = '';
    }
    async function send(url, body) {
      const problem = document.getElementById('task-problem');
      const r = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'},
                                  body: JSON.stringify(body || {})});
      if (r.ok) return true;
      const p = await r.json().catch(() => ({}));
      problem.textContent = p.detail || ('HTTP ' + r.status);
      return false;
    }
    async function completeTask(ev, id) {
      ev.preventDefault();
      let vars;
      try { vars = taskVariables(ev.target); } catch (e) {
        document.getElementById('task-problem').textContent = 'the variables are not valid JSON: ' + e.message;
        return false;
      }
      if (await send('/tasks/' + id + '/complete', {variables: vars})) {
        const u = new URL(location.href); u.searchParams.delete('task'); location.href = u.toString();
      }
      return false;
    }
    async function saveVariables(instance) {
      let vars;
      try { vars = taskVariables(document.getElementById('task-form')); } catch (e) {
        document.getElementById('task-problem').textContent = 'the variables are not valid JSON: ' + e.message;
        return;
      }
      if (await send('/processes/' + instance + '/variables', {variables: vars})) location.reload();
    }
    async function taskAct(url, body) { if (await send(url, body)) location.reload(); }
    </script>
    """
}
