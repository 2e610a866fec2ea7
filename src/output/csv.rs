//! One row per TCP segment. The header is fixed (documented in
//! `docs/analyze-csv.md`): `frame,time,stream,src,sport,dst,dport,seq,ack,
//! next_seq,len,flags,win,win_scaled,sack,events,ack_rtt,bytes_in_flight`.

use super::secs;
use crate::analysis::SegmentReport;
use std::io::{self, Write};

pub const HEADER: &str = "frame,time,stream,src,sport,dst,dport,seq,ack,next_seq,len,flags,win,win_scaled,sack,events,ack_rtt,bytes_in_flight";

pub struct CsvWriter<W: Write> {
    out: W,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(mut out: W) -> io::Result<CsvWriter<W>> {
        writeln!(out, "{HEADER}")?;
        Ok(CsvWriter { out })
    }

    pub fn write(&mut self, r: &SegmentReport) -> io::Result<()> {
        let o = &mut self.out;
        write!(
            o,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},",
            r.frame,
            r.ts,
            r.stream,
            r.src.addr,
            r.src.port,
            r.dst.addr,
            r.dst.port,
            r.seq,
            r.ack,
            r.next_seq,
            r.len,
            r.flags,
            r.window
        )?;
        if let Some(w) = r.win_scaled {
            write!(o, "{w}")?;
        }
        o.write_all(b",")?;
        for (i, (l, rr)) in r.sack.as_slice().iter().enumerate() {
            if i > 0 {
                o.write_all(b";")?;
            }
            write!(o, "{l}-{rr}")?;
        }
        write!(o, ",{},", r.events)?;
        if let Some(ns) = r.ack_rtt_ns {
            o.write_all(secs(ns).as_bytes())?;
        }
        o.write_all(b",")?;
        if let Some(b) = r.bytes_in_flight {
            write!(o, "{b}")?;
        }
        o.write_all(b"\n")
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}
