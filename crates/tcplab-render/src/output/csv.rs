//! One row per TCP segment. The header is fixed (documented in
//! `docs/analyze-csv.md`): `frame,time,stream,src,sport,dst,dport,seq,ack,
//! next_seq,len,flags,win,win_scaled,sack,events,ack_rtt,bytes_in_flight`;
//! over several captures (`CsvWriter::with_capture_column`) a first
//! column, `capture`, names the file each row comes from.
//!
//! Written for speed (a row per packet of captures with millions of them):
//! each row made in place in one buffer sized once (no growth check per
//! piece) and handed to the output in one `write_all`; integers eight digits
//! at a time (`digits::put_u32`); the seconds of the time written once a
//! second; each direction's `src,sport,dst,dport` formatted once per
//! connection (kept for the latest connections only, so that memory does
//! not grow with their number); flags from the table of their letters
//! (`Flags::letters`, made at compile time); no allocation per row.

use super::digits;
use std::io::{self, Write};
use std::net::IpAddr;
use tcplab_analysis::{Event, SegmentReport};

pub const HEADER: &str = "frame,time,stream,src,sport,dst,dport,seq,ack,next_seq,len,flags,win,win_scaled,sack,events,ack_rtt,bytes_in_flight";

/// Streams whose endpoint text is kept: a direct-mapped cache by stream.
const ENDPOINT_CACHE: usize = 1024;

/// `src,sport,dst,dport,` of one stream's two directions. The strings are
/// kept when the entry passes to another stream (`filled` says which are
/// this stream's), so that a new connection allocates nothing.
#[derive(Default)]
struct EndpointText {
    stream: Option<u32>,
    filled: [bool; 2],
    text: [Vec<u8>; 2],
}

/// Room for a row past its capture cell, more than the widest needs:
/// endpoints (two IPv6 addresses and ports, 92 bytes), every number at its
/// widest with four SACK blocks, the flags and the commas (267); the
/// events' names are added per writer (`event_room`); then the bytes a
/// number may write past its digits (`digits::PUT_ROOM`).
const ROW_ROOM: usize = 512 + digits::PUT_ROOM;

pub struct CsvWriter<W: Write> {
    out: W,
    /// The `capture` cell and its comma, when there is that column.
    capture: Option<Vec<u8>>,
    /// Where rows are made. Kept at least `ROW_ROOM + event_room` longer
    /// than the capture cell, so each piece is written in place with no
    /// growth check (a row never needs more).
    row: Vec<u8>,
    /// All the events' names and their `;`: the widest `events` cell.
    event_room: usize,
    /// The seconds of the last `time` and of the last `ack_rtt`.
    time_secs: Seconds,
    rtt_secs: Seconds,
    endpoints: Vec<EndpointText>,
}

/// The digits of the seconds last written: they change once a second
/// (`time`) or hardly ever (`ack_rtt`, mostly 0), rows come thousands a
/// second.
struct Seconds {
    secs: u64,
    text: [u8; digits::PUT_ROOM],
    len: usize,
}

impl Default for Seconds {
    fn default() -> Seconds {
        let mut text = [0; digits::PUT_ROOM];
        text[0] = b'0';
        Seconds {
            secs: 0,
            text,
            len: 1,
        }
    }
}

/// A row being made in place: `buf[..at]`. Each write may leave bytes
/// past `at` (`digits::PUT_ROOM`), which the next overwrites.
struct Row<'a> {
    buf: &'a mut [u8],
    at: usize,
}

impl Row<'_> {
    #[inline(always)]
    fn byte(&mut self, b: u8) {
        self.buf[self.at] = b;
        self.at += 1;
    }

    #[inline(always)]
    fn bytes(&mut self, bytes: &[u8]) {
        let end = self.at + bytes.len();
        self.buf[self.at..end].copy_from_slice(bytes);
        self.at = end;
    }

    #[inline(always)]
    fn u32(&mut self, n: u32) {
        self.at = digits::put_u32(self.buf, self.at, n);
    }

    /// `n` and a comma.
    #[inline(always)]
    fn u32_cell(&mut self, n: u32) {
        self.u32(n);
        self.byte(b',');
    }

    /// `secs.nanos` with exactly nine decimals (negative allowed).
    #[inline(always)]
    fn nanos(&mut self, ns: i64, cache: &mut Seconds) {
        if ns < 0 {
            self.byte(b'-');
        }
        let ns = ns.unsigned_abs();
        let secs = ns / 1_000_000_000;
        if cache.secs != secs {
            cache.secs = secs;
            cache.len = digits::put_u64(&mut cache.text, 0, secs);
        }
        // All the bytes (one fixed copy): the row has room past them.
        self.buf[self.at..self.at + digits::PUT_ROOM].copy_from_slice(&cache.text);
        self.at += cache.len;
        let fraction = digits::point_nine_digits((ns % 1_000_000_000) as u32);
        self.buf[self.at..self.at + fraction.len()].copy_from_slice(&fraction);
        self.at += fraction.len();
    }
}

/// `addr,port,` (IPv4 made here, a byte at a time; IPv6 by `core::fmt`).
fn endpoint_text(text: &mut Vec<u8>, addr: IpAddr, port: u16) {
    let mut buf = [0; 16 + digits::PUT_ROOM];
    let mut row = Row {
        buf: &mut buf,
        at: 0,
    };
    match addr {
        IpAddr::V4(a) => {
            for (i, octet) in a.octets().into_iter().enumerate() {
                if i > 0 {
                    row.byte(b'.');
                }
                row.u32(u32::from(octet));
            }
        }
        IpAddr::V6(a) => {
            // Infallible: writing to a Vec.
            let _ = write!(text, "{a}");
        }
    }
    row.byte(b',');
    row.u32_cell(u32::from(port));
    let end = row.at;
    text.extend_from_slice(&buf[..end]);
}

impl<W: Write> CsvWriter<W> {
    /// One capture's rows: the documented header.
    pub fn new(out: W) -> io::Result<CsvWriter<W>> {
        CsvWriter::start(out, None)
    }

    /// Several captures' rows: `capture` first, set by `set_capture`
    /// before each capture's rows.
    pub fn with_capture_column(out: W) -> io::Result<CsvWriter<W>> {
        CsvWriter::start(out, Some(Vec::new()))
    }

    /// Rows without the header, to be put after a header written by
    /// another writer (a capture of several analysed on their own, then
    /// written in order: `analyze -j`), with the `capture` column or not.
    pub fn rows_only(out: W, capture_column: bool) -> CsvWriter<W> {
        CsvWriter::writer(out, capture_column.then(Vec::new))
    }

    fn start(mut out: W, capture: Option<Vec<u8>>) -> io::Result<CsvWriter<W>> {
        if capture.is_some() {
            write!(out, "capture,")?;
        }
        writeln!(out, "{HEADER}")?;
        Ok(CsvWriter::writer(out, capture))
    }

    /// Where the rows go, for rows made elsewhere (by a
    /// [`CsvWriter::rows_only`]) and put in place here.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    fn writer(out: W, capture: Option<Vec<u8>>) -> CsvWriter<W> {
        let event_room = Event::ALL.iter().map(|e| e.name().len() + 1).sum();
        CsvWriter {
            out,
            capture,
            row: vec![0; ROW_ROOM + event_room],
            event_room,
            time_secs: Seconds::default(),
            rtt_secs: Seconds::default(),
            endpoints: std::iter::repeat_with(EndpointText::default)
                .take(ENDPOINT_CACHE)
                .collect(),
        }
    }

    /// The rows that follow are `name`'s (quoted as RFC 4180 says when it
    /// holds a comma, a quote or a line break). Stream numbers restart in
    /// each capture, so the endpoints kept by stream are forgotten.
    pub fn set_capture(&mut self, name: &str) {
        if let Some(cell) = self.capture.as_mut() {
            cell.clear();
            if name.contains([',', '"', '\n', '\r']) {
                cell.push(b'"');
                cell.extend_from_slice(name.replace('"', "\"\"").as_bytes());
                cell.push(b'"');
            } else {
                cell.extend_from_slice(name.as_bytes());
            }
            cell.push(b',');
            let room = cell.len() + ROW_ROOM + self.event_room;
            if self.row.len() < room {
                self.row.resize(room, 0);
            }
        }
        for e in &mut self.endpoints {
            e.stream = None;
            e.filled = [false, false];
        }
    }

    /// `src,sport,dst,dport,` of `r`'s stream and direction, made on the
    /// first row that needs it.
    fn endpoints<'e>(endpoints: &'e mut [EndpointText], r: &SegmentReport) -> &'e [u8] {
        let entry = &mut endpoints[r.stream as usize % ENDPOINT_CACHE];
        if entry.stream != Some(r.stream) {
            entry.stream = Some(r.stream);
            entry.filled = [false, false];
        }
        let d = r.dir.index();
        let text = &mut entry.text[d];
        if !entry.filled[d] {
            text.clear();
            for e in [r.src, r.dst] {
                endpoint_text(text, e.addr, e.port);
            }
            entry.filled[d] = true;
        }
        text
    }

    pub fn write(&mut self, r: &SegmentReport) -> io::Result<()> {
        let mut row = Row {
            buf: &mut self.row,
            at: 0,
        };
        if let Some(cell) = &self.capture {
            row.bytes(cell);
        }
        match u32::try_from(r.frame) {
            Ok(frame) => row.u32_cell(frame),
            Err(_) => {
                row.at = digits::put_u64(row.buf, row.at, r.frame);
                row.byte(b',');
            }
        }
        row.nanos(r.ts.0, &mut self.time_secs);
        row.byte(b',');
        row.u32_cell(r.stream);
        row.bytes(CsvWriter::<W>::endpoints(&mut self.endpoints, r));
        row.u32_cell(r.seq.raw());
        row.u32_cell(r.ack.raw());
        row.u32_cell(r.next_seq.raw());
        row.u32_cell(r.len);
        for &b in r.flags.letters().as_bytes() {
            row.byte(b);
        }
        row.byte(b',');
        row.u32_cell(u32::from(r.window));
        if let Some(w) = r.win_scaled {
            row.u32(w);
        }
        row.byte(b',');
        if !r.sack.is_empty() {
            for (i, (l, rr)) in r.sack.as_slice().iter().enumerate() {
                if i > 0 {
                    row.byte(b';');
                }
                row.u32(l.raw());
                row.byte(b'-');
                row.u32(rr.raw());
            }
        }
        row.byte(b',');
        if !r.events.is_empty() {
            for (i, e) in r.events.iter().enumerate() {
                if i > 0 {
                    row.byte(b';');
                }
                row.bytes(e.name().as_bytes());
            }
        }
        row.byte(b',');
        if let Some(ns) = r.ack_rtt_ns {
            row.nanos(ns, &mut self.rtt_secs);
        }
        row.byte(b',');
        if let Some(b) = r.bytes_in_flight {
            row.u32(b);
        }
        row.byte(b'\n');
        let end = row.at;
        self.out.write_all(&self.row[..end])
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nanoseconds_keep_nine_digits() {
        let mut buf = vec![0; ROW_ROOM];
        let mut row = Row {
            buf: &mut buf,
            at: 0,
        };
        let mut cache = Seconds::default();
        row.nanos(1_795_617_348_338_765_000, &mut cache);
        row.nanos(18_000, &mut cache);
        row.nanos(-5, &mut cache);
        row.nanos(7_000_000_000, &mut cache);
        row.nanos(1_795_617_348_000_000_001, &mut cache);
        let end = row.at;
        let text = String::from_utf8(buf[..end].to_vec()).expect("utf-8");
        assert!(
            text == "1795617348.3387650000.000018000-0.0000000057.0000000001795617348.000000001",
            "{text}"
        );
    }

    #[test]
    fn endpoints_are_written_as_display_does() {
        for (a, port) in [
            ("0.0.0.0", 0),
            ("255.255.255.255", 65535),
            ("10.1.200.3", 80),
            ("192.0.2.9", 9),
            ("::1", 443),
            ("2001:db8::10", 50000),
        ] {
            let addr: IpAddr = a.parse().expect("an address");
            let mut text = b"x,".to_vec();
            endpoint_text(&mut text, addr, port);
            assert_eq!(text, format!("x,{addr},{port},").as_bytes());
        }
    }

    #[test]
    fn the_capture_column_is_quoted_when_it_must_be() {
        let mut w = CsvWriter::with_capture_column(Vec::new()).expect("vec");
        w.set_capture("a,\"b\".pcap");
        assert_eq!(w.capture.as_deref(), Some(&b"\"a,\"\"b\"\".pcap\","[..]));
        w.set_capture("plain.pcap");
        assert_eq!(w.capture.as_deref(), Some(&b"plain.pcap,"[..]));
        let out = w.finish().expect("vec");
        assert!(out.starts_with(b"capture,frame,time,"));
    }
}
