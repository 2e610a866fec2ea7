//! Live capture through libpcap (the `pcap` crate), saved to a pcap file as
//! it runs, with the kernel's drop counters at the end.
//!
//! In: an interface name, a BPF filter, an output path, and a predicate that
//! says when enough has been captured. Out: the pcap file and `LiveStats`.
//! Not done here: deciding what "enough" is (the caller watches the
//! connections with an `Analyzer`).

use super::{LinkType, Record, Timestamp};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use thiserror::Error;

/// Big enough that a burst on loopback never overflows the kernel buffer.
const BUFFER_BYTES: i32 = 64 * 1024 * 1024;
/// Enough for the largest loopback segment (64 KB with TSO/GSO). In
/// immediate mode libpcap gives every packet a ring slot of the snap
/// length, so a smaller one (an MTU's worth, see `start_with_snaplen`)
/// fits many more packets of a burst into the same buffer.
pub const SNAPLEN: u32 = 262_144;
/// How often a quiet capture checks its deadline and cancel flag.
const POLL_MS: i32 = 50;

#[derive(Debug, Error)]
pub enum LiveError {
    #[error("cannot capture on {device}: {source}{hint}")]
    Open {
        device: String,
        source: pcap::Error,
        hint: &'static str,
    },
    #[error("the capture filter {filter:?} was refused: {source}")]
    Filter { filter: String, source: pcap::Error },
    #[error("cannot write the capture to {}: {source}", path.display())]
    Save { path: PathBuf, source: pcap::Error },
    #[error("capture on {device} failed: {source}")]
    Read { device: String, source: pcap::Error },
}

#[derive(Clone, Copy, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct LiveStats {
    pub packets_saved: u64,
    /// Packets the kernel received for this capture.
    pub kernel_received: u32,
    /// Packets dropped because the capture buffer was full (must be 0).
    pub kernel_dropped: u32,
    /// Packets dropped by the interface or driver.
    pub interface_dropped: u32,
    /// The predicate said "done" (false: the deadline or a cancel stopped it).
    pub complete: bool,
}

pub struct LiveCapture {
    device: String,
    handle: pcap::Capture<pcap::Active>,
    save: pcap::Savefile,
    link: LinkType,
}

impl LiveCapture {
    /// Opens `device` in immediate mode with a large buffer, applies `filter`
    /// and starts saving to `out`. Packets are captured from the moment this returns.
    pub fn start(device: &str, filter: &str, out: &Path) -> Result<LiveCapture, LiveError> {
        LiveCapture::start_with_snaplen(device, filter, out, SNAPLEN)
    }

    /// [`LiveCapture::start`] keeping at most `snaplen` bytes of each packet
    /// (for a device whose MTU is known, its MTU plus a margin).
    pub fn start_with_snaplen(
        device: &str,
        filter: &str,
        out: &Path,
        snaplen: u32,
    ) -> Result<LiveCapture, LiveError> {
        let open_err = |source: pcap::Error| {
            let hint = if matches!(source, pcap::Error::PcapError(ref m) if m.contains("ermission"))
            {
                " (capturing needs root, or CAP_NET_RAW and CAP_NET_ADMIN)"
            } else {
                ""
            };
            LiveError::Open {
                device: device.to_string(),
                source,
                hint,
            }
        };
        let mut handle = pcap::Capture::from_device(device)
            .map_err(open_err)?
            .promisc(false)
            .snaplen(snaplen.min(SNAPLEN) as i32)
            .immediate_mode(true)
            .buffer_size(BUFFER_BYTES)
            .timeout(POLL_MS)
            .open()
            .map_err(open_err)?;
        handle
            .filter(filter, true)
            .map_err(|source| LiveError::Filter {
                filter: filter.to_string(),
                source,
            })?;
        let save = handle.savefile(out).map_err(|source| LiveError::Save {
            path: out.to_path_buf(),
            source,
        })?;
        let link = LinkType::from_number(handle.get_datalink().0 as u32);
        Ok(LiveCapture {
            device: device.to_string(),
            handle,
            save,
            link,
        })
    }

    /// Captures until `done` says so after a packet, `deadline` passes or
    /// `cancel` is set; flushes the file and returns the counters.
    pub fn run(
        mut self,
        mut done: impl FnMut(&Record<'_>) -> bool,
        deadline: Instant,
        cancel: &AtomicBool,
    ) -> Result<LiveStats, LiveError> {
        let mut stats = LiveStats::default();
        while Instant::now() < deadline && !cancel.load(Ordering::Relaxed) {
            let packet = match self.handle.next_packet() {
                Ok(p) => p,
                Err(pcap::Error::TimeoutExpired) => continue,
                Err(source) => {
                    return Err(LiveError::Read {
                        device: self.device,
                        source,
                    })
                }
            };
            self.save.write(&packet);
            stats.packets_saved += 1;
            let h = packet.header;
            let record = Record {
                frame: stats.packets_saved,
                offset: 0,
                ts: Timestamp::from_secs_nanos(h.ts.tv_sec, i64::from(h.ts.tv_usec as i32) * 1000),
                link: self.link,
                orig_len: h.len,
                data: packet.data,
                ts_valid: true,
            };
            if done(&record) {
                stats.complete = true;
                break;
            }
        }
        self.save.flush().map_err(|source| LiveError::Read {
            device: self.device.clone(),
            source,
        })?;
        if let Ok(s) = self.handle.stats() {
            stats.kernel_received = s.received;
            stats.kernel_dropped = s.dropped;
            stats.interface_dropped = s.if_dropped;
        }
        Ok(stats)
    }
}

/// How long after the transfer a capture waits for the teardown segments.
pub const TEARDOWN_GRACE: Duration = Duration::from_secs(5);
