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

/// `src,sport,dst,dport,` of one stream's two directions.
#[derive(Default)]
struct EndpointText {
    stream: Option<u32>,
    text: [Option<Box<str>>; 2],
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
        self.int(ns / 1_000_000_000);
        let frac = ns % 1_000_000_000;
        let mut digits = [b'0'; 10];
        digits[0] = b'.';
        let mut f = frac;
        for d in digits[1..].iter_mut().rev() {
            *d = b'0' + (f % 10) as u8;
            f /= 10;
        }
        self.push(&digits);
    }

    fn endpoints(&mut self, r: &SegmentReport) {
        let entry = &mut self.endpoints[r.stream as usize % ENDPOINT_CACHE];
        if entry.stream != Some(r.stream) {
            *entry = EndpointText {
                stream: Some(r.stream),
                text: [None, None],
            };
        }
        let text = entry.text[r.dir.index()].get_or_insert_with(|| {
            let mut s = String::with_capacity(48);
            for e in [r.src, r.dst] {
                numbers::addr(&mut s, e.addr);
                s.push(',');
                numbers::int(&mut s, e.port);
                s.push(',');
            }
            s.into_boxed_str()
        });
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
        let text = String::from_utf8(w.row).expect("utf-8");
        assert!(
            text.ends_with("1795617348.3387650000.000018000-0.000000005"),
            "{text}"
        );
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
