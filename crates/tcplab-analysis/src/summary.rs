//! What `tcplab analyze` reports for each connection: the serializable
//! summary types (JSON schema in docs/analyze-json.md). Built once, at the
//! end, from the compact state in `connection/mod.rs`.

use super::events::Event;
use super::sent_again::SentAgain;
use super::stats::SampleStats;
use crate::flow::{Direction, Endpoint};
use serde::Serialize;
use tcplab_wire::capture::Timestamp;
use tcplab_wire::dissect::{Flags, TcpOptions};
use tcplab_wire::Seq;

/// A segment as shown in the handshake and teardown tables.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct SegmentBrief {
    pub frame: u64,
    pub time: f64,
    #[serde(skip)]
    pub ts: Timestamp,
    pub from: Direction,
    /// Serialised as its letters (`SA`).
    pub flags: Flags,
    /// The reserved bits of `flags` by name (`AE`, `AE+0x800`; empty when none).
    pub reserved_flags: &'static str,
    pub seq: Seq,
    pub ack: Seq,
    pub rel_seq: Option<u32>,
    pub rel_ack: Option<u32>,
    pub len: u32,
    pub window: u16,
    pub options: TcpOptions,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Handshake {
    pub syn: Option<SegmentBrief>,
    pub syn_ack: Option<SegmentBrief>,
    pub ack: Option<SegmentBrief>,
    /// SYN sent again (same ISN) before the handshake completed.
    pub syn_retransmissions: u32,
    /// SYN to first pure ACK, as Wireshark's `tcp.analysis.initial_rtt` (seconds).
    pub initial_rtt: Option<f64>,
    /// SYN to SYN/ACK and SYN/ACK to ACK (seconds).
    pub syn_to_syn_ack: Option<f64>,
    pub syn_ack_to_ack: Option<f64>,
}

/// A FIN and the segment that acknowledged it.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct FinExchange {
    pub fin: SegmentBrief,
    pub acked_by: Option<SegmentBrief>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Teardown {
    /// In the order the FINs were first seen.
    pub fins: Vec<FinExchange>,
    pub resets: Vec<SegmentBrief>,
    /// One side closed (FIN) and the other kept sending data afterwards.
    pub half_close: bool,
    /// Both FINs were sent before either was acknowledged.
    pub simultaneous_close: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FinalState {
    /// Both FINs sent and acknowledged.
    Closed,
    Reset,
    /// FIN(s) seen, but not all sent and acknowledged.
    Closing,
    /// No FIN or RST in the capture.
    Open,
}

/// What one direction sent.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DirectionSummary {
    pub from: Option<Endpoint>,
    pub to: Option<Endpoint>,
    pub packets: u64,
    /// IP bytes (headers included).
    pub bytes: u64,
    pub payload_bytes: u64,
    /// Sequence space carried by data, each byte once (retransmissions excluded).
    pub unique_bytes: u64,
    /// Bytes sent again (`sent_again.bytes`).
    pub retransmitted_bytes: u64,
    /// Segments sent again and why (`crate::sent_again`).
    pub sent_again: SentAgain,
    pub data_segments: u64,
    pub isn: Option<Seq>,
    pub mss: Option<u16>,
    pub window_scale: Option<u8>,
    pub sack_permitted: bool,
    pub timestamps: bool,
    /// How windows from this side are scaled: "unknown" when the handshake was not seen.
    pub window_scaling: String,
    pub max_window: Option<u32>,
    pub min_window: Option<u32>,
    /// Segments whose payload was cut by the snap length.
    pub truncated_payload_segments: u64,
    /// Segments with each reserved TCP flag bit set, in the order of
    /// `RESERVED_FLAG_NAMES` (AE, 0x200, 0x400, 0x800).
    pub reserved_flag_segments: [u64; 4],
    /// RTT of this side's data, from the ACKs the other side sent (seconds).
    pub ack_rtt: Option<SampleStats>,
    /// RTT of this side's data from the TCP timestamps option (seconds).
    pub ts_rtt: Option<SampleStats>,
    /// bit/s over the connection's duration.
    pub throughput_bps: f64,
    pub goodput_bps: f64,
}

/// The names of the reserved flag bits, lowest first (`Flags::AE` and
/// the three above it), as `reserved_flag_segments` counts them.
pub const RESERVED_FLAG_NAMES: [&str; 4] = ["AE", "0x200", "0x400", "0x800"];

#[derive(Clone, Debug, Serialize)]
pub struct EventSummary {
    pub event: Event,
    pub count: u64,
    /// The first frames flagged (at most 1000).
    pub frames: Vec<u64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ConnectionSummary {
    pub stream: u32,
    /// The endpoint that sent the first captured packet, and the other one.
    pub a: Endpoint,
    pub b: Endpoint,
    /// Direction of the SYN sender, when the handshake was seen.
    pub client: Option<Direction>,
    pub started_before_capture: bool,
    pub reused_ports: bool,
    pub first_frame: u64,
    pub last_frame: u64,
    pub start: f64,
    pub end: f64,
    /// `start` and `end` to the nanosecond (the floats above are not).
    #[serde(skip)]
    pub start_ts: Timestamp,
    #[serde(skip)]
    pub end_ts: Timestamp,
    pub duration: f64,
    pub packets: u64,
    /// Packets of this 4-tuple whose TCP header is damaged (not analysed).
    pub malformed_packets: u64,
    pub handshake: Handshake,
    pub teardown: Teardown,
    pub final_state: FinalState,
    /// `a_to_b`, `b_to_a`.
    pub a_to_b: DirectionSummary,
    pub b_to_a: DirectionSummary,
    pub events: Vec<EventSummary>,
    /// The tunnel path of the connection's first packet
    /// (`VXLAN vni 5001 over 192.0.2.1 → 192.0.2.2`); absent on a plain link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tunnel: Option<String>,
    /// Later packets came through other tunnels (tunnels merged, as
    /// Wireshark does: `--tunnels separate` tells them apart).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub other_tunnels: bool,
}

impl ConnectionSummary {
    pub fn count(&self, e: Event) -> u64 {
        self.events
            .iter()
            .find(|s| s.event == e)
            .map_or(0, |s| s.count)
    }

    pub fn direction(&self, d: Direction) -> &DirectionSummary {
        match d {
            Direction::AtoB => &self.a_to_b,
            Direction::BtoA => &self.b_to_a,
        }
    }
}
