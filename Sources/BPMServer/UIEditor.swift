import BPMExpressions
import BPMRuntime
import BPMStore
import BPMTooling
import Foundation
import Hummingbird

/// The definition editor: `/ui/editor` (a new definition, or one from a `bpm new` template) and
/// `/ui/definitions/{id}/edit` (the latest deployed version). A code editor (CodeMirror 5 when installed, a
/// textarea otherwise) validated as one types, a diagram beside it, the diff against the deployed version,
/// deploying as a new version (admins), and a test run on a simulated clock (`UIEditorScript`).
extension UI {
    /// What the editor opens: the text, its format, and the deployed version it was taken from.
    struct EditorDocument {
        var id: String?
        var text: String
        var format: String
        var deployed: DefinitionRecord?
    }

    /// `/ui/editor?template=NAME&id=ID`: a template's definition for a new process id, or an empty start.
    func newEditor(_ req: Request) throws -> Response {
        let q = req.uri.queryParameters
        let id = q.get("id").flatMap { $0.isEmpty ? nil : $0 } ?? "new-process"
        guard let name = q.get("template"), !name.isEmpty else {
            return Self.editor(EditorDocument(id: nil, text: Self.blank, format: "yaml"))
        }
        guard let t = ProcessTemplates.named(name) else {
            throw Problem(.notFound, "unknown-template", "Unknown template",
                          "no template '\(name)'; there are: "
                            + ProcessTemplates.all.map(\.name).joined(separator: ", "))
        }
        return Self.editor(EditorDocument(id: nil, text: ProcessTemplates.render(t, id: id).definition, format: "yaml"))
    }

    /// `/ui/definitions/{id}/edit`: the latest deployed version's source.
    func edit(_ id: String) async throws -> Response {
        guard let r = try await runtime.store.definitions().filter({ $0.id == id }).max(by: { $0.version < $1.version })
        else { throw Runtime.RuntimeError.unknownDefinition(id) }
        let format = r.format == "bpmn" ? "bpmn" : "yaml"
        return Self.editor(EditorDocument(id: id, text: r.source, format: format, deployed: r))
    }

    static let blank = """
    id: new-process
    name: New process

    activities:
      - id: review
        type: user
        name: Review the request
      - id: done
        type: end
    """

    static func templateOptions() -> String {
        ProcessTemplates.all.map { t in
            "<option value=\"\(esc(t.name))\">\(esc(t.name)) — \(esc(t.summary))</option>"
        }.joined()
    }

    static func editor(_ doc: EditorDocument) -> Response {
        let cm = UIAssets.codemirror.root != nil
        let head = cm ? """
            <link rel=stylesheet href="/ui/assets/codemirror/lib/codemirror.css">
            <script src="/ui/assets/codemirror/lib/codemirror.js"></script>
            <script src="/ui/assets/codemirror/mode/yaml/yaml.js"></script>
            <script src="/ui/assets/codemirror/mode/xml/xml.js"></script>
            """ : "<p class=muted id=editor-plain>\(UIAssets.codemirror.install).</p>"
        let title = doc.deployed.map { "Edit \(esc($0.id)) <span class=muted>(from v\($0.version))</span>" }
            ?? "New definition"
        let visual = doc.format == "bpmn" && doc.id != nil
            ? " · <a id=open-modeler href=\"/ui/definitions/\(esc(doc.id!))/model\">edit visually (bpmn-js)</a>" : ""
        let deploy = may(.admin) ? "<button id=deploy>deploy as new version</button>" : ""
        let config: Value = ["id": doc.id.map(Value.string) ?? .null, "format": .string(doc.format),
                             "deployed": doc.deployed.map { .string($0.source) } ?? .null,
                             "deployedVersion": doc.deployed.map { .number(Double($0.version)) } ?? .null]
        let body = """
        <style>
        .editor-grid{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1rem}
        .CodeMirror{border:1px solid #ccc;height:32rem;font-size:13px}
        #source{width:100%;height:32rem;font-family:monospace}
        .problem-marker{color:#c0392b;font-weight:700;padding-left:2px}.problem-line{background:#fdecea}
        #problems li.warning{color:#a60}#preview svg{max-width:100%;height:auto}
        #diff .add{color:#2a7}#diff .del{color:#c0392b}
        </style>
        \(head)
        <h1>\(title)</h1>
        <form method=get action="/ui/editor" class=inline>new from template <select name=template id=template>
        \(templateOptions())</select> id <input name=id id=template-id value="new-process" size=16>
        <button id=use-template>open</button></form>\(visual)
        <p>format <select id=format><option value=yaml>YAML</option><option value=bpmn>BPMN XML</option></select>
        \(deploy) <span id=status class=muted role=status></span></p>
        <div class=editor-grid>
        <div><textarea id=source spellcheck=false>\(esc(doc.text))</textarea>
        <h2>Problems</h2><ul id=problems><li class=muted>checking…</li></ul></div>
        <div><h2>Diagram</h2><div id=preview class=muted>drawn when the definition is valid</div></div>
        </div>
        <h2>Changes against the deployed version</h2>
        <pre id=diff class=muted>\(doc.deployed == nil ? "not deployed yet" : "")</pre>
        <h2>Test run <span class=muted>(simulated clock, connectors recorded, nothing deployed)</span></h2>
        <label>variables (JSON object)<br><textarea id=run-variables rows=3 cols=60>{}</textarea></label>
        <label>events (JSON array, for an event trigger)<br><textarea id=run-events rows=3 cols=60>[]</textarea></label>
        <br><button id=run>run</button><pre id=run-result class=muted></pre>
        <script>const editorConfig = \(JSON.encode(config).replacingOccurrences(of: "</", with: "<\\/"));</script>
        <script>\(UIEditorScript.source)</script>
        """
        return page(doc.deployed.map { "Edit \($0.id)" } ?? "New definition", body)
    }
}
