//! `tcplab capture`: packets from any interface into pcapng files, as
//! tcpdump `-w` would save them, with the interface's name, the filter and
//! libpcap's drop counters written into each file; optionally a new file
//! every so many bytes or seconds (tcpdump's `-C` and `-G`).
//!
//! In: [`CaptureOptions`] and a cancel flag. Out: the files and the
//! counters ([`CaptureOutcome`]); once a second a [`Progress`] for the
//! caller to show. Not done here: privileges, signals and printing (the
//! command line's).

mod files;

pub use files::Rotation;

use files::FileSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tcplab_wire::capture::live::{KernelCounters, LiveError, LiveSource, SNAPLEN};
use tcplab_wire::capture::{LinkType, Record, Timestamp};
use thiserror::Error;

#[derive(Clone, Debug)]
pub struct CaptureOptions {
    pub device: String,
    /// BPF, as tcpdump takes it ("" captures everything).
    pub filter: String,
    pub snaplen: u32,
    /// The file to write, or with rotation the name the numbered files
    /// are made from (`cap.pcapng` → `cap-0001.pcapng`, `cap-0002.pcapng` …).
    pub out: PathBuf,
    /// Stop after this many packets.
    pub count: Option<u64>,
    /// Stop after this long.
    pub duration: Option<Duration>,
    pub rotation: Option<Rotation>,
}

impl Default for CaptureOptions {
    fn default() -> Self {
        CaptureOptions {
            device: "any".into(),
            filter: String::new(),
            snaplen: SNAPLEN,
            out: PathBuf::from("capture.pcapng"),
            count: None,
            duration: None,
            rotation: None,
        }
    }
}

#[derive(Debug, Error)]
pub enum CaptureError {
    #[error(transparent)]
    Live(#[from] LiveError),
    #[error("{}: {source}", path.display())]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// How a capture is going, given about once a second.
#[derive(Clone, Copy, Debug, Default)]
pub struct Progress {
    pub packets: u64,
    /// Bytes written to all files so far.
    pub bytes: u64,
    pub files: usize,
    pub elapsed: Duration,
    pub kernel: KernelCounters,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopped {
    /// `count` packets were saved.
    Count,
    /// `duration` passed.
    Duration,
    /// The cancel flag was set (a signal).
    Cancelled,
}

#[derive(Debug)]
pub struct CaptureOutcome {
    pub files: Vec<PathBuf>,
    pub packets: u64,
    pub kernel: KernelCounters,
    pub stopped: Stopped,
}

/// A capture under way: the interface is open (packets are being
/// captured from now on) and the first file exists.
pub struct Capture {
    source: LiveSource,
    files: FileSet,
    opts: CaptureOptions,
}

impl Capture {
    pub fn start(opts: &CaptureOptions) -> Result<Capture, CaptureError> {
        let source = LiveSource::open(&opts.device, &opts.filter, opts.snaplen, true)?;
        let files = FileSet::new(opts, source.link(), source.snaplen())?;
        Ok(Capture {
            source,
            files,
            opts: opts.clone(),
        })
    }

    pub fn link(&self) -> LinkType {
        self.source.link()
    }

    pub fn snaplen(&self) -> u32 {
        self.source.snaplen()
    }

    /// Captures until `count`, `duration` or `cancel` says stop; each
    /// packet, once saved, also goes to `on_packet` (the live view's
    /// analyzer), numbered from 1 as in the file.
    pub fn run(
        mut self,
        cancel: &AtomicBool,
        mut progress: impl FnMut(&Progress),
        mut on_packet: impl FnMut(&Record<'_>),
    ) -> Result<CaptureOutcome, CaptureError> {
        let link = self.source.link();
        let (source, files, opts) = (&mut self.source, &mut self.files, &self.opts);
        let started = Instant::now();
        let deadline = opts.duration.map(|d| started + d);
        let mut packets = 0u64;
        let mut next_report = started + Duration::from_secs(1);
        let stopped = loop {
            if cancel.load(Ordering::Relaxed) {
                break Stopped::Cancelled;
            }
            if opts.count.is_some_and(|n| packets >= n) {
                break Stopped::Count;
            }
            let now = Instant::now();
            if deadline.is_some_and(|d| now >= d) {
                break Stopped::Duration;
            }
            if files.due(now) {
                let counters = source.counters();
                files.close(counters)?;
            }
            if now >= next_report {
                next_report = now + Duration::from_secs(1);
                progress(&Progress {
                    packets,
                    bytes: files.bytes(),
                    files: files.count(),
                    elapsed: now - started,
                    kernel: source.counters().unwrap_or_default(),
                });
            }
            if let Some(packet) = source.next_packet()? {
                files.packet(packet.ts, packet.orig_len, packet.data)?;
                packets += 1;
                on_packet(&packet.record(packets, link));
            }
        };
        let kernel = self.source.counters().unwrap_or_default();
        let files = self.files.finish(Some(kernel))?;
        Ok(CaptureOutcome {
            files,
            packets,
            kernel,
            stopped,
        })
    }
}

fn now_timestamp() -> Timestamp {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp::from_secs_nanos(since.as_secs() as i64, i64::from(since.subsec_nanos()))
}
