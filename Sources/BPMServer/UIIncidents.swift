import BPMEngine
import BPMStore
import Foundation
import Hummingbird

/// The incident list: open incidents filtered (by the store) by definition, element, message
/// text or instance, each linked to its instance; retry one or every selected one (operator).
extension UI {
    static func incidentQuery(_ req: Request) -> IncidentQuery {
        let q = req.uri.queryParameters
        func text(_ name: String) -> String? { q.get(name).flatMap { $0.isEmpty ? nil : String($0) } }
        var query = IncidentQuery(limit: 500)
        query.definitionId = text("definitionId")
        query.elementId = text("elementId")
        query.messageContains = text("message")
        query.instanceId = text("instanceId")
        query.openOnly = text("status") != "all"
        return query
    }

    func incidents(_ req: Request) async throws -> Response {
        let query = Self.incidentQuery(req)
        let list = try await runtime.store.incidents(query)
        let operate = Self.may(.operator)
        var rows = ""
        for r in list {
            let i = r.incident
            let open = operate && r.resolvedAt == nil
            let pick = open ? "<input type=checkbox class=pick value=\"\(Self.esc(i.id))\">" : ""
            let retry = open
                ? "<button onclick=\"act('/incidents/\(Self.esc(i.id))/retry')\">retry</button>" : ""
            rows += """
            <tr data-incident="\(Self.esc(i.id))"><td>\(pick)</td>\
            <td><a href="/ui/instances/\(Self.esc(i.instanceId))"><code>\(Self.esc(i.instanceId))</code></a></td>\
            <td>\(Self.esc(i.elementId))</td><td>\(Self.esc(i.type))</td>\
            <td>\(Self.esc(i.message))</td><td>\(Coding.iso(i.createdAt))</td>\
            <td>\(r.resolvedAt.map { "resolved \(Coding.iso($0))" } ?? retry)</td></tr>
            """
        }
        let bulk = operate && !list.isEmpty
            ? "<p><button id=retry-selected onclick=\"retrySelected()\">retry selected</button> "
                + "<span id=retry-result></span></p>" : ""
        let stream = Self.streamURL("incidents", req, seen: Self.fingerprint(list))
        let body = """
        <h1>Incidents</h1>
        <form method="get" action="/ui/incidents">
        definition <input name="definitionId" value="\(Self.esc(query.definitionId ?? ""))">
        element <input name="elementId" value="\(Self.esc(query.elementId ?? ""))">
        message contains <input name="message" value="\(Self.esc(query.messageContains ?? ""))">
        <label><input type=checkbox name=status value=all\(query.openOnly ? "" : " checked")> resolved too</label>
        <button id=filter>filter</button></form>
        <div id=live data-stream="\(Self.esc(stream))">\(bulk)
        <table id=incidents><tr><th>\(operate && !list.isEmpty ? Self.pickAllBox : "")</th>
        <th>instance</th><th>element</th><th>type</th><th>message</th><th>raised</th><th></th></tr>\(rows)</table>
        \(list.isEmpty ? "<p class=muted id=no-incidents>No incidents match.</p>" : "")</div>
        <script>
        function pickAll(box) { for (const b of document.querySelectorAll('input.pick')) b.checked = box.checked; }
        async function retrySelected() {
          const ids = [...document.querySelectorAll('input.pick:checked')].map(b => b.value);
          const failed = [];
          for (const id of ids) {
            const r = await fetch('/incidents/' + id + '/retry', {method: 'POST'});
            if (!r.ok) { const p = await r.json().catch(() => ({})); failed.push(id + ': ' + (p.detail || r.status)); }
          }
          document.getElementById('retry-result').textContent = (ids.length - failed.length) + ' of ' + ids.length
            + ' retried' + (failed.length ? '; ' + failed.join('; ') : '');
          if (!failed.length && ids.length) location.reload();
        }
        </script>
        """
        return Self.page("Incidents", body)
    }

    static let pickAllBox = "<input type=checkbox id=pick-all onclick=\"pickAll(this)\">"
}
