//! Classic libpcap files: a 24-byte global header, then 16-byte record
//! headers each followed by the captured bytes. Magic 0xa1b2c3d4 means
//! microsecond timestamps, 0xa1b23c4d nanoseconds; either byte order.

use super::source::Source;
use super::{CaptureError, Format, LinkType, Record, Result, Timestamp};
use std::io::Read;
use std::path::PathBuf;

/// Captured lengths above this (and above the file's snaplen) are damage,
/// not packets: Wireshark's own limit for ordinary link types.
pub(crate) const MAX_PLAUSIBLE_CAPLEN: u32 = 262_144;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Magic {
    big_endian: bool,
    nanos: bool,
}

impl Magic {
    pub(crate) fn detect(bytes: [u8; 4]) -> Option<Magic> {
        let (le, be) = (u32::from_le_bytes(bytes), u32::from_be_bytes(bytes));
        let kind = |v: u32| match v {
            0xa1b2_c3d4 => Some(false),
            0xa1b2_3c4d => Some(true),
            _ => None,
        };
        if let Some(nanos) = kind(le) {
            Some(Magic {
                big_endian: false,
                nanos,
            })
        } else {
            kind(be).map(|nanos| Magic {
                big_endian: true,
                nanos,
            })
        }
    }

    /// The four fields of a record header, in the file's byte order.
    #[inline(always)]
    fn header_fields(self, h: &[u8; 16]) -> [u32; 4] {
        let word = |i: usize| [h[i], h[i + 1], h[i + 2], h[i + 3]];
        let words = [word(0), word(4), word(8), word(12)];
        if self.big_endian {
            words.map(u32::from_be_bytes)
        } else {
            words.map(u32::from_le_bytes)
        }
    }

    fn u32(self, b: &[u8]) -> u32 {
        let a = [b[0], b[1], b[2], b[3]];
        if self.big_endian {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        }
    }
}

pub(crate) struct PcapReader<R: Read> {
    src: Source<R>,
    path: PathBuf,
    magic: Magic,
    link: LinkType,
    snaplen: u32,
    offset: u64,
    frame: u64,
}

impl<R: Read> PcapReader<R> {
    /// `src` is positioned after the 4-byte magic.
    pub(crate) fn new(mut src: Source<R>, path: PathBuf, magic: Magic) -> Result<PcapReader<R>> {
        let got = src.ensure(20).map_err(|e| CaptureError::io(&path, 4, e))?;
        if got < 20 {
            return Err(CaptureError::TooShort {
                path,
                got: got + 4,
                needed: 24,
            });
        }
        let mut rest = [0u8; 20];
        rest.copy_from_slice(src.next_slice(20));
        let snaplen = magic.u32(&rest[12..16]);
        // The upper bits of the link-type field carry FCS information.
        let link = LinkType::from_number(magic.u32(&rest[16..20]) & 0x0fff_ffff);
        Ok(PcapReader {
            src,
            path,
            magic,
            link,
            snaplen,
            offset: 24,
            frame: 0,
        })
    }

    pub(crate) fn format(&self) -> Format {
        if self.magic.nanos {
            Format::PcapNanosecond
        } else {
            Format::Pcap
        }
    }

    pub(crate) fn link_type(&self) -> LinkType {
        self.link
    }

    /// The next record, `Ok(None)` at a clean end of the file.
    #[inline]
    pub(crate) fn next_record(&mut self) -> Result<Option<Record<'_>>> {
        // Every record but the last of each chunk: its header and bytes
        // are already in the buffer, and are parsed where they lie.
        let (fields, len) = match self.src.held().split_first_chunk::<16>() {
            Some((header, rest)) => {
                let fields = self.magic.header_fields(header);
                let caplen = fields[2];
                let limit = self.snaplen.max(MAX_PLAUSIBLE_CAPLEN);
                if caplen > limit || rest.len() < caplen as usize {
                    return self.next_record_read();
                }
                (fields, caplen as usize)
            }
            None => return self.next_record_read(),
        };
        let [secs, frac, caplen, orig_len] = fields;
        let (frame, offset) = (self.frame + 1, self.offset);
        self.frame = frame;
        self.offset += 16 + u64::from(caplen);
        let (ts, ts_valid) = self.time(secs, frac);
        let data = &self.src.take_held(16 + len)[16..];
        Ok(Some(Record {
            frame,
            offset,
            ts,
            link: self.link,
            orig_len: orig_len.max(caplen),
            data,
            ts_valid,
        }))
    }

    /// A record's time from its header's seconds and fraction, and whether
    /// the fraction is in range.
    #[inline]
    fn time(&self, secs: u32, frac: u32) -> (Timestamp, bool) {
        let (nanos, ts_valid) = if self.magic.nanos {
            (frac as i64, frac < 1_000_000_000)
        } else {
            (frac as i64 * 1000, frac < 1_000_000)
        };
        (Timestamp::from_secs_nanos(secs as i64, nanos), ts_valid)
    }

    /// As [`PcapReader::next_record`], reading what the buffer lacks, and
    /// naming what is wrong with a damaged or cut-off record.
    #[inline(never)]
    fn next_record_read(&mut self) -> Result<Option<Record<'_>>> {
        let frame = self.frame + 1;
        let offset = self.offset;
        let got = self
            .src
            .ensure(16)
            .map_err(|e| CaptureError::io(&self.path, offset, e))?;
        if got == 0 {
            return Ok(None);
        }
        if got < 16 {
            return Err(self.truncated(frame, offset, "record header", 16, got as u64));
        }
        let mut header = [0u8; 16];
        header.copy_from_slice(self.src.next_slice(16));
        let [secs, frac, caplen, orig_len] = self.magic.header_fields(&header);
        let limit = self.snaplen.max(MAX_PLAUSIBLE_CAPLEN);
        if caplen > limit {
            return Err(CaptureError::AbsurdLength {
                path: self.path.clone(),
                frame,
                offset,
                field: "captured length",
                claimed: caplen as u64,
                limit: limit as u64,
            });
        }
        // The limit follows the file's snaplen, which is as untrusted as
        // `caplen`: memory follows the bytes actually present (see `Source`).
        let got = self
            .src
            .ensure(caplen as usize)
            .map_err(|e| CaptureError::io(&self.path, offset + 16, e))?
            .min(caplen as usize);
        if got < caplen as usize {
            return Err(self.truncated(frame, offset, "packet data", caplen as u64, got as u64));
        }
        self.frame = frame;
        self.offset += 16 + caplen as u64;
        let (ts, ts_valid) = self.time(secs, frac);
        Ok(Some(Record {
            frame,
            offset,
            ts,
            link: self.link,
            orig_len: orig_len.max(caplen),
            data: self.src.next_slice(caplen as usize),
            ts_valid,
        }))
    }

    fn truncated(
        &self,
        frame: u64,
        offset: u64,
        what: &'static str,
        wanted: u64,
        available: u64,
    ) -> CaptureError {
        CaptureError::Truncated {
            path: self.path.clone(),
            frame,
            offset,
            what,
            wanted,
            available,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::source::CHUNK as CHUNK_FOR_TESTS;
    use super::*;
    use std::io::Cursor;

    /// A reader that hands out at most `step` bytes per read.
    struct Trickle(Cursor<Vec<u8>>, usize);

    impl Read for Trickle {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = out.len().min(self.1);
            self.0.read(&mut out[..n])
        }
    }

    /// Records parsed in place (whole in the buffer) and records read in
    /// pieces (split by the input) come out the same, in either byte
    /// order and time resolution, cut-off files included.
    #[test]
    fn records_in_place_and_read_in_pieces_agree() {
        for (magic, big) in [
            ([0xd4, 0xc3, 0xb2, 0xa1], false),
            ([0xa1, 0xb2, 0x3c, 0x4d], true),
        ] {
            let u32b = |v: u32| {
                if big {
                    v.to_be_bytes()
                } else {
                    v.to_le_bytes()
                }
            };
            let mut file = magic.to_vec();
            file.extend([0; 12]);
            file.extend(u32b(65535));
            file.extend(u32b(1));
            for i in 0..300u32 {
                let len = (i * 37) % 200;
                // The fraction is out of range for every seventh record.
                let frac = if i % 7 == 0 { 2_000_000_000 } else { i * 1000 };
                for v in [1_700_000_000 + i, frac, len, len + i % 3] {
                    file.extend(u32b(v));
                }
                file.extend((0..len).map(|b| (b + i) as u8));
            }
            let whole = file.len();
            for cut in [whole, whole - 5, whole - 20] {
                let read = |step: usize| {
                    let detected = Magic::detect(magic).expect("pcap magic");
                    let mut input = Trickle(Cursor::new(file[..cut].to_vec()), step);
                    let mut skip = [0u8; 4];
                    input.read_exact(&mut skip).expect("magic");
                    let mut r =
                        PcapReader::new(Source::new(input), PathBuf::from("t.pcap"), detected)
                            .expect("header");
                    let mut seen = Vec::new();
                    loop {
                        match r.next_record() {
                            Ok(Some(rec)) => seen.push(format!(
                                "{} {} {:?} {} {} {:?}",
                                rec.frame, rec.offset, rec.ts, rec.ts_valid, rec.orig_len, rec.data
                            )),
                            Ok(None) => return seen,
                            Err(e) => {
                                seen.push(e.to_string());
                                return seen;
                            }
                        }
                    }
                };
                let in_place = read(usize::MAX);
                assert_eq!(in_place.len(), 300, "{in_place:?}");
                for step in [1, 7, 16, 17, 100] {
                    assert_eq!(read(step), in_place, "cut {cut}, step {step}");
                }
            }
        }
    }

    /// Found by `cargo fuzz run analyze_bytes`: a 61-byte file whose header
    /// claims a snaplen of 2^32 - 1, and whose first record claims that many
    /// captured bytes, made the reader allocate 4 GiB before it found that
    /// the file ends 21 bytes later.
    #[test]
    fn a_huge_claimed_length_in_a_tiny_file_allocates_little() {
        let mut bytes = vec![0xd4, 0xc3, 0xb2, 0xa1];
        bytes.extend([0xff; 51]);
        bytes.extend([0x02, 0x00, 0x04, 0x00, 0x00, 0x00]);
        let magic = Magic::detect([0xd4, 0xc3, 0xb2, 0xa1]).expect("pcap magic");
        let mut input = Cursor::new(bytes);
        input.set_position(4);
        let mut r =
            PcapReader::new(Source::new(input), PathBuf::from("oom.pcap"), magic).expect("header");
        let err = r.next_record().expect_err("the record is cut off");
        assert!(
            matches!(
                err,
                CaptureError::Truncated {
                    wanted: 0xffff_ffff,
                    available: 21,
                    ..
                }
            ),
            "{err}"
        );
        assert!(
            r.src.capacity() <= 2 * CHUNK_FOR_TESTS,
            "{}",
            r.src.capacity()
        );
    }
}
