// tcplab view: the events list. Every segment with an analysis event or
// sent again, in capture order, and above it one button per kind with
// its count: each analysis event (by Wireshark's label: retransmissions,
// duplicate ACKs, zero windows, window full, out-of-order, …) and each
// reason for sending again; a button shows only that kind, *All* every
// one. A click on an entry selects its segment (viewer.js).
'use strict';
(function (root) {
  const EVENT_LIST_MAX = 1000;

  // The kinds of connection `d`'s events and the segments of each:
  // `{ all, kinds: [{ key, label(S), idx }] }`, built once per connection.
  function kindsOf(d, names) {
    const all = [], byEvent = names.events.map(() => []), byAgain = names.mechanisms.map(() => []);
    for (let i = 0; i < d.n; i++) {
      const m = d.ev[i], a = d.again[i];
      if (!m && a < 0) continue;
      all.push(i);
      for (let b = 0; m >> b; b++) if (m & (1 << b)) byEvent[b].push(i);
      if (a >= 0 && byAgain[a]) byAgain[a].push(i);
    }
    const kinds = [];
    names.events.forEach((e, b) => {
      if (byEvent[b].length) kinds.push({ key: 'ev:' + e[0], label: () => e[1], idx: byEvent[b] });
    });
    names.mechanisms.forEach((m, k) => {
      if (byAgain[k].length) kinds.push({ key: 'again:' + m, label: S => fill(S('events_again'), S('mech_' + m)), idx: byAgain[k] });
    });
    return { all, kinds };
  }
  const fill = (...args) => root.TcplabCodec.fill(...args);

  root.TcplabEvents = function (V) {
    const { DOC, state, S, $ } = V;

    function events() {
      const d = state.d;
      if (!d.events) d.events = kindsOf(d, DOC.names);
      return d.events;
    }

    // The segments of the chosen kind (all of them when it is gone).
    function shownKind() {
      const ev = events();
      const kind = ev.kinds.find(k => k.key === state.eventKind);
      return kind ? kind.idx : ev.all;
    }

    function drawKinds() {
      const box = $('event-kinds');
      if (!state.d) { box.innerHTML = ''; return; }
      const ev = events();
      const chosen = ev.kinds.some(k => k.key === state.eventKind) ? state.eventKind : 'all';
      const button = (key, label, n) =>
        `<button type="button" data-kind="${V.esc(key)}" aria-pressed="${key === chosen}">${V.esc(label)} (${V.int(n)})</button>`;
      box.innerHTML = ev.all.length
        ? button('all', S('events_all'), ev.all.length) + ev.kinds.map(k => button(k.key, k.label(S), k.idx.length)).join('')
        : '';
    }

    function drawEvents() {
      const ol = $('events');
      drawKinds();
      if (!state.d) { ol.innerHTML = ''; return; }
      const d = state.d, names = DOC.names;
      const all = shownKind();
      const shown = all.slice(0, EVENT_LIST_MAX);
      ol.innerHTML = shown.map(i => {
        const labels = V.eventLabels(i) || S('sent_again_key');
        const kind = d.again[i] >= 0 ? ` (${S('mech_' + names.mechanisms[d.again[i]])})` : '';
        return `<li data-i="${i}"${i === state.selected ? ' class="sel"' : ''}>#${d.frame[i]} ${V.secs(d.t[i])}: ${V.esc(labels)}${V.esc(kind)}</li>`;
      }).join('') || `<li>${V.esc(S('events_none'))}</li>`;
      if (all.length > shown.length) {
        ol.insertAdjacentHTML('beforeend', `<li>${V.esc(fill(S('events_more'), all.length - shown.length, shown.length))}</li>`);
      }
    }

    function wireEvents() {
      $('event-kinds').addEventListener('click', e => {
        const b = e.target.closest('button[data-kind]');
        if (!b) return;
        state.eventKind = b.dataset.kind;
        drawEvents();
      });
      $('events').addEventListener('click', e => {
        const li = e.target.closest('li[data-i]');
        if (li) V.select(+li.dataset.i, true);
      });
    }

    // For the test hook: the kind shown and each kind's count.
    function eventKinds() {
      if (!state.d) return null;
      const ev = events();
      return { shown: state.eventKind, all: ev.all.length, kinds: Object.fromEntries(ev.kinds.map(k => [k.key, k.idx.length])) };
    }

    return { drawEvents, wireEvents, eventKinds };
  };
})(typeof self !== 'undefined' ? self : this);
