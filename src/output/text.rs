//! The human report of `tcplab analyze`: per connection, endpoints, the
//! handshake and teardown with absolute numbers, event counts, RTT and
//! traffic each way.

use crate::analysis::{
    Analysis, CaptureStats, ConnectionSummary, DirectionSummary, FinalState, SegmentBrief, Summary,
};
use crate::dissect::TcpOptions;
use crate::flow::Direction;
use std::io::{self, Write};

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
            ", {} not TCP segments ({})",
            c.skipped_total(),
            parts.join(", ")
        )
    };
    writeln!(
        out,
        "  {} records, {} TCP segments in {} connection(s){skipped}",
        c.records, c.tcp_segments, connections
    )?;
    if c.truncated_payload > 0 {
        writeln!(out, "  {} segments have payload bytes missing (snap length); lengths come from the IP headers", c.truncated_payload)?;
    }
    if let Some(d) = &c.damage {
        writeln!(out, "  WARNING: {d}")?;
    }
    Ok(())
}

/// `from -> to (role)`, written without allocating.
struct Arrow<'a>(&'a ConnectionSummary, Direction);

impl std::fmt::Display for Arrow<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Arrow(c, d) = *self;
        let (from, to) = match d {
            Direction::AtoB => (c.a, c.b),
            Direction::BtoA => (c.b, c.a),
        };
        write!(f, "{from} -> {to}")?;
        match c.client {
            Some(cl) if cl == d => write!(f, " (client)"),
            Some(_) => write!(f, " (server)"),
            None => Ok(()),
        }
    }
}

fn arrow(c: &ConnectionSummary, d: Direction) -> Arrow<'_> {
    Arrow(c, d)
}

/// One connection: endpoints, state, handshake, teardown, events, RTT, traffic.
pub fn write_connection(out: &mut impl Write, c: &ConnectionSummary) -> io::Result<()> {
    let state = match c.final_state {
        FinalState::Closed => "closed (both FINs acknowledged)",
        FinalState::Reset => "reset (RST)",
        FinalState::Closing => "closing (FIN not completed in the capture)",
        FinalState::Open => "still open at the end of the capture",
    };
    let client = c.client.unwrap_or(Direction::AtoB);
    writeln!(out, "== stream {}: {}", c.stream, arrow(c, client))?;
    writeln!(out, "  state: {state}")?;
    if c.started_before_capture {
        writeln!(out, "  the handshake is not in the capture: the connection started before it (relative numbers count from the first segment seen; scaled windows unknown)")?;
    }
    if c.reused_ports {
        writeln!(
            out,
            "  this 4-tuple was used by an earlier connection (port reuse)"
        )?;
    }
    writeln!(
        out,
        "  frames {}-{}, {} packets, {:.6} s",
        c.first_frame, c.last_frame, c.packets, c.duration
    )?;
    write_handshake(out, c)?;
    write_teardown(out, c)?;
    write_events(out, c)?;
    write_rtt(out, c)?;
    write_traffic(out, c)
}

fn header(out: &mut impl Write) -> io::Result<()> {
    writeln!(
        out,
        "    {:>7}  {:>10}  {:<3}  {:<5}  {:>10}  {:>10}  {:>6}  {:>6}  options",
        "frame", "time (s)", "dir", "flags", "seq", "ack", "len", "win"
    )
}

fn row(out: &mut impl Write, c: &ConnectionSummary, s: &SegmentBrief) -> io::Result<()> {
    let dir = match (c.client, s.from) {
        (Some(cl), d) if cl == d => "C>S",
        (Some(_), _) => "S>C",
        (None, Direction::AtoB) => "A>B",
        (None, Direction::BtoA) => "B>A",
    };
    writeln!(
        out,
        "    {:>7}  {:>10.6}  {:<3}  {:<5}  {:>10}  {:>10}  {:>6}  {:>6}  {}",
        s.frame,
        s.time - c.start,
        dir,
        s.flags.as_str(),
        s.seq,
        s.ack,
        s.len,
        s.window,
        options(&s.options)
    )
}

/// `MSS=1460 WS=7 SACK_PERM TSval=.. TSecr=..`, written without allocating.
struct Options<'a>(&'a TcpOptions);

impl std::fmt::Display for Options<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let o = self.0;
        let mut sep = "";
        if let Some(m) = o.mss {
            write!(f, "MSS={m}")?;
            sep = " ";
        }
        if let Some(w) = o.window_scale {
            write!(f, "{sep}WS={w}")?;
            sep = " ";
        }
        if o.sack_permitted {
            write!(f, "{sep}SACK_PERM")?;
            sep = " ";
        }
        if let Some((val, ecr)) = o.timestamps {
            write!(f, "{sep}TSval={val} TSecr={ecr}")?;
        }
        Ok(())
    }
}

fn options(o: &TcpOptions) -> Options<'_> {
    Options(o)
}

fn write_handshake(out: &mut impl Write, c: &ConnectionSummary) -> io::Result<()> {
    let h = &c.handshake;
    writeln!(out, "  handshake (absolute numbers):")?;
    if h.syn.is_none() && h.syn_ack.is_none() {
        return writeln!(out, "    not captured");
    }
    header(out)?;
    for s in [h.syn, h.syn_ack, h.ack].iter().flatten() {
        row(out, c, s)?;
    }
    if h.syn_retransmissions > 0 {
        writeln!(
            out,
            "    the SYN was sent {} more time(s)",
            h.syn_retransmissions
        )?;
    }
    if let Some(rtt) = h.initial_rtt {
        let part = |x: Option<f64>| x.map_or("?".to_string(), |v| format!("{v:.6}"));
        writeln!(
            out,
            "    initial RTT {rtt:.6} s (SYN to SYN/ACK {} s, SYN/ACK to ACK {} s)",
            part(h.syn_to_syn_ack),
            part(h.syn_ack_to_ack)
        )?;
    }
    Ok(())
}

fn write_teardown(out: &mut impl Write, c: &ConnectionSummary) -> io::Result<()> {
    let t = &c.teardown;
    writeln!(out, "  teardown (absolute numbers):")?;
    if t.fins.is_empty() && t.resets.is_empty() {
        return writeln!(out, "    no FIN or RST captured");
    }
    header(out)?;
    let mut rows: Vec<&SegmentBrief> = Vec::new();
    for f in &t.fins {
        rows.push(&f.fin);
        if let Some(a) = &f.acked_by {
            rows.push(a);
        }
    }
    rows.extend(t.resets.iter());
    rows.sort_by_key(|s| s.frame);
    rows.dedup_by_key(|s| s.frame);
    for s in rows {
        row(out, c, s)?;
    }
    for f in &t.fins {
        let who = arrow(c, f.fin.from);
        match &f.acked_by {
            Some(a) => writeln!(
                out,
                "    FIN of {who} (frame {}) acknowledged by frame {}",
                f.fin.frame, a.frame
            )?,
            None => writeln!(
                out,
                "    FIN of {who} (frame {}) not acknowledged in the capture",
                f.fin.frame
            )?,
        }
    }
    if t.simultaneous_close {
        writeln!(
            out,
            "    simultaneous close: both sides sent FIN before seeing the other's"
        )?;
    }
    if t.half_close {
        writeln!(
            out,
            "    half-close: data kept flowing after one side's FIN"
        )?;
    }
    Ok(())
}

fn write_events(out: &mut impl Write, c: &ConnectionSummary) -> io::Result<()> {
    if c.events.is_empty() {
        return writeln!(out, "  analysis events: none");
    }
    writeln!(out, "  analysis events:")?;
    for e in &c.events {
        let shown: Vec<String> = e.frames.iter().take(10).map(u64::to_string).collect();
        let more = if e.count as usize > shown.len() {
            ", ..."
        } else {
            ""
        };
        writeln!(
            out,
            "    {:<24} {:>6}  frames {}{more}",
            e.event.name(),
            e.count,
            shown.join(", ")
        )?;
    }
    Ok(())
}

fn write_rtt_line(out: &mut impl Write, label: &str, s: &Option<Summary>) -> io::Result<()> {
    match s {
        Some(s) => writeln!(
            out,
            "      {label}min {:.6}  avg {:.6}  max {:.6}  stdev {:.6} s  ({} samples)",
            s.min, s.avg, s.max, s.stdev, s.samples
        ),
        None => writeln!(out, "      {label}no samples"),
    }
}

fn write_rtt(out: &mut impl Write, c: &ConnectionSummary) -> io::Result<()> {
    writeln!(out, "  RTT of each side's data:")?;
    for d in [Direction::AtoB, Direction::BtoA] {
        let s = c.direction(d);
        if s.ack_rtt.is_none() && s.ts_rtt.is_none() {
            continue;
        }
        writeln!(out, "    {}", arrow(c, d))?;
        write_rtt_line(out, "from ACKs:       ", &s.ack_rtt)?;
        if s.timestamps {
            write_rtt_line(out, "from timestamps: ", &s.ts_rtt)?;
        }
    }
    Ok(())
}

/// A bit rate with an SI prefix, written without allocating.
struct Si(f64);

impl std::fmt::Display for Si {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let bps = self.0;
        for (scale, unit) in [(1e9, "Gbit/s"), (1e6, "Mbit/s"), (1e3, "kbit/s")] {
            if bps >= scale {
                return write!(f, "{:.2} {unit}", bps / scale);
            }
        }
        write!(f, "{bps:.0} bit/s")
    }
}

fn si(bps: f64) -> Si {
    Si(bps)
}

fn write_traffic(out: &mut impl Write, c: &ConnectionSummary) -> io::Result<()> {
    writeln!(out, "  traffic:")?;
    for d in [Direction::AtoB, Direction::BtoA] {
        let s: &DirectionSummary = c.direction(d);
        writeln!(out, "    {}", arrow(c, d))?;
        writeln!(
            out,
            "      {} packets, {} bytes (IP), {} payload bytes, {} unique, {} retransmitted",
            s.packets, s.bytes, s.payload_bytes, s.unique_bytes, s.retransmitted_bytes
        )?;
        writeln!(
            out,
            "      throughput {}, goodput {}",
            si(s.throughput_bps),
            si(s.goodput_bps)
        )?;
        let isn = s.isn.map_or("not seen".to_string(), |i| i.to_string());
        let mss = s.mss.map_or("-".to_string(), |m| m.to_string());
        let win = match (s.min_window, s.max_window) {
            (Some(lo), Some(hi)) => format!("{lo}..{hi} bytes"),
            _ => "unknown (no handshake)".into(),
        };
        writeln!(
            out,
            "      ISN {isn}, MSS {mss}, window scaling {}, SACK {}, timestamps {}, window {win}",
            s.window_scaling,
            if s.sack_permitted { "yes" } else { "no" },
            if s.timestamps { "yes" } else { "no" }
        )?;
        if s.truncated_payload_segments > 0 {
            writeln!(
                out,
                "      {} segments with payload cut by the snap length",
                s.truncated_payload_segments
            )?;
        }
    }
    Ok(())
}
