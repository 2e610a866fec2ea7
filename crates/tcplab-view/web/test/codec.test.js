// The viewer's pure functions (web/codec.js), run with `node --test` by
// crates/tcplab-view/tests/codec_js.rs.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const C = require('../codec.js');

// Two segments A→B and one ACK B→A, as encode.rs writes them.
const cols = {
  stream: 3, n: 3, base: [1000, 5000], unscaled: [false, false],
  t: [0, 10, 15],
  frame: [1, 1, 2],
  fd: [16, 16, 16 | (1 << 12)],
  seq: [1001, 1448, 5001],
  ack: [5001, 0, 2449],
  len: [1448, 1448, 0],
  win: [64000, 0, 30000],
  flight: [1448, 2896, -1],
  resent: [1, 1448],
  ev: [2, 1 << 6],
  again: [1, 0],
  ack_rtt: [2, 15000],
  ts_rtt: [],
  sack: [2, 100, 200],
};

test('decode reads every column back', () => {
  const d = C.decode(cols);
  assert.deepEqual(Array.from(d.t), [0, 10e-6, 25e-6]);
  assert.deepEqual(Array.from(d.frame), [1, 2, 4]);
  assert.deepEqual(Array.from(d.dir), [0, 0, 1]);
  assert.deepEqual(Array.from(d.seq), [1001, 2449, 5001]);
  assert.deepEqual(Array.from(d.ack), [5001, 5001, 2449]);
  assert.deepEqual(Array.from(d.win), [64000, 64000, 30000]);
  assert.deepEqual(Array.from(d.resent), [0, 1448, 0]);
  assert.deepEqual(Array.from(d.ev), [0, 0, 64]);
  assert.deepEqual(Array.from(d.again), [-1, 0, -1]);
  assert.equal(d.ackRtt[2], 15e-6);
  assert.ok(Number.isNaN(d.ackRtt[0]));
  assert.deepEqual(d.sacks, [{ i: 2, left: 2549, right: 2749 }]);
});

test('lists pick what each graph draws', () => {
  const d = C.decode(cols);
  const L = C.lists(d, 0);
  assert.deepEqual(Array.from(L.data), [0, 1]);
  assert.deepEqual(Array.from(L.acks), [2]);
  assert.deepEqual(Array.from(L.ackRtt), [2]);
  assert.deepEqual(Array.from(L.flight), [0, 1]);
  assert.equal(L.sacks.length, 1);
  assert.deepEqual(Array.from(C.lists(d, 1).data), []);
});

test('lowerBound finds the first index at or after a time', () => {
  const t = [0, 1, 1, 2, 5];
  const idx = [0, 1, 2, 3, 4];
  assert.equal(C.lowerBound(idx, t, -1), 0);
  assert.equal(C.lowerBound(idx, t, 1), 1);
  assert.equal(C.lowerBound(idx, t, 1.5), 3);
  assert.equal(C.lowerBound(idx, t, 9), 5);
});

test('throughput counts payload and goodput per interval', () => {
  const d = C.decode(cols);
  const L = C.lists(d, 0);
  const tp = C.throughput(d, L.payload, 10e-6, 0, 25e-6, 2);
  assert.equal(tp.x.length, 3);
  // 1448 bytes in the first 10 µs; the second segment (resent) in the second.
  assert.equal(tp.all[0], 1448 * 8 / 10e-6);
  assert.equal(tp.all[1], 1448 * 8 / 10e-6);
  assert.equal(tp.good[1], 0);
  assert.equal(tp.avg[1], (tp.all[0] + tp.all[1]) / 2);
});

test('smoothed follows RFC 6298', () => {
  assert.deepEqual(Array.from(C.smoothed([8, 16])), [8, 9]);
});

test('gaps are long idle times, never one that ends in a timeout retransmission', () => {
  const t = [0, 0.001, 0.002, 0.003, 1.0, 1.001, 1.002, 2.5];
  const again = new Int8Array(t.length).fill(-1);
  const g = C.gaps(t, again, 2.5);
  assert.deepEqual(g, [{ from: 0.003, to: 1.0 }, { from: 1.002, to: 2.5 }]);
  again[7] = 1;
  assert.deepEqual(C.gaps(t, again, 2.5), [{ from: 0.003, to: 1.0 }]);
  const m = C.timeMap(g, 2.5);
  assert.ok(m.fwd(2.5) < 0.5, 'the gaps are collapsed');
  for (const x of [0, 0.5, 1.001, 2]) assert.ok(Math.abs(m.bwd(m.fwd(x)) - x) < 1e-9);
});

test('fill puts values in order', () => {
  assert.equal(C.fill('{} of {}', 1, 2), '1 of 2');
  assert.equal(C.flagNames(0x12), 'SYN, ACK');
});

test('rangeMinMax agrees with a plain scan on every range', () => {
  const ys = Float64Array.from({ length: 5000 }, (_, i) => Math.sin(i * 0.37) * 1000 + (i % 97 === 0 ? NaN : 0));
  const m = C.minMax(ys);
  assert.ok(m.levels.length >= 2);
  for (const [a, b] of [[0, 5000], [0, 1], [31, 33], [100, 4097], [1023, 1025], [4000, 4000], [17, 3333]]) {
    let lo = Infinity, hi = -Infinity;
    for (let i = a; i < b; i++) { if (ys[i] < lo) lo = ys[i]; if (ys[i] > hi) hi = ys[i]; }
    assert.deepEqual(C.rangeMinMax(m, a, b), [lo, hi], `${a}..${b}`);
  }
});

test('unpack reads back what src/pack.rs packs (test/packed.json)', async () => {
  // Written by the Rust test `the_javascript_fixture_is_what_the_writer_writes`.
  const f = JSON.parse(fs.readFileSync(path.join(__dirname, 'packed.json'), 'utf8'));
  const c = await C.unpack(f.entry, f.text);
  assert.equal(c.n, 200);
  assert.equal(c.stream, 2);
  for (const [name, values] of Object.entries(f.columns)) {
    assert.deepEqual(Array.from(c[name]), values, name);
  }
  const d = C.decode(c);
  assert.equal(d.tsRtt[0], 40);
  assert.equal(d.again[6], 1);
  assert.equal(d.sacks.length, 1);
  assert.equal(d.frame[199], f.columns.frame.reduce((a, b) => a + b, 0));
  assert.ok(C.lists(d, 0).data.length > 50);
});

test('unpack finds a connection in a block shared with others', async () => {
  const f = JSON.parse(fs.readFileSync(path.join(__dirname, 'packed.json'), 'utf8'));
  const entry = { ...f.entry, at: [8, f.entry.at[1]] };
  const c = await C.unpack(entry, 'AAAAAAAA' + f.text + 'AAAA');
  assert.deepEqual(Array.from(c.seq), f.columns.seq);
});
