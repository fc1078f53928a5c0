import BPMExpressions
import BPMRuntime
import Foundation
import Hummingbird

/// Visual BPMN editing: `/ui/definitions/{id}/model` opens the latest deployed BPMN in the bpmn-js 9.0.3 modeler
/// (served from `.build/bpmn-js/` when installed, its bpmn.io watermark kept); "validate" checks the modeler's
/// XML with `POST /definitions/validate`, "deploy as new version" (admins) sends it to `POST /definitions`. The
/// modeler is `window.modeler`, so scripts (and the browser test) can edit through its API.
extension UI {
    func model(_ id: String) async throws -> Response {
        guard let r = try await runtime.store.definitions().filter({ $0.id == id }).max(by: { $0.version < $1.version })
        else { throw Runtime.RuntimeError.unknownDefinition(id) }
        guard r.format == "bpmn" else {
            return Self.page("Model \(id)", """
            <h1>\(Self.esc(id))</h1><p id=modeler-missing>\(Self.esc(id)) is a YAML definition: the visual modeler edits
            BPMN XML. Edit it as text in the <a href="/ui/definitions/\(Self.esc(id))/edit">editor</a>, or convert it
            with <code>bpm export</code> and deploy the BPMN.</p>
            """)
        }
        guard UIAssets.bpmnJS.root != nil else {
            let missing = "<h1>\(Self.esc(id))</h1><p id=modeler-missing>\(UIAssets.bpmnJS.install).</p>"
            return Self.page("Model \(id)", missing)
        }
        let config: Value = ["id": .string(id), "xml": .string(r.source), "version": .number(Double(r.version))]
        let deploy = Self.may(.admin) ? "<button id=deploy>deploy as new version</button>" : ""
        let body = """
        <link rel=stylesheet href="/ui/assets/bpmn-js/css/diagram-js.css">
        <link rel=stylesheet href="/ui/assets/bpmn-js/css/bpmn-js.css">
        <link rel=stylesheet href="/ui/assets/bpmn-js/css/bpmn.css">
        <script src="/ui/assets/bpmn-js/js/bpmn-modeler.development.js"></script>
        <h1>Model \(Self.esc(id)) <span class=muted>(from v\(r.version))</span></h1>
        <p><a href="/ui/definitions/\(Self.esc(id))/edit">edit as text</a> · <button id=validate>validate</button>
        \(deploy) <span id=status class=muted role=status></span></p>
        <div id=canvas style="height:36rem;border:1px solid #ccc;background:#fff"></div>
        <ul id=problems></ul>
        <script>const modelerConfig = \(JSON.encode(config).replacingOccurrences(of: "</", with: "<\\/"));</script>
        <script>\(Self.modelerScript)</script>
        """
        return Self.page("Model \(id)", body)
    }

    static let modelerScript = UIEditorScript.deploy + "\n" + #"""
    const modeler = new BpmnJS({container: '#canvas', keyboard: {bindTo: window}});
    window.modeler = modeler;
    const statusLine = document.getElementById('status');
    modeler.importXML(modelerConfig.xml).then(() => {
      modeler.get('canvas').zoom('fit-viewport');
      document.body.dataset.imported = 'true';
    }).catch(e => {
      statusLine.className = 'error';
      statusLine.textContent = 'could not open the diagram: ' + e.message;
    });
    async function xml() { return (await modeler.saveXML({format: true})).xml; }
    async function validate() {
      const r = await fetch('/definitions/validate?format=bpmn&file=' + encodeURIComponent(modelerConfig.id + '.bpmn'),
        {method: 'POST', headers: {'Content-Type': 'application/xml'}, body: await xml()});
      const a = await r.json();
      const ul = document.getElementById('problems');
      ul.innerHTML = '';
      for (const p of (a.problems || []).concat(a.warnings || [])) {
        const li = document.createElement('li');
        li.className = p.severity;
        li.textContent = 'line ' + p.line + ', column ' + p.column + ': ' + p.severity + ': ' + p.message;
        ul.appendChild(li);
      }
      statusLine.className = a.valid ? 'muted' : 'error';
      statusLine.textContent = a.valid ? 'valid: ' + a.summary : a.problems.length + ' problem(s)';
      return a.valid;
    }
    document.getElementById('validate').onclick = validate;
    const deployButton = document.getElementById('deploy');
    if (deployButton) deployButton.onclick = async () => {
      if (await validate()) await deployText(await xml(), modelerConfig.id + '.bpmn', statusLine);
    };
    """#
}
