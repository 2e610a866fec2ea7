//! Capture files in, `Record`s out.
//!
//! Reads classic pcap (micro- and nanosecond, either byte order) and pcapng
//! (several sections, several interfaces with their own link types and
//! timestamp resolutions) with a small streaming reader of our own: one
//! reusable buffer, no per-packet allocation, and every error names the
//! record number and the byte offset where the damage starts. Why not
//! libpcap for files: see `docs/capture-reader.md` (speed, and libpcap cannot
//! tell us byte offsets). Live capture with libpcap lives in `live` (used by
//! `run-and-capture` and `capture`), and `pcapng_writer` writes what
//! `capture` saves.
//!
//! Not done here: anything above the link layer (that is `dissect`).

mod error;
pub mod filter;
pub mod inputs;
mod linktype;
pub mod live;
mod pcap_file;
mod pcapng;
pub mod pcapng_writer;
mod source;

pub use error::CaptureError;
pub use linktype::LinkType;

use source::Source;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

pub type Result<T> = std::result::Result<T, CaptureError>;

/// A point in time, in nanoseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn from_secs_nanos(secs: i64, nanos: i64) -> Timestamp {
        Timestamp(secs.saturating_mul(1_000_000_000).saturating_add(nanos))
    }

    /// Seconds since the epoch, as a float (for output; nanosecond precision
    /// is kept by `Display`).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }

    /// `self - earlier` in nanoseconds (negative when `earlier` is later).
    pub fn nanos_since(self, earlier: Timestamp) -> i64 {
        self.0.saturating_sub(earlier.0)
    }

    pub fn secs_since(self, earlier: Timestamp) -> f64 {
        self.nanos_since(earlier) as f64 / 1e9
    }
}

/// Prints `seconds.nanoseconds` exactly (9 decimals), like tshark's epoch time.
impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secs = self.0.div_euclid(1_000_000_000);
        let nanos = self.0.rem_euclid(1_000_000_000);
        write!(f, "{secs}.{nanos:09}")
    }
}

/// One captured packet, borrowed from the reader's buffer.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    /// 1-based number of the packet in the file (Wireshark's `frame.number`).
    pub frame: u64,
    /// Byte offset in the file of the record (pcap) or block (pcapng) header.
    pub offset: u64,
    pub ts: Timestamp,
    pub link: LinkType,
    /// Length of the packet on the wire; `data.len()` may be smaller (snaplen).
    pub orig_len: u32,
    pub data: &'a [u8],
    /// False when the record's sub-second field is out of range (a pcap
    /// record claiming 1,000,000 µs or more, or 10⁹ ns or more): `ts` then
    /// carries the overflow into the seconds, and is not to be trusted.
    pub ts_valid: bool,
}

/// Which container the file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Pcap,
    PcapNanosecond,
    Pcapng,
}

/// A streaming reader over a pcap or pcapng file.
pub struct CaptureReader<R: Read = Input> {
    inner: Inner<R>,
    path: PathBuf,
}

enum Inner<R: Read> {
    Pcap(pcap_file::PcapReader<R>),
    Pcapng(pcapng::PcapngReader<R>),
}

/// What [`open`] reads from: a file, a decompressor over one, or standard
/// input.
pub type Input = Box<dyn Read + Send>;

/// The name standard input is given in messages and outputs.
pub const STDIN_NAME: &str = "(standard input)";

/// Opens a capture, detecting pcap or pcapng from its first bytes. `-` is
/// standard input (`tcpdump -w - | tcplab analyze -`). A file or stream
/// compressed with gzip or zstd (`.pcap.gz`, `.pcapng.zst`, found by its
/// magic bytes, not its name) is decompressed as it is read; offsets in
/// messages then count bytes of the decompressed capture.
pub fn open(path: &Path) -> Result<CaptureReader> {
    let (input, name): (Input, PathBuf) = if path == Path::new("-") {
        (Box::new(std::io::stdin()), PathBuf::from(STDIN_NAME))
    } else {
        let file = File::open(path).map_err(|source| CaptureError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        (Box::new(file), path.to_path_buf())
    };
    open_input(input, &name)
}

/// As [`open`], for a stream the caller opened (standard input read
/// through a hasher, say); `name` is used in messages.
pub fn open_input(input: Input, name: &Path) -> Result<CaptureReader> {
    let input = decompressed(input).map_err(|e| CaptureError::io(name, 0, e))?;
    CaptureReader::from_source(Source::prefetching(input), name)
}

/// gzip's and zstd's magic numbers.
const GZIP: [u8; 2] = [0x1f, 0x8b];
const ZSTD: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// `input`, through a decompressor when its first bytes say it is
/// compressed (read whole even from a pipe that gives them one by one).
fn decompressed(mut input: Input) -> std::io::Result<Input> {
    let mut head = [0u8; 4];
    let mut got = 0;
    while got < head.len() {
        match input.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let head = &head[..got];
    let whole = std::io::BufReader::with_capacity(
        64 << 10,
        std::io::Cursor::new(head.to_vec()).chain(input),
    );
    Ok(if head.starts_with(&GZIP) {
        Box::new(flate2::read::MultiGzDecoder::new(whole))
    } else if head.starts_with(&ZSTD) {
        Box::new(zstd::stream::read::Decoder::with_buffer(whole)?)
    } else {
        Box::new(whole)
    })
}

impl<R: Read> CaptureReader<R> {
    /// Wraps any reader; `path` is only used in messages.
    pub fn new(reader: R, path: &Path) -> Result<CaptureReader<R>> {
        CaptureReader::from_source(Source::new(reader), path)
    }

    fn from_source(mut src: Source<R>, path: &Path) -> Result<CaptureReader<R>> {
        let path = path.to_path_buf();
        let got = src.ensure(4).map_err(|e| CaptureError::io(&path, 0, e))?;
        if got < 4 {
            return Err(CaptureError::TooShort {
                path,
                got,
                needed: 24,
            });
        }
        let mut magic = [0u8; 4];
        magic.copy_from_slice(src.next_slice(4));
        let inner = if magic == pcapng::SHB_MAGIC {
            Inner::Pcapng(pcapng::PcapngReader::new(src, path.clone(), magic)?)
        } else if let Some(kind) = pcap_file::Magic::detect(magic) {
            Inner::Pcap(pcap_file::PcapReader::new(src, path.clone(), kind)?)
        } else {
            return Err(CaptureError::NotACapture { path, magic });
        };
        Ok(CaptureReader { inner, path })
    }

    /// The next packet, `Ok(None)` at a clean end of file.
    #[allow(clippy::should_implement_trait)]
    #[inline]
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>> {
        match &mut self.inner {
            Inner::Pcap(r) => r.next_record(),
            Inner::Pcapng(r) => r.next_record(),
        }
    }

    pub fn format(&self) -> Format {
        match &self.inner {
            Inner::Pcap(r) => r.format(),
            Inner::Pcapng(_) => Format::Pcapng,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Link types seen so far (for pcap: the one in the header).
    pub fn link_types(&self) -> Vec<LinkType> {
        match &self.inner {
            Inner::Pcap(r) => vec![r.link_type()],
            Inner::Pcapng(r) => r.link_types(),
        }
    }
}

/// Reads until `buf` is full or the input ends; returns how many bytes came.
pub(crate) fn read_up_to<R: Read>(reader: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// How far ahead of the bytes already read `read_len_into` grows its buffer.
const GROW_STEP: usize = 1 << 20;

/// Reads `len` bytes into `buf` (replacing what it held), or until the input
/// ends; returns how many came, and `buf` holds exactly those. The buffer
/// grows only as the bytes arrive (at most `GROW_STEP` ahead of them), so
/// that a damaged length field claiming gigabytes in a small file costs no
/// more memory than the file.
pub(crate) fn read_len_into<R: Read>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    len: usize,
) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < len {
        let end = len.min(filled + GROW_STEP);
        buf.resize(end, 0);
        let got = read_up_to(reader, &mut buf[filled..end])?;
        filled += got;
        if filled < end {
            break;
        }
    }
    buf.truncate(filled);
    Ok(filled)
}
