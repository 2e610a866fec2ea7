//! The human report of `tcplab analyze`: per connection, endpoints, the
//! handshake and teardown with absolute numbers, event counts, RTT and
//! traffic each way.

use super::numbers;
use std::fmt::{self, Write as _};
use std::io::{self, Write};
use tcplab_analysis::flow::Direction;
use tcplab_analysis::{
    Analysis, CaptureStats, ConnectionSummary, DirectionSummary, FinalState, Mechanism,
    SampleStats, SegmentBrief, SentAgain, RESERVED_FLAG_NAMES,
};
use tcplab_wire::dissect::TcpOptions;

pub fn write(out: &mut impl Write, a: &Analysis) -> io::Result<()> {
    write_capture(out, &a.capture, a.connections.len())?;
    for c in &a.connections {
        writeln!(out)?;
        write_connection(out, c)?;
    }
    Ok(())
}

/// The capture's header: file, format, counts, skipped packets, damage.
pub fn write_capture(out: &mut impl Write, c: &CaptureStats, connections: usize) -> io::Result<()> {
    let format = match c.format {
        Some(f) => format!("{f:?}").to_lowercase(),
        None => "?".into(),
    };
    writeln!(
        out,
        "capture {} ({format}; {})",
        c.file,
        c.link_types.join(", ")
    )?;
    let skipped = if c.skipped.is_empty() {
        String::new()
    } else {
        let parts: Vec<String> = c.skipped.iter().map(|(k, v)| format!("{v} {k}")).collect();
        format!(
            ", {} {} ({})",
            c.skipped_total(),
            noun(c.skipped_total(), "not a TCP segment", "not TCP segments"),
            parts.join(", ")
        )
    };
    writeln!(
        out,
        "  {} {}, {} TCP {} in {} {}{skipped}",
        c.records,
        noun(c.records, "record", "records"),
        c.tcp_segments,
        noun(c.tcp_segments, "segment", "segments"),
        connections,
        noun(connections as u64, "connection", "connections")
    )?;
    if c.reassembled_fragments > 0 {
        writeln!(
            out,
            "  {} IP {} reassembled: each datagram is analysed at the frame that completed it",
            c.reassembled_fragments,
            noun(c.reassembled_fragments, "fragment", "fragments"),
        )?;
    }
    if c.truncated_payload > 0 {
        writeln!(
            out,
            "  {} {} payload bytes missing (snap length); lengths come from the IP headers",
            c.truncated_payload,
            noun(c.truncated_payload, "segment has", "segments have")
        )?;
    }
    if let Some(f) = &c.filter {
        writeln!(
            out,
            "  read filter {:?}: {} of the {} {} did not match and {} not analysed (frame numbers are the file's)",
            f.expression,
            f.not_matching,
            c.records,
            noun(c.records, "record", "records"),
            if f.not_matching == 1 { "was" } else { "were" }
        )?;
    }
    if let Some(d) = &c.damage {
        writeln!(out, "  WARNING: {d}")?;
    }
    Ok(())
}

/// One connection: endpoints, state, handshake, teardown, events, RTT, traffic.
/// Built in memory, then written at once.
pub fn write_connection(out: &mut impl Write, c: &ConnectionSummary) -> io::Result<()> {
    let mut s = String::with_capacity(4096);
    Connection::new(&mut s, c)
        .write()
        .map_err(|_| io::Error::other("formatting a connection"))?;
    out.write_all(s.as_bytes())
}

/// A connection being written, with its two `from -> to (role)` texts
/// made once (they appear on several lines).
struct Connection<'a> {
    s: &'a mut String,
    c: &'a ConnectionSummary,
    arrows: [String; 2],
}

impl<'a> Connection<'a> {
    fn new(s: &'a mut String, c: &'a ConnectionSummary) -> Connection<'a> {
        let arrow = |d: Direction| {
            let (from, to) = match d {
                Direction::AtoB => (c.a, c.b),
                Direction::BtoA => (c.b, c.a),
            };
            let role = match c.client {
                Some(cl) if cl == d => " (client)",
                Some(_) => " (server)",
                None => "",
            };
            let mut s = String::with_capacity(64);
            from.push_to(&mut s);
            s.push_str(" -> ");
            to.push_to(&mut s);
            s.push_str(role);
            s
        };
        Connection {
            s,
            c,
            arrows: [arrow(Direction::AtoB), arrow(Direction::BtoA)],
        }
    }

    fn write(&mut self) -> fmt::Result {
        let c = self.c;
        let state = match c.final_state {
            FinalState::Closed => "closed (both FINs acknowledged)",
            FinalState::Reset => "reset (RST)",
            FinalState::Closing => "closing (FIN not completed in the capture)",
            FinalState::Open => "still open at the end of the capture",
        };
        let client = c.client.unwrap_or(Direction::AtoB);
        self.s.push_str("== stream ");
        numbers::int(self.s, c.stream);
        self.s.push_str(": ");
        self.s.push_str(&self.arrows[client.index()]);
        self.s.push_str("\n  state: ");
        self.s.push_str(state);
        self.s.push('\n');
        if let Some(tunnel) = &c.tunnel {
            self.s.push_str("  tunnel: ");
            self.s.push_str(tunnel);
            if c.other_tunnels {
                self.s
                    .push_str(" (the first packet's; other packets came another way)");
            }
            self.s.push('\n');
        }
        if c.started_before_capture {
            self.s.push_str("  the handshake is not in the capture: the connection started before it (relative numbers count from the first segment seen; scaled windows unknown)\n");
        }
        if c.reused_ports {
            self.s
                .push_str("  this 4-tuple was used by an earlier connection (port reuse)\n");
        }
        self.s.push_str("  frames ");
        numbers::int(self.s, c.first_frame);
        self.s.push('-');
        numbers::int(self.s, c.last_frame);
        self.s.push_str(", ");
        numbers::int(self.s, c.packets);
        self.s.push(' ');
        self.s.push_str(noun(c.packets, "packet", "packets"));
        self.s.push_str(", ");
        numbers::fixed(self.s, c.duration, 6);
        self.s.push_str(" s\n");
        self.handshake()?;
        self.teardown()?;
        self.events()?;
        self.rtt()?;
        self.traffic()
    }

    fn header(&mut self) {
        self.s.push_str(HEADER);
    }

    fn row(&mut self, b: &SegmentBrief) -> fmt::Result {
        let c = self.c;
        let dir = match (c.client, b.from) {
            (Some(cl), d) if cl == d => "C>S",
            (Some(_), _) => "S>C",
            (None, Direction::AtoB) => "A>B",
            (None, Direction::BtoA) => "B>A",
        };
        let s = &mut *self.s;
        s.push_str("    ");
        numbers::int_right(s, b.frame, 7);
        s.push_str("  ");
        numbers::fixed_right(s, b.time - c.start, 6, 10);
        s.push_str("  ");
        numbers::str_left(s, dir, 3);
        s.push_str("  ");
        // Reserved bits (`SEC+AE`) may widen the flags: the seq column gives
        // way so that its right edge stays in place.
        let flags = b.flags.describe();
        numbers::str_left(s, &flags, 5);
        s.push_str("  ");
        numbers::int_right(
            s,
            b.seq.raw(),
            10usize.saturating_sub(flags.len().saturating_sub(5)),
        );
        s.push_str("  ");
        numbers::int_right(s, b.ack.raw(), 10);
        s.push_str("  ");
        numbers::int_right(s, b.len, 6);
        s.push_str("  ");
        numbers::int_right(s, b.window, 6);
        s.push_str("  ");
        options(s, &b.options);
        s.push('\n');
        Ok(())
    }

    fn handshake(&mut self) -> fmt::Result {
        let h = &self.c.handshake;
        self.s.push_str("  handshake (absolute numbers):\n");
        if h.syn.is_none() && h.syn_ack.is_none() {
            self.s.push_str("    not captured\n");
            return Ok(());
        }
        self.header();
        for b in [h.syn, h.syn_ack, h.ack].iter().flatten() {
            self.row(b)?;
        }
        if h.syn_retransmissions > 0 {
            writeln!(
                self.s,
                "    the SYN was sent {} more {}",
                h.syn_retransmissions,
                noun(u64::from(h.syn_retransmissions), "time", "times")
            )?;
        }
        if let Some(rtt) = h.initial_rtt {
            let s = &mut *self.s;
            s.push_str("    initial RTT ");
            numbers::fixed(s, rtt, 6);
            s.push_str(" s (SYN to SYN/ACK ");
            optional_secs(s, h.syn_to_syn_ack);
            s.push_str(" s, SYN/ACK to ACK ");
            optional_secs(s, h.syn_ack_to_ack);
            s.push_str(" s)\n");
        }
        Ok(())
    }

    fn teardown(&mut self) -> fmt::Result {
        let t = &self.c.teardown;
        self.s.push_str("  teardown (absolute numbers):\n");
        if t.fins.is_empty() && t.resets.is_empty() {
            self.s.push_str("    no FIN or RST captured\n");
            return Ok(());
        }
        self.header();
        let mut rows: Vec<&SegmentBrief> = Vec::new();
        for f in &t.fins {
            rows.push(&f.fin);
            if let Some(a) = &f.acked_by {
                rows.push(a);
            }
        }
        rows.extend(t.resets.iter());
        rows.sort_by_key(|b| b.frame);
        rows.dedup_by_key(|b| b.frame);
        for b in rows {
            self.row(b)?;
        }
        for f in &t.fins {
            let s = &mut *self.s;
            s.push_str("    FIN of ");
            s.push_str(&self.arrows[f.fin.from.index()]);
            s.push_str(" (frame ");
            numbers::int(s, f.fin.frame);
            match &f.acked_by {
                Some(a) => {
                    s.push_str(") acknowledged by frame ");
                    numbers::int(s, a.frame);
                    s.push('\n');
                }
                None => s.push_str(") not acknowledged in the capture\n"),
            }
        }
        if t.simultaneous_close {
            self.s.push_str(
                "    simultaneous close: both sides sent FIN before seeing the other's\n",
            );
        }
        if t.half_close {
            self.s
                .push_str("    half-close: data kept flowing after one side's FIN\n");
        }
        Ok(())
    }

    fn events(&mut self) -> fmt::Result {
        let c = self.c;
        if c.events.is_empty() {
            self.s.push_str("  analysis events: none\n");
            return Ok(());
        }
        self.s.push_str("  analysis events:\n");
        for e in &c.events {
            let shown: Vec<String> = e.frames.iter().take(10).map(u64::to_string).collect();
            let more = if e.count as usize > shown.len() {
                ", ..."
            } else {
                ""
            };
            writeln!(
                self.s,
                "    {:<24} {:>6}  frames {}{more}",
                e.event.name(),
                e.count,
                shown.join(", ")
            )?;
        }
        Ok(())
    }

    /// `    from -> to (role)`.
    fn arrow_line(&mut self, d: Direction) {
        self.s.push_str("    ");
        self.s.push_str(&self.arrows[d.index()]);
        self.s.push('\n');
    }

    fn rtt_line(&mut self, label: &str, s: &Option<SampleStats>) {
        let out = &mut *self.s;
        out.push_str("      ");
        out.push_str(label);
        let Some(s) = s else {
            out.push_str("no samples\n");
            return;
        };
        for (name, x) in [("min ", s.min), ("  avg ", s.avg), ("  max ", s.max)] {
            out.push_str(name);
            numbers::fixed(out, x, 6);
        }
        out.push_str("  stdev ");
        numbers::fixed(out, s.stdev, 6);
        out.push_str(" s  (");
        numbers::int(out, s.samples);
        out.push(' ');
        out.push_str(noun(s.samples, "sample", "samples"));
        out.push_str(")\n");
    }

    fn rtt(&mut self) -> fmt::Result {
        self.s.push_str("  RTT of each side's data:\n");
        for d in [Direction::AtoB, Direction::BtoA] {
            let s = self.c.direction(d);
            if s.ack_rtt.is_none() && s.ts_rtt.is_none() {
                continue;
            }
            self.arrow_line(d);
            self.rtt_line("from ACKs:       ", &s.ack_rtt);
            if s.timestamps {
                self.rtt_line("from timestamps: ", &s.ts_rtt);
            }
        }
        Ok(())
    }

    fn traffic(&mut self) -> fmt::Result {
        self.s.push_str("  traffic:\n");
        for d in [Direction::AtoB, Direction::BtoA] {
            let s: &DirectionSummary = self.c.direction(d);
            self.arrow_line(d);
            let out = &mut *self.s;
            out.push_str("      ");
            numbers::int(out, s.packets);
            out.push(' ');
            out.push_str(noun(s.packets, "packet", "packets"));
            out.push_str(", ");
            numbers::int(out, s.bytes);
            out.push_str(" bytes (IP), ");
            numbers::int(out, s.payload_bytes);
            out.push_str(" payload bytes, ");
            numbers::int(out, s.unique_bytes);
            out.push_str(" unique, ");
            numbers::int(out, s.retransmitted_bytes);
            out.push_str(" sent again\n");
            sent_again(out, &s.sent_again);
            out.push_str("      throughput ");
            rate(out, s.throughput_bps);
            out.push_str(", goodput ");
            rate(out, s.goodput_bps);
            out.push_str("\n      ISN ");
            match s.isn {
                Some(i) => numbers::int(out, i.raw()),
                None => out.push_str("not seen"),
            }
            out.push_str(", MSS ");
            match s.mss {
                Some(m) => numbers::int(out, m),
                None => out.push('-'),
            }
            out.push_str(", window scaling ");
            out.push_str(&s.window_scaling);
            out.push_str(", SACK ");
            out.push_str(if s.sack_permitted { "yes" } else { "no" });
            out.push_str(", timestamps ");
            out.push_str(if s.timestamps { "yes" } else { "no" });
            out.push_str(", window ");
            match (s.min_window, s.max_window) {
                (Some(lo), Some(hi)) => {
                    numbers::int(out, lo);
                    out.push_str("..");
                    numbers::int(out, hi);
                    out.push_str(" bytes");
                }
                _ => out.push_str("unknown (no handshake)"),
            }
            out.push('\n');
            if s.truncated_payload_segments > 0 {
                writeln!(
                    out,
                    "      {} segments with payload cut by the snap length",
                    s.truncated_payload_segments
                )?;
            }
            reserved_flags_line(out, &s.reserved_flag_segments)?;
        }
        Ok(())
    }
}

/// The columns of the handshake and teardown tables (the test checks that
/// it lines up with `row`'s widths).
const HEADER: &str =
    "      frame    time (s)  dir  flags         seq         ack     len     win  options\n";

/// Seconds to 6 decimals, or `?`.
fn optional_secs(s: &mut String, x: Option<f64>) {
    match x {
        Some(v) => numbers::fixed(s, v, 6),
        None => s.push('?'),
    }
}

/// `MSS=1460 WS=7 SACK_PERM TSval=.. TSecr=..`.
fn options(s: &mut String, o: &TcpOptions) {
    let mut sep = "";
    if let Some(m) = o.mss {
        s.push_str("MSS=");
        numbers::int(s, m);
        sep = " ";
    }
    if let Some(w) = o.window_scale {
        s.push_str(sep);
        s.push_str("WS=");
        numbers::int(s, w);
        sep = " ";
    }
    if o.sack_permitted {
        s.push_str(sep);
        s.push_str("SACK_PERM");
        sep = " ";
    }
    if let Some((val, ecr)) = o.timestamps {
        s.push_str(sep);
        s.push_str("TSval=");
        numbers::int(s, val);
        s.push_str(" TSecr=");
        numbers::int(s, ecr);
    }
}

/// A bit rate with an SI prefix.
fn rate(s: &mut String, bps: f64) {
    for (scale, unit) in [(1e9, " Gbit/s"), (1e6, " Mbit/s"), (1e3, " kbit/s")] {
        if bps >= scale {
            numbers::fixed(s, bps / scale, 2);
            s.push_str(unit);
            return;
        }
    }
    numbers::fixed(s, bps, 0);
    s.push_str(" bit/s");
}

/// "reserved flag bits: AE on 2 segments, 0x800 on 1 segment", when
/// any of them was set (Wireshark 4.0: `tcp.flags.ns`, `tcp.flags.res`).
fn reserved_flags_line(out: &mut String, counts: &[u64; 4]) -> fmt::Result {
    if counts.iter().all(|&n| n == 0) {
        return Ok(());
    }
    out.push_str("      reserved flag bits:");
    let set = RESERVED_FLAG_NAMES
        .iter()
        .zip(counts)
        .filter(|(_, &n)| n > 0);
    for (i, (name, &n)) in set.enumerate() {
        let sep = if i == 0 { " " } else { ", " };
        write!(out, "{sep}{name} on {n} {}", noun(n, "segment", "segments"))?;
    }
    out.push('\n');
    Ok(())
}

/// `      sent again: 6 data segments (5 fast recovery, 1 timeout)`, when
/// anything was (`tcplab_analysis::SentAgain`).
fn sent_again(out: &mut String, c: &SentAgain) {
    if c.total() == 0 {
        return;
    }
    out.push_str("      sent again: ");
    numbers::int(out, c.segments);
    out.push_str(noun(c.segments, " data segment", " data segments"));
    if c.control_segments > 0 {
        out.push_str(" and ");
        numbers::int(out, c.control_segments);
        out.push_str(" SYN/FIN");
    }
    let mut sep = " (";
    for m in Mechanism::ALL.into_iter().filter(|m| c.by(*m) > 0) {
        out.push_str(sep);
        numbers::int(out, c.by(m));
        out.push(' ');
        out.push_str(&m.name().replace('_', " "));
        sep = ", ";
    }
    out.push_str(")\n");
}

/// The noun for a count: "1 sample", "2 samples", "0 samples".
fn noun(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_header_has_the_row_widths() {
        let want = format!(
            "    {:>7}  {:>10}  {:<3}  {:<5}  {:>10}  {:>10}  {:>6}  {:>6}  options\n",
            "frame", "time (s)", "dir", "flags", "seq", "ack", "len", "win"
        );
        assert_eq!(HEADER, want);
    }
}
