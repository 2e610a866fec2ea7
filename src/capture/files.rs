//! The files a capture writes: one, or a numbered series when rotating.
//! Each is made new (never an existing file, never through a link), starts
//! with the interface's description and ends with its own share of
//! libpcap's counters. A series never has an empty file: after a file is
//! closed, the next one is opened by the next packet.

use super::{now_timestamp, CaptureError, CaptureOptions};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tcplab_wire::capture::live::KernelCounters;
use tcplab_wire::capture::pcapng_writer::{Interface, InterfaceCounters, PcapngWriter};
use tcplab_wire::capture::{LinkType, Timestamp};

/// When a series starts its next file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rotation {
    /// Once the file holds at least this many bytes (tcpdump's `-C`).
    Size(u64),
    /// Once the file is this old (tcpdump's `-G`).
    Time(Duration),
}

struct Open {
    writer: PcapngWriter<BufWriter<File>>,
    path: PathBuf,
    opened: Instant,
    start: Timestamp,
    packets: u64,
    /// libpcap's counters when this file began.
    base: KernelCounters,
}

pub(super) struct FileSet {
    out: PathBuf,
    device: String,
    filter: String,
    link: LinkType,
    snaplen: u32,
    rotation: Option<Rotation>,
    current: Option<Open>,
    done: Vec<PathBuf>,
    bytes_closed: u64,
    last_counters: KernelCounters,
}

impl FileSet {
    /// Opens the first file at once, so that even a capture that sees no
    /// packet leaves a valid, empty file.
    pub(super) fn new(
        opts: &CaptureOptions,
        link: LinkType,
        snaplen: u32,
    ) -> Result<FileSet, CaptureError> {
        let mut set = FileSet {
            out: opts.out.clone(),
            device: opts.device.clone(),
            filter: opts.filter.clone(),
            link,
            snaplen,
            rotation: opts.rotation,
            current: None,
            done: Vec::new(),
            bytes_closed: 0,
            last_counters: KernelCounters::default(),
        };
        set.open()?;
        Ok(set)
    }

    fn path_of(&self, n: usize) -> PathBuf {
        match self.rotation {
            None => self.out.clone(),
            Some(_) => numbered(&self.out, n),
        }
    }

    fn open(&mut self) -> Result<(), CaptureError> {
        let path = self.path_of(self.done.len() + 1);
        let err = |source| CaptureError::File {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => err(std::io::Error::new(
                    e.kind(),
                    "exists already; tcplab capture writes new files only (remove it or name another with -w)",
                )),
                _ => err(e),
            })?;
        let interface = Interface {
            name: &self.device,
            link: self.link,
            snaplen: self.snaplen,
            filter: &self.filter,
        };
        let application = concat!("tcplab ", env!("CARGO_PKG_VERSION"));
        let writer = PcapngWriter::new(
            BufWriter::with_capacity(1 << 20, file),
            &interface,
            application,
        )
        .map_err(err)?;
        self.current = Some(Open {
            writer,
            path,
            opened: Instant::now(),
            start: now_timestamp(),
            packets: 0,
            base: self.last_counters,
        });
        Ok(())
    }

    pub(super) fn packet(
        &mut self,
        ts: Timestamp,
        orig_len: u32,
        data: &[u8],
    ) -> Result<(), CaptureError> {
        if self.current.is_none() {
            self.open()?;
        }
        let Some(open) = self.current.as_mut() else {
            unreachable!("a file was just opened");
        };
        open.writer
            .packet(ts, orig_len, data)
            .map_err(|source| CaptureError::File {
                path: open.path.clone(),
                source,
            })?;
        open.packets += 1;
        Ok(())
    }

    /// Is the open file due to be closed (its size or age reached)?
    pub(super) fn due(&self, now: Instant) -> bool {
        match (&self.current, self.rotation) {
            (Some(open), Some(Rotation::Size(limit))) => open.writer.bytes_written() >= limit,
            (Some(open), Some(Rotation::Time(age))) => now - open.opened >= age,
            _ => false,
        }
    }

    /// Closes the open file with its share of `counters`.
    pub(super) fn close(&mut self, counters: Option<KernelCounters>) -> Result<(), CaptureError> {
        let Some(open) = self.current.take() else {
            return Ok(());
        };
        let now = counters.unwrap_or(self.last_counters);
        let share = InterfaceCounters {
            start: Some(open.start),
            end: Some(now_timestamp()),
            accepted: u64::from(now.received.wrapping_sub(open.base.received)),
            os_dropped: u64::from(now.dropped.wrapping_sub(open.base.dropped)),
            if_dropped: u64::from(now.if_dropped.wrapping_sub(open.base.if_dropped)),
            delivered: open.packets,
        };
        self.bytes_closed += open.writer.bytes_written();
        let path = open.path;
        open.writer
            .finish(&share)
            .and_then(|w| w.into_inner().map_err(|e| e.into_error()))
            .and_then(|f| f.sync_all())
            .map_err(|source| CaptureError::File {
                path: path.clone(),
                source,
            })?;
        self.last_counters = now;
        self.done.push(path);
        Ok(())
    }

    pub(super) fn bytes(&self) -> u64 {
        self.bytes_closed
            + self
                .current
                .as_ref()
                .map_or(0, |o| o.writer.bytes_written())
    }

    pub(super) fn count(&self) -> usize {
        self.done.len() + usize::from(self.current.is_some())
    }

    /// Closes the last file; the files written, in order.
    pub(super) fn finish(
        mut self,
        counters: Option<KernelCounters>,
    ) -> Result<Vec<PathBuf>, CaptureError> {
        self.close(counters)?;
        Ok(self.done)
    }
}

/// `cap.pcapng` → `cap-0003.pcapng` (n = 3); without an extension,
/// `cap` → `cap-0003`.
fn numbered(out: &Path, n: usize) -> PathBuf {
    let stem = out
        .file_stem()
        .map_or_else(|| "capture".into(), |s| s.to_string_lossy().into_owned());
    let name = match out.extension() {
        Some(ext) => format!("{stem}-{n:04}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{n:04}"),
    };
    out.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_names_sort_in_order() {
        assert_eq!(
            numbered(Path::new("dir/cap.pcapng"), 3),
            Path::new("dir/cap-0003.pcapng")
        );
        assert_eq!(numbered(Path::new("cap"), 12), Path::new("cap-0012"));
    }
}
