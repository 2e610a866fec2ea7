//! One row per TCP segment. The header is fixed (documented in
//! `docs/analyze-csv.md`): `frame,time,stream,src,sport,dst,dport,seq,ack,
//! next_seq,len,flags,win,win_scaled,sack,events,ack_rtt,bytes_in_flight`.
//!
//! Written for speed (a row per packet of captures with millions of them):
//! integers through `itoa`, each direction's `src,sport,dst,dport` formatted
//! once per connection, no allocation per row.

use crate::analysis::SegmentReport;
use std::io::{self, Write};

pub const HEADER: &str = "frame,time,stream,src,sport,dst,dport,seq,ack,next_seq,len,flags,win,win_scaled,sack,events,ack_rtt,bytes_in_flight";

pub struct CsvWriter<W: Write> {
    out: W,
    /// `src,sport,dst,dport,` of each stream's two directions.
    endpoints: Vec<[Option<Box<str>>; 2]>,
    int: itoa::Buffer,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(mut out: W) -> io::Result<CsvWriter<W>> {
        writeln!(out, "{HEADER}")?;
        Ok(CsvWriter {
            out,
            endpoints: Vec::new(),
            int: itoa::Buffer::new(),
        })
    }

    fn int(&mut self, n: impl itoa::Integer) -> io::Result<()> {
        let s = self.int.format(n);
        self.out.write_all(s.as_bytes())
    }

    /// `secs.nanos` with exactly nine decimals (negative allowed).
    fn nanos(&mut self, ns: i64) -> io::Result<()> {
        if ns < 0 {
            self.out.write_all(b"-")?;
        }
        let ns = ns.unsigned_abs();
        self.int(ns / 1_000_000_000)?;
        let frac = ns % 1_000_000_000;
        let mut digits = [b'0'; 10];
        digits[0] = b'.';
        let mut f = frac;
        for d in digits[1..].iter_mut().rev() {
            *d = b'0' + (f % 10) as u8;
            f /= 10;
        }
        self.out.write_all(&digits)
    }

    fn endpoints(&mut self, r: &SegmentReport) -> io::Result<()> {
        let stream = r.stream as usize;
        if self.endpoints.len() <= stream {
            self.endpoints.resize_with(stream + 1, Default::default);
        }
        let slot = &mut self.endpoints[stream][r.dir.index()];
        let text = slot.get_or_insert_with(|| {
            format!(
                "{},{},{},{},",
                r.src.addr, r.src.port, r.dst.addr, r.dst.port
            )
            .into_boxed_str()
        });
        self.out.write_all(text.as_bytes())
    }

    pub fn write(&mut self, r: &SegmentReport) -> io::Result<()> {
        self.int(r.frame)?;
        self.out.write_all(b",")?;
        self.nanos(r.ts.0)?;
        self.out.write_all(b",")?;
        self.int(r.stream)?;
        self.out.write_all(b",")?;
        self.endpoints(r)?;
        for n in [r.seq.raw(), r.ack.raw(), r.next_seq.raw(), r.len] {
            self.int(n)?;
            self.out.write_all(b",")?;
        }
        write!(self.out, "{},", r.flags)?;
        self.int(r.window)?;
        self.out.write_all(b",")?;
        if let Some(w) = r.win_scaled {
            self.int(w)?;
        }
        self.out.write_all(b",")?;
        for (i, (l, rr)) in r.sack.as_slice().iter().enumerate() {
            if i > 0 {
                self.out.write_all(b";")?;
            }
            self.int(l.raw())?;
            self.out.write_all(b"-")?;
            self.int(rr.raw())?;
        }
        self.out.write_all(b",")?;
        if !r.events.is_empty() {
            write!(self.out, "{}", r.events)?;
        }
        self.out.write_all(b",")?;
        if let Some(ns) = r.ack_rtt_ns {
            self.nanos(ns)?;
        }
        self.out.write_all(b",")?;
        if let Some(b) = r.bytes_in_flight {
            self.int(b)?;
        }
        self.out.write_all(b"\n")
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
        w.nanos(1_795_617_348_338_765_000).expect("vec");
        w.nanos(18_000).expect("vec");
        w.nanos(-5).expect("vec");
        let text = String::from_utf8(w.finish().expect("vec")).expect("utf-8");
        assert!(
            text.ends_with("1795617348.3387650000.000018000-0.000000005"),
            "{text}"
        );
    }
}
