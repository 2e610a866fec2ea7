//! pcapng files: a sequence of blocks (type, total length, body, total
//! length again). Each Section Header Block starts a section with its own
//! byte order and interfaces; Interface Description Blocks give each
//! interface a link type and a timestamp resolution (`if_tsresol`) and
//! offset (`if_tsoffset`); Enhanced, Simple and (obsolete) Packet Blocks
//! carry packets. Other blocks (name resolution, statistics, secrets,
//! custom) are skipped: they carry nothing the analysis uses.

use super::pcap_file::MAX_PLAUSIBLE_CAPLEN;
use super::source::Source;
use super::{read_len_into, read_up_to, CaptureError, LinkType, Record, Result, Timestamp};
use std::io::Read;
use std::path::PathBuf;

pub(crate) const SHB_MAGIC: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];
const BYTE_ORDER_MAGIC: u32 = 0x1a2b_3c4d;
/// Blocks larger than this are damage (Wireshark's own sanity limit is 16 MiB).
const MAX_BLOCK: u32 = 16 * 1024 * 1024;

const IDB: u32 = 1;
const OPB: u32 = 2;
const SPB: u32 = 3;
const EPB: u32 = 6;
const SHB: u32 = 0x0a0d_0d0a;

#[derive(Clone, Copy, Debug)]
struct Interface {
    link: LinkType,
    snaplen: u32,
    /// Timestamp units per second are 10^exp (decimal) or 2^exp (binary).
    tsresol: Resolution,
    tsoffset_secs: i64,
}

#[derive(Clone, Copy, Debug)]
enum Resolution {
    Decimal(u32),
    Binary(u32),
}

impl Resolution {
    fn from_option(byte: u8) -> Resolution {
        if byte & 0x80 == 0 {
            Resolution::Decimal(u32::from(byte))
        } else {
            Resolution::Binary(u32::from(byte & 0x7f))
        }
    }

    /// Converts a count of units into nanoseconds.
    fn to_nanos(self, units: u64) -> i64 {
        let ns: u128 = match self {
            Resolution::Decimal(exp) if exp <= 9 => u128::from(units) * 10u128.pow(9 - exp),
            Resolution::Decimal(exp) => u128::from(units) / 10u128.pow((exp - 9).min(38)),
            Resolution::Binary(exp) => (u128::from(units) * 1_000_000_000) >> exp.min(127),
        };
        i64::try_from(ns).unwrap_or(i64::MAX)
    }
}

pub(crate) struct PcapngReader<R: Read> {
    reader: Source<R>,
    path: PathBuf,
    big_endian: bool,
    interfaces: Vec<Interface>,
    seen_links: Vec<LinkType>,
    offset: u64,
    frame: u64,
    buf: Vec<u8>,
    /// The first block's type field was consumed by format detection.
    pending_type: Option<[u8; 4]>,
}

impl<R: Read> PcapngReader<R> {
    pub(crate) fn new(reader: Source<R>, path: PathBuf, first: [u8; 4]) -> Result<PcapngReader<R>> {
        Ok(PcapngReader {
            reader,
            path,
            big_endian: false,
            interfaces: Vec::new(),
            seen_links: Vec::new(),
            offset: 0,
            frame: 0,
            buf: Vec::with_capacity(65_536),
            pending_type: Some(first),
        })
    }

    pub(crate) fn link_types(&self) -> Vec<LinkType> {
        self.seen_links.clone()
    }

    fn u32_at(&self, b: &[u8], at: usize) -> u32 {
        let a = [b[at], b[at + 1], b[at + 2], b[at + 3]];
        if self.big_endian {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        }
    }

    fn u16_at(&self, b: &[u8], at: usize) -> u16 {
        let a = [b[at], b[at + 1]];
        if self.big_endian {
            u16::from_be_bytes(a)
        } else {
            u16::from_le_bytes(a)
        }
    }

    fn bad(&self, offset: u64, reason: String) -> CaptureError {
        CaptureError::BadBlock {
            path: self.path.clone(),
            offset,
            reason,
        }
    }

    /// Reads one block into `self.buf` (body only); returns its type, or
    /// `None` at a clean end of file.
    fn read_block(&mut self) -> Result<Option<u32>> {
        let offset = self.offset;
        let mut head = [0u8; 8];
        let got = match self.pending_type.take() {
            Some(t) => {
                head[..4].copy_from_slice(&t);
                4 + read_up_to(&mut self.reader, &mut head[4..])
                    .map_err(|e| CaptureError::io(&self.path, offset, e))?
            }
            None => read_up_to(&mut self.reader, &mut head)
                .map_err(|e| CaptureError::io(&self.path, offset, e))?,
        };
        if got == 0 {
            return Ok(None);
        }
        if got < 8 {
            return Err(self.truncated(offset, "block header", 8, got as u64));
        }
        let raw_type = [head[0], head[1], head[2], head[3]];
        if raw_type == SHB_MAGIC {
            // The byte order is only known after reading the byte-order magic.
            let mut bom = [0u8; 4];
            let n = read_up_to(&mut self.reader, &mut bom)
                .map_err(|e| CaptureError::io(&self.path, offset, e))?;
            if n < 4 {
                return Err(self.truncated(offset, "section header", 12, 8 + n as u64));
            }
            self.big_endian = match u32::from_le_bytes(bom) {
                BYTE_ORDER_MAGIC => false,
                m if m.swap_bytes() == BYTE_ORDER_MAGIC => true,
                m => {
                    return Err(self.bad(
                        offset,
                        format!(
                            "section header has byte-order magic {m:#010x}, expected 0x1a2b3c4d"
                        ),
                    ))
                }
            };
            let total = self.u32_at(&head, 4);
            self.read_body(offset, total, 12)?;
            return Ok(Some(SHB));
        }
        let block_type = self.u32_at(&head, 0);
        let total = self.u32_at(&head, 4);
        self.read_body(offset, total, 8)?;
        Ok(Some(block_type))
    }

    /// Reads the rest of a block whose first `consumed` bytes are read, and
    /// checks the trailing copy of the length.
    fn read_body(&mut self, offset: u64, total: u32, consumed: u32) -> Result<()> {
        if total < consumed + 4 || !total.is_multiple_of(4) || total > MAX_BLOCK {
            return Err(self.bad(offset, format!("block length {total} is impossible (must be a multiple of 4 between 12 and {MAX_BLOCK})")));
        }
        let rest = (total - consumed) as usize;
        let got = read_len_into(&mut self.reader, &mut self.buf, rest)
            .map_err(|e| CaptureError::io(&self.path, offset, e))?;
        if got < rest {
            return Err(self.truncated(
                offset,
                "block",
                total as u64,
                (consumed as usize + got) as u64,
            ));
        }
        let trailer = self.u32_at(&self.buf, rest - 4);
        if trailer != total {
            return Err(self.bad(
                offset,
                format!("block length {total} does not match its trailing copy {trailer}"),
            ));
        }
        self.buf.truncate(rest - 4);
        self.offset += u64::from(total);
        Ok(())
    }

    fn truncated(
        &self,
        offset: u64,
        what: &'static str,
        wanted: u64,
        available: u64,
    ) -> CaptureError {
        CaptureError::Truncated {
            path: self.path.clone(),
            frame: self.frame + 1,
            offset,
            what,
            wanted,
            available,
        }
    }

    fn interface(&self, offset: u64, id: u32) -> Result<Interface> {
        self.interfaces.get(id as usize).copied().ok_or_else(|| {
            self.bad(
                offset,
                format!(
                    "packet names interface {id} but the section describes {} interface(s)",
                    self.interfaces.len()
                ),
            )
        })
    }

    fn parse_idb(&mut self, offset: u64) -> Result<()> {
        if self.buf.len() < 8 {
            return Err(self.bad(
                offset,
                "interface description block is shorter than 16 bytes".into(),
            ));
        }
        let link = LinkType::from_number(u32::from(self.u16_at(&self.buf, 0)));
        let snaplen = self.u32_at(&self.buf, 4);
        let mut iface = Interface {
            link,
            snaplen,
            tsresol: Resolution::Decimal(6),
            tsoffset_secs: 0,
        };
        let mut at = 8;
        while at + 4 <= self.buf.len() {
            let code = self.u16_at(&self.buf, at);
            let len = self.u16_at(&self.buf, at + 2) as usize;
            let value = at + 4;
            if code == 0 || value + len > self.buf.len() {
                break;
            }
            match (code, len) {
                (9, 1) => iface.tsresol = Resolution::from_option(self.buf[value]),
                (14, 8) => {
                    let hi = u64::from(self.u32_at(&self.buf, value));
                    let lo = u64::from(self.u32_at(&self.buf, value + 4));
                    let v = if self.big_endian {
                        (hi << 32) | lo
                    } else {
                        (lo << 32) | hi
                    };
                    iface.tsoffset_secs = v as i64;
                }
                _ => {}
            }
            at = value + len.div_ceil(4) * 4;
        }
        if !self.seen_links.contains(&link) {
            self.seen_links.push(link);
        }
        self.interfaces.push(iface);
        Ok(())
    }

    pub(crate) fn next_record(&mut self) -> Result<Option<Record<'_>>> {
        loop {
            let offset = self.offset;
            let Some(block_type) = self.read_block()? else {
                return Ok(None);
            };
            // (data start, captured length, original length, interface, timestamp units)
            let (start, caplen, orig_len, iface, units) = match block_type {
                SHB => {
                    self.interfaces.clear();
                    continue;
                }
                IDB => {
                    self.parse_idb(offset)?;
                    continue;
                }
                EPB | OPB => {
                    if self.buf.len() < 20 {
                        return Err(
                            self.bad(offset, "packet block is shorter than 32 bytes".into())
                        );
                    }
                    let id = if block_type == EPB {
                        self.u32_at(&self.buf, 0)
                    } else {
                        u32::from(self.u16_at(&self.buf, 0))
                    };
                    let iface = self.interface(offset, id)?;
                    let units = (u64::from(self.u32_at(&self.buf, 4)) << 32)
                        | u64::from(self.u32_at(&self.buf, 8));
                    (
                        20usize,
                        self.u32_at(&self.buf, 12),
                        self.u32_at(&self.buf, 16),
                        iface,
                        Some(units),
                    )
                }
                SPB => {
                    if self.buf.len() < 4 {
                        return Err(self.bad(
                            offset,
                            "simple packet block is shorter than 16 bytes".into(),
                        ));
                    }
                    let iface = self.interface(offset, 0)?;
                    let orig = self.u32_at(&self.buf, 0);
                    let avail = (self.buf.len() - 4) as u32;
                    let cap = if iface.snaplen == 0 {
                        orig
                    } else {
                        orig.min(iface.snaplen)
                    };
                    (4usize, cap.min(avail), orig, iface, None)
                }
                _ => continue,
            };
            let frame = self.frame + 1;
            let limit = iface.snaplen.max(MAX_PLAUSIBLE_CAPLEN);
            if caplen > limit || start + caplen as usize > self.buf.len() {
                return Err(CaptureError::AbsurdLength {
                    path: self.path.clone(),
                    frame,
                    offset,
                    field: "captured length",
                    claimed: u64::from(caplen),
                    limit: u64::from(limit.min((self.buf.len() - start) as u32)),
                });
            }
            self.frame = frame;
            let ts = match units {
                Some(u) => Timestamp(
                    iface
                        .tsresol
                        .to_nanos(u)
                        .saturating_add(iface.tsoffset_secs.saturating_mul(1_000_000_000)),
                ),
                None => Timestamp(0),
            };
            return Ok(Some(Record {
                frame,
                offset,
                ts,
                link: iface.link,
                orig_len: orig_len.max(caplen),
                data: &self.buf[start..start + caplen as usize],
                ts_valid: true,
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolutions_convert_to_nanoseconds() {
        assert_eq!(Resolution::Decimal(6).to_nanos(1_500_000), 1_500_000_000);
        assert_eq!(Resolution::Decimal(9).to_nanos(42), 42);
        assert_eq!(Resolution::Decimal(12).to_nanos(5_000), 5);
        assert_eq!(Resolution::Binary(10).to_nanos(1024), 1_000_000_000);
        assert_eq!(Resolution::from_option(0x83_u8).to_nanos(8), 1_000_000_000);
    }

    /// A block claiming the largest length allowed (16 MiB) in a 40-byte
    /// file costs memory for the bytes present, not for the claim (the
    /// pcap twin of this was found by `cargo fuzz run analyze_bytes`).
    #[test]
    fn a_large_claimed_block_in_a_tiny_file_allocates_little() {
        let mut bytes = SHB_MAGIC.to_vec();
        for word in [28, BYTE_ORDER_MAGIC, 1, u32::MAX, u32::MAX, 28] {
            bytes.extend(word.to_le_bytes());
        }
        bytes.extend(IDB.to_le_bytes());
        bytes.extend(MAX_BLOCK.to_le_bytes());
        bytes.extend([0u8; 4]);
        let mut input = std::io::Cursor::new(bytes);
        input.set_position(4);
        let mut r = PcapngReader::new(Source::new(input), PathBuf::from("big.pcapng"), SHB_MAGIC)
            .expect("no reading yet");
        let err = r.next_record().expect_err("the block is cut off");
        assert!(
            matches!(err, CaptureError::Truncated { available: 12, .. }),
            "{err}"
        );
        assert!(r.buf.capacity() <= 2 << 20, "{}", r.buf.capacity());
    }
}
