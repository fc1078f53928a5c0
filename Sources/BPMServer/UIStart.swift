import Foundation

/// Starting an instance from a definition's page: variables as JSON (checked in the browser,
/// then by the API, whose problem details are shown on the page), an optional business key.
extension UI {
    /// The links of a definition's page: start an instance (operators), edit it as text, model a BPMN visually.
    static func definitionLinks(_ definitionId: String, _ format: String?) -> String {
        let id = esc(definitionId)
        let start = may(.operator) ? "<a id=start-link href=\"#start-form\">start instance</a> · " : ""
        let model = format == "bpmn" ? " · <a id=model-link href=\"/ui/definitions/\(id)/model\">model</a>" : ""
        return start + "<a id=edit-link href=\"/ui/definitions/\(id)/edit\">edit</a>" + model
    }

    static func startForm(_ definitionId: String) -> String {
        guard may(.operator) else { return "" }
        let id = esc(definitionId)
        return """
        <h2>Start an instance</h2>
        <form id=start-form onsubmit="return startInstance(event, '\(id)')">
        <label>variables (a JSON object)<br>
        <textarea id=start-variables name=variables rows=6 cols=70 spellcheck=false>{}</textarea></label><br>
        <label>business key <input id=start-business-key name=businessKey></label>
        <button id=start-instance>start</button></form>
        <p id=start-problem class=error role=alert></p>
        <script>
        async function startInstance(ev, id) {
          ev.preventDefault();
          const problem = document.getElementById('start-problem');
          problem.textContent = '';
          let variables;
          try { variables = JSON.parse(document.getElementById('start-variables').value || '{}'); }
          catch (e) { problem.textContent = 'The variables are not valid JSON: ' + e.message; return false; }
          if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) {
            problem.textContent = 'The variables must be a JSON object, such as {"amount": 500}.'; return false;
          }
          const body = {variables};
          const key = document.getElementById('start-business-key').value.trim();
          if (key) body.businessKey = key;
          const headers = {'Content-Type': 'application/json'};
          const r = await fetch('/processes/' + encodeURIComponent(id) + '/start',
                                {method: 'POST', headers, body: JSON.stringify(body)});
          const answer = await r.json().catch(() => ({}));
          if (!r.ok) {
            problem.textContent = (answer.title || ('HTTP ' + r.status)) + ': ' + (answer.detail || '');
            return false;
          }
          location.href = '/ui/instances/' + answer.id;
          return false;
        }
        </script>
        """
    }
}
