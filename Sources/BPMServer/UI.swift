import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import BPMStore
import Foundation
import Hummingbird

/// The web UI: server-rendered pages with a little plain JavaScript (no build step).
/// Definitions with their diagrams and where instances wait; instances, filterable, each with
/// its diagram, variables, history and incidents (retry); a task inbox with forms (JSON Schemas,
/// Camunda Forms); an instance page follows the instance live (server-sent events).
struct UI {
    let runtime: Runtime
    /// Seconds between the live pages' looks at the store without a change from this runtime
    /// (for changes other replicas make).
    var livePoll = 5.0

    static func esc(_ s: String) -> String { DiagramSVG.esc(s) }

    static func page(_ title: String, _ body: String, status: HTTPResponse.Status = .ok) -> Response {
        let html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(esc(title)) · swift-bpm</title>
        <style>
        body{font-family:system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
        header{background:#1d2a3a;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.4rem;align-items:center}
        header a{color:#cfe3ff;text-decoration:none}header strong{color:#fff}header .who{margin-left:auto;color:#cfe3ff}
        header .who button{margin-left:.6rem;padding:.1rem .5rem}
        main{padding:1rem 1.4rem;max-width:80rem}
        table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #e4e4e4;font-size:.92rem}
        th{background:#f1f3f6}code,pre{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}pre{padding:.6rem;overflow:auto}
        .diagram{background:#fff;border:1px solid #ddd;max-width:100%;height:auto}.diagram .label{font-size:11px}.diagram .cond{font-size:9px;fill:#666}
        .diagram .heat{font-size:9px;fill:#a04000}
        .badge text{font-size:11px;font-weight:600}
        .status-running{color:#1f6feb}.status-completed{color:#2a7}.status-failed,.status-terminated{color:#c0392b}.status-suspended{color:#a60}
        button{padding:.25rem .7rem;border:1px solid #888;border-radius:4px;background:#fff;cursor:pointer}form.inline{display:inline}
        .muted{color:#777}.error{color:#c0392b}fieldset{border:1px solid #ddd;background:#fff}
        .inbox{display:flex;gap:1.2rem;align-items:flex-start}.inbox>div{flex:1}tr.chosen{background:#eef5ff}
        #task-detail{flex:1;background:#fff;border:1px solid #ddd;padding:.2rem 1rem}.facts th{width:7rem}
        \(zoomStyle)
        </style></head><body>
        <header><strong>swift-bpm</strong><a href="/">Definitions</a><a href="/ui/instances">Instances</a><a href="/ui/tasks">Tasks</a><a href="/ui/editor">Editor</a>
        <a href="/ui/incidents">Incidents</a><a href="/ui/schedules">Schedules</a><a href="/ui/api">API</a><a href="/metrics">Metrics</a>\(signedIn())</header>
        <main>\(body)</main>
        <script>
        async function post(url, body) {
          const r = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body || {})});
          if (!r.ok) { const p = await r.json().catch(() => ({})); alert(p.detail || ('HTTP ' + r.status)); return false; }
          return true;
        }
        async function act(url, body) { if (await post(url, body)) location.reload(); }
        </script>
        \(liveScript)
        \(zoomScript)
        </body></html>
        """
        var h = HTTPFields()
        h[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func statusBadge(_ s: String) -> String { "<span class=\"status-\(Self.esc(s))\">\(Self.esc(s))</span>" }

    // MARK: definitions

    func definitions() async throws -> Response {
        let retired = await runtime.retiredDefinitions
        var rows = ""
        for (d, v) in await runtime.registry.all {
            let running = try await runtime.store.instances(InstanceQuery(definitionId: d.id, status: .running, limit: 1000)).count
            rows += "<tr><td><a href=\"/ui/definitions/\(Self.esc(d.id))\">\(Self.esc(d.id))</a></td><td>\(Self.esc(d.name))</td><td>v\(v)\(retired.contains(d.id) ? " <span class=muted>(retired)</span>" : "")</td>"
            rows += "<td>\(Self.esc(d.trigger.map { t in t.kind == .event ? "event: \(t.topic ?? "")" : "\(t.kind)" } ?? "manual"))</td><td><a href=\"/ui/instances?definitionId=\(Self.esc(d.id))&amp;status=running\">\(running == 1000 ? "1000+" : String(running))</a></td></tr>"
        }
        let problems = await runtime.deployments.values.filter { $0.state == .invalid }
        var warn = ""
        if !problems.isEmpty {
            warn = "<h2 class=error>Files that did not deploy</h2><ul>" + problems.map { "<li><code>\(Self.esc($0.file))</code><pre>\(Self.esc($0.errors.joined(separator: "\n")))</pre></li>" }.joined() + "</ul>"
        }
        return Self.page("Definitions", "<h1>Definitions</h1>\(warn)<table><tr><th>id</th><th>name</th><th>version</th><th>trigger</th><th>running</th></tr>\(rows)</table>")
    }

    /// Waiting instances and open incidents per element of a definition (of its first 10,000 running instances).
    func marks(_ defId: String) async throws -> DiagramSVG.Marks {
        var m = DiagramSVG.Marks()
        let running = try await runtime.store.instances(InstanceQuery(definitionId: defId, status: .running, limit: 10_000))
        for i in running { for e in (i.currentActivity ?? "").split(separator: ",") { m.waiting[String(e), default: 0] += 1 } }
        let ids = Set(running.map(\.id))
        for inc in try await runtime.store.incidents(instanceId: nil, openOnly: true) where ids.contains(inc.incident.instanceId) {
            m.incidents[inc.incident.elementId, default: 0] += 1
        }
        return m
    }

    func definition(_ id: String) async throws -> Response {
        guard let (d, v) = await runtime.definition(id) else { throw Runtime.RuntimeError.unknownDefinition(id) }
        var m = try await marks(id)
        m.link = "/ui/instances?definitionId=\(id)&status=running&waitingAt="
        let (heat, statistics) = try await statistics(id)
        m.heat = heat
        let versions = try await runtime.store.definitions().filter { $0.id == id }
        var vrows = ""
        for r in versions.reversed() {
            vrows += "<tr><td>v\(r.version)</td><td>\(Coding.iso(r.deployedAt))</td><td>\(Self.esc(r.origin))</td><td><code>\(r.contentHash.prefix(12))</code></td>"
            vrows += "<td><a href=\"/definitions/\(Self.esc(id))/versions/\(r.version)/source\">source</a>\(r.version > 1 ? " · <a href=\"/definitions/\(Self.esc(id))/diff?from=\(r.version - 1)&amp;to=\(r.version)\">diff</a>" : "")</td></tr>"
        }
        let body = """
        <h1>\(Self.esc(d.name)) <span class=muted>(\(Self.esc(d.id)) v\(v))</span></h1>
        <p><a href="/ui/instances?definitionId=\(Self.esc(id))">instances</a> · \(Self.definitionLinks(id, versions.last?.format))
        · blue: instances waiting there now · red: open incidents · click an element for the instances waiting there · \
        under each element: its activations and their average duration (warmer: slower)</p>
        \(DiagramSVG.svg(d, m))
        <h2>Elements</h2>\(statistics)
        \(Self.startForm(id))
        <h2>Versions</h2><table><tr><th>version</th><th>deployed</th><th>from</th><th>hash</th><th></th></tr>\(vrows)</table>
        """
        return Self.page(d.name, body)
    }

    // MARK: instances

    func instance(_ id: String) async throws -> Response {
        guard let s = try await runtime.store.instance(id) else { throw Runtime.RuntimeError.unknownInstance(id) }
        let history = try await runtime.store.history(instanceId: id)
        var marks = DiagramSVG.Marks()
        marks.active = Set(s.currentActivities)
        marks.visited = Set(history.filter { $0.event == "completed" }.map(\.elementId))
        for i in s.incidents { marks.incidents[i.elementId, default: 0] += 1 }
        let def = await runtime.definition(s.definitionId, version: s.definitionVersion)?.0
        var hrows = ""
        for h in history {
            hrows += "<tr><td>\(Coding.iso(h.at))</td><td>\(Self.esc(h.elementId))</td><td>\(Self.esc(h.elementType))</td><td>\(Self.esc(h.event))</td><td><code>\(Self.esc(h.data.map(JSON.encode) ?? ""))</code></td></tr>"
        }
        var irows = ""
        for i in s.incidents {
            irows += "<tr><td>\(Self.esc(i.elementId))</td><td>\(Self.esc(i.type))</td><td>\(Self.esc(i.message))</td>"
            irows += Self.may(.operator) ? "<td><button onclick=\"act('/incidents/\(Self.esc(i.id))/retry')\">retry</button></td></tr>" : "<td></td></tr>"
        }
        let actions = !Self.may(.operator) ? "" : s.status == .running
            ? "<button onclick=\"act('/processes/\(Self.esc(id))/suspend')\">suspend</button> <button onclick=\"if(confirm('Cancel this instance?'))act('/processes/\(Self.esc(id))/cancel',{reason:'cancelled in the UI'})\">cancel</button>"
            : (s.status == .suspended ? "<button onclick=\"act('/processes/\(Self.esc(id))/resume')\">resume</button>" : "")
        let waits = try await waiting(s, def)
        let body = """
        <h1>Instance <code>\(Self.esc(id))</code></h1>
        <p>\(Self.esc(s.definitionId)) v\(s.definitionVersion) · <span id="status">\(Self.statusBadge(s.status.rawValue))</span>
        \(s.correlationKey.map { " · key <code>\(Self.esc($0))</code>" } ?? "") · started \(Coding.iso(s.startedAt)) \(actions)</p>
        \(Self.family(s))
        \(def.map { DiagramSVG.svg($0, marks) } ?? "<p class=muted>definition not loaded</p>")
        \(waits)
        \(irows.isEmpty ? "" : "<h2 class=error>Incidents</h2><table><tr><th>element</th><th>type</th><th>message</th><th></th></tr>\(irows)</table>")
        <h2>Variables</h2><pre>\(Self.esc(Self.pretty(.context(s.variables))))</pre>
        <h2>History</h2><table><tr><th>time</th><th>element</th><th>type</th><th>event</th><th>data</th></tr>\(hrows)</table>
        <script>
        // live: the page reloads when the instance moves on
        const es = new EventSource('/ui/instances/\(Self.esc(id))/events');
        es.onmessage = () => location.reload();
        addEventListener('pagehide', () => es.close());
        </script>
        """
        return Self.page("Instance", body)
    }

    static func pretty(_ v: Value) -> String {
        guard let data = JSON.encode(v).data(using: .utf8), let o = try? JSONSerialization.jsonObject(with: data),
              let p = try? JSONSerialization.data(withJSONObject: o, options: [.prettyPrinted, .sortedKeys]) else { return JSON.encode(v) }
        return String(decoding: p, as: UTF8.self)
    }

    /// Server-sent events: one message whenever the instance's revision moves (the stream ends
    /// when the instance does).
    func events(_ id: String) async throws -> Response {
        guard let first = try await runtime.store.instance(id) else { throw Runtime.RuntimeError.unknownInstance(id) }
        let store = runtime.store
        let revision = LastSent(first.revision)
        return eventStream(.instances) {
            guard let s = try? await store.instance(id), s.revision != revision.value else { return (nil, false) }
            revision.value = s.revision
            return ("{\"revision\": \(s.revision), \"status\": \"\(s.status.rawValue)\"}", !s.status.isActive)
        }
    }
}
