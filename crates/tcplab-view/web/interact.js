// tcplab view: zoom, pan and hover, the same on every graph. A box drawn
// with the mouse is uPlot's; the wheel, the keys, touch, double-click and
// the tooltip are ours. Zooming one graph zooms the others (`syncX`).
'use strict';
(function (root) {
  root.TcplabInteract = function (V) {
    const { state, S, C, $ } = V;

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
      const a = V.xval(t0), b = V.xval(t1);
      const pad = (b - a) * 0.02 || 1e-4;
      return [a - pad, b + pad];
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

    // The segment under the pointer: the nearest drawn point within 12 px.
    function nearest(u, def, left, top) {
      const d = state.d;
      if (!def.points && !def.hover) return -1;
      const lists = def.hover || [def.points];
      const tx0 = V.tval(u.posToVal(left - 12, 'x')), tx1 = V.tval(u.posToVal(left + 12, 'x'));
      let best = -1, bestD = 12 * 12;
      for (const idx of lists) {
        const p0 = C.lowerBound(idx, d.t, tx0), p1 = Math.min(C.lowerBound(idx, d.t, tx1 + 1e-12), p0 + 5000);
        for (let p = p0; p < p1; p++) {
          const i = idx[p];
          const v = def.y(i);
          if (!Number.isFinite(v)) continue;
          const dx = u.valToPos(V.xval(d.t[i]), 'x') - left, dy = u.valToPos(v, 'y') - top;
          const dist = dx * dx + dy * dy;
          if (dist < bestD) { bestD = dist; best = i; }
        }
      }
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
        text = `${S('time')} ${V.secs(tp.x[b])}\n${S('throughput_all')}: ${V.rate(tp.all[b])}\n${S('goodput')}: ${V.rate(tp.good[b])}`;
      } else {
        const i = nearest(u, def, left, top);
        if (i < 0) { tip.hidden = true; return; }
        state.hovered = i;
        text = V.describe(i);
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
        if (i >= 0) V.select(i);
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

    // Keys as in Wireshark's graph dialog, where they make sense here.
    function onKey(e) {
      if (e.target.closest && e.target.closest('input, select')) return;
      const u = state.charts[0];
      if (!u) return;
      const mid = (u.scales.x.min + u.scales.x.max) / 2;
      const acts = {
        '+': () => zoomAround(mid, 0.5), '=': () => zoomAround(mid, 0.5), '-': () => zoomAround(mid, 2),
        '0': resetX, Home: resetX, ArrowLeft: () => pan(-0.1), ArrowRight: () => pan(0.1),
      };
      if (acts[e.key]) { e.preventDefault(); acts[e.key](); }
    }

    return { syncX, setX, resetX, home, hover, bindChart, onKey };
  };
})(typeof self !== 'undefined' ? self : this);
