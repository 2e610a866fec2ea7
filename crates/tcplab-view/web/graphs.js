// tcplab view: the five graphs, what each one draws. Each graph: which
// segments it draws (for hover and the test hook), the y value of a
// segment in it, its series (draw.js) and legend keys, and what it paints
// besides (SACK blocks, the kernel's TCP_INFO lines). Colours and names
// are those of the static graphs (docs/graphs.md). charts.js makes them
// into uPlot charts.
'use strict';
(function (root) {
  root.TcplabGraphs = function (V) {
    const { DOC, state, S, C, COLOUR, EV } = V;

    function graphDefs() {
      const d = state.d, L = state.L, dd = state.dir, D = root.TcplabDraw;
      const row = DOC.connections.find(r => r.stream === state.stream);
      const [snd, rcv] = dd === 0 ? [row.a, row.b] : [row.b, row.a];
      const k = state.kernel && state.kernel.dir === dd ? state.kernel : null;
      const seqAxis = state.relative ? S('seq_axis_relative') : S('seq_axis_absolute');
      const seqOf = V.seqOf;
      const seq = i => seqOf(d.seq[i], dd);
      const ackSeq = i => seqOf(d.ack[i], dd);
      const top = i => seqOf(d.seq[i] + Math.max(d.len[i], 1), dd);
      const again = i => d.again[i] >= 0;
      const fresh = C.filter(L.data, i => !again(i)), resent = C.filter(L.data, again);
      const dups = C.filter(L.acks, i => (d.ev[i] & EV.duplicate_ack) !== 0);
      const zeros = C.filter(L.acks, i => (d.ev[i] & EV.zero_window) !== 0);
      const defs = [];
      defs.push({
        id: 'stevens', title: S('stevens_title'), yLabel: seqAxis, points: L.data, y: seq,
        keys: [[COLOUR.data, S('data_segment')], [COLOUR.again, S('sent_again_key')]],
        series: [D.series('dot', fresh, seq, COLOUR.data), D.series('cross', resent, seq, COLOUR.again)],
      });
      const tcptrace = [
        D.series('step', L.acks, ackSeq, COLOUR.ack),
        D.series('step', L.acks, i => seqOf(d.ack[i] + d.win[i], dd), COLOUR.window),
        D.series('bar', fresh, seq, COLOUR.data, top),
        D.series('bar', resent, seq, COLOUR.again, top),
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
      const ackRttMs = new Float64Array(L.ackRtt.length);
      for (let p = 0; p < ackRttMs.length; p++) ackRttMs[p] = d.ackRtt[L.ackRtt[p]] * 1e3;
      const rttKeys = [[COLOUR.ack, S('ack_rtt_sample')], [COLOUR.smooth, S('smoothed_rtt')]];
      if (L.tsRtt.length) rttKeys.push([COLOUR.ts, S('timestamp_rtt_sample')]);
      if (k) rttKeys.push([COLOUR.kernel, C.fill(S('kernel_srtt'), snd)]);
      defs.push({
        id: 'rtt', title: S('rtt_title'), yLabel: C.fill(S('rtt_axis'), 'ms'), points: L.ackRtt,
        y: i => (Number.isNaN(d.ackRtt[i]) ? d.tsRtt[i] : d.ackRtt[i]) * 1e3,
        hover: [L.ackRtt, L.tsRtt],
        keys: rttKeys,
        series: [D.series('dot', L.ackRtt, ackRttMs, COLOUR.ack),
          D.series('diamond', L.tsRtt, i => d.tsRtt[i] * 1e3, COLOUR.ts),
          D.series('line', L.ackRtt, C.smoothed(ackRttMs), COLOUR.smooth)],
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

    // SACK blocks of the visible ACKs, as pink bars from left to right edge.
    function sackBlocks(u, ctx) {
      const d = state.d, { min, max } = u.scales.x;
      const t0 = V.tval(min), t1 = V.tval(max);
      let drawn = 0;
      for (const s of state.L.sacks) {
        const t = d.t[s.i];
        if (t < t0 || t > t1 || ++drawn > 20000) continue;
        const x = u.valToPos(V.xval(t), 'x', true);
        line(ctx, x, u.valToPos(V.seqOf(s.left, state.dir), 'y', true), x,
          u.valToPos(V.seqOf(s.right, state.dir), 'y', true), COLOUR.sack, 3);
      }
    }

    function line(ctx, x0, y0, x1, y1, colour, w) {
      ctx.strokeStyle = colour; ctx.lineWidth = (w || 1) * root.uPlot.pxRatio;
      ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
    }

    // A TCP_INFO series (its own times), dashed as in the static graphs.
    function kline(u, ctx, k, yOf, colour, dash) {
      const pr = root.uPlot.pxRatio;
      ctx.strokeStyle = colour; ctx.lineWidth = 1.5 * pr;
      ctx.setLineDash(dash.map(v => v * pr));
      ctx.beginPath();
      let on = false;
      for (let j = 0; j < k.t.length; j++) {
        const v = yOf(j);
        if (!Number.isFinite(v)) { on = false; continue; }
        const x = u.valToPos(V.xval(k.t[j]), 'x', true), y = u.valToPos(v, 'y', true);
        if (on) ctx.lineTo(x, y); else ctx.moveTo(x, y);
        on = true;
      }
      ctx.stroke();
      ctx.setLineDash([]);
    }

    return { graphDefs, line };
  };
})(typeof self !== 'undefined' ? self : this);
