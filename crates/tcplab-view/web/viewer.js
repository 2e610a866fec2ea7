// tcplab view: the page's behaviour. Reads the JSON that
// crates/tcplab-view writes into #tcplab-data (decoded by codec.js), fills
// the connection list, draws the graphs with uPlot on one time axis, and
// keeps hover, selection, zoom and the side panels in step.
// Colours and names are those of the static graphs (docs/graphs.md).
'use strict';
(function () {
  // Timed from here (reading the data included) to the graphs drawn:
  // performance.getEntriesByName('tcplab-view-open') (bench/results.md).
  performance.mark('tcplab-view-start');
  const C = window.TcplabCodec;
  const DOC = JSON.parse(document.getElementById('tcplab-data').textContent);
  const COLOUR = {
    data: '#1F77B4', again: '#D62728', ack: '#2CA02C', window: '#C48A00', zero: '#9467BD',
    dup: '#FF7F0E', sack: '#E377C2', goodput: '#179C8A', ts: '#8C564B', smooth: '#222222',
    control: '#444444', kernel: '#7B1FA2', ssthresh: '#B03A2E', select: '#000000',
  };
  const EV = Object.fromEntries(DOC.names.events.map((e, b) => [e[0], 1 << b]));
  const RETRANS = EV.retransmission | EV.fast_retransmission | EV.spurious_retransmission;
  const EVENT_LIST_MAX = 1000;
  const $ = id => document.getElementById(id);

  const state = {
    lang: DOC.lang, stream: DOC.stream, dir: 0, relative: true, collapse: false,
    intervals: 100, sort: { key: 'stream', asc: true }, selected: -1,
    d: null, L: null, kernel: null, charts: [], syncing: false, span: 0, map: null,
  };
  const S = k => (DOC.strings[state.lang] || DOC.strings.en)[k] || k;

  const { dec, int, secs, rate, esc, drawList, describe, eventLabels, drawEvents, drawDetails } =
    window.TcplabPanels({ DOC, state, S, C, COLOUR, EVENT_LIST_MAX, $ });

  const seqOf = (v, space) => {
    const b = state.d.base[space];
    return state.relative && b !== null ? v - b : v;
  };

  // ---- choosing a connection and a direction ------------------------------
  function selectStream(stream) {
    state.stream = stream;
    state.selected = -1;
    const row = DOC.connections.find(r => r.stream === stream);
    const cols = DOC.series.find(s => s.stream === stream);
    state.d = cols ? C.decode(cols) : null;
    state.dir = row && row.payload[1] > row.payload[0] ? 1 : 0;
    state.kernel = DOC.kernel && DOC.kernel.stream === stream ? C.decodeKernel(DOC.kernel) : null;
    drawList();
    fillDirections();
    rebuild();
  }

  function fillDirections() {
    const row = DOC.connections.find(r => r.stream === state.stream);
    if (!row) return;
    $('dir').innerHTML = [[0, row.a + ' → ' + row.b], [1, row.b + ' → ' + row.a]]
      .map(([v, label]) => `<option value="${v}"${v === state.dir ? ' selected' : ''}>${esc(label)}</option>`).join('');
  }

  function connNote() {
    const row = DOC.connections.find(r => r.stream === state.stream);
    let note = '';
    if (row && row.left_out > 0 && state.d) {
      note = C.fill(S('left_out'), int(state.d.n), int(row.left_out), int(DOC.limits[0]), int(DOC.limits[1]));
    } else if (!state.d) {
      note = C.fill(S('no_segments'), int(DOC.limits[1]));
    }
    $('conn-note').textContent = note;
  }

  // ---- the graphs ----------------------------------------------------------
  // Each graph: which segments it draws (for hover and the test hook),
  // the y value of a segment in it, its y extent over the visible time,
  // and how it paints.
  function graphDefs() {
    const d = state.d, L = state.L, dd = state.dir, D = window.TcplabDraw;
    const row = DOC.connections.find(r => r.stream === state.stream);
    const [snd, rcv] = dd === 0 ? [row.a, row.b] : [row.b, row.a];
    const k = state.kernel && state.kernel.dir === dd ? state.kernel : null;
    const seqAxis = state.relative ? S('seq_axis_relative') : S('seq_axis_absolute');
    const seq = i => seqOf(d.seq[i], dd);
    const ackSeq = i => seqOf(d.ack[i], dd);
    const only = (idx, keep) => Int32Array.from(Array.from(idx).filter(keep));
    const again = i => d.again[i] >= 0;
    const fresh = only(L.data, i => !again(i)), resent = only(L.data, again);
    const dups = only(L.acks, i => (d.ev[i] & EV.duplicate_ack) !== 0);
    const zeros = only(L.acks, i => (d.ev[i] & EV.zero_window) !== 0);
    const defs = [];
    defs.push({
      id: 'stevens', title: S('stevens_title'), yLabel: seqAxis, points: L.data, y: seq,
      keys: [[COLOUR.data, S('data_segment')], [COLOUR.again, S('sent_again_key')]],
      series: [D.series('dot', fresh, seq, COLOUR.data), D.series('cross', resent, seq, COLOUR.again)],
    });
    const tcptrace = [
      D.series('step', L.acks, ackSeq, COLOUR.ack),
      D.series('step', L.acks, i => seqOf(d.ack[i] + d.win[i], dd), COLOUR.window),
      D.series('bar', fresh, seq, COLOUR.data, i => seqOf(d.seq[i] + Math.max(d.len[i], 1), dd)),
      D.series('bar', resent, seq, COLOUR.again, i => seqOf(d.seq[i] + Math.max(d.len[i], 1), dd)),
      D.series('triangle', dups, ackSeq, COLOUR.dup),
      D.series('square', zeros, ackSeq, COLOUR.zero),
    ];
    // The window line may run far above the data: the y range follows the
    // data and the ACKs, as the static graph's does.
    tcptrace[1].noExtent = true;
    defs.push({
      id: 'tcptrace', title: S('tcptrace_title'), yLabel: seqAxis, points: L.data,
      y: i => (d.dir[i] === dd ? seq(i) : ackSeq(i)),
      hover: [L.data, L.acks],
      keys: [[COLOUR.data, S('data_segment')], [COLOUR.again, S('sent_again_key')], [COLOUR.ack, S('ack')],
        [COLOUR.window, S('window_limit')], [COLOUR.sack, S('sack_block')], [COLOUR.dup, S('duplicate_ack')],
        [COLOUR.zero, S('zero_window')]],
      series: tcptrace,
      extra: (u, ctx) => sackBlocks(u, ctx),
    });
    defs.push({ id: 'throughput', title: S('throughput_title') });
    const srtt = C.smoothed(Array.from(L.ackRtt, i => d.ackRtt[i]));
    const srttAt = new Map(Array.from(L.ackRtt, (i, j) => [i, srtt[j]]));
    const rttKeys = [[COLOUR.ack, S('ack_rtt_sample')], [COLOUR.smooth, S('smoothed_rtt')]];
    if (L.tsRtt.length) rttKeys.push([COLOUR.ts, S('timestamp_rtt_sample')]);
    if (k) rttKeys.push([COLOUR.kernel, C.fill(S('kernel_srtt'), snd)]);
    defs.push({
      id: 'rtt', title: S('rtt_title'), yLabel: C.fill(S('rtt_axis'), 'ms'), points: L.ackRtt,
      y: i => (Number.isNaN(d.ackRtt[i]) ? d.tsRtt[i] : d.ackRtt[i]) * 1e3,
      hover: [L.ackRtt, L.tsRtt],
      keys: rttKeys,
      series: [D.series('dot', L.ackRtt, i => d.ackRtt[i] * 1e3, COLOUR.ack),
        D.series('diamond', L.tsRtt, i => d.tsRtt[i] * 1e3, COLOUR.ts),
        D.series('line', L.ackRtt, i => srttAt.get(i) * 1e3, COLOUR.smooth)],
      extra: (u, ctx) => { if (k) kline(u, ctx, k, j => k.srtt[j] * 1e3, COLOUR.kernel, []); },
      kernel: k ? j => [k.srtt[j] * 1e3] : null,
      zero: true,
    });
    const winKeys = [[COLOUR.window, C.fill(S('window_advertised_by'), rcv)], [COLOUR.data, C.fill(S('in_flight_from'), snd)],
      [COLOUR.zero, S('zero_window')]];
    if (k) winKeys.push([COLOUR.kernel, C.fill(S('kernel_cwnd'), snd)], [COLOUR.ssthresh, C.fill(S('kernel_ssthresh'), snd)]);
    defs.push({
      id: 'window', title: S('window_title'), yLabel: S('bytes_axis'), points: L.flight,
      y: i => (d.dir[i] === dd ? d.flight[i] : d.win[i]),
      hover: [L.flight, L.acks],
      keys: winKeys,
      series: [D.series('step', L.acks, i => d.win[i], COLOUR.window),
        D.series('dot', L.flight, i => d.flight[i], COLOUR.data),
        D.series('square', zeros, () => 0, COLOUR.zero)],
      extra: (u, ctx) => {
        if (!k) return;
        kline(u, ctx, k, j => k.cwnd[j], COLOUR.kernel, [6, 4]);
        kline(u, ctx, k, j => (k.ssthresh[j] < 0 ? NaN : k.ssthresh[j]), COLOUR.ssthresh, [2, 3]);
      },
      kernel: k ? j => [k.cwnd[j], k.ssthresh[j]] : null,
      zero: true,
    });
    return defs;
  }

  // The x value the chart uses for time `t` (collapsed gaps move it).
  const xval = t => (state.map ? state.map.fwd(t) : t);
  const tval = x => (state.map ? state.map.bwd(x) : x);

  // SACK blocks of the visible ACKs, as pink bars from left to right edge.
  function sackBlocks(u, ctx) {
    const d = state.d, { min, max } = u.scales.x;
    const t0 = tval(min), t1 = tval(max);
    let drawn = 0;
    for (const s of state.L.sacks) {
      const t = d.t[s.i];
      if (t < t0 || t > t1 || ++drawn > 20000) continue;
      const x = u.valToPos(xval(t), 'x', true);
      line(ctx, x, u.valToPos(seqOf(s.left, state.dir), 'y', true), x, u.valToPos(seqOf(s.right, state.dir), 'y', true), COLOUR.sack, 3);
    }
  }

  function line(ctx, x0, y0, x1, y1, colour, w) {
    ctx.strokeStyle = colour; ctx.lineWidth = (w || 1) * uPlot.pxRatio;
    ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
  }

  // A TCP_INFO series (its own times), dashed as in the static graphs.
  function kline(u, ctx, k, yOf, colour, dash) {
    ctx.strokeStyle = colour; ctx.lineWidth = 1.5 * uPlot.pxRatio;
    ctx.setLineDash(dash.map(v => v * uPlot.pxRatio));
    ctx.beginPath();
    let on = false;
    for (let j = 0; j < k.t.length; j++) {
      const v = yOf(j);
      if (!Number.isFinite(v)) { on = false; continue; }
      const x = u.valToPos(xval(k.t[j]), 'x', true), y = u.valToPos(v, 'y', true);
      if (on) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      on = true;
    }
    ctx.stroke();
    ctx.setLineDash([]);
  }

  // The y range over the visible time: the series' own, and the kernel's.
  function extentOf(u, def) {
    let { min, max } = u.scales.x;
    // Before its first layout a chart has no x range yet: all of it.
    if (min === null || min === undefined) { min = -Infinity; max = Infinity; }
    let lo = Infinity, hi = -Infinity;
    for (const s of def.series) {
      if (s.noExtent) continue;
      const [a, b] = window.TcplabDraw.extent(s, state.d.t, tval, min, max);
      lo = Math.min(lo, a); hi = Math.max(hi, b);
    }
    const k = state.kernel;
    if (def.kernel) {
      const t0 = tval(min), t1 = tval(max);
      for (let j = 0; j < k.t.length; j++) {
        if (k.t[j] < t0 || k.t[j] > t1) continue;
        for (const v of def.kernel(j)) if (v >= 0) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      }
    }
    if (!Number.isFinite(hi)) return [0, 1];
    if (def.zero) lo = 0;
    const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1;
    return [def.zero ? 0 : lo - pad, hi + pad];
  }

  function size() {
    const w = Math.max(320, $('charts').clientWidth - 4);
    return { width: w, height: w < 600 ? 200 : 240 };
  }

  function baseOpts(def, extra) {
    return Object.assign({
      ...size(),
      legend: { show: false },
      scales: {
        // With idle gaps collapsed the x values are already mapped (xval):
        // the scale stays linear, the tick labels map back (tval).
        x: { time: false },
      },
      cursor: {
        sync: { key: 'tcplab' + state.stream, scales: ['x', null] },
        drag: { x: true, y: false, setScale: true },
        y: false,
        points: { show: false },
      },
      axes: [
        { label: C.fill(S('time_axis'), 's'), values: timeTicks },
        { size: 64, values: (u, ticks) => ticks.map(v => axisNum(v)) },
      ],
      hooks: {
        setScale: [(u, key) => { if (key === 'x') syncX(u); }],
        setCursor: [u => hover(u, def)],
        ready: [u => bindChart(u, def)],
      },
    }, extra);
  }

  // Tick labels are true times (mapped back when gaps are collapsed),
  // with as many decimals as the visible range needs.
  function timeTicks(u, ticks) {
    const range = Math.abs(tval(u.scales.x.max) - tval(u.scales.x.min)) || 1;
    const digits = Math.min(9, Math.max(0, Math.ceil(-Math.log10(range / 10)) + 1));
    return ticks.map(v => {
      const t = tval(v);
      return dec((Math.abs(t) < range * 1e-9 ? 0 : t).toFixed(digits));
    });
  }

  function axisNum(v) {
    const a = Math.abs(v);
    if (a >= 1e9) return dec((v / 1e9).toPrecision(4).replace(/\.?0+$/, '')) + 'G';
    if (a >= 1e6) return dec((v / 1e6).toPrecision(4).replace(/\.?0+$/, '')) + 'M';
    if (a >= 1e4) return dec((v / 1e3).toPrecision(4).replace(/\.?0+$/, '')) + 'k';
    return dec(String(+v.toPrecision(4)));
  }

  function makeChart(def, box) {
    const d = state.d;
    const x = state.xs;
    let opts, data;
    if (def.id === 'throughput') {
      const tp = throughputData();
      def.tp = tp;
      def.points = null;
      def.yLabel = C.fill(S('rate_axis'), 'bit/s');
      def.keys = [[COLOUR.data, S('throughput_all')], [COLOUR.goodput, S('goodput')],
        [COLOUR.smooth, C.fill(S('moving_average'), 5)]];
      const stepped = uPlot.paths.stepped({ align: 1 });
      opts = baseOpts(def, {
        series: [{}, { stroke: COLOUR.data, fill: COLOUR.data + '40', paths: stepped, points: { show: false } },
          { stroke: COLOUR.goodput, paths: stepped, points: { show: false }, width: 1.5 },
          { stroke: COLOUR.smooth, points: { show: false }, width: 1.5 }],
      });
      opts.scales.y = { range: (u, lo, hi) => [0, (hi || 1) * 1.05] };
      data = [Array.from(tp.x, xval), tp.all, tp.good, tp.avg];
    } else {
      opts = baseOpts(def, {
        series: [{}, { paths: () => null, points: { show: false } }],
      });
      opts.scales.y = { range: u => extentOf(u, def) };
      opts.hooks.draw = [u => paint(u, def)];
      data = [x, state.zeros];
    }
    const u = new uPlot(opts, data, box);
    u.def = def;
    void d;
    return u;
  }

  function paint(u, def) {
    state.drawnAt = performance.now();
    const ctx = u.ctx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
    ctx.clip();
    for (const s of def.series) window.TcplabDraw.paint(u, s, state.d.t, xval, tval);
    if (def.extra) def.extra(u, ctx);
    if (state.map) breaks(u, ctx);
    if (state.selected >= 0) {
      const i = state.selected, d = state.d;
      const v = def.y(i);
      if (Number.isFinite(v) && (def.hover || [def.points]).some(idx => inList(idx, i))) {
        const x = u.valToPos(xval(d.t[i]), 'x', true), y = u.valToPos(v, 'y', true);
        ctx.strokeStyle = COLOUR.select; ctx.lineWidth = 2 * uPlot.pxRatio;
        ctx.beginPath(); ctx.arc(x, y, 7 * uPlot.pxRatio, 0, 7); ctx.stroke();
      }
    }
    ctx.restore();
  }

  // A collapsed gap: dotted lines at its ends, as the static graphs' `//`.
  function breaks(u, ctx) {
    ctx.setLineDash([2 * uPlot.pxRatio, 3 * uPlot.pxRatio]);
    for (const g of state.gaps) {
      for (const t of [g.from, g.to]) {
        const x = u.valToPos(xval(t), 'x', true);
        line(ctx, x, u.bbox.top, x, u.bbox.top + u.bbox.height, '#888', 1);
      }
    }
    ctx.setLineDash([]);
  }

  // Whether segment i is in index list idx (sorted by time).
  function inList(idx, i) {
    const t = state.d.t;
    for (let p = C.lowerBound(idx, t, t[i]); p < idx.length && t[idx[p]] === t[i]; p++) if (idx[p] === i) return true;
    return false;
  }

  function throughputData() {
    const d = state.d, L = state.L;
    // Intervals over the data sender's span (where the graphs open), so
    // that an idle wait before or after does not widen them.
    const [t0, t1] = L.data.length ? [d.t[L.data[0]], d.t[L.data[L.data.length - 1]]] : [0, state.span];
    const width = Math.max((t1 - t0 || state.span) / Math.max(1, state.intervals), 1e-6);
    return C.throughput(d, L.payload, width, t0, t1 > t0 ? t1 : state.span, 5);
  }

  function syncX(src) {
    if (state.syncing) return;
    state.syncing = true;
    const { min, max } = src.scales.x;
    for (const u of state.charts) if (u !== src) u.setScale('x', { min, max });
    state.syncing = false;
  }

  function setX(min, max) {
    const u = state.charts[0];
    if (!u) return;
    u.setScale('x', { min, max });
  }

  // Where the graphs open and return to: the data sender's first to last
  // segment that takes sequence space, as the static graphs' time axis.
  function resetX() {
    setX(state.home[0], state.home[1]);
  }

  function home() {
    const d = state.d, L = state.L;
    const [t0, t1] = L.data.length ? [d.t[L.data[0]], d.t[L.data[L.data.length - 1]]] : [0, state.span];
    const a = xval(t0), b = xval(t1);
    const pad = (b - a) * 0.02 || 1e-4;
    return [a - pad, b + pad];
  }

  // The segment under the pointer: the nearest drawn point within 12 px.
  function nearest(u, def, left, top) {
    const d = state.d;
    if (!def.points && !def.hover) return -1;
    const lists = def.hover || [def.points];
    const pr = uPlot.pxRatio;
    const tx0 = tval(u.posToVal(left - 12, 'x')), tx1 = tval(u.posToVal(left + 12, 'x'));
    let best = -1, bestD = 12 * 12;
    for (const idx of lists) {
      const p0 = C.lowerBound(idx, d.t, tx0), p1 = Math.min(C.lowerBound(idx, d.t, tx1 + 1e-12), p0 + 5000);
      for (let p = p0; p < p1; p++) {
        const i = idx[p];
        const v = def.y(i);
        if (!Number.isFinite(v)) continue;
        const dx = u.valToPos(xval(d.t[i]), 'x') - left, dy = u.valToPos(v, 'y') - top;
        const dist = dx * dx + dy * dy;
        if (dist < bestD) { bestD = dist; best = i; }
      }
    }
    void pr;
    return best;
  }

  function hover(u, def) {
    const tip = $('tip');
    const { left, top } = u.cursor;
    if (left === undefined || left < 0 || !state.d) { tip.hidden = true; return; }
    let text;
    if (def.id === 'throughput') {
      const b = u.cursor.idx;
      if (b === null || b === undefined) { tip.hidden = true; return; }
      const tp = def.tp;
      text = `${S('time')} ${secs(tp.x[b])}\n${S('throughput_all')}: ${rate(tp.all[b])}\n${S('goodput')}: ${rate(tp.good[b])}`;
    } else {
      const i = nearest(u, def, left, top);
      if (i < 0) { tip.hidden = true; return; }
      state.hovered = i;
      text = describe(i);
    }
    tip.textContent = text;
    tip.hidden = false;
    const r = u.over.getBoundingClientRect();
    const x = r.left + left + 16, y = r.top + top + 16;
    tip.style.left = Math.min(x, window.innerWidth - tip.offsetWidth - 8) + 'px';
    tip.style.top = Math.min(y, window.innerHeight - tip.offsetHeight - 8) + 'px';
  }

  // Click (not drag) selects; wheel zooms at the pointer; touch pans and pinches.
  function bindChart(u, def) {
    let down = null;
    u.over.addEventListener('mousedown', e => { down = [e.clientX, e.clientY]; });
    u.over.addEventListener('mouseup', e => {
      if (!down || Math.hypot(e.clientX - down[0], e.clientY - down[1]) > 4) return;
      const i = nearest(u, def, u.cursor.left, u.cursor.top);
      if (i >= 0) select(i);
    });
    u.over.addEventListener('wheel', e => {
      e.preventDefault();
      const at = u.posToVal(u.cursor.left, 'x');
      zoomAround(at, e.deltaY < 0 ? 0.8 : 1.25);
    }, { passive: false });
    let touch = null;
    u.over.addEventListener('touchstart', e => {
      const r = u.over.getBoundingClientRect();
      touch = { xs: Array.from(e.touches, t => t.clientX - r.left), min: u.scales.x.min, max: u.scales.x.max };
    }, { passive: true });
    u.over.addEventListener('touchmove', e => {
      if (!touch) return;
      e.preventDefault();
      const r = u.over.getBoundingClientRect();
      const xs = Array.from(e.touches, t => t.clientX - r.left);
      const perPx = (touch.max - touch.min) / u.over.clientWidth;
      if (xs.length >= 2 && touch.xs.length >= 2) {
        const k = Math.abs(touch.xs[1] - touch.xs[0]) / Math.max(1, Math.abs(xs[1] - xs[0]));
        const mid = touch.min + ((touch.xs[0] + touch.xs[1]) / 2) * perPx;
        setX(mid - (mid - touch.min) * k, mid + (touch.max - mid) * k);
      } else {
        const dx = (xs[0] - touch.xs[0]) * perPx;
        setX(touch.min - dx, touch.max - dx);
      }
    }, { passive: false });
    u.over.addEventListener('touchend', () => { touch = null; });
    u.over.addEventListener('mouseleave', () => { $('tip').hidden = true; });
    // uPlot's own double-click resets to the data; ours resets every graph alike.
    u.over.addEventListener('dblclick', () => setTimeout(resetX, 0));
  }

  function zoomAround(at, k) {
    const u = state.charts[0];
    if (!u) return;
    const { min, max } = u.scales.x;
    setX(at - (at - min) * k, at + (max - at) * k);
  }

  function pan(frac) {
    const u = state.charts[0];
    if (!u) return;
    const { min, max } = u.scales.x;
    const dx = (max - min) * frac;
    setX(min + dx, max + dx);
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
    if (!state.d) { drawEvents(); drawDetails(); return; }
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
    state.xs = state.map ? Array.from(d.t, state.map.fwd) : d.t;
    state.zeros = new Float64Array(d.n);
    $('interval-unit').textContent = '(' + C.fill(S('intervals'), state.intervals) + ')';
    for (const def of graphDefs()) {
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
      const u = makeChart(def, el);
      keys.innerHTML = `<span class="y">↕ ${esc(def.yLabel || '')}</span>` + def.keys.map(([c, s]) => `<span><i style="background:${c}"></i>${esc(s)}</span>`).join('');
      state.charts.push(u);
    }
    state.home = home();
    if (shown) setX(shown[0], shown[1]); else resetX();
    drawEvents();
    drawDetails();
  }

  function select(i, focus) {
    state.selected = i;
    if (focus) {
      const d = state.d;
      const a = Math.max(0, i - 30), b = Math.min(d.n - 1, i + 30);
      const t0 = xval(d.t[a]), t1 = xval(d.t[b]);
      const pad = (t1 - t0) * 0.1 || 1e-4;
      setX(t0 - pad, t1 + pad);
    }
    for (const u of state.charts) u.redraw(false);
    drawDetails();
    for (const li of $('events').children) li.classList.toggle('sel', +li.dataset.i === i);
  }

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
        drawList();
        return;
      }
      const tr = e.target.closest('tr[data-stream]');
      if (tr) selectStream(+tr.dataset.stream);
    });
    $('dir').addEventListener('change', e => { state.dir = +e.target.value; state.selected = -1; rebuild(); });
    $('relative').addEventListener('change', e => { state.relative = e.target.checked; rebuild(true); drawDetails(); });
    $('collapse').addEventListener('change', e => { state.collapse = e.target.checked; rebuild(); });
    $('interval').addEventListener('change', e => {
      state.intervals = Math.max(1, Math.min(100000, Math.round(+e.target.value) || 100));
      rebuild(true);
    });
    $('reset').addEventListener('click', resetX);
    $('lang').addEventListener('change', e => { state.lang = e.target.value; applyLang(); drawList(); rebuild(true); });
    $('events').addEventListener('click', e => {
      const li = e.target.closest('li[data-i]');
      if (li) select(+li.dataset.i, true);
    });
    $('neighbours').addEventListener('click', e => {
      const tr = e.target.closest('tr[data-i]');
      if (tr) select(+tr.dataset.i, true);
    });
    document.addEventListener('keydown', e => {
      if (e.target.closest && e.target.closest('input, select')) return;
      const u = state.charts[0];
      if (!u) return;
      const mid = (u.scales.x.min + u.scales.x.max) / 2;
      const acts = {
        '+': () => zoomAround(mid, 0.5), '=': () => zoomAround(mid, 0.5), '-': () => zoomAround(mid, 2),
        '0': resetX, Home: resetX, ArrowLeft: () => pan(-0.1), ArrowRight: () => pan(0.1),
      };
      if (acts[e.key]) { e.preventDefault(); acts[e.key](); }
    });
    let pending = 0;
    window.addEventListener('resize', () => {
      clearTimeout(pending);
      pending = setTimeout(() => { for (const u of state.charts) u.setSize(size()); }, 100);
    });
  }

  // ---- the test hook (tests/view_chromium.rs) ---------------------------------------
  window.tcplabView = {
    state() {
      return {
        stream: state.stream, dir: state.dir, lang: state.lang,
        rows: Array.from(document.querySelectorAll('#conns tbody tr'), tr => +tr.dataset.stream),
        segments: state.d ? state.d.n : 0,
        charts: state.charts.map(u => ({
          id: u.def.id, xmin: u.scales.x.min, xmax: u.scales.x.max,
          points: u.def.points ? u.def.points.length : u.data[0].length,
        })),
        selected: state.selected >= 0 ? state.d.frame[state.selected] : null,
        details: $('details').textContent,
        events: document.querySelectorAll('#events li[data-i]').length,
      };
    },
    // The client position of segment `frame` in graph `id` (for a simulated hover).
    pointOf(id, frame) {
      const u = state.charts.find(c => c.def.id === id), d = state.d;
      const i = d.frame.indexOf(frame);
      if (!u || i < 0) return null;
      const r = u.over.getBoundingClientRect();
      return { x: r.left + u.valToPos(xval(d.t[i]), 'x'), y: r.top + u.valToPos(u.def.y(i), 'y') };
    },
    tip: () => ($('tip').hidden ? '' : $('tip').textContent),
    // When a graph was last drawn (performance.now()), to time redraws.
    drawnAt: () => state.drawnAt,
    zoom: setX,
    // The uPlot instances, for looking into them from the console.
    charts: () => state.charts,
  };

  wire();
  applyLang();
  selectStream(state.stream);
  performance.mark('tcplab-view-ready');
  performance.measure('tcplab-view-open', 'tcplab-view-start', 'tcplab-view-ready');
})();
