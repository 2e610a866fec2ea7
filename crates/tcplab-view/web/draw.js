// tcplab view: painting a graph's series on a uPlot canvas, with level of
// detail. A series is a list of segment indices (in time order) with one
// y value each, precomputed (`ys`), and its min/max index (codec.js),
// built once the graphs are first drawn (`index`).
// When more points are visible than the plot has pixel columns, each
// column is drawn once, from its lowest to its highest value, found in
// O(log n): a redraw costs the plot's width, not the segments (as the
// static graphs merge the points that share a pixel, docs/graphs.md).
'use strict';
(function (root) {
  const C = root.TcplabCodec;

  // A series: `idx` into the connection's segments, and per segment its
  // y value, `y(i)` (or the values themselves, one per position of
  // `idx`); for bars `y2(i)`, the top. The min/max index is built later
  // (`index`): until then a range is scanned, which costs what the points
  // in it cost, and the first drawing does not wait for the index.
  function series(kind, idx, y, colour, y2) {
    const s = { kind, idx, ys: values(idx, y), mm: null, colour };
    if (y2) { s.ys2 = values(idx, y2); s.mm2 = null; }
    return s;
  }

  function values(idx, y) {
    if (typeof y !== 'function') return y;
    const out = new Float64Array(idx.length);
    for (let p = 0; p < idx.length; p++) out[p] = y(idx[p]);
    return out;
  }

  // Builds the min/max index of `s` (codec.js) if it has none yet.
  function index(s) {
    if (!s.mm) s.mm = C.minMax(s.ys);
    if (s.ys2 && !s.mm2) s.mm2 = C.minMax(s.ys2);
  }

  // The index of a series, or a plain scan of its values until it has one.
  const UNINDEXED = ys => ({ ys, levels: [] });
  const mmOf = s => s.mm || UNINDEXED(s.ys);
  const mm2Of = s => s.mm2 || UNINDEXED(s.ys2);

  // Positions [p0, p1) of `s` inside x values [x0, x1] (`tval` maps an
  // x value back to time when idle gaps are collapsed).
  function span(s, t, tval, x0, x1) {
    return [C.lowerBound(s.idx, t, tval(x0)), C.lowerBound(s.idx, t, tval(x1) + 1e-12)];
  }

  // [min, max] of a series over the visible x range.
  function extent(s, t, tval, x0, x1) {
    const [p0, p1] = span(s, t, tval, x0, x1);
    const a = C.rangeMinMax(mmOf(s), p0, p1);
    if (s.ys2) {
      const b = C.rangeMinMax(mm2Of(s), p0, p1);
      return [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
    }
    return a;
  }

  const SHAPES = {
    dot: (ctx, x, y, r) => { ctx.beginPath(); ctx.arc(x, y, r * 0.7, 0, 7); ctx.fill(); },
    cross: (ctx, x, y, r) => {
      ctx.beginPath(); ctx.moveTo(x - r, y - r); ctx.lineTo(x + r, y + r);
      ctx.moveTo(x - r, y + r); ctx.lineTo(x + r, y - r); ctx.stroke();
    },
    triangle: (ctx, x, y, r) => {
      ctx.beginPath(); ctx.moveTo(x, y - r - 1); ctx.lineTo(x + r + 1, y + r); ctx.lineTo(x - r - 1, y + r); ctx.fill();
    },
    square: (ctx, x, y, r) => ctx.fillRect(x - r, y - r, 2 * r, 2 * r),
    diamond: (ctx, x, y, r) => {
      ctx.beginPath(); ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y); ctx.fill();
    },
  };

  // Paints series `s` on chart `u`; `t` the segments' times, `xval`/`tval`
  // the time ↔ x mapping.
  function paint(u, s, t, xval, tval) {
    const ctx = u.ctx, pr = root.uPlot.pxRatio;
    const { min, max } = u.scales.x;
    const [p0, p1] = span(s, t, tval, min, max);
    ctx.fillStyle = s.colour; ctx.strokeStyle = s.colour;
    ctx.lineWidth = (s.kind === 'step' || s.kind === 'line' ? 1.5 : s.kind === 'bar' ? 1 : 1.5) * pr;
    if (s.dash) ctx.setLineDash(s.dash.map(v => v * pr));
    const X = i => u.valToPos(xval(t[i]), 'x', true);
    const Y = v => u.valToPos(v, 'y', true);
    const cols = u.bbox.width;
    if (p1 - p0 > cols * 2) dense(u, ctx, s, t, tval, p0, p1, Y);
    else if (s.kind === 'step' || s.kind === 'line') lineThrough(ctx, s, X, Y, Math.max(0, p0 - 1), Math.min(s.idx.length, p1 + 1));
    else if (s.kind === 'bar') {
      const tick = 2 * pr;
      ctx.beginPath();
      for (let p = p0; p < p1; p++) {
        const x = X(s.idx[p]), y0 = Y(s.ys[p]), y1 = Y(s.ys2[p]);
        ctx.moveTo(x, y0); ctx.lineTo(x, y1);
        ctx.moveTo(x - tick, y0); ctx.lineTo(x + tick, y0); ctx.moveTo(x - tick, y1); ctx.lineTo(x + tick, y1);
      }
      ctx.stroke();
    } else {
      const shape = SHAPES[s.kind], r = 3 * pr;
      for (let p = p0; p < p1; p++) if (Number.isFinite(s.ys[p])) shape(ctx, X(s.idx[p]), Y(s.ys[p]), r);
    }
    ctx.setLineDash([]);
  }

  function lineThrough(ctx, s, X, Y, a, b) {
    ctx.beginPath();
    let on = false, lastY = 0;
    for (let p = a; p < b; p++) {
      const v = s.ys[p];
      if (!Number.isFinite(v)) { on = false; continue; }
      const x = X(s.idx[p]), y = Y(v);
      if (!on) ctx.moveTo(x, y);
      else { if (s.kind === 'step') ctx.lineTo(x, lastY); ctx.lineTo(x, y); }
      on = true; lastY = y;
    }
    ctx.stroke();
  }

  // One pixel column at a time: its range of positions by binary search,
  // its min and max from the index, a vertical stroke between them (lines
  // join each column's last value to the next one's first).
  function dense(u, ctx, s, t, tval, p0, p1, Y) {
    const pr = root.uPlot.pxRatio, left = u.bbox.left, cols = u.bbox.width;
    const line = s.kind === 'step' || s.kind === 'line';
    const w = s.kind === 'bar' || line ? pr : 3 * pr;
    const mm = mmOf(s), mm2 = s.ys2 ? mm2Of(s) : null;
    ctx.beginPath();
    let a = p0, prevLast = NaN;
    for (let c = 0; c < cols && a < p1; c++) {
      const tEnd = tval(u.posToVal((c + 1) / pr, 'x'));
      const b = Math.min(p1, Math.max(a, C.lowerBound(s.idx, t, tEnd)));
      if (b === a) continue;
      let [lo, hi] = C.rangeMinMax(mm, a, b);
      if (mm2) hi = Math.max(hi, C.rangeMinMax(mm2, a, b)[1]);
      if (Number.isFinite(lo)) {
        const x = left + c, ya = Y(lo), yb = Y(hi);
        if (line && Number.isFinite(prevLast)) { ctx.moveTo(x - 1, Y(prevLast)); ctx.lineTo(x, Y(s.ys[a])); }
        ctx.rect(x - w / 2, Math.min(ya, yb) - (line ? 0 : w / 2), w, Math.abs(yb - ya) + (line ? 1 : w));
        prevLast = s.ys[b - 1];
      }
      a = b;
    }
    if (line) { ctx.stroke(); ctx.fill(); } else ctx.fill();
  }

  root.TcplabDraw = { series, index, extent, paint };
})(typeof self !== 'undefined' ? self : this);
