/// Zoom and pan on every diagram of the UI (`svg.diagram`), by changing its `viewBox`: the wheel zooms
/// about the pointer, a drag pans, and a bar above the diagram has zoom out, zoom in and fit. Diagrams
/// drawn later (the editor's preview, a live instance page) get it as they appear. The zoom is kept in
/// `data-zoom` (1 is the whole diagram), which the browser tests read.
extension UI {
    static let zoomStyle = """
    .zoombar{margin:.3rem 0}.zoombar button{padding:.05rem .5rem;margin-right:.3rem}
    svg.diagram[data-zoomable]{cursor:grab;touch-action:none}svg.diagram[data-zoomable]:active{cursor:grabbing}
    """

    static let zoomScript = """
    <script>
    (function () {
      function zoomable(svg) {
        if (svg.dataset.zoomable || !svg.viewBox || !svg.viewBox.baseVal) return;
        svg.dataset.zoomable = '1';
        const b = svg.viewBox.baseVal, home = [b.x, b.y, b.width, b.height];
        let [x, y, w, h] = home;
        const set = () => {
          svg.setAttribute('viewBox', x + ' ' + y + ' ' + w + ' ' + h);
          svg.dataset.zoom = (home[2] / w).toFixed(2);
        };
        const zoom = (f, cx, cy) => {
          const nw = Math.min(home[2], Math.max(home[2] / 20, w / f)), k = nw / w;
          x = cx - (cx - x) * k; y = cy - (cy - y) * k; w = nw; h = h * k;
          if (nw === home[2]) { [x, y, w, h] = home; }
          set();
        };
        const at = (e) => {
          const r = svg.getBoundingClientRect();
          return [x + (e.clientX - r.left) / r.width * w, y + (e.clientY - r.top) / r.height * h];
        };
        svg.addEventListener('wheel', (e) => {
          e.preventDefault();
          const [cx, cy] = at(e);
          zoom(e.deltaY < 0 ? 1.25 : 0.8, cx, cy);
        }, {passive: false});
        let drag = null;
        svg.addEventListener('pointerdown', (e) => {
          if (e.target.closest('a') || w === home[2]) return;
          drag = [e.clientX, e.clientY, x, y];
          svg.setPointerCapture(e.pointerId);
        });
        svg.addEventListener('pointermove', (e) => {
          if (!drag) return;
          const r = svg.getBoundingClientRect();
          x = drag[2] - (e.clientX - drag[0]) / r.width * w;
          y = drag[3] - (e.clientY - drag[1]) / r.height * h;
          set();
        });
        svg.addEventListener('pointerup', () => { drag = null; });
        const bar = document.createElement('div');
        bar.className = 'zoombar';
        const buttons = [['zoom-out', '−', () => zoom(0.66, x + w / 2, y + h / 2)],
                         ['zoom-in', '+', () => zoom(1.5, x + w / 2, y + h / 2)],
                         ['zoom-fit', 'fit', () => { [x, y, w, h] = home; set(); }]];
        for (const [name, label, act] of buttons) {
          const button = document.createElement('button');
          button.type = 'button'; button.className = name; button.textContent = label; button.onclick = act;
          bar.appendChild(button);
        }
        const hint = document.createElement('span');
        hint.className = 'muted'; hint.textContent = 'wheel: zoom · drag: pan';
        bar.appendChild(hint);
        svg.before(bar);
        set();
      }
      const all = () => document.querySelectorAll('svg.diagram').forEach(zoomable);
      all();
      new MutationObserver(all).observe(document.body, {childList: true, subtree: true});
    })();
    </script>
    """
}
