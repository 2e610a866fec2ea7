//! One row per TCP segment. The header is fixed (documented in
//! `docs/analyze-csv.md`): `frame,time,stream,src,sport,dst,dport,seq,ack,
//! next_seq,len,flags,win,win_scaled,sack,events,ack_rtt,bytes_in_flight`;
//! over several captures (`CsvWriter::with_capture_column`) a first
//! column, `capture`, names the file each row comes from.
//!
//! Written for speed (a row per packet of captures with millions of them):
//! rows made in place, one after the other, in the writer's own buffer,
//! each in a window of it with room for the widest row, so that no piece
//! checks bounds (`csv_row::Row`), handed to the output in one `write_all`
//! once it holds [`FLUSH_AT`] bytes; integers up to eight digits at a time
//! in a `u64` (`digits`); the frame number counted up in its text; per
//! stream and direction (`csv_streams`) `stream,src,sport,dst,dport,`,
//! the last `seq` and `ack` kept as text; `win,win_scaled,` kept for the
//! last few pairs; `next_seq` copied from `seq` when they are equal; the seconds of the time written
//! once a second; the flags' cell from a table of 256 made once from
//! `Flags::letters`; no allocation per row.

use super::csv_row::{flag_cells, FlagCells, Row, Seconds, WindowCells, SPAN, WINDOW};
use super::csv_streams::StreamTexts;
use super::kept_numbers;
use std::io::{self, Write};
use tcplab_analysis::SegmentReport;

pub const HEADER: &str = "frame,time,stream,src,sport,dst,dport,seq,ack,next_seq,len,flags,win,win_scaled,sack,events,ack_rtt,bytes_in_flight";

/// Rows go to the output when this many bytes wait (a multiple of the
/// usual `BufWriter` capacity, so it passes them on without a copy).
pub const FLUSH_AT: usize = 1 << 16;

pub struct CsvWriter<W: Write> {
    /// `None` only once `finish` has taken it.
    out: Option<W>,
    /// The `capture` cell and its comma, when there is that column.
    capture: Option<Vec<u8>>,
    /// Rows made and not yet written: `rows[..pending]`. `FLUSH_AT`,
    /// the capture cell and a row's `WINDOW` long, so that a row made
    /// while fewer than `FLUSH_AT` bytes wait has its window.
    rows: Vec<u8>,
    pending: usize,
    /// The seconds of the last `time` and of the last `ack_rtt`.
    time_secs: Seconds,
    rtt_secs: Seconds,
    frame: kept_numbers::Counting,
    streams: StreamTexts,
    windows: Box<WindowCells>,
    flag_cells: Box<FlagCells>,
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

    /// Where the rows go, with every row written so far in it, for rows
    /// made elsewhere (by a [`CsvWriter::rows_only`]) to be put in place.
    pub fn get_mut(&mut self) -> io::Result<&mut W> {
        self.write_pending()?;
        Ok(self.out_mut())
    }

    fn out_mut(&mut self) -> &mut W {
        self.out
            .as_mut()
            .expect("the output is taken only by finish")
    }

    fn writer(out: W, capture: Option<Vec<u8>>) -> CsvWriter<W> {
        CsvWriter {
            out: Some(out),
            capture,
            rows: vec![0; FLUSH_AT + WINDOW],
            pending: 0,
            time_secs: Seconds::default(),
            rtt_secs: Seconds::default(),
            frame: kept_numbers::Counting::default(),
            streams: StreamTexts::default(),
            windows: Box::default(),
            flag_cells: flag_cells(),
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
            let room = FLUSH_AT + cell.len() + WINDOW;
            if self.rows.len() < room {
                self.rows.resize(room, 0);
            }
        }
        self.streams.forget_streams();
    }

    /// Makes `r`'s row after the rows waiting, and writes them all when
    /// they are `FLUSH_AT` bytes or more. (Inlined into its one caller
    /// per row, `SegmentWriters::push`, which the compiler stopped doing
    /// on its own: 3 instructions a row.)
    #[inline(always)]
    pub fn write(&mut self, r: &SegmentReport) -> io::Result<()> {
        let mut start = self.pending;
        if let Some(cell) = &self.capture {
            self.rows[start..start + cell.len()].copy_from_slice(cell);
            start += cell.len();
        }
        let window = self.rows[start..]
            .first_chunk_mut::<WINDOW>()
            .expect("the buffer has a row's window past FLUSH_AT bytes and the capture cell");
        let mut row = Row { w: window, at: 0 };
        let (frame, len) = self.frame.cell(r.frame);
        row.fixed(frame, len);
        row.nanos_cell(r.ts.0, &mut self.time_secs);
        let dir = self.streams.endpoints(&mut row, r);
        let seq_at = row.at;
        let (seq, seq_len) = dir.seq.cell(r.seq.raw());
        row.fixed(seq, seq_len);
        let (ack, len) = dir.ack.cell(r.ack.raw());
        row.fixed(ack, len);
        if r.next_seq == r.seq {
            row.again(seq_at, seq_len);
        } else {
            // The next row's `seq`, most often: kept as the last one.
            let (next, len) = dir.seq.cell(r.next_seq.raw());
            row.fixed(next, len);
        }
        row.u32_cell(r.len);
        let (flags, len) = &self.flag_cells[usize::from(r.flags.classic())];
        row.fixed(flags, *len);
        self.windows.put(&mut row, r.window, r.win_scaled);
        if r.sack.is_empty() && r.events.is_empty() {
            row.fixed(b",,", 2);
        } else {
            sack_and_events(&mut row, r);
        }
        match r.ack_rtt_ns {
            Some(ns) => row.nanos_cell(ns, &mut self.rtt_secs),
            None => row.byte(b','),
        }
        if let Some(b) = r.bytes_in_flight {
            row.u32(b);
        }
        row.byte(b'\n');
        debug_assert!(row.at < SPAN);
        self.pending = start + row.at;
        if self.pending >= FLUSH_AT {
            self.write_pending()?;
        }
        Ok(())
    }

    /// Hands the rows waiting to the output (they are gone even when that
    /// fails: the error ends the output).
    fn write_pending(&mut self) -> io::Result<()> {
        let pending = std::mem::take(&mut self.pending);
        if pending == 0 {
            return Ok(());
        }
        let Some(out) = self.out.as_mut() else {
            return Ok(());
        };
        out.write_all(&self.rows[..pending])
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.write_pending()?;
        self.out_mut().flush()?;
        Ok(self.out.take().expect("the output is taken only here"))
    }
}

/// The `sack` and `events` cells and their commas (most rows have
/// neither).
#[inline(never)]
fn sack_and_events(row: &mut Row<'_>, r: &SegmentReport) {
    for (i, (l, rr)) in r.sack.as_slice().iter().enumerate() {
        if i > 0 {
            row.byte(b';');
        }
        row.u32(l.raw());
        row.byte(b'-');
        row.u32(rr.raw());
    }
    row.byte(b',');
    for (i, e) in r.events.iter().enumerate() {
        if i > 0 {
            row.byte(b';');
        }
        row.bytes(e.name().as_bytes());
    }
    row.byte(b',');
}

/// Rows still waiting are written (errors ignored, as `BufWriter` does)
/// when the writer is dropped without `finish`: the output then ends
/// where the command stopped, as it always has.
impl<W: Write> Drop for CsvWriter<W> {
    fn drop(&mut self) {
        let _ = self.write_pending();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `r`'s row made with `format!` and `to_string`.
    fn reference_row(r: &SegmentReport) -> String {
        let mut row = format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},",
            r.frame,
            crate::output::secs(r.ts.0),
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
            r.window,
            r.win_scaled.map(|w| w.to_string()).unwrap_or_default(),
        );
        let sack: Vec<String> = r
            .sack
            .as_slice()
            .iter()
            .map(|(l, rr)| format!("{l}-{rr}"))
            .collect();
        let events: Vec<&str> = r.events.iter().map(|e| e.name()).collect();
        row += &format!(
            "{},{},{},{}\n",
            sack.join(";"),
            events.join(";"),
            r.ack_rtt_ns.map(crate::output::secs).unwrap_or_default(),
            r.bytes_in_flight.map(|b| b.to_string()).unwrap_or_default(),
        );
        row
    }

    /// The widest row there can be (IPv6 endpoints, every number at its
    /// widest, four SACK blocks, every event), then narrow ones, in the
    /// same stream and in others that share its place in the cache: as
    /// `format!` writes them, and within a row's `SPAN`.
    #[test]
    fn the_widest_row_fits_and_every_row_is_written_as_format_does() {
        use std::net::IpAddr;
        use tcplab_analysis::synthetic::{closed, reports_of};
        use tcplab_analysis::{Event, EventSet};
        use tcplab_wire::dissect::TcpOptions;
        let mut widest = reports_of(&closed(10_000, 0, 1))[3].clone();
        let wide: IpAddr = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"
            .parse()
            .expect("v6");
        widest.frame = u64::MAX;
        widest.ts.0 = i64::MIN;
        widest.stream = u32::MAX;
        widest.src.addr = wide;
        widest.src.port = u16::MAX;
        widest.dst.addr = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
            .parse()
            .expect("v6");
        widest.dst.port = u16::MAX - 1;
        widest.seq.0 = u32::MAX;
        widest.ack.0 = u32::MAX - 1;
        widest.next_seq.0 = 4_000_000_000;
        widest.len = u32::MAX;
        widest.flags.0 = 0xff;
        widest.window = u16::MAX;
        widest.win_scaled = Some(u32::MAX);
        let mut sack = vec![5, 34];
        for _ in 0..8 {
            sack.extend(u32::MAX.to_be_bytes());
        }
        widest.sack = TcpOptions::parse(&sack).sack;
        assert_eq!(widest.sack.as_slice().len(), 4);
        let mut all = EventSet::default();
        for e in Event::ALL {
            all.insert(e);
        }
        widest.events = all;
        widest.ack_rtt_ns = Some(i64::MIN);
        widest.bytes_in_flight = Some(u32::MAX);

        let mut reports = vec![widest.clone()];
        for (i, r) in reports_of(&closed(10_001, 5, u32::MAX - 50))
            .into_iter()
            .enumerate()
        {
            let mut r = r;
            // Streams 1023 and 2047, which share the widest's place in
            // the cache (u32::MAX), in both directions.
            r.stream = if i % 3 == 0 { 2047 } else { 1023 };
            r.win_scaled = (i % 2 == 0).then_some(r.window.into());
            reports.push(r);
            reports.push(widest.clone());
        }
        let mut w = CsvWriter::rows_only(Vec::new(), false);
        let mut want = String::new();
        for r in &reports {
            let before = w.pending;
            w.write(r).expect("in memory");
            let row = reference_row(r);
            assert_eq!(w.pending - before, row.len());
            assert!(row.len() < SPAN, "{} bytes", row.len());
            want += &row;
        }
        let got = w.finish().expect("in memory");
        assert_eq!(String::from_utf8(got).expect("utf-8"), want);
    }

    /// Rows bigger than the buffer in all, some dropped without `finish`:
    /// the output has them all, in order, as one writer made them.
    #[test]
    fn rows_waiting_are_written_when_full_on_finish_and_on_drop() {
        use crate::output::test_sink::Shared;
        use tcplab_analysis::synthetic::{closed, reports_of};
        let reports = reports_of(
            &(0..3000)
                .flat_map(|i| closed(10_000 + i, i64::from(i), 7 * u32::from(i)))
                .collect::<Vec<_>>(),
        );
        let mut want = format!("{HEADER}\n");
        for r in &reports {
            want += &reference_row(r);
        }
        assert!(want.len() > 2 * FLUSH_AT, "{} bytes only", want.len());
        let finished = Shared::default();
        let mut w = CsvWriter::new(finished.clone()).expect("header");
        for r in &reports {
            w.write(r).expect("written");
        }
        w.finish().expect("flushed");
        assert!(finished.bytes() == want.as_bytes());

        let dropped = Shared::default();
        let mut w = CsvWriter::new(dropped.clone()).expect("header");
        for r in &reports {
            w.write(r).expect("written");
        }
        drop(w);
        assert!(dropped.bytes() == want.as_bytes());
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
