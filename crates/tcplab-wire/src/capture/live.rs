//! Live capture through libpcap (the `pcap` crate), saved to a pcap file as
//! it runs, with the kernel's drop counters at the end.
//!
//! In: an interface name, a BPF filter, an output path, and a predicate that
//! says when enough has been captured. Out: the pcap file and `LiveStats`.
//! Not done here: deciding what "enough" is (the caller watches the
//! connections with an `Analyzer`).

use super::{LinkType, Record, Timestamp};
use std::os::fd::AsRawFd;
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
    #[error("the capture filter {filter:?} was refused: {source} (it is tcpdump's language: man 7 pcap-filter)")]
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

/// An open libpcap handle in immediate mode with a large buffer and a
/// filter: the one way tcplab opens an interface.
pub struct LiveSource {
    device: String,
    handle: pcap::Capture<pcap::Active>,
    link: LinkType,
    snaplen: u32,
    nanoseconds: bool,
    /// The last read found nothing: wait on the descriptor before the next.
    idle: bool,
}

/// One packet as libpcap gave it.
pub struct LivePacket<'a> {
    pub ts: Timestamp,
    pub orig_len: u32,
    pub data: &'a [u8],
}

impl LivePacket<'_> {
    /// The packet as a record of the capture: `frame` numbers it from 1.
    pub fn record(&self, frame: u64, link: LinkType) -> Record<'_> {
        Record {
            frame,
            offset: 0,
            ts: self.ts,
            link,
            orig_len: self.orig_len,
            data: self.data,
            ts_valid: true,
        }
    }
}

/// libpcap's counters so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KernelCounters {
    /// Packets that passed the filter.
    pub received: u32,
    /// Dropped because the capture buffer was full.
    pub dropped: u32,
    /// Dropped by the interface or its driver.
    pub if_dropped: u32,
}

impl LiveSource {
    /// Opens `device` keeping at most `snaplen` bytes of each packet, with
    /// microsecond time stamps (what a classic pcap file holds) or
    /// nanosecond ones. Packets are captured from the moment this returns.
    pub fn open(
        device: &str,
        filter: &str,
        snaplen: u32,
        nanoseconds: bool,
    ) -> Result<LiveSource, LiveError> {
        let open_err = |source: pcap::Error| {
            let hint = match source {
                pcap::Error::PcapError(ref m) if m.contains("ermission") => {
                    " (capturing needs root, or CAP_NET_RAW and CAP_NET_ADMIN)"
                }
                pcap::Error::PcapError(ref m) if m.contains("No such device") => {
                    " (`ip link` lists the interfaces; `any` captures on all of them)"
                }
                _ => "",
            };
            LiveError::Open {
                device: device.to_string(),
                source,
                hint,
            }
        };
        let snaplen = snaplen.clamp(1, SNAPLEN);
        let precision = if nanoseconds {
            pcap::Precision::Nano
        } else {
            pcap::Precision::Micro
        };
        let mut handle = pcap::Capture::from_device(device)
            .map_err(open_err)?
            .promisc(false)
            .snaplen(snaplen as i32)
            .immediate_mode(true)
            .buffer_size(BUFFER_BYTES)
            .timeout(POLL_MS)
            .precision(precision)
            .open()
            .map_err(open_err)?
            // Reads never block: `next_packet` waits on the descriptor
            // itself, so a quiet interface still returns every 50 ms (with
            // Linux's packet ring, libpcap's own timeout may never fire).
            .setnonblock()
            .map_err(open_err)?;
        handle
            .filter(filter, true)
            .map_err(|source| LiveError::Filter {
                filter: filter.to_string(),
                source,
            })?;
        let link = LinkType::from_number(handle.get_datalink().0 as u32);
        Ok(LiveSource {
            device: device.to_string(),
            handle,
            link,
            snaplen,
            nanoseconds,
            idle: false,
        })
    }

    pub fn link(&self) -> LinkType {
        self.link
    }

    pub fn snaplen(&self) -> u32 {
        self.snaplen
    }

    /// The next packet, or `None` when none came within the poll interval
    /// (50 ms), so the caller can check its clock and its cancel flag.
    pub fn next_packet(&mut self) -> Result<Option<LivePacket<'_>>, LiveError> {
        if self.idle {
            self.idle = false;
            wait_readable(self.handle.as_raw_fd(), POLL_MS);
        }
        match self.handle.next_packet() {
            Ok(packet) => {
                let h = packet.header;
                let fraction = i64::from(h.ts.tv_usec as i32);
                let nanos = if self.nanoseconds {
                    fraction
                } else {
                    fraction * 1000
                };
                Ok(Some(LivePacket {
                    ts: Timestamp::from_secs_nanos(h.ts.tv_sec, nanos),
                    orig_len: h.len,
                    data: packet.data,
                }))
            }
            Err(pcap::Error::TimeoutExpired) => {
                self.idle = true;
                Ok(None)
            }
            Err(source) => Err(LiveError::Read {
                device: self.device.clone(),
                source,
            }),
        }
    }

    pub fn counters(&mut self) -> Option<KernelCounters> {
        self.handle.stats().ok().map(|s| KernelCounters {
            received: s.received,
            dropped: s.dropped,
            if_dropped: s.if_dropped,
        })
    }
}

/// A live capture saved to a classic pcap file by libpcap (run-and-capture).
pub struct LiveCapture {
    source: LiveSource,
    save: pcap::Savefile,
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
        let source = LiveSource::open(device, filter, snaplen, false)?;
        let save = source
            .handle
            .savefile(out)
            .map_err(|source| LiveError::Save {
                path: out.to_path_buf(),
                source,
            })?;
        Ok(LiveCapture { source, save })
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
            let link = self.source.link;
            let Some(packet) = self.source.next_packet()? else {
                continue;
            };
            let header = pcap::PacketHeader {
                ts: libc_timeval(packet.ts),
                caplen: packet.data.len() as u32,
                len: packet.orig_len,
            };
            self.save.write(&pcap::Packet::new(&header, packet.data));
            stats.packets_saved += 1;
            if done(&packet.record(stats.packets_saved, link)) {
                stats.complete = true;
                break;
            }
        }
        self.save.flush().map_err(|source| LiveError::Read {
            device: self.source.device.clone(),
            source,
        })?;
        if let Some(c) = self.source.counters() {
            stats.kernel_received = c.received;
            stats.kernel_dropped = c.dropped;
            stats.interface_dropped = c.if_dropped;
        }
        Ok(stats)
    }
}

/// Waits at most `ms` milliseconds for `fd` to have something to read (an
/// interrupted or failed wait just returns: the caller reads and retries).
fn wait_readable(fd: std::os::fd::RawFd, ms: i32) {
    let mut poll = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd for the duration of the call; `fd` is the
    // capture's own descriptor, open while `self.handle` lives.
    unsafe {
        libc::poll(&mut poll, 1, ms);
    }
}

/// A time stamp as libpcap's header holds it in microsecond mode.
fn libc_timeval(ts: Timestamp) -> libc::timeval {
    libc::timeval {
        tv_sec: ts.0.div_euclid(1_000_000_000) as libc::time_t,
        tv_usec: (ts.0.rem_euclid(1_000_000_000) / 1000) as libc::suseconds_t,
    }
}

/// How long after the transfer a capture waits for the teardown segments.
pub const TEARDOWN_GRACE: Duration = Duration::from_secs(5);
