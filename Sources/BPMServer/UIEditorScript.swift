/// The editor page's script (`UI.editor`): validation 400 ms after the last keystroke (`POST /definitions/validate`
/// with `diagram=svg`), gutter markers and a problem list, the diagram, a line diff against the deployed version,
/// deploying (`POST /definitions`) and test runs (`POST /definitions/test-run`). `document.body.dataset.checks`
/// counts finished checks, so tests wait for one.
enum UIEditorScript {
    /// Deploys a text as a new version (`POST /definitions`) and links the version made, or shows the problem.
    static let deploy = #"""
    async function deployText(body, file, statusLine) {
      const r = await fetch('/definitions?file=' + encodeURIComponent(file), {method: 'POST', body,
        headers: {'Content-Type': file.endsWith('.bpmn') ? 'application/xml' : 'application/yaml'}});
      const a = await r.json().catch(() => ({}));
      if (!r.ok) {
        statusLine.className = 'error';
        statusLine.textContent = (a.title || r.status) + ': ' + (a.detail || '');
        return;
      }
      statusLine.className = '';
      statusLine.innerHTML = '';
      const link = document.createElement('a');
      link.id = 'deployed';
      link.href = '/ui/definitions/' + encodeURIComponent(a.id);
      link.textContent = (a.created ? 'deployed ' : 'unchanged: ') + a.id + ' v' + a.version;
      statusLine.appendChild(link);
    }
    """#

    static let source = deploy + "\n" + #"""
    const area = document.getElementById('source');
    const formatBox = document.getElementById('format');
    const statusLine = document.getElementById('status');
    formatBox.value = editorConfig.format;
    let cm = null;
    if (window.CodeMirror) {
      cm = CodeMirror.fromTextArea(area, {lineNumbers: true, gutters: ['problems', 'CodeMirror-linenumbers'],
                                          mode: editorConfig.format === 'bpmn' ? 'xml' : 'yaml'});
      cm.on('change', schedule);
      window.editor = cm;
    } else {
      area.addEventListener('input', schedule);
    }
    function text() { return cm ? cm.getValue() : area.value; }
    formatBox.addEventListener('change', () => {
      if (cm) cm.setOption('mode', formatBox.value === 'bpmn' ? 'xml' : 'yaml');
      schedule();
    });
    let timer = null;
    function schedule() { clearTimeout(timer); timer = setTimeout(check, 400); }
    let marked = [];
    function mark(problems) {
      if (!cm) return;
      cm.clearGutter('problems');
      for (const l of marked) cm.removeLineClass(l, 'background', 'problem-line');
      marked = [];
      for (const p of problems) {
        const line = Math.max(0, Math.min(cm.lineCount() - 1, p.line - 1));
        const m = document.createElement('span');
        m.className = 'problem-marker ' + p.severity;
        m.dataset.line = String(p.line);
        m.title = p.message;
        m.textContent = p.severity === 'error' ? '●' : '▲';
        cm.setGutterMarker(line, 'problems', m);
        cm.addLineClass(line, 'background', 'problem-line');
        marked.push(line);
      }
    }
    function list(problems) {
      const ul = document.getElementById('problems');
      ul.innerHTML = '';
      if (problems.length === 0) { ul.innerHTML = '<li class=muted>no problems</li>'; return; }
      for (const p of problems) {
        const li = document.createElement('li');
        li.className = p.severity;
        li.dataset.line = String(p.line);
        li.textContent = 'line ' + p.line + ', column ' + p.column + ': ' + p.severity + ': ' + p.message;
        if (cm) li.onclick = () => { cm.focus(); cm.setCursor({line: p.line - 1, ch: Math.max(0, p.column - 1)}); };
        ul.appendChild(li);
      }
    }
    async function check() {
      const q = '?diagram=svg&format=' + formatBox.value + '&file=' + encodeURIComponent(editorConfig.id || 'editor');
      let answer;
      try {
        const r = await fetch('/definitions/validate' + q, {method: 'POST', body: text(),
          headers: {'Content-Type': formatBox.value === 'bpmn' ? 'application/xml' : 'application/yaml'}});
        answer = await r.json();
        if (!r.ok) throw new Error(answer.detail || ('HTTP ' + r.status));
      } catch (e) {
        statusLine.textContent = 'could not check: ' + e.message;
        return;
      }
      const all = answer.problems.concat(answer.warnings);
      mark(all);
      list(all);
      statusLine.textContent = answer.valid ? 'valid: ' + answer.summary : answer.problems.length + ' problem(s)';
      statusLine.className = answer.valid ? 'muted' : 'error';
      const deploy = document.getElementById('deploy');
      if (deploy) deploy.disabled = !answer.valid;
      if (answer.diagram) document.getElementById('preview').innerHTML = answer.diagram;
      document.getElementById('preview').dataset.valid = String(answer.valid);
      showDiff();
      document.body.dataset.checks = String(Number(document.body.dataset.checks || '0') + 1);
    }
    function lineDiff(a, b) {
      const n = a.length, m = b.length;
      if (n * m > 4000000) return null;
      const t = Array.from({length: n + 1}, () => new Uint32Array(m + 1));
      for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--)
        t[i][j] = a[i] === b[j] ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
      const out = [];
      let i = 0, j = 0;
      while (i < n || j < m) {
        if (i < n && j < m && a[i] === b[j]) { i++; j++; }
        else if (j < m && (i === n || t[i][j + 1] >= t[i + 1][j])) { out.push(['add', j + 1, b[j]]); j++; }
        else { out.push(['del', i + 1, a[i]]); i++; }
      }
      return out;
    }
    function showDiff() {
      if (editorConfig.deployed === null) return;
      const pre = document.getElementById('diff');
      const d = lineDiff(editorConfig.deployed.split('\n'), text().split('\n'));
      pre.innerHTML = '';
      if (d === null) { pre.textContent = 'too large to compare here'; return; }
      if (d.length === 0) { pre.textContent = 'same as v' + editorConfig.deployedVersion; return; }
      for (const [kind, line, content] of d) {
        const s = document.createElement('div');
        s.className = kind;
        s.textContent = (kind === 'add' ? '+ ' : '- ') + line + ': ' + content;
        pre.appendChild(s);
      }
    }
    const deployButton = document.getElementById('deploy');
    if (deployButton) deployButton.onclick = () => deployText(text(),
      (editorConfig.id || 'editor') + (formatBox.value === 'bpmn' ? '.bpmn' : '.yaml'), statusLine);
    document.getElementById('run').onclick = async () => {
      const out = document.getElementById('run-result');
      let variables, events;
      try {
        variables = JSON.parse(document.getElementById('run-variables').value || '{}');
        events = JSON.parse(document.getElementById('run-events').value || '[]');
      } catch (e) { out.textContent = 'not valid JSON: ' + e.message; return; }
      const r = await fetch('/definitions/test-run', {method: 'POST', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({source: text(), variables, events})});
      const a = await r.json().catch(() => ({}));
      if (!r.ok) { out.textContent = (a.title || r.status) + ': ' + (a.detail || ''); return; }
      out.textContent = 'status: ' + a.status + '\npath: ' + (a.path || []).join(' → ') + '\nvariables: '
        + JSON.stringify(a.variables, null, 2);
    };
    check();
    """#
}
