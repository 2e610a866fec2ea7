//! One packet through the dissector: the first byte picks the link type,
//! the rest is the captured data. The record claims the data is all there
//! was on the wire, or (odd selector bytes) that the wire packet was longer,
//! so that both snap-length paths run.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tcplab_wire::capture::{LinkType, Record, Timestamp};
use tcplab_wire::dissect::dissect;

const LINKS: [LinkType; 19] = [
    LinkType::Ethernet,
    LinkType::Ppp,
    LinkType::PppHdlc,
    LinkType::CiscoHdlc,
    LinkType::Ieee80211,
    LinkType::Radiotap,
    LinkType::ArcnetBsd,
    LinkType::ArcnetLinux,
    LinkType::JuniperEther,
    LinkType::Ipoib,
    LinkType::LinuxSll,
    LinkType::LinuxSll2,
    LinkType::Null,
    LinkType::Loop,
    LinkType::Raw,
    LinkType::Ipv4,
    LinkType::Ipv6,
    LinkType::Other(147),
    LinkType::Other(u32::MAX),
];

fuzz_target!(|input: &[u8]| {
    let Some((&selector, data)) = input.split_first() else {
        return;
    };
    let link = LINKS[usize::from(selector >> 1) % LINKS.len()];
    let captured = data.len() as u32;
    let orig_len = if selector & 1 == 0 {
        captured
    } else {
        captured.saturating_add(u32::from(selector))
    };
    let record = Record {
        frame: 1,
        offset: 24,
        ts: Timestamp(1_700_000_000_000_000_000),
        link,
        orig_len,
        data,
        ts_valid: true,
    };
    if let Ok(segment) = dissect(&record) {
        // What the analysis derives from every segment must not panic either.
        let _ = (
            segment.next_seq(),
            segment.payload_missing(),
            segment.flags.to_string(),
        );
        let _ = segment.options.effective_window_scale();
        assert!(segment.captured_len <= segment.len);
    }
});
