// tcplab view: the panels around the graphs, in words and tables: the
// connection list, the selected segment's details, its neighbours and
// the ladder around it (exercise 5), and how numbers are written in each
// language. viewer.js owns the state and calls these (the events list is
// events.js').
'use strict';
(function (root) {
  root.TcplabPanels = function ({ DOC, state, S, C, COLOUR, $ }) {
    function line(ctx, x0, y0, x1, y1, colour, w) {
      ctx.strokeStyle = colour; ctx.lineWidth = (w || 1) * root.uPlot.pxRatio;
      ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
    }
    // ---- numbers ------------------------------------------------------------
    const dec = s => (state.lang === 'es' ? s.replace('.', ',') : s);
    // Thousands grouped as the report groups them (tcplab_render's
    // Lang::thousands): `148,495`; in Spanish `148 495` with a narrow
    // no-break space, from five digits on.
    function int(n) {
      const digits = String(Math.round(Math.abs(n))), sign = n < 0 ? '-' : '';
      if (state.lang === 'es' && digits.length <= 4) return sign + digits;
      return sign + digits.replace(/\B(?=(\d{3})+$)/g, state.lang === 'es' ? '\u202f' : ',');
    }
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

    // ---- details, neighbours, ladder ------------------------------------------
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

    return { dec, int, secs, rate, esc, drawList, describe, eventLabels, drawDetails };
  };
})(typeof self !== 'undefined' ? self : this);
