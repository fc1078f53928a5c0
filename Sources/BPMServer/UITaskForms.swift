import BPMEngine
import BPMExpressions
import BPMRuntime
import BPMStore
import Foundation

/// A task's completion form: its Camunda Form (embedded with `zeebe:userTaskForm`, or deployed
/// and linked by `formId`), its JSON Schema (YAML tasks), or, for a task without a form,
/// variables as name/value rows or a JSON object. What a form-js form has that is not rendered
/// is listed above the form, by name. Its conditional components follow the form as it is
/// filled in (`formState`).
extension UI {
    func completion(_ t: UserTaskRecord, _ variables: [String: Value]) async throws -> String {
        var notes: [String] = [], fields = "", free = false
        if let source = try await runtime.camundaFormSource(t.form) {
            (fields, notes) = Self.formJS(source, variables)
        } else if let formId = t.form?[member: "formId"].stringValue {
            notes = ["form '\(formId)': no form with this id is deployed; set the variables below"]
            free = true
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
        \(listed)<form id=task-form data-task="\(Self.esc(t.id))" \
        onsubmit="return completeTask(event, '\(Self.esc(t.id))')">\(fields)
        \(free ? Self.freeVariables : "")
        <p><button id=complete>complete</button>\(save)</p></form>
        """
    }

    static func formJS(_ source: String, _ variables: [String: Value]) -> (String, [String]) {
        let r = FormJS.render(source, values: variables)
        return ("<div class=camunda-form>\(r.html)</div>", r.notRendered)
    }

    /// Which components of the task's Camunda Form are hidden for these values (the page's
    /// form as filled in, over the instance's variables): `{"hidden": ["c2", "c4-1"]}`.
    func formState(_ taskId: String, _ body: String) async throws -> Value {
        guard let t = try await runtime.store.userTask(taskId) else { throw Runtime.RuntimeError.unknownTask(taskId) }
        let submitted = try API.object(body)["variables"]?.contextValue ?? [:]
        let instance = try await runtime.store.instance(t.instanceId)?.variables ?? [:]
        let source = try await runtime.camundaFormSource(t.form) ?? ""
        let hidden = FormJS.hidden(source, data: instance.merging(submitted) { _, new in new })
        return ["hidden": .list(hidden.map { .string($0) })]
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
        if (el.dataset.kind === 'list') {
          // checklist boxes and taglist selects: a list of the chosen options' values
          const list = vars[el.name] || (vars[el.name] = []);
          if (el.type === 'checkbox') { if (el.checked) list.push(JSON.parse(el.value)); }
          else for (const o of el.selectedOptions) list.push(JSON.parse(o.value));
        }
        else if (el.type === 'checkbox') vars[el.name] = el.checked;
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
    // conditional components (form-js `conditional.hide`): the server evaluates the conditions
    // as the form is filled in; a hidden component's inputs are disabled, so not submitted
    let formStateTimer;
    function refreshFormState() {
      const form = document.getElementById('task-form');
      if (!form || !form.querySelector('[data-conditional]')) return;
      clearTimeout(formStateTimer);
      formStateTimer = setTimeout(async () => {
        let vars;
        try { vars = taskVariables(form); } catch (e) { return; }
        const r = await fetch('/ui/tasks/' + form.dataset.task + '/form-state', {method: 'POST',
          headers: {'Content-Type': 'application/json'}, body: JSON.stringify({variables: vars})});
        if (!r.ok) return;
        const hidden = new Set((await r.json()).hidden);
        for (const c of form.querySelectorAll('[data-conditional]')) {
          const hide = hidden.has(c.dataset.c);
          c.hidden = hide;
          for (const el of c.querySelectorAll('input, select, textarea')) {
            if (hide && !el.disabled) { el.disabled = true; el.dataset.hiddenBy = 'condition'; }
            if (!hide && el.dataset.hiddenBy) { el.disabled = false; delete el.dataset.hiddenBy; }
          }
        }
        form.dataset.states = String(Number(form.dataset.states || 0) + 1);
      }, 150);
    }
    document.addEventListener('input', refreshFormState);
    document.addEventListener('change', refreshFormState);
    addEventListener('DOMContentLoaded', () => {
      for (const c of document.querySelectorAll('#task-form [data-conditional][hidden]'))
        for (const el of c.querySelectorAll('input, select, textarea'))
          if (!el.disabled) { el.disabled = true; el.dataset.hiddenBy = 'condition'; }
      for (const el of document.querySelectorAll('#task-form [data-readonly]'))
        if (el.type === 'checkbox' || el.type === 'radio' || el.tagName === 'SELECT')
          for (const kind of ['mousedown', 'click']) el.addEventListener(kind, e => e.preventDefault());
    });
    </script>
    """
}
