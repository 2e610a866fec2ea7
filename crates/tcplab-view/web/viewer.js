// tcplab view: the page's behaviour. Reads the JSON that
// crates/tcplab-view writes into #tcplab-data (decoded by codec.js), fills
// the connection list, draws the graphs with uPlot on one time axis, and
// keeps hover, selection, zoom and the side panels in step.
// Colours and names are those of the static graphs (docs/graphs.md).
'use strict';
(function () {
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

  // ---- numbers ------------------------------------------------------------
  const dec = s => (state.lang === 'es' ? s.replace('.', ',') : s);
  const int = n => Math.round(n).toLocaleString(state.lang === 'es' ? 'es-ES' : 'en-US');
  function secs(v) {
    if (!Number.isFinite(v)) return '';
    const a = Math.abs(v);
    if (a >= 1) return dec(v.toFixed(3)) + ' s';
    if (a >= 1e-3) return dec((v * 1e3).toFixed(3)) + ' ms';
    return dec((v * 1e6).toFixed(1)) + ' µs';
  }
  function rate(v) {
    if (v >= 1e9) return dec((v / 1e9).toFixed(2)) + ' Gbit/s';
    if (v >= 1e6) return dec((v / 1e6).toFixed(2)) + ' Mbit/s';
    if (v >= 1e3) return dec((v / 1e3).toFixed(2)) + ' kbit/s';
    return dec(v.toFixed(0)) + ' bit/s';
  }
  const seqOf = (v, space) => {
    const b = state.d.base[space];
    return state.relative && b !== null ? v - b : v;
  };

  // ---- the connection list -----------------------------------------------
  const COLUMNS = [
    ['stream', r => r.stream, r => r.stream],
    ['endpoints', r => r.a + ' ↔ ' + r.b, r => r.a + ' ↔ ' + r.b, 'l'],
    ['packets', r => r.packets, r => int(r.packets)],
    ['bytes', r => r.bytes, r => int(r.bytes)],
    ['payload', r => r.payload[0] + r.payload[1], r => int(r.payload[0]) + ' / ' + int(r.payload[1])],
    ['duration', r => r.duration, r => secs(r.duration)],
    ['state', r => r.state, r => S('state_' + r.state), 'l'],
    ['sent_again', r => r.sent_again, r => int(r.sent_again)],
    ['zero_windows', r => r.zero_windows, r => int(r.zero_windows)],
    ['rtt', r => (r.rtt === null ? -1 : r.rtt), r => (r.rtt === null ? '' : secs(r.rtt))],
  ];

  function drawList() {
    const t = $('conns');
    const { key, asc } = state.sort;
    const col = COLUMNS.find(c => c[0] === key);
    const rows = DOC.connections.slice().sort((p, q) => {
      const a = col[1](p), b = col[1](q);
      return (a < b ? -1 : a > b ? 1 : 0) * (asc ? 1 : -1) || p.stream - q.stream;
    });
    const head = '<thead><tr>' + COLUMNS.map(c =>
      `<th data-k="${c[0]}" class="${c[3] || ''}"${c[0] === key ? ` aria-sort="${asc ? 'ascending' : 'descending'}"` : ''}>${esc(S(c[0]))}</th>`).join('') + '</tr></thead>';
    const body = rows.map(r => `<tr data-stream="${r.stream}"${r.stream === state.stream ? ' class="sel"' : ''}>` +
      COLUMNS.map(c => `<td class="${c[3] || ''}">${esc(String(c[2](r)))}</td>`).join('') + '</tr>').join('');
    t.innerHTML = head + '<tbody>' + body + '</tbody>';
  }

  function esc(s) {
    return s.replace(/[&<>"]/g, ch => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[ch]));
  }

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
    const d = state.d, L = state.L, dd = state.dir, rd = 1 - dd;
    const row = DOC.connections.find(r => r.stream === state.stream);
    const [snd, rcv] = dd === 0 ? [row.a, row.b] : [row.b, row.a];
    const k = state.kernel && state.kernel.dir === dd ? state.kernel : null;
    const seqAxis = state.relative ? S('seq_axis_relative') : S('seq_axis_absolute');
    const defs = [];
    defs.push({
      id: 'stevens', title: S('stevens_title'), yLabel: seqAxis, points: L.data,
      y: i => seqOf(d.seq[i], dd),
      keys: [[COLOUR.data, S('data_segment')], [COLOUR.again, S('sent_again_key')]],
      paint: (u, ctx) => {
        dots(u, ctx, L.data, i => seqOf(d.seq[i], dd), COLOUR.data, i => d.again[i] < 0);
        crosses(u, ctx, L.data, i => seqOf(d.seq[i], dd), COLOUR.again, i => d.again[i] >= 0);
      },
      extent: [[L.data, i => seqOf(d.seq[i], dd)]],
    });
    defs.push({
      id: 'tcptrace', title: S('tcptrace_title'), yLabel: seqAxis, points: L.data,
      y: i => (d.dir[i] === dd ? seqOf(d.seq[i], dd) : seqOf(d.ack[i], dd)),
      hover: [L.data, L.acks],
      keys: [[COLOUR.data, S('data_segment')], [COLOUR.again, S('sent_again_key')], [COLOUR.ack, S('ack')],
        [COLOUR.window, S('window_limit')], [COLOUR.sack, S('sack_block')], [COLOUR.dup, S('duplicate_ack')],
        [COLOUR.zero, S('zero_window')]],
      paint: (u, ctx) => {
        step(u, ctx, L.acks, i => seqOf(d.ack[i], dd), COLOUR.ack);
        step(u, ctx, L.acks, i => seqOf(d.ack[i] + d.win[i], dd), COLOUR.window);
        bars(u, ctx, L.data, i => seqOf(d.seq[i], dd), i => seqOf(d.seq[i] + Math.max(d.len[i], 1), dd),
          i => (d.again[i] >= 0 ? COLOUR.again : COLOUR.data));
        for (const s of L.sacks) {
          const x = u.valToPos(xval(d.t[s.i]), 'x', true);
          line(ctx, x, u.valToPos(seqOf(s.left, dd), 'y', true), x, u.valToPos(seqOf(s.right, dd), 'y', true), COLOUR.sack, 3);
        }
        triangles(u, ctx, L.acks, i => seqOf(d.ack[i], dd), COLOUR.dup, i => (d.ev[i] & EV.duplicate_ack) !== 0);
        squares(u, ctx, L.acks, i => seqOf(d.ack[i], dd), COLOUR.zero, i => (d.ev[i] & EV.zero_window) !== 0);
      },
      extent: [[L.data, i => seqOf(d.seq[i], dd)], [L.data, i => seqOf(d.seq[i] + d.len[i], dd)],
        [L.acks, i => seqOf(d.ack[i], dd)]],
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
      paint: (u, ctx) => {
        dots(u, ctx, L.ackRtt, i => d.ackRtt[i] * 1e3, COLOUR.ack);
        diamonds(u, ctx, L.tsRtt, i => d.tsRtt[i] * 1e3, COLOUR.ts);
        poly(u, ctx, L.ackRtt, i => srttAt.get(i) * 1e3, COLOUR.smooth);
        if (k) kline(u, ctx, k, j => k.srtt[j] * 1e3, COLOUR.kernel, []);
      },
      extent: [[L.ackRtt, i => d.ackRtt[i] * 1e3], [L.tsRtt, i => d.tsRtt[i] * 1e3]],
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
      paint: (u, ctx) => {
        step(u, ctx, L.acks, i => d.win[i], COLOUR.window);
        dots(u, ctx, L.flight, i => d.flight[i], COLOUR.data);
        squares(u, ctx, L.acks, i => 0, COLOUR.zero, i => (d.ev[i] & EV.zero_window) !== 0);
        if (k) {
          kline(u, ctx, k, j => k.cwnd[j], COLOUR.kernel, [6, 4]);
          kline(u, ctx, k, j => (k.ssthresh[j] < 0 ? NaN : k.ssthresh[j]), COLOUR.ssthresh, [2, 3]);
        }
      },
      extent: [[L.acks, i => d.win[i]], [L.flight, i => d.flight[i]]]
        .concat(k ? [[null, null, k]] : []),
      zero: true,
    });
    void rd;
    return defs;
  }

  // The x value the chart uses for time `t` (collapsed gaps move it).
  const xval = t => (state.map ? state.map.fwd(t) : t);
  const tval = x => (state.map ? state.map.bwd(x) : x);

  // Visible positions [p0, p1) of index list `idx`.
  function visible(u, idx) {
    const d = state.d;
    const t0 = tval(u.scales.x.min), t1 = tval(u.scales.x.max);
    return [C.lowerBound(idx, d.t, t0), C.lowerBound(idx, d.t, t1 + 1e-12)];
  }

  // Level of detail: when more points are visible than the plot has pixel
  // columns, each column is drawn as one bar from its lowest to its
  // highest point (as the static graphs merge points sharing a pixel).
  function eachPoint(u, idx, yOf, keep, draw, bar) {
    const [p0, p1] = visible(u, idx);
    const d = state.d;
    const cols = u.bbox.width;
    if (p1 - p0 > cols * 3) {
      let cx = -1, lo = Infinity, hi = -Infinity;
      const flush = () => { if (cx >= 0) bar(cx, lo, hi); };
      for (let p = p0; p < p1; p++) {
        const i = idx[p];
        if (keep && !keep(i)) continue;
        const v = yOf(i);
        if (!Number.isFinite(v)) continue;
        const x = Math.round(u.valToPos(xval(d.t[i]), 'x', true));
        const y = u.valToPos(v, 'y', true);
        if (x !== cx) { flush(); cx = x; lo = y; hi = y; } else { lo = Math.min(lo, y); hi = Math.max(hi, y); }
      }
      flush();
      return;
    }
    for (let p = p0; p < p1; p++) {
      const i = idx[p];
      if (keep && !keep(i)) continue;
      const v = yOf(i);
      if (!Number.isFinite(v)) continue;
      draw(u.valToPos(xval(d.t[i]), 'x', true), u.valToPos(v, 'y', true), i);
    }
  }

  const R = () => 3 * uPlot.pxRatio;
  function markers(shape) {
    return (u, ctx, idx, yOf, colour, keep) => {
      ctx.fillStyle = colour; ctx.strokeStyle = colour; ctx.lineWidth = uPlot.pxRatio * 1.5;
      const r = R();
      eachPoint(u, idx, yOf, keep, (x, y) => shape(ctx, x, y, r),
        (x, lo, hi) => ctx.fillRect(x - r / 2, Math.min(lo, hi) - r / 2, r, Math.abs(hi - lo) + r));
    };
  }
  const dots = markers((ctx, x, y, r) => { ctx.beginPath(); ctx.arc(x, y, r * 0.7, 0, 7); ctx.fill(); });
  const crosses = markers((ctx, x, y, r) => {
    ctx.beginPath(); ctx.moveTo(x - r, y - r); ctx.lineTo(x + r, y + r); ctx.moveTo(x - r, y + r); ctx.lineTo(x + r, y - r); ctx.stroke();
  });
  const triangles = markers((ctx, x, y, r) => {
    ctx.beginPath(); ctx.moveTo(x, y - r - 1); ctx.lineTo(x + r + 1, y + r); ctx.lineTo(x - r - 1, y + r); ctx.fill();
  });
  const squares = markers((ctx, x, y, r) => ctx.fillRect(x - r, y - r, 2 * r, 2 * r));
  const diamonds = markers((ctx, x, y, r) => {
    ctx.beginPath(); ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y); ctx.fill();
  });

  function line(ctx, x0, y0, x1, y1, colour, w) {
    ctx.strokeStyle = colour; ctx.lineWidth = (w || 1) * uPlot.pxRatio;
    ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
  }

  // tcptrace's segment bars: seq to seq+len, ends ticked.
  function bars(u, ctx, idx, lo, hi, colourOf) {
    const d = state.d, tick = 2 * uPlot.pxRatio;
    ctx.lineWidth = uPlot.pxRatio;
    const [p0, p1] = visible(u, idx);
    const dense = p1 - p0 > u.bbox.width * 3;
    for (let p = p0; p < p1; p++) {
      const i = idx[p];
      const x = u.valToPos(xval(d.t[i]), 'x', true);
      const y0 = u.valToPos(lo(i), 'y', true), y1 = u.valToPos(hi(i), 'y', true);
      ctx.strokeStyle = colourOf(i);
      ctx.beginPath(); ctx.moveTo(x, y0); ctx.lineTo(x, y1);
      if (!dense) { ctx.moveTo(x - tick, y0); ctx.lineTo(x + tick, y0); ctx.moveTo(x - tick, y1); ctx.lineTo(x + tick, y1); }
      ctx.stroke();
    }
  }

  // A step line (the ACK line, the window), decimated per pixel column.
  function step(u, ctx, idx, yOf, colour) {
    const d = state.d;
    const [p0, p1] = visible(u, idx);
    const a = Math.max(0, p0 - 1), b = Math.min(idx.length, p1 + 1);
    ctx.strokeStyle = colour; ctx.lineWidth = 1.5 * uPlot.pxRatio;
    ctx.beginPath();
    let lastX = -Infinity, lastY = NaN, started = false;
    for (let p = a; p < b; p++) {
      const i = idx[p];
      const x = u.valToPos(xval(d.t[i]), 'x', true), y = u.valToPos(yOf(i), 'y', true);
      if (!started) { ctx.moveTo(x, y); started = true; } else {
        if (x - lastX >= 0.5 || p === b - 1) ctx.lineTo(x, lastY);
        ctx.lineTo(x, y);
      }
      lastX = x; lastY = y;
    }
    ctx.stroke();
  }

  function poly(u, ctx, idx, yOf, colour) {
    const d = state.d;
    const [p0, p1] = visible(u, idx);
    ctx.strokeStyle = colour; ctx.lineWidth = 1.5 * uPlot.pxRatio;
    ctx.beginPath();
    for (let p = Math.max(0, p0 - 1); p < Math.min(idx.length, p1 + 1); p++) {
      const i = idx[p];
      const x = u.valToPos(xval(d.t[i]), 'x', true), y = u.valToPos(yOf(i), 'y', true);
      if (p === Math.max(0, p0 - 1)) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    }
    ctx.stroke();
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

  function extentOf(u, def) {
    let lo = Infinity, hi = -Infinity;
    for (const [idx, yOf, k] of def.extent) {
      if (k) {
        const t0 = tval(u.scales.x.min), t1 = tval(u.scales.x.max);
        for (let j = 0; j < k.t.length; j++) {
          if (k.t[j] < t0 || k.t[j] > t1) continue;
          for (const v of def.id === 'window' ? [k.cwnd[j], k.ssthresh[j]] : [k.srtt[j] * 1e3]) {
            if (v >= 0) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
          }
        }
        continue;
      }
      const [p0, p1] = visible(u, idx);
      for (let p = p0; p < p1; p++) {
        const v = yOf(idx[p]);
        if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      }
    }
    if (def.zero) lo = 0;
    if (!Number.isFinite(lo)) return [0, 1];
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
        x: state.map ? { time: false, distr: 100, fwd: state.map.fwd, bwd: state.map.bwd } : { time: false },
      },
      cursor: {
        sync: { key: 'tcplab' + state.stream, scales: ['x', null] },
        drag: { x: true, y: false, setScale: true },
        points: { show: false },
      },
      axes: [
        { label: C.fill(S('time_axis'), 's'), values: (u, ticks) => ticks.map(v => dec(String(+tval(v).toPrecision(6)))) },
        { label: def.yLabel || '', size: 70, values: (u, ticks) => ticks.map(v => axisNum(v)) },
      ],
      hooks: {
        setScale: [(u, key) => { if (key === 'x') syncX(u); }],
        setCursor: [u => hover(u, def)],
        ready: [u => bindChart(u, def)],
      },
    }, extra);
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
    const ctx = u.ctx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
    ctx.clip();
    def.paint(u, ctx);
    if (state.selected >= 0) {
      const i = state.selected, d = state.d;
      const v = def.y(i);
      if (Number.isFinite(v) && (def.hover || [def.points]).some(idx => idx && C.lowerBound(idx, d.t, d.t[i]) < idx.length && idx.includes(i))) {
        const x = u.valToPos(xval(d.t[i]), 'x', true), y = u.valToPos(v, 'y', true);
        ctx.strokeStyle = COLOUR.select; ctx.lineWidth = 2 * uPlot.pxRatio;
        ctx.beginPath(); ctx.arc(x, y, 7 * uPlot.pxRatio, 0, 7); ctx.stroke();
      }
    }
    ctx.restore();
  }

  function throughputData() {
    const d = state.d, L = state.L;
    const width = Math.max(state.span / Math.max(1, state.intervals), 1e-6);
    return C.throughput(d, L.payload, width, state.span, 5);
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

  function resetX() {
    setX(xval(0), xval(state.span));
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

  // A segment in words: the tooltip and the details panel.
  function describe(i) {
    const d = state.d;
    const dd = d.dir[i], rd = 1 - dd;
    const row = DOC.connections.find(r => r.stream === state.stream);
    const [from, to] = dd === 0 ? [row.a, row.b] : [row.b, row.a];
    const mod = v => ((v % 4294967296) + 4294967296) % 4294967296;
    const rel = (v, sp) => (d.base[sp] === null ? '' : ` (${S('rel')} ${v - d.base[sp]})`);
    const lines = [
      `${S('frame')} #${d.frame[i]}   ${S('time')} ${dec(d.t[i].toFixed(6))} ${S('time_note')}`,
      `${S('dir')}: ${from} → ${to}`,
      `${S('flags')}: [${C.flagNames(d.flags[i])}]   ${S('len')}=${d.len[i]}   ${S('win')}=${int(d.win[i])}${d.unscaled[dd] ? ' (unscaled)' : ''}`,
      `${S('seq')}=${mod(d.seq[i])}${rel(d.seq[i], dd)}`,
    ];
    if (d.flags[i] & 16) lines.push(`${S('ack_no')}=${mod(d.ack[i])}${rel(d.ack[i], rd)}`);
    if (d.flight[i] >= 0) lines.push(`${S('in_flight')}: ${int(d.flight[i])}`);
    const evs = eventLabels(i);
    if (evs) lines.push(`${S('ev')}: ${evs}`);
    if (d.again[i] >= 0) lines.push(`${S('why')}: ${S('mech_' + DOC.names.mechanisms[d.again[i]])}`);
    if (!Number.isNaN(d.ackRtt[i])) lines.push(`${S('ack_rtt')}: ${secs(d.ackRtt[i])}`);
    if (!Number.isNaN(d.tsRtt[i])) lines.push(`${S('ts_rtt')}: ${secs(d.tsRtt[i])}`);
    const sk = d.sacks.filter(s => s.i === i);
    if (sk.length) lines.push(`${S('sack')}: ` + sk.map(s => `${mod(s.left)}–${mod(s.right)}`).join(', '));
    return lines.join('\n');
  }

  function eventLabels(i) {
    const m = state.d.ev[i];
    return DOC.names.events.filter((_, b) => m & (1 << b)).map(e => e[1]).join(', ');
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
  function rebuild() {
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
      const gs = C.gaps(d.t, d.again, state.span);
      if (gs.length) state.map = C.timeMap(gs, state.span);
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
      keys.innerHTML = def.keys.map(([c, s]) => `<span><i style="background:${c}"></i>${esc(s)}</span>`).join('');
      state.charts.push(u);
    }
    drawEvents();
    drawDetails();
  }

  // ---- events, details, neighbours, ladder -----------------------------------
  function eventIndices() {
    const d = state.d, out = [];
    for (let i = 0; i < d.n; i++) if (d.ev[i] || d.again[i] >= 0) out.push(i);
    return out;
  }

  function drawEvents() {
    const ol = $('events');
    if (!state.d) { ol.innerHTML = ''; return; }
    const all = eventIndices();
    const d = state.d;
    const shown = all.slice(0, EVENT_LIST_MAX);
    ol.innerHTML = shown.map(i => {
      const labels = eventLabels(i) || S('sent_again_key');
      const kind = d.again[i] >= 0 ? ` (${S('mech_' + DOC.names.mechanisms[d.again[i]])})` : '';
      return `<li data-i="${i}"${i === state.selected ? ' class="sel"' : ''}>#${d.frame[i]} ${secs(d.t[i])}: ${esc(labels)}${esc(kind)}</li>`;
    }).join('') || `<li>${esc(S('events_none'))}</li>`;
    if (all.length > shown.length) ol.insertAdjacentHTML('beforeend', `<li>${esc(C.fill(S('events_more'), all.length - shown.length, shown.length))}</li>`);
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

  function drawDetails() {
    const i = state.selected, d = state.d;
    if (!d || i < 0) {
      $('details').textContent = S('segment_none');
      $('neighbours').innerHTML = '';
      const c = $('ladder'); c.getContext('2d').clearRect(0, 0, c.width, c.height);
      return;
    }
    $('details').textContent = describe(i);
    const a = Math.max(0, i - 8), b = Math.min(d.n, i + 9);
    const row = DOC.connections.find(r => r.stream === state.stream);
    const mod = v => ((v % 4294967296) + 4294967296) % 4294967296;
    const num = (v, sp) => (state.relative && d.base[sp] !== null ? v - d.base[sp] : mod(v));
    let html = `<thead><tr><th>${S('frame')}</th><th>${S('time')} (s)</th><th class="l">${S('dir')}</th><th class="l">${S('flags')}</th><th>${S('seq')}</th><th>${S('ack_no')}</th><th>${S('len')}</th><th>${S('win')}</th><th class="l">${S('ev')}</th></tr></thead><tbody>`;
    for (let j = a; j < b; j++) {
      const dir = d.dir[j] === 0 ? 'A→B' : 'B→A';
      html += `<tr data-i="${j}"${j === i ? ' class="sel"' : ''}><td>#${d.frame[j]}</td><td>${dec(d.t[j].toFixed(6))}</td><td class="l">${dir}</td>` +
        `<td class="l">${C.flagNames(d.flags[j])}</td><td>${num(d.seq[j], d.dir[j])}</td><td>${d.flags[j] & 16 ? num(d.ack[j], 1 - d.dir[j]) : ''}</td>` +
        `<td>${d.len[j]}</td><td>${d.win[j]}</td><td class="l">${esc(eventLabels(j))}</td></tr>`;
    }
    $('neighbours').innerHTML = html + '</tbody>';
    ladder(a, b, i, row, num);
  }

  // Exercise 5's view: A and B as time lines, each segment an arrow.
  function ladder(a, b, sel, row, num) {
    const d = state.d, c = $('ladder');
    const rows = b - a, rh = 24, w = 600;
    c.width = w * uPlot.pxRatio;
    c.height = (rows * rh + 50) * uPlot.pxRatio;
    c.style.width = w + 'px';
    const ctx = c.getContext('2d');
    ctx.scale(uPlot.pxRatio, uPlot.pxRatio);
    ctx.clearRect(0, 0, w, rows * rh + 50);
    const xa = 90, xb = w - 90;
    ctx.font = '12px sans-serif';
    ctx.fillStyle = '#111';
    ctx.textAlign = 'center';
    ctx.fillText('A ' + row.a, xa, 14);
    ctx.fillText('B ' + row.b, xb, 14);
    line(ctx, xa, 22, xa, rows * rh + 40, '#999', 1 / uPlot.pxRatio);
    line(ctx, xb, 22, xb, rows * rh + 40, '#999', 1 / uPlot.pxRatio);
    ctx.font = '11px monospace';
    for (let j = a; j < b; j++) {
      const y = 34 + (j - a) * rh;
      const fwd = d.dir[j] === 0;
      const [x0, x1] = fwd ? [xa, xb] : [xb, xa];
      const colour = d.again[j] >= 0 ? COLOUR.again : d.flags[j] & 7 ? COLOUR.control : d.len[j] > 0 ? COLOUR.data : COLOUR.ack;
      line(ctx, x0, y, x1, y + 8, colour, j === sel ? 2.5 : 1.2);
      const dir = Math.sign(x1 - x0);
      ctx.fillStyle = colour;
      ctx.beginPath(); ctx.moveTo(x1, y + 8); ctx.lineTo(x1 - dir * 8, y + 2); ctx.lineTo(x1 - dir * 8, y + 10); ctx.fill();
      const label = `#${d.frame[j]} [${C.flagNames(d.flags[j])}] seq=${num(d.seq[j], d.dir[j])}` +
        (d.flags[j] & 16 ? ` ack=${num(d.ack[j], 1 - d.dir[j])}` : '') + ` len=${d.len[j]}`;
      ctx.fillStyle = j === sel ? '#000' : '#333';
      ctx.textAlign = 'center';
      ctx.fillText(label, (xa + xb) / 2, y - 2);
      ctx.textAlign = fwd ? 'right' : 'left';
      ctx.fillText(dec(d.t[j].toFixed(6)), fwd ? xa - 4 : xb + 4, y + 4);
    }
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
    $('relative').addEventListener('change', e => { state.relative = e.target.checked; rebuild(); });
    $('collapse').addEventListener('change', e => { state.collapse = e.target.checked; rebuild(); });
    $('interval').addEventListener('change', e => {
      state.intervals = Math.max(1, Math.min(100000, Math.round(+e.target.value) || 100));
      rebuild();
    });
    $('reset').addEventListener('click', resetX);
    $('lang').addEventListener('change', e => { state.lang = e.target.value; applyLang(); drawList(); rebuild(); });
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
    zoom: setX,
  };

  performance.mark('tcplab-view-start');
  wire();
  applyLang();
  selectStream(state.stream);
  performance.mark('tcplab-view-ready');
  performance.measure('tcplab-view-open', 'tcplab-view-start', 'tcplab-view-ready');
})();
