//! What a capture held besides TCP segments (by reason), and what was
//! wrong with it (damage, invalid times): counted so that nothing is lost
//! silently.

use serde::Serialize;
use std::collections::BTreeMap;
use tcplab_wire::capture::Format;

/// What the capture held besides TCP segments, counted so nothing is lost silently.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CaptureStats {
    pub file: String,
    pub format: Option<Format>,
    pub link_types: Vec<String>,
    pub records: u64,
    pub tcp_segments: u64,
    /// Packets that are not TCP segments, by reason (IP fragments whose
    /// datagram could not be reassembled among them, with the reason).
    pub skipped: BTreeMap<String, u64>,
    /// IP fragments whose datagram was reassembled: each datagram is
    /// analysed at the frame that completed it (as Wireshark shows it),
    /// and its other fragments are counted here.
    #[serde(skip_serializing_if = "is_zero")]
    pub reassembled_fragments: u64,
    /// TCP segments whose payload was cut by the snap length.
    pub truncated_payload: u64,
    pub first_time: Option<f64>,
    pub last_time: Option<f64>,
    /// Set when the file is damaged: what happened and where. Records before
    /// the damage were analysed.
    pub damage: Option<String>,
    /// Records whose sub-second time field is out of range (pcap: µs ≥
    /// 1,000,000 or ns ≥ 10⁹): their times are wrong, and no RTT that
    /// spans one is reported.
    #[serde(skip_serializing_if = "InvalidTimes::is_empty")]
    pub invalid_times: InvalidTimes,
    /// The read filter (`-f`) and how many records it left out; they keep
    /// their frame numbers, so frames stay those of the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<FilterStats>,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct FilterStats {
    /// The BPF expression, as given.
    pub expression: String,
    /// Records it did not match (counted in `records`, not analysed).
    pub not_matching: u64,
}

/// The records with an out-of-range sub-second field: how many, and the
/// first few frame numbers.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct InvalidTimes {
    pub count: u64,
    /// The first `InvalidTimes::FRAMES_KEPT` of them.
    pub frames: Vec<u64>,
}

impl InvalidTimes {
    pub const FRAMES_KEPT: usize = 10;

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub(crate) fn add(&mut self, frame: u64) {
        self.count += 1;
        if self.frames.len() < Self::FRAMES_KEPT {
            self.frames.push(frame);
        }
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl CaptureStats {
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }
}
