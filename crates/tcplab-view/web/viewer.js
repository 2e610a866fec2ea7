// tcplab view: the page's state and how it starts. Reads the JSON that
// crates/tcplab-view writes into #tcplab-data and the connections'
// packed segments in #tcplab-segments (codec.js unpacks them), fills the
// connection list, builds the graphs (graphs.js, charts.js) and keeps
// hover, selection, zoom (interact.js) and the side panels (panels.js,
// events.js) in step. Every part gets `V`: the page's data, its state
// and each part's functions, looked up when called.
'use strict';
(function () {
  // Timed from here (reading the data included) to the graphs drawn:
  // performance.getEntriesByName('tcplab-view-open') (bench/results.md).
  performance.mark('tcplab-view-start');
  const C = window.TcplabCodec;
  const DOC = JSON.parse(document.getElementById('tcplab-data').textContent);
  const SEGMENTS = document.getElementById('tcplab-segments').textContent;
  const COLOUR = {
    data: '#1F77B4', again: '#D62728', ack: '#2CA02C', window: '#C48A00', zero: '#9467BD',
    dup: '#FF7F0E', sack: '#E377C2', goodput: '#179C8A', ts: '#8C564B', smooth: '#222222',
    control: '#444444', kernel: '#7B1FA2', ssthresh: '#B03A2E', select: '#000000',
  };
  const EV = Object.fromEntries(DOC.names.events.map((e, b) => [e[0], 1 << b]));
  const $ = id => document.getElementById(id);

  const state = {
    lang: DOC.lang, stream: DOC.stream, dir: 0, relative: true, collapse: false,
    intervals: 100, sort: { key: 'stream', asc: true }, selected: -1, eventKind: 'all',
    d: null, L: null, kernel: null, charts: [], syncing: false, span: 0, map: null,
    // A connection being unpacked (its number), and whether the page has
    // drawn its first connection.
    loading: null, ready: false,
  };
  const S = k => (DOC.strings[state.lang] || DOC.strings.en)[k] || k;

  const V = { DOC, state, S, C, COLOUR, EV, $ };
  V.seqOf = (v, space) => {
    const b = state.d.base[space];
    return state.relative && b !== null ? v - b : v;
  };
  // The x value the chart uses for time `t` (collapsed gaps move it), and back.
  V.xval = t => (state.map ? state.map.fwd(t) : t);
  V.tval = x => (state.map ? state.map.bwd(x) : x);
  for (const part of ['TcplabPanels', 'TcplabEvents', 'TcplabGraphs', 'TcplabCharts', 'TcplabInteract']) {
    Object.assign(V, window[part](V));
  }

  // ---- choosing a connection and a direction ------------------------------
  // Its segments are unpacked (asynchronously: the browser inflates them)
  // when it is chosen; a later choice wins over one still unpacking.
  async function selectStream(stream) {
    state.stream = stream;
    state.selected = -1;
    state.eventKind = 'all';
    state.loading = stream;
    const row = DOC.connections.find(r => r.stream === stream);
    state.dir = row && row.payload[1] > row.payload[0] ? 1 : 0;
    V.drawList();
    fillDirections();
    const entry = DOC.series.find(s => s.stream === stream);
    const d = entry ? C.decode(await C.unpack(entry, SEGMENTS)) : null;
    if (state.loading !== stream) return;
    state.d = d;
    state.kernel = DOC.kernel && DOC.kernel.stream === stream ? C.decodeKernel(DOC.kernel) : null;
    rebuild();
    state.loading = null;
  }

  function fillDirections() {
    const row = DOC.connections.find(r => r.stream === state.stream);
    if (!row) return;
    $('dir').innerHTML = [[0, row.a + ' → ' + row.b], [1, row.b + ' → ' + row.a]]
      .map(([v, label]) => `<option value="${v}"${v === state.dir ? ' selected' : ''}>${V.esc(label)}</option>`).join('');
  }

  function connNote() {
    const row = DOC.connections.find(r => r.stream === state.stream);
    const int = V.int;
    let note = '';
    if (row && row.left_out > 0 && state.d) {
      note = C.fill(S('left_out'), int(state.d.n), int(row.left_out), int(DOC.limits[0]), int(DOC.limits[1]));
    } else if (!state.d) {
      note = C.fill(S('no_segments'), int(DOC.limits[1]));
    }
    $('conn-note').textContent = note;
  }

  // ---- building and rebuilding ---------------------------------------------
  // Draws the graphs again; `keep` keeps the time range shown (a change
  // of language, numbering or interval), otherwise the graphs open on the
  // data sender's span.
  function rebuild(keep) {
    const shown = keep && state.charts[0] ? [state.charts[0].scales.x.min, state.charts[0].scales.x.max] : null;
    for (const u of state.charts) u.destroy();
    state.charts = [];
    const box = $('charts');
    box.innerHTML = '';
    connNote();
    if (!state.d) { V.drawEvents(); V.drawDetails(); return; }
    const d = state.d;
    state.L = C.lists(d, state.dir);
    state.span = d.n ? d.t[d.n - 1] : 0;
    state.map = null;
    if (state.collapse) {
      // Judged against the sender's span, where the graphs open, as the
      // static graphs judge them against their time axis.
      const L = state.L;
      const axis = L.data.length ? d.t[L.data[L.data.length - 1]] - d.t[L.data[0]] : state.span;
      const gs = C.gaps(d.t, d.again, axis || state.span);
      if (gs.length) state.map = C.timeMap(gs, axis || state.span);
      state.gaps = gs;
    }
    $('interval-unit').textContent = '(' + C.fill(S('intervals'), state.intervals) + ')';
    for (const def of V.graphDefs()) {
      const el = document.createElement('div');
      el.className = 'chart';
      el.id = 'chart-' + def.id;
      const h = document.createElement('h3');
      h.textContent = def.title;
      el.appendChild(h);
      const keys = document.createElement('div');
      keys.className = 'keys';
      el.appendChild(keys);
      box.appendChild(el);
      const u = V.makeChart(def, el);
      keys.innerHTML = `<span class="y">↕ ${V.esc(def.yLabel || '')}</span>` + def.keys.map(([c, s]) => `<span><i style="background:${c}"></i>${V.esc(s)}</span>`).join('');
      state.charts.push(u);
    }
    state.home = V.home();
    if (shown) V.setX(shown[0], shown[1]); else V.resetX();
    V.drawEvents();
    V.drawDetails();
    V.indexLater();
  }

  function select(i, focus) {
    state.selected = i;
    if (focus) {
      const d = state.d;
      const a = Math.max(0, i - 30), b = Math.min(d.n - 1, i + 30);
      const t0 = V.xval(d.t[a]), t1 = V.xval(d.t[b]);
      const pad = (t1 - t0) * 0.1 || 1e-4;
      V.setX(t0 - pad, t1 + pad);
    }
    for (const u of state.charts) u.redraw(false);
    V.drawDetails();
    for (const li of $('events').children) li.classList.toggle('sel', +li.dataset.i === i);
  }
  V.select = select;

  // ---- language ----------------------------------------------------------------
  function applyLang() {
    document.documentElement.lang = state.lang;
    $('lang').value = state.lang;
    for (const el of document.querySelectorAll('[data-s]')) el.textContent = S(el.dataset.s);
    const notes = [];
    if (DOC.damage) notes.push(C.fill(S('damaged'), DOC.damage));
    if (DOC.tcp_info) notes.push(C.fill(S('kernel_note'), DOC.tcp_info));
    $('notes').textContent = notes.join(' ');
  }

  // ---- wiring --------------------------------------------------------------------
  function wire() {
    $('conns').addEventListener('click', e => {
      const th = e.target.closest('th');
      if (th) {
        const key = th.dataset.k;
        state.sort = { key, asc: state.sort.key === key ? !state.sort.asc : true };
        V.drawList();
        return;
      }
      const tr = e.target.closest('tr[data-stream]');
      if (tr) selectStream(+tr.dataset.stream);
    });
    const ifShown = f => e => { if (state.d) f(e); };
    $('dir').addEventListener('change', ifShown(e => { state.dir = +e.target.value; state.selected = -1; rebuild(); }));
    $('relative').addEventListener('change', e => { state.relative = e.target.checked; if (state.d) { rebuild(true); V.drawDetails(); } });
    $('collapse').addEventListener('change', e => { state.collapse = e.target.checked; if (state.d) rebuild(); });
    $('interval').addEventListener('change', e => {
      state.intervals = Math.max(1, Math.min(100000, Math.round(+e.target.value) || 100));
      if (state.d) rebuild(true);
    });
    $('reset').addEventListener('click', V.resetX);
    $('lang').addEventListener('change', e => { state.lang = e.target.value; applyLang(); V.drawList(); if (state.d) rebuild(true); });
    V.wireEvents();
    $('neighbours').addEventListener('click', e => {
      const tr = e.target.closest('tr[data-i]');
      if (tr) select(+tr.dataset.i, true);
    });
    document.addEventListener('keydown', V.onKey);
    let pending = 0;
    window.addEventListener('resize', () => {
      clearTimeout(pending);
      pending = setTimeout(() => { for (const u of state.charts) u.setSize(V.size()); }, 100);
    });
  }

  // ---- the test hook (tests/view_chromium.rs) ---------------------------------------
  const opened = (async () => {
    wire();
    applyLang();
    await selectStream(state.stream);
    state.ready = true;
    performance.mark('tcplab-view-ready');
    performance.measure('tcplab-view-open', 'tcplab-view-start', 'tcplab-view-ready');
  })();
  window.tcplabView = {
    // Resolves once the first connection is drawn.
    opened,
    state() {
      const d = state.d;
      return {
        ready: state.ready, busy: state.loading !== null,
        stream: state.stream, dir: state.dir, lang: state.lang,
        rows: Array.from(document.querySelectorAll('#conns tbody tr'), tr => +tr.dataset.stream),
        segments: d ? d.n : 0,
        charts: state.charts.map(u => ({
          id: u.def.id, xmin: u.scales.x.min, xmax: u.scales.x.max,
          points: u.def.points ? u.def.points.length : u.data[0].length,
        })),
        selected: d && state.selected >= 0 ? d.frame[state.selected] : null,
        details: $('details').textContent,
        events: document.querySelectorAll('#events li[data-i]').length,
        eventKinds: d ? V.eventKinds() : null,
      };
    },
    // The client position of segment `frame` in graph `id` (for a simulated hover).
    pointOf(id, frame) {
      const u = state.charts.find(c => c.def.id === id), d = state.d;
      const i = d.frame.indexOf(frame);
      if (!u || i < 0) return null;
      const r = u.over.getBoundingClientRect();
      return { x: r.left + u.valToPos(V.xval(d.t[i]), 'x'), y: r.top + u.valToPos(u.def.y(i), 'y') };
    },
    tip: () => ($('tip').hidden ? '' : $('tip').textContent),
    // Resolves once the shown graphs' min/max indexes are built.
    indexed: () => state.indexed || Promise.resolve(),
    // When a graph was last drawn (performance.now()), to time redraws.
    drawnAt: () => state.drawnAt,
    zoom: (min, max) => V.setX(min, max),
    // The uPlot instances, for looking into them from the console.
    charts: () => state.charts,
  };
})();
