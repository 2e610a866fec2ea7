// tcplab view: the graphs (graphs.js) as uPlot charts on one time axis.
// uPlot draws the axes, the grid, the cursor and the zoom box; the points
// are ours (draw.js), painted in its `draw` hook over the visible time
// only, so uPlot holds two x values per chart, not the segments. Also the
// y range of each graph over the visible time, the tick labels (true
// times when idle gaps are collapsed), and the throughput graph, whose
// few hundred intervals uPlot draws itself.
'use strict';
(function (root) {
  root.TcplabCharts = function (V) {
    const { state, S, C, COLOUR, $ } = V;

    // The y range over the visible time: the series' own, and the kernel's.
    function extentOf(u, def) {
      let { min, max } = u.scales.x;
      // Before its first layout a chart has no x range yet: all of it.
      if (min === null || min === undefined) { min = -Infinity; max = Infinity; }
      let lo = Infinity, hi = -Infinity;
      for (const s of def.series) {
        if (s.noExtent) continue;
        const [a, b] = root.TcplabDraw.extent(s, state.d.t, V.tval, min, max);
        lo = Math.min(lo, a); hi = Math.max(hi, b);
      }
      const k = state.kernel;
      if (def.kernel) {
        const t0 = V.tval(min), t1 = V.tval(max);
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
          setScale: [(u, key) => { if (key === 'x') V.syncX(u); }],
          setCursor: [u => V.hover(u, def)],
          ready: [u => V.bindChart(u, def)],
        },
      }, extra);
    }

    // Tick labels are true times (mapped back when gaps are collapsed),
    // with as many decimals as the visible range needs.
    function timeTicks(u, ticks) {
      const range = Math.abs(V.tval(u.scales.x.max) - V.tval(u.scales.x.min)) || 1;
      const digits = Math.min(9, Math.max(0, Math.ceil(-Math.log10(range / 10)) + 1));
      return ticks.map(v => {
        const t = V.tval(v);
        return V.dec((Math.abs(t) < range * 1e-9 ? 0 : t).toFixed(digits));
      });
    }

    function axisNum(v) {
      const a = Math.abs(v), dec = V.dec;
      if (a >= 1e9) return dec((v / 1e9).toPrecision(4).replace(/\.?0+$/, '')) + 'G';
      if (a >= 1e6) return dec((v / 1e6).toPrecision(4).replace(/\.?0+$/, '')) + 'M';
      if (a >= 1e4) return dec((v / 1e3).toPrecision(4).replace(/\.?0+$/, '')) + 'k';
      return dec(String(+v.toPrecision(4)));
    }

    function makeChart(def, box) {
      const d = state.d;
      let opts, data;
      if (def.id === 'throughput') {
        const tp = throughputData();
        def.tp = tp;
        def.points = null;
        def.yLabel = C.fill(S('rate_axis'), 'bit/s');
        def.keys = [[COLOUR.data, S('throughput_all')], [COLOUR.goodput, S('goodput')],
          [COLOUR.smooth, C.fill(S('moving_average'), 5)]];
        const stepped = root.uPlot.paths.stepped({ align: 1 });
        opts = baseOpts(def, {
          series: [{}, { stroke: COLOUR.data, fill: COLOUR.data + '40', paths: stepped, points: { show: false } },
            { stroke: COLOUR.goodput, paths: stepped, points: { show: false }, width: 1.5 },
            { stroke: COLOUR.smooth, points: { show: false }, width: 1.5 }],
        });
        opts.scales.y = { range: (u, lo, hi) => [0, (hi || 1) * 1.05] };
        data = [Array.from(tp.x, V.xval), tp.all, tp.good, tp.avg];
      } else {
        opts = baseOpts(def, {
          series: [{}, { paths: () => null, points: { show: false } }],
        });
        opts.scales.y = { range: u => extentOf(u, def) };
        opts.hooks.draw = [u => paint(u, def)];
        // uPlot needs only the span: the points are painted by `paint`.
        const ends = d.n ? [V.xval(d.t[0]), V.xval(d.t[d.n - 1])] : [0, 1];
        data = [ends, [0, 0]];
      }
      const u = new root.uPlot(opts, data, box);
      u.def = def;
      return u;
    }

    function paint(u, def) {
      state.drawnAt = performance.now();
      const ctx = u.ctx, pr = root.uPlot.pxRatio;
      ctx.save();
      ctx.beginPath();
      ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
      ctx.clip();
      for (const s of def.series) root.TcplabDraw.paint(u, s, state.d.t, V.xval, V.tval);
      if (def.extra) def.extra(u, ctx);
      if (state.map) breaks(u, ctx);
      if (state.selected >= 0) {
        const i = state.selected, d = state.d;
        const v = def.y(i);
        if (Number.isFinite(v) && (def.hover || [def.points]).some(idx => inList(idx, i))) {
          const x = u.valToPos(V.xval(d.t[i]), 'x', true), y = u.valToPos(v, 'y', true);
          ctx.strokeStyle = COLOUR.select; ctx.lineWidth = 2 * pr;
          ctx.beginPath(); ctx.arc(x, y, 7 * pr, 0, 7); ctx.stroke();
        }
      }
      ctx.restore();
    }

    // A collapsed gap: dotted lines at its ends, as the static graphs' `//`.
    function breaks(u, ctx) {
      const pr = root.uPlot.pxRatio;
      ctx.setLineDash([2 * pr, 3 * pr]);
      for (const g of state.gaps) {
        for (const t of [g.from, g.to]) {
          const x = u.valToPos(V.xval(t), 'x', true);
          V.line(ctx, x, u.bbox.top, x, u.bbox.top + u.bbox.height, '#888', 1);
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

    // The min/max indexes of the shown graphs' series, one series per
    // task once the graphs are drawn (the page stays responsive), so
    // that later redraws cost the plot's width, not the points.
    function indexLater() {
      const token = state.charts;
      const todo = state.charts.flatMap(u => u.def.series || []);
      state.indexed = new Promise(done => {
        const next = () => {
          if (state.charts !== token || !todo.length) { done(); return; }
          root.TcplabDraw.index(todo.shift());
          setTimeout(next, 0);
        };
        setTimeout(next, 0);
      });
    }

    return { size, makeChart, indexLater };
  };
})(typeof self !== 'undefined' ? self : this);
