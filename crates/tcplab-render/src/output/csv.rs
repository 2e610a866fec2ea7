//! One row per TCP segment. The header is fixed (documented in
//! `docs/analyze-csv.md`): `frame,time,stream,src,sport,dst,dport,seq,ack,
//! next_seq,len,flags,win,win_scaled,sack,events,ack_rtt,bytes_in_flight`;
//! over several captures (`CsvWriter::with_capture_column`) a first
//! column, `capture`, names the file each row comes from.
//!
//! Written for speed (a row per packet of captures with millions of them):
//! integers through `itoa`, each direction's `src,sport,dst,dport` formatted
//! once per connection (kept for the latest connections only, so that
//! memory does not grow with their number), flags from the table of
//! their letters (`Flags::letters`, made at compile time), each row made
//! in a buffer and written at once, no allocation per row.

use super::numbers;
use std::io::{self, Write};
use tcplab_analysis::SegmentReport;

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
    text: [String; 2],
}

/// `00` to `99`, two bytes each.
const PAIRS: [u8; 200] = {
    let mut t = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// `.` and `n` (< 10⁹) in exactly nine digits, two at a time.
fn point_nine_digits(n: u32) -> [u8; 10] {
    let mut out = [b'.'; 10];
    out[1] = b'0' + (n / 100_000_000 % 10) as u8;
    let mut rest = n % 100_000_000;
    for k in (0..4).rev() {
        let p = (rest % 100) as usize * 2;
        out[2 + 2 * k..4 + 2 * k].copy_from_slice(&PAIRS[p..p + 2]);
        rest /= 100;
    }
    out
}

pub struct CsvWriter<W: Write> {
    out: W,
    /// The `capture` cell and its comma, when there is that column.
    capture: Option<Vec<u8>>,
    /// The row being made.
    row: Vec<u8>,
    endpoints: Vec<EndpointText>,
    int: itoa::Buffer,
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
        CsvWriter {
            out,
            capture,
            row: Vec::with_capacity(256),
            endpoints: std::iter::repeat_with(EndpointText::default)
                .take(ENDPOINT_CACHE)
                .collect(),
            int: itoa::Buffer::new(),
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
        }
        for e in &mut self.endpoints {
            e.stream = None;
            e.filled = [false, false];
        }
    }

    fn int(&mut self, n: impl itoa::Integer) {
        let s = self.int.format(n);
        self.row.extend_from_slice(s.as_bytes());
    }

    fn push(&mut self, bytes: &[u8]) {
        self.row.extend_from_slice(bytes);
    }

    /// `secs.nanos` with exactly nine decimals (negative allowed).
    fn nanos(&mut self, ns: i64) {
        if ns < 0 {
            self.push(b"-");
        }
        let ns = ns.unsigned_abs();
        let secs = ns / 1_000_000_000;
        // itoa's u32 path is the cheaper one, and seconds since 1970 fit.
        match u32::try_from(secs) {
            Ok(s) => self.int(s),
            Err(_) => self.int(secs),
        }
        self.push(&point_nine_digits((ns % 1_000_000_000) as u32));
    }

    fn endpoints(&mut self, r: &SegmentReport) {
        let entry = &mut self.endpoints[r.stream as usize % ENDPOINT_CACHE];
        if entry.stream != Some(r.stream) {
            entry.stream = Some(r.stream);
            entry.filled = [false, false];
        }
        let d = r.dir.index();
        let text = &mut entry.text[d];
        if !entry.filled[d] {
            text.clear();
            for e in [r.src, r.dst] {
                numbers::addr(text, e.addr);
                text.push(',');
                numbers::int(text, e.port);
                text.push(',');
            }
            entry.filled[d] = true;
        }
        self.row.extend_from_slice(text.as_bytes());
    }

    pub fn write(&mut self, r: &SegmentReport) -> io::Result<()> {
        self.row.clear();
        if let Some(cell) = &self.capture {
            self.row.extend_from_slice(cell);
        }
        self.int(r.frame);
        self.push(b",");
        self.nanos(r.ts.0);
        self.push(b",");
        self.int(r.stream);
        self.push(b",");
        self.endpoints(r);
        for n in [r.seq.raw(), r.ack.raw(), r.next_seq.raw(), r.len] {
            self.int(n);
            self.push(b",");
        }
        self.push(r.flags.letters().as_bytes());
        self.push(b",");
        self.int(r.window);
        self.push(b",");
        if let Some(w) = r.win_scaled {
            self.int(w);
        }
        self.push(b",");
        for (i, (l, rr)) in r.sack.as_slice().iter().enumerate() {
            if i > 0 {
                self.push(b";");
            }
            self.int(l.raw());
            self.push(b"-");
            self.int(rr.raw());
        }
        self.push(b",");
        if !r.events.is_empty() {
            write!(self.row, "{}", r.events)?;
        }
        self.push(b",");
        if let Some(ns) = r.ack_rtt_ns {
            self.nanos(ns);
        }
        self.push(b",");
        if let Some(b) = r.bytes_in_flight {
            self.int(b);
        }
        self.push(b"\n");
        self.out.write_all(&self.row)
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
        let mut w = CsvWriter::new(Vec::new()).expect("vec");
        w.nanos(1_795_617_348_338_765_000);
        w.nanos(18_000);
        w.nanos(-5);
        w.nanos(7_000_000_000);
        let text = String::from_utf8(w.row).expect("utf-8");
        assert!(
            text.ends_with("1795617348.3387650000.000018000-0.0000000057.000000000"),
            "{text}"
        );
    }

    #[test]
    fn nine_digits_are_the_zero_padded_number() {
        for n in [0, 5, 99, 100, 123_456_789, 999_999_999, 10_000_001] {
            let got = point_nine_digits(n);
            assert_eq!(&got[..], format!(".{n:09}").as_bytes(), "{n}");
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
