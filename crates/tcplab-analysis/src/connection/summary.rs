//! A connection's summary, built once at the end from its state (`mod.rs`):
//! the handshake and teardown segments as printed, each direction's
//! counters, rates and RTT statistics, the events with their frames. In:
//! a `Connection`; out: a `ConnectionSummary`. Not here: anything done per
//! packet.

use super::{Brief, Connection};
use crate::events::Event;
use crate::flow::Endpoint;
use crate::sequence::WinScale;
use crate::summary::{
    ConnectionSummary, DirectionSummary, EventSummary, FinExchange, FinalState, Handshake,
    SegmentBrief, Teardown,
};
use tcplab_wire::dissect::TcpOptions;

impl Connection {
    fn brief(&self, b: &Brief) -> SegmentBrief {
        let (f, r) = (b.from.index(), b.from.reverse().index());
        SegmentBrief {
            frame: b.frame,
            time: b.ts.as_secs_f64(),
            ts: b.ts,
            from: b.from,
            flags: b.flags,
            reserved_flags: b.flags.reserved_names(),
            seq: b.seq,
            ack: b.ack,
            rel_seq: self.base[f].map(|base| b.seq - base),
            rel_ack: if b.flags.ack() {
                self.base[r].map(|base| b.ack - base)
            } else {
                None
            },
            len: b.len,
            window: b.window,
            options: TcpOptions {
                mss: b.mss,
                window_scale: b.window_scale,
                sack_permitted: b.sack_permitted,
                timestamps: b.timestamps,
                ..TcpOptions::default()
            },
        }
    }

    fn direction(&self, i: usize, from: Endpoint, to: Endpoint, duration: f64) -> DirectionSummary {
        let d = &self.dirs[i];
        let unique_bytes = match (d.data_start, d.data_end) {
            (Some(a), Some(b)) => u64::from(b - a),
            _ => 0,
        };
        let rate = |bytes: u64| {
            if duration > 0.0 {
                bytes as f64 * 8.0 / duration
            } else {
                0.0
            }
        };
        DirectionSummary {
            from: Some(from),
            to: Some(to),
            packets: d.packets,
            bytes: d.bytes,
            payload_bytes: d.payload_bytes,
            unique_bytes,
            retransmitted_bytes: self.sent_again[i].counts().bytes,
            sent_again: self.sent_again[i].counts(),
            data_segments: d.data_segments,
            isn: d.isn,
            mss: d.mss,
            window_scale: d.window_scale,
            sack_permitted: d.sack_permitted,
            timestamps: d.timestamps,
            window_scaling: match self.flows[i].win_scale {
                WinScale::Unknown => "unknown".into(),
                WinScale::None => "none".into(),
                WinScale::Shift(n) => format!("x{}", 1u32 << n),
            },
            max_window: d.max_window(),
            min_window: d.min_window(),
            truncated_payload_segments: d.truncated,
            reserved_flag_segments: d.reserved_flags,
            ack_rtt: d.ack_rtt.summary(),
            ts_rtt: d.ts_rtt.summary(),
            throughput_bps: rate(d.bytes),
            goodput_bps: rate(unique_bytes),
        }
    }

    pub fn summary(&self) -> ConnectionSummary {
        let duration = self.last.1.secs_since(self.first.1);
        let hs = &self.handshake;
        let secs = |a: Option<Brief>, b: Option<Brief>| match (a, b) {
            (Some(a), Some(b)) => Some(b.ts.secs_since(a.ts)),
            _ => None,
        };
        let handshake = Handshake {
            syn: hs.syn.map(|b| self.brief(&b)),
            syn_ack: hs.syn_ack.map(|b| self.brief(&b)),
            ack: hs.ack.map(|b| self.brief(&b)),
            syn_retransmissions: hs.syn_retransmissions,
            initial_rtt: secs(hs.syn, hs.ack),
            syn_to_syn_ack: secs(hs.syn, hs.syn_ack),
            syn_ack_to_ack: secs(hs.syn_ack, hs.ack),
        };
        let td = &self.teardown;
        let teardown = Teardown {
            fins: td
                .fins()
                .map(|(fin, acked)| FinExchange {
                    fin: self.brief(fin),
                    acked_by: acked.map(|a| self.brief(&a)),
                })
                .collect(),
            resets: td.resets.iter().map(|b| self.brief(b)).collect(),
            half_close: td.half_close,
            simultaneous_close: td.simultaneous_close,
        };
        let final_state = if !td.resets.is_empty() {
            FinalState::Reset
        } else if self.is_finished() {
            FinalState::Closed
        } else if td.fins[0].is_none() {
            FinalState::Open
        } else {
            FinalState::Closing
        };
        ConnectionSummary {
            stream: self.stream,
            a: self.a,
            b: self.b,
            client: self.client,
            started_before_capture: hs.syn.is_none(),
            reused_ports: self.reused_ports,
            first_frame: self.first.0,
            last_frame: self.last.0,
            start: self.first.1.as_secs_f64(),
            end: self.last.1.as_secs_f64(),
            start_ts: self.first.1,
            end_ts: self.last.1,
            duration,
            packets: self.packets,
            malformed_packets: self.malformed,
            handshake,
            teardown,
            final_state,
            a_to_b: self.direction(0, self.a, self.b, duration),
            b_to_a: self.direction(1, self.b, self.a, duration),
            events: Event::ALL
                .iter()
                .filter(|e| self.event_counts[**e as usize] > 0)
                .map(|e| EventSummary {
                    event: *e,
                    count: u64::from(self.event_counts[*e as usize]),
                    frames: self
                        .event_frames
                        .iter()
                        .filter(|(k, _)| k == e)
                        .map(|(_, f)| *f)
                        .collect(),
                })
                .collect(),
            // Known to the analyser, not to the connection: `Finished` sets it.
            tunnel: None,
            other_tunnels: false,
        }
    }
}
