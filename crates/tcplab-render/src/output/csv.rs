//! One row per TCP segment. The header is fixed (documented in
//! `docs/analyze-csv.md`): `frame,time,stream,src,sport,dst,dport,seq,ack,
//! next_seq,len,flags,win,win_scaled,sack,events,ack_rtt,bytes_in_flight`;
//! over several captures (`CsvWriter::with_capture_column`) a first
//! column, `capture`, names the file each row comes from.
//!
//! Written for speed (a row per packet of captures with millions of them):
//! rows made in place, one after the other, in the writer's own buffer
//! (sized once, so no growth check per piece), handed to the output in one
//! `write_all` once it holds [`FLUSH_AT`] bytes; integers eight digits at a
//! time (`digits::put_u32`); the frame number counted up in its text;
//! per connection and direction (kept for the latest connections only, so
//! that memory does not grow with their number) `stream,src,sport,dst,
//! dport` formatted once into a fixed array and copied whole, and the last
//! `seq` and `ack` kept as text, of which only the last four digits are
//! mostly rewritten (`digits::LastNumber`); `next_seq` copied from `seq`
//! when they are equal; the seconds of the time written once a second; the
//! flags' cell from a table of 256 made once from `Flags::letters`; no
//! allocation per row.

use super::csv_row::{endpoint_text, flag_cells, FlagCells, Row, Seconds};
use super::digits;
use std::io::{self, Write};
use tcplab_analysis::{Event, SegmentReport};

pub const HEADER: &str = "frame,time,stream,src,sport,dst,dport,seq,ack,next_seq,len,flags,win,win_scaled,sack,events,ack_rtt,bytes_in_flight";

/// Streams whose endpoint text is kept: a direct-mapped cache by stream.
const ENDPOINT_CACHE: usize = 1024;

/// The widest `stream,src,sport,dst,dport,`: ten digits, two IPv6
/// addresses (39 bytes each), two ports and five commas make 103.
const ENDPOINTS_MAX: usize = 112;

/// What one stream's rows repeat, by direction: `stream,src,sport,dst,
/// dport,` in a fixed array copied whole into the row (its first `len`
/// bytes), and the last `seq` and
/// `ack` written, of which the next rows mostly rewrite the last digits.
struct EndpointText {
    stream: Option<u32>,
    len: [usize; 2],
    text: [[u8; ENDPOINTS_MAX]; 2],
    seq: [digits::LastNumber; 2],
    ack: [digits::LastNumber; 2],
}

impl Default for EndpointText {
    fn default() -> EndpointText {
        EndpointText {
            stream: None,
            len: [0; 2],
            text: [[0; ENDPOINTS_MAX]; 2],
            seq: Default::default(),
            ack: Default::default(),
        }
    }
}

/// Rows go to the output when this many bytes wait (a multiple of the
/// usual `BufWriter` capacity, so it passes them on without a copy).
pub const FLUSH_AT: usize = 1 << 16;

/// Room for a row past its capture cell, more than the widest needs:
/// endpoints (`ENDPOINTS_MAX`), every number at its widest with four SACK
/// blocks, the flags and the commas (267); the events' names are added per
/// writer (`event_room`); then the bytes a piece may write past its end
/// (`digits::PUT_ROOM`).
const ROW_ROOM: usize = 512 + digits::PUT_ROOM;

pub struct CsvWriter<W: Write> {
    /// `None` only once `finish` has taken it.
    out: Option<W>,
    /// The `capture` cell and its comma, when there is that column.
    capture: Option<Vec<u8>>,
    /// Rows made and not yet written: `rows[..pending]`. At least
    /// `FLUSH_AT + ROW_ROOM + event_room` and the capture cell long, so
    /// each piece of a row is written in place with no growth check.
    rows: Vec<u8>,
    pending: usize,
    /// All the events' names and their `;`: the widest `events` cell.
    event_room: usize,
    /// The seconds of the last `time` and of the last `ack_rtt`.
    time_secs: Seconds,
    rtt_secs: Seconds,
    frame: digits::Counting,
    endpoints: Vec<EndpointText>,
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
        let event_room = Event::ALL.iter().map(|e| e.name().len() + 1).sum();
        CsvWriter {
            out: Some(out),
            capture,
            rows: vec![0; FLUSH_AT + ROW_ROOM + event_room],
            pending: 0,
            event_room,
            time_secs: Seconds::default(),
            rtt_secs: Seconds::default(),
            frame: digits::Counting::default(),
            endpoints: std::iter::repeat_with(EndpointText::default)
                .take(ENDPOINT_CACHE)
                .collect(),
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
            let room = FLUSH_AT + cell.len() + ROW_ROOM + self.event_room;
            if self.rows.len() < room {
                self.rows.resize(room, 0);
            }
        }
        for e in &mut self.endpoints {
            e.stream = None;
            e.len = [0, 0];
        }
    }

    /// What `r`'s stream repeats, its `stream,src,sport,dst,dport,` made
    /// on its first row for both directions (the other's is this one's
    /// with the two ends swapped).
    #[inline(always)]
    fn endpoints<'e>(endpoints: &'e mut [EndpointText], r: &SegmentReport) -> &'e mut EndpointText {
        let entry = &mut endpoints[r.stream as usize % ENDPOINT_CACHE];
        if entry.stream != Some(r.stream) {
            entry.stream = Some(r.stream);
            // `addr,port,` of the sender and of the receiver.
            let mut ends = [[0; ENDPOINTS_MAX / 2 + digits::PUT_ROOM]; 2];
            let mut lens = [0; 2];
            for ((end, len), e) in ends.iter_mut().zip(&mut lens).zip([r.src, r.dst]) {
                let mut row = Row { buf: end, at: 0 };
                endpoint_text(&mut row, e.addr, e.port);
                *len = row.at;
            }
            let d = r.dir.index();
            for (dir, [from, to]) in [(d, [0, 1]), (1 - d, [1, 0])] {
                let mut buf = [0; ENDPOINTS_MAX + digits::PUT_ROOM];
                let mut row = Row {
                    buf: &mut buf,
                    at: 0,
                };
                row.u32_cell(r.stream);
                row.bytes(&ends[from][..lens[from]]);
                row.bytes(&ends[to][..lens[to]]);
                entry.len[dir] = row.at;
                entry.text[dir].copy_from_slice(&buf[..ENDPOINTS_MAX]);
            }
        }
        entry
    }

    /// Makes `r`'s row after the rows waiting, and writes them all when
    /// they are `FLUSH_AT` bytes or more.
    pub fn write(&mut self, r: &SegmentReport) -> io::Result<()> {
        let mut row = Row {
            buf: &mut self.rows,
            at: self.pending,
        };
        if let Some(cell) = &self.capture {
            row.bytes(cell);
        }
        let (frame, len) = self.frame.text(r.frame);
        row.fixed(frame, len);
        row.byte(b',');
        row.nanos(r.ts.0, &mut self.time_secs);
        row.byte(b',');
        let stream = CsvWriter::<W>::endpoints(&mut self.endpoints, r);
        let d = r.dir.index();
        row.fixed(&stream.text[d], stream.len[d]);
        let seq_at = row.at;
        let (seq, len) = stream.seq[d].text(r.seq.raw());
        row.fixed(seq, len);
        row.byte(b',');
        let seq_len = row.at - seq_at;
        let (ack, len) = stream.ack[d].text(r.ack.raw());
        row.fixed(ack, len);
        row.byte(b',');
        if r.next_seq == r.seq {
            row.again(seq_at, seq_len);
        } else {
            // The next row's `seq`, most often: kept as the last one.
            let (next, len) = stream.seq[d].text(r.next_seq.raw());
            row.fixed(next, len);
            row.byte(b',');
        }
        row.u32_cell(r.len);
        let (flags, len) = &self.flag_cells[usize::from(r.flags.classic())];
        row.fixed(flags, *len);
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
        self.pending = row.at;
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
            want += &format!(
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
            want += &format!(
                "{},{},{},{}\n",
                sack.join(";"),
                events.join(";"),
                r.ack_rtt_ns.map(crate::output::secs).unwrap_or_default(),
                r.bytes_in_flight.map(|b| b.to_string()).unwrap_or_default(),
            );
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
