// tcplab view: the pure part of the viewer (no DOM), used by the other
// scripts in the page and by `node --test` (web/test/). It reads the
// columns that crates/tcplab-view/src/pack.rs packs (`unpack`, `decode`),
// and computes what the graphs draw: index lists, visible ranges,
// throughput bins, idle gaps, min/max indexes.
'use strict';
(function (root) {
  const FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'];

  // ---- the page's bytes (src/pack.rs) ----------------------------------
  const WIDTHS = { i8: Int8Array, i16: Int16Array, i32: Int32Array, f64: Float64Array };
  const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

  function base64Bytes(text) {
    if (Uint8Array.fromBase64) return Uint8Array.fromBase64(text);
    const s = atob(text), out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }

  // The browser's own gzip (no fetch: it works from file:// under a CSP
  // that allows nothing to be fetched).
  async function gunzip(bytes) {
    const inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(inflated).arrayBuffer();
  }

  // Column `[name, width, offset, count]` of `buf`, read in place (a
  // typed array over the bytes) where the machine is little-endian.
  function column(buf, [, width, offset, count]) {
    const T = WIDTHS[width];
    if (LITTLE) return new T(buf, offset, count);
    const v = new DataView(buf), out = new T(count), k = T.BYTES_PER_ELEMENT;
    const get = { i8: 'getInt8', i16: 'getInt16', i32: 'getInt32', f64: 'getFloat64' }[width];
    for (let i = 0; i < count; i++) out[i] = v[get](offset + i * k, true);
    return out;
  }

  // One connection's columns, from its entry in the page's JSON and the
  // text of the data block: the object `decode` reads.
  async function unpack(entry, text) {
    const buf = await gunzip(base64Bytes(text.substr(entry.at[0], entry.at[1])));
    const c = { stream: entry.stream, n: entry.n, base: entry.base, unscaled: entry.unscaled };
    for (const col of entry.cols) c[col[0]] = column(buf, col);
    return c;
  }

  // Running sums of a difference column, per direction when `dir` is given.
  function undelta(col, dir, Out) {
    const out = new (Out || Float64Array)(col.length);
    const prev = [0, 0];
    for (let i = 0; i < col.length; i++) {
      const k = dir ? dir[i] : 0;
      prev[k] += col[i];
      out[i] = prev[k];
    }
    return out;
  }

  // Sparse pairs (index difference, value...) into a full column.
  function unsparse(col, n, width, fill, Out) {
    const out = new (Out || Float64Array)(n).fill(fill);
    let at = 0;
    for (let j = 0; j + width < col.length; j += width + 1) {
      at += col[j];
      if (at < n) out[at] = col[j + 1];
    }
    return out;
  }

  function dividedBy(a, k) {
    for (let i = 0; i < a.length; i++) a[i] /= k;
    return a;
  }

  // One connection's columns into typed arrays.
  function decode(c) {
    const n = c.n;
    const dir = new Uint8Array(n), flags = new Uint16Array(n);
    for (let i = 0; i < n; i++) { dir[i] = c.fd[i] >> 12; flags[i] = c.fd[i] & 0xfff; }
    const t = dividedBy(undelta(c.t), 1e6);
    const d = {
      stream: c.stream, n, base: c.base, unscaled: c.unscaled, dir, flags, t,
      frame: undelta(c.frame),
      seq: undelta(c.seq, dir),
      ack: undelta(c.ack, dir),
      len: Uint32Array.from(c.len),
      win: undelta(c.win, dir),
      flight: Float64Array.from(c.flight),
      resent: unsparse(c.resent, n, 1, 0, Uint32Array),
      ev: unsparse(c.ev, n, 1, 0, Uint16Array),
      again: unsparse(c.again, n, 1, -1, Int8Array),
      ackRtt: dividedBy(unsparse(c.ack_rtt, n, 1, NaN), 1e9),
      tsRtt: dividedBy(unsparse(c.ts_rtt, n, 1, NaN), 1e9),
      sacks: [],
    };
    let at = 0;
    for (let j = 0; j + 2 < c.sack.length; j += 3) {
      at += c.sack[j];
      const left = d.ack[at] + c.sack[j + 1];
      d.sacks.push({ i: at, left, right: left + c.sack[j + 2] });
    }
    return d;
  }

  function decodeKernel(k) {
    const t = undelta(k.t);
    return {
      stream: k.stream, dir: k.dir, t: t.map(v => v / 1e6),
      cwnd: Float64Array.from(k.cwnd), ssthresh: Float64Array.from(k.ssthresh),
      srtt: Float64Array.from(k.srtt).map(v => v / 1e6),
    };
  }

  function flagNames(f) {
    return FLAG_NAMES.filter((_, b) => f & (1 << b)).join(', ');
  }

  // First position p in `idx` (indices into `t`, increasing in time) with t[idx[p]] >= x.
  function lowerBound(idx, t, x) {
    let lo = 0, hi = idx.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (t[idx[mid]] < x) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  // Indices of the segments for which keep(i) holds, in time order.
  function pick(d, keep) {
    return filter({ length: d.n }, keep, i => i);
  }

  // The entries of index list `idx` for which keep(i) holds.
  function filter(idx, keep, at) {
    const out = new Int32Array(idx.length);
    let k = 0;
    for (let p = 0; p < idx.length; p++) {
      const i = at ? at(p) : idx[p];
      if (keep(i)) out[k++] = i;
    }
    return out.slice(0, k);
  }

  const SYN = 2, FIN = 1, ACK = 16;

  // What each graph draws for data direction `dd` (0: A→B), in one pass.
  function lists(d, dd) {
    const n = d.n;
    const data = new Int32Array(n), payload = new Int32Array(n), flight = new Int32Array(n);
    const acks = new Int32Array(n), ackRtt = new Int32Array(n), tsRtt = new Int32Array(n);
    let nd = 0, np = 0, nf = 0, na = 0, nr = 0, nt = 0;
    for (let i = 0; i < n; i++) {
      if (d.dir[i] === dd) {
        // Segments that take sequence space: SYN, data, FIN (Stevens, tcptrace).
        if (d.len[i] > 0) { data[nd++] = i; payload[np++] = i; } else if (d.flags[i] & (SYN | FIN)) data[nd++] = i;
        if (d.flight[i] >= 0) flight[nf++] = i;
      } else {
        if (d.flags[i] & ACK) acks[na++] = i;
        if (d.ackRtt[i] === d.ackRtt[i]) ackRtt[nr++] = i;
        if (d.tsRtt[i] === d.tsRtt[i]) tsRtt[nt++] = i;
      }
    }
    return {
      data: data.slice(0, nd), payload: payload.slice(0, np), acks: acks.slice(0, na),
      ackRtt: ackRtt.slice(0, nr), tsRtt: tsRtt.slice(0, nt), flight: flight.slice(0, nf),
      sacks: d.sacks.filter(s => d.dir[s.i] !== dd),
    };
  }

  // bit/s of all payload and of bytes sent for the first time, per
  // interval of `width` seconds from `t0` to `t1`, and a trailing moving
  // average of `avgOf` intervals.
  function throughput(d, idx, width, t0, t1, avgOf) {
    const bins = Math.max(1, Math.ceil((t1 - t0) / width - 1e-9));
    const all = new Float64Array(bins), good = new Float64Array(bins);
    for (const i of idx) {
      const b = Math.min(bins - 1, Math.max(0, Math.floor((d.t[i] - t0) / width)));
      all[b] += d.len[i] * 8;
      good[b] += (d.len[i] - d.resent[i]) * 8;
    }
    const x = new Float64Array(bins), avg = new Float64Array(bins);
    let sum = 0;
    for (let b = 0; b < bins; b++) {
      all[b] /= width; good[b] /= width; x[b] = t0 + b * width;
      sum += all[b];
      if (b >= avgOf) sum -= all[b - avgOf];
      avg[b] = sum / Math.min(b + 1, avgOf);
    }
    return { x, all, good, avg };
  }

  // RFC 6298 §2: the first sample sets SRTT, each later one moves it by 1/8.
  function smoothed(values) {
    const out = new Float64Array(values.length);
    let s = NaN;
    values.forEach((r, k) => { s = Number.isNaN(s) ? r : 0.875 * s + 0.125 * r; out[k] = s; });
    return out;
  }

  // Idle gaps to collapse, as the static graphs choose them
  // (docs/graphs.md): no packet either way for longer than 20 times the
  // median spacing and 20 % of the span, at most the 4 longest, never a
  // gap that ends in a segment sent again after a timeout (mechanism 1).
  function gaps(t, again, span) {
    const n = t.length;
    if (n < 3 || !(span > 0)) return [];
    const dts = new Float64Array(n - 1);
    for (let i = 1; i < n; i++) dts[i - 1] = t[i] - t[i - 1];
    const median = Float64Array.from(dts).sort()[dts.length >> 1];
    const found = [];
    for (let i = 1; i < n; i++) {
      const g = t[i] - t[i - 1];
      if (g > 20 * median && g > 0.2 * span && again[i] !== 1) found.push({ from: t[i - 1], to: t[i] });
    }
    found.sort((a, b) => (b.to - b.from) - (a.to - a.from));
    return found.slice(0, 4).sort((a, b) => a.from - b.from);
  }

  // A time axis where each gap keeps only `keep` of the span: forward
  // (time → axis position) and back, both increasing.
  function timeMap(gs, span) {
    const keep = 0.04 * span;
    const cut = gs.map(g => Math.max(0, (g.to - g.from) - keep));
    const fwd = x => {
      let y = x;
      gs.forEach((g, k) => {
        if (x >= g.to) y -= cut[k];
        else if (x > g.from) y -= cut[k] * (x - g.from) / (g.to - g.from);
      });
      return y;
    };
    const bwd = y => {
      let lo = -1e12, hi = 1e12;
      for (let k = 0; k < 80; k++) { const m = (lo + hi) / 2; if (fwd(m) < y) lo = m; else hi = m; }
      return (lo + hi) / 2;
    };
    return { fwd, bwd };
  }

  // Min and max of `ys` over any range of positions in O(log n): block
  // aggregates of 32, 1024 and 32768 values. NaN values are ignored.
  const BLOCK = 32;
  function minMax(ys) {
    const levels = [];
    let mn = ys, mx = ys;
    for (let l = 0; l < 3 && mn.length > BLOCK; l++) {
      const n = Math.ceil(mn.length / BLOCK);
      const a = new Float64Array(n).fill(Infinity), b = new Float64Array(n).fill(-Infinity);
      for (let i = 0; i < mn.length; i++) {
        const k = (i / BLOCK) | 0;
        if (mn[i] < a[k]) a[k] = mn[i];
        if (mx[i] > b[k]) b[k] = mx[i];
      }
      levels.push([a, b]);
      mn = a; mx = b;
    }
    return { ys, levels };
  }

  // [min, max] of positions [p0, p1) (Infinity, -Infinity when empty).
  function rangeMinMax(m, p0, p1) {
    const out = [Infinity, -Infinity];
    const scan = (mn, mx, a, b) => {
      for (let i = a; i < b; i++) {
        if (mn[i] < out[0]) out[0] = mn[i];
        if (mx[i] > out[1]) out[1] = mx[i];
      }
    };
    const go = (l, a, b) => {
      const [mn, mx] = l < 0 ? [m.ys, m.ys] : m.levels[l];
      if (l + 1 >= m.levels.length || b - a <= 2 * BLOCK) { scan(mn, mx, a, b); return; }
      const aa = Math.ceil(a / BLOCK), bb = Math.floor(b / BLOCK);
      scan(mn, mx, a, aa * BLOCK);
      scan(mn, mx, bb * BLOCK, b);
      go(l + 1, aa, bb);
    };
    if (p1 > p0) go(-1, p0, p1);
    return out;
  }

  // `{}` holes filled in order.
  function fill(template, ...args) {
    let k = 0;
    return String(template).replace(/\{\}/g, () => (k < args.length ? String(args[k++]) : '{}'));
  }

  const api = { unpack, base64Bytes, minMax, rangeMinMax, decode, decodeKernel, flagNames, lowerBound, pick, filter, lists, throughput, smoothed, gaps, timeMap, fill, undelta, unsparse };
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  else root.TcplabCodec = api;
})(typeof self !== 'undefined' ? self : this);
