//! One `ConnectionSummary` as JSON, written by hand: exactly the bytes
//! `serde_json::to_writer` writes for it (the tests compare the two on
//! every capture in tests/data), several times faster. serde_json escapes
//! every key and string byte by byte; here keys are constants and the
//! strings (addresses, flags, names) never need escaping. Floats still go
//! through serde_json, so that they are printed by the same algorithm.
//!
//! A field added to a summary type must be added here too: the tests fail
//! until it is.

use std::io::{self, Write};
use std::net::IpAddr;
use tcplab_analysis::flow::{Direction, Endpoint};
use tcplab_analysis::{
    ConnectionSummary, DirectionSummary, EventSummary, FinExchange, Mechanism, SampleStats,
    SegmentBrief, SentAgain,
};

struct Json<'a> {
    out: &'a mut Vec<u8>,
    int: itoa::Buffer,
}

impl Json<'_> {
    /// Literal JSON text: punctuation and keys.
    fn raw(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
    }

    fn int(&mut self, n: impl itoa::Integer) {
        let s = self.int.format(n);
        self.out.extend_from_slice(s.as_bytes());
    }

    fn opt_int(&mut self, n: Option<impl itoa::Integer>) {
        match n {
            Some(n) => self.int(n),
            None => self.raw("null"),
        }
    }

    fn float(&mut self, x: f64) -> io::Result<()> {
        serde_json::to_writer(&mut *self.out, &x).map_err(io::Error::other)
    }

    fn opt_float(&mut self, x: Option<f64>) -> io::Result<()> {
        match x {
            Some(x) => self.float(x),
            None => self.null(),
        }
    }

    fn null(&mut self) -> io::Result<()> {
        self.raw("null");
        Ok(())
    }

    fn bool(&mut self, b: bool) {
        self.raw(if b { "true" } else { "false" });
    }

    /// A string; escaped by serde_json in the unlikely case it needs it.
    fn str(&mut self, s: &str) -> io::Result<()> {
        if s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
            return serde_json::to_writer(&mut *self.out, s).map_err(io::Error::other);
        }
        self.out.push(b'"');
        self.raw(s);
        self.out.push(b'"');
        Ok(())
    }

    fn direction(&mut self, d: Direction) {
        self.raw(match d {
            Direction::AtoB => "\"a_to_b\"",
            Direction::BtoA => "\"b_to_a\"",
        });
    }

    fn endpoint(&mut self, e: &Endpoint) -> io::Result<()> {
        self.raw("{\"addr\":\"");
        match e.addr {
            IpAddr::V4(a) => {
                for (i, octet) in a.octets().into_iter().enumerate() {
                    if i > 0 {
                        self.raw(".");
                    }
                    self.int(octet);
                }
            }
            IpAddr::V6(a) => write!(self.out, "{a}")?,
        }
        self.raw("\",\"port\":");
        self.int(e.port);
        self.raw("}");
        Ok(())
    }

    fn opt_endpoint(&mut self, e: &Option<Endpoint>) -> io::Result<()> {
        match e {
            Some(e) => self.endpoint(e),
            None => self.null(),
        }
    }

    fn connection(&mut self, c: &ConnectionSummary) -> io::Result<()> {
        self.raw("{\"stream\":");
        self.int(c.stream);
        self.raw(",\"a\":");
        self.endpoint(&c.a)?;
        self.raw(",\"b\":");
        self.endpoint(&c.b)?;
        self.raw(",\"client\":");
        match c.client {
            Some(d) => self.direction(d),
            None => self.raw("null"),
        }
        self.raw(",\"started_before_capture\":");
        self.bool(c.started_before_capture);
        self.raw(",\"reused_ports\":");
        self.bool(c.reused_ports);
        self.raw(",\"first_frame\":");
        self.int(c.first_frame);
        self.raw(",\"last_frame\":");
        self.int(c.last_frame);
        self.raw(",\"start\":");
        self.float(c.start)?;
        self.raw(",\"end\":");
        self.float(c.end)?;
        self.raw(",\"duration\":");
        self.float(c.duration)?;
        self.raw(",\"packets\":");
        self.int(c.packets);
        self.raw(",\"malformed_packets\":");
        self.int(c.malformed_packets);
        let h = &c.handshake;
        self.raw(",\"handshake\":{\"syn\":");
        self.opt_brief(&h.syn)?;
        self.raw(",\"syn_ack\":");
        self.opt_brief(&h.syn_ack)?;
        self.raw(",\"ack\":");
        self.opt_brief(&h.ack)?;
        self.raw(",\"syn_retransmissions\":");
        self.int(h.syn_retransmissions);
        self.raw(",\"initial_rtt\":");
        self.opt_float(h.initial_rtt)?;
        self.raw(",\"syn_to_syn_ack\":");
        self.opt_float(h.syn_to_syn_ack)?;
        self.raw(",\"syn_ack_to_ack\":");
        self.opt_float(h.syn_ack_to_ack)?;
        let t = &c.teardown;
        self.raw("},\"teardown\":{\"fins\":[");
        for (i, f) in t.fins.iter().enumerate() {
            self.comma(i);
            self.fin(f)?;
        }
        self.raw("],\"resets\":[");
        for (i, b) in t.resets.iter().enumerate() {
            self.comma(i);
            self.brief(b)?;
        }
        self.raw("],\"half_close\":");
        self.bool(t.half_close);
        self.raw(",\"simultaneous_close\":");
        self.bool(t.simultaneous_close);
        self.raw("},\"final_state\":");
        serde_json::to_writer(&mut *self.out, &c.final_state).map_err(io::Error::other)?;
        self.raw(",\"a_to_b\":");
        self.side(&c.a_to_b)?;
        self.raw(",\"b_to_a\":");
        self.side(&c.b_to_a)?;
        self.raw(",\"events\":[");
        for (i, e) in c.events.iter().enumerate() {
            self.comma(i);
            self.event(e)?;
        }
        self.raw("]");
        if let Some(tunnel) = &c.tunnel {
            self.raw(",\"tunnel\":");
            self.str(tunnel)?;
        }
        if c.other_tunnels {
            self.raw(",\"other_tunnels\":true");
        }
        self.raw("}");
        Ok(())
    }

    /// `,` before every item but the first.
    fn comma(&mut self, i: usize) {
        if i > 0 {
            self.raw(",");
        }
    }

    fn fin(&mut self, f: &FinExchange) -> io::Result<()> {
        self.raw("{\"fin\":");
        self.brief(&f.fin)?;
        self.raw(",\"acked_by\":");
        self.opt_brief(&f.acked_by)?;
        self.raw("}");
        Ok(())
    }

    fn opt_brief(&mut self, b: &Option<SegmentBrief>) -> io::Result<()> {
        match b {
            Some(b) => self.brief(b),
            None => self.null(),
        }
    }

    fn brief(&mut self, b: &SegmentBrief) -> io::Result<()> {
        self.raw("{\"frame\":");
        self.int(b.frame);
        self.raw(",\"time\":");
        self.float(b.time)?;
        self.raw(",\"from\":");
        self.direction(b.from);
        self.raw(",\"flags\":");
        self.str(b.flags.letters())?;
        self.raw(",\"reserved_flags\":");
        self.str(b.reserved_flags)?;
        self.raw(",\"seq\":");
        self.int(b.seq.raw());
        self.raw(",\"ack\":");
        self.int(b.ack.raw());
        self.raw(",\"rel_seq\":");
        self.opt_int(b.rel_seq);
        self.raw(",\"rel_ack\":");
        self.opt_int(b.rel_ack);
        self.raw(",\"len\":");
        self.int(b.len);
        self.raw(",\"window\":");
        self.int(b.window);
        let o = &b.options;
        self.raw(",\"options\":{\"mss\":");
        self.opt_int(o.mss);
        self.raw(",\"window_scale\":");
        self.opt_int(o.window_scale);
        self.raw(",\"sack_permitted\":");
        self.bool(o.sack_permitted);
        self.raw(",\"timestamps\":");
        match o.timestamps {
            Some((val, ecr)) => {
                self.raw("[");
                self.int(val);
                self.raw(",");
                self.int(ecr);
                self.raw("]");
            }
            None => self.raw("null"),
        }
        self.raw(",\"malformed\":");
        self.bool(o.malformed);
        self.raw("}}");
        Ok(())
    }

    fn side(&mut self, d: &DirectionSummary) -> io::Result<()> {
        self.raw("{\"from\":");
        self.opt_endpoint(&d.from)?;
        self.raw(",\"to\":");
        self.opt_endpoint(&d.to)?;
        self.raw(",\"packets\":");
        self.int(d.packets);
        self.raw(",\"bytes\":");
        self.int(d.bytes);
        self.raw(",\"payload_bytes\":");
        self.int(d.payload_bytes);
        self.raw(",\"unique_bytes\":");
        self.int(d.unique_bytes);
        self.raw(",\"retransmitted_bytes\":");
        self.int(d.retransmitted_bytes);
        self.sent_again(&d.sent_again);
        self.raw(",\"data_segments\":");
        self.int(d.data_segments);
        self.raw(",\"isn\":");
        self.opt_int(d.isn.map(|s| s.raw()));
        self.raw(",\"mss\":");
        self.opt_int(d.mss);
        self.raw(",\"window_scale\":");
        self.opt_int(d.window_scale);
        self.raw(",\"sack_permitted\":");
        self.bool(d.sack_permitted);
        self.raw(",\"timestamps\":");
        self.bool(d.timestamps);
        self.raw(",\"window_scaling\":");
        self.str(&d.window_scaling)?;
        self.raw(",\"max_window\":");
        self.opt_int(d.max_window);
        self.raw(",\"min_window\":");
        self.opt_int(d.min_window);
        self.raw(",\"truncated_payload_segments\":");
        self.int(d.truncated_payload_segments);
        self.raw(",\"reserved_flag_segments\":[");
        for (i, n) in d.reserved_flag_segments.into_iter().enumerate() {
            if i > 0 {
                self.raw(",");
            }
            self.int(n);
        }
        self.raw("]");
        self.raw(",\"ack_rtt\":");
        self.stats(&d.ack_rtt)?;
        self.raw(",\"ts_rtt\":");
        self.stats(&d.ts_rtt)?;
        self.raw(",\"throughput_bps\":");
        self.float(d.throughput_bps)?;
        self.raw(",\"goodput_bps\":");
        self.float(d.goodput_bps)?;
        self.raw("}");
        Ok(())
    }

    /// `"sent_again":{"segments":…,"bytes":…,…}` (`tcplab_analysis::SentAgain`).
    fn sent_again(&mut self, c: &SentAgain) {
        self.raw(",\"sent_again\":{\"segments\":");
        self.int(c.segments);
        self.raw(",\"bytes\":");
        self.int(c.bytes);
        self.raw(",\"control_segments\":");
        self.int(c.control_segments);
        for m in Mechanism::ALL {
            self.raw(",\"");
            self.raw(m.name());
            self.raw("\":");
            self.int(c.by(m));
        }
        self.raw("}");
    }

    fn stats(&mut self, s: &Option<SampleStats>) -> io::Result<()> {
        let Some(s) = s else {
            self.raw("null");
            return Ok(());
        };
        self.raw("{\"samples\":");
        self.int(s.samples);
        for (key, x) in [
            (",\"min\":", s.min),
            (",\"avg\":", s.avg),
            (",\"max\":", s.max),
            (",\"stdev\":", s.stdev),
        ] {
            self.raw(key);
            self.float(x)?;
        }
        self.raw("}");
        Ok(())
    }

    fn event(&mut self, e: &EventSummary) -> io::Result<()> {
        self.raw("{\"event\":");
        self.str(e.event.name())?;
        self.raw(",\"count\":");
        self.int(e.count);
        self.raw(",\"frames\":[");
        for (i, f) in e.frames.iter().enumerate() {
            self.comma(i);
            self.int(*f);
        }
        self.raw("]}");
        Ok(())
    }
}

/// Appends `c` as compact JSON to `out`.
pub fn write(out: &mut Vec<u8>, c: &ConnectionSummary) -> io::Result<()> {
    Json {
        out,
        int: itoa::Buffer::new(),
    }
    .connection(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use tcplab_analysis::{analyze_file, FinalState};

    fn same_as_serde(c: &ConnectionSummary) {
        let mut fast = Vec::new();
        write(&mut fast, c).expect("written");
        let slow = serde_json::to_vec(c).expect("serialized");
        assert_eq!(
            String::from_utf8_lossy(&fast),
            String::from_utf8_lossy(&slow)
        );
    }

    #[test]
    fn every_test_capture_gives_serde_json_bytes() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).expect("tests/data") {
            let path = entry.expect("entry").path();
            if let Ok((a, _)) = analyze_file(&path, |_| {}) {
                a.connections.iter().for_each(same_as_serde);
                seen += a.connections.len();
            }
        }
        assert!(seen > 30, "{seen} connections");
    }

    #[test]
    fn odd_values_give_serde_json_bytes() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/retrans-synth.pcap");
        let (a, _) = analyze_file(&dir, |_| {}).expect("analysed");
        let mut c = a.connections[0].clone();
        c.a.addr = "2001:db8::10".parse().expect("address");
        c.client = None;
        c.final_state = FinalState::Closing;
        c.duration = f64::NAN;
        c.start = 1e-300;
        c.end = 1.5e300;
        c.a_to_b.window_scaling = "odd \"quoted\"\n".into();
        c.a_to_b.from = None;
        c.a_to_b.ack_rtt = None;
        c.handshake.syn = None;
        c.handshake.initial_rtt = None;
        same_as_serde(&c);
    }
}
