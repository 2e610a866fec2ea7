//! The per-segment writers (CSV, JSON Lines) together: each segment goes
//! to both; after a write error they stop taking segments, and `finish`
//! names the output that failed.
//!
//! (Writing them on a thread of their own was measured, 2026-11-25: no
//! faster on 30,000 short connections, 10-40 % slower on the 500 MB bulk
//! capture, where the read-ahead thread already keeps the second core busy.)

use super::csv::CsvWriter;
use super::jsonl::JsonlWriter;
use std::io::{self, Write};
use tcplab_analysis::SegmentReport;

pub type CsvOut = CsvWriter<Box<dyn Write>>;
pub type JsonlOut = JsonlWriter<Box<dyn Write>>;

/// Which writer failed, and how.
#[derive(Debug, thiserror::Error)]
pub enum SegmentWriteError {
    #[error("writing the segment CSV")]
    Csv(#[source] io::Error),
    #[error("writing the segment JSON Lines")]
    Jsonl(#[source] io::Error),
}

pub struct SegmentWriters {
    csv: Option<CsvOut>,
    jsonl: Option<JsonlOut>,
    error: Option<SegmentWriteError>,
}

impl SegmentWriters {
    pub fn new(csv: Option<CsvOut>, jsonl: Option<JsonlOut>) -> SegmentWriters {
        SegmentWriters {
            csv,
            jsonl,
            error: None,
        }
    }

    /// The segments that follow are those of capture `name` (the CSV's
    /// `capture` column, when it has one).
    pub fn set_capture(&mut self, name: &str) {
        if let Some(w) = self.csv.as_mut() {
            w.set_capture(name);
        }
    }

    /// Writes one segment to each writer (nothing after a write error).
    pub fn push(&mut self, r: &SegmentReport) {
        if self.error.is_some() {
            return;
        }
        if let Some(w) = self.csv.as_mut() {
            if let Err(e) = w.write(r) {
                self.error = Some(SegmentWriteError::Csv(e));
                return;
            }
        }
        if let Some(w) = self.jsonl.as_mut() {
            if let Err(e) = w.write(r) {
                self.error = Some(SegmentWriteError::Jsonl(e));
            }
        }
    }

    /// Flushes both, or returns the first write error.
    pub fn finish(self) -> Result<(), SegmentWriteError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if let Some(w) = self.csv {
            w.finish().map_err(SegmentWriteError::Csv)?;
        }
        if let Some(w) = self.jsonl {
            w.finish().map_err(SegmentWriteError::Jsonl)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::test_sink::Shared;
    use tcplab_analysis::synthetic::{closed, reports_of};

    struct Full;

    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn both_get_what_each_writer_alone_writes() {
        let reports = reports_of(
            &(0..1500)
                .flat_map(|i| closed(10_000 + i, i64::from(i), 7 * u32::from(i)))
                .collect::<Vec<_>>(),
        );
        let (direct_csv, direct_jsonl) = (Shared::default(), Shared::default());
        let mut c = CsvWriter::new(Box::new(direct_csv.clone()) as Box<dyn Write>).expect("header");
        let mut j = JsonlWriter::new(Box::new(direct_jsonl.clone()) as Box<dyn Write>);
        for r in &reports {
            c.write(r).expect("csv");
            j.write(r).expect("jsonl");
        }
        c.finish().expect("csv");
        j.finish().expect("jsonl");

        let (csv, jsonl) = (Shared::default(), Shared::default());
        let mut w = SegmentWriters::new(
            Some(CsvWriter::new(Box::new(csv.clone()) as Box<dyn Write>).expect("header")),
            Some(JsonlWriter::new(Box::new(jsonl.clone()))),
        );
        for r in &reports {
            w.push(r);
        }
        w.finish().expect("written");
        assert_eq!(csv.bytes(), direct_csv.bytes());
        assert_eq!(jsonl.bytes(), direct_jsonl.bytes());
    }

    #[test]
    fn a_write_error_is_reported_with_its_writer() {
        let reports = reports_of(&closed(10_000, 0, 1));
        let mut w = SegmentWriters::new(
            None,
            Some(JsonlWriter::new(Box::new(Full) as Box<dyn Write>)),
        );
        for _ in 0..3 {
            for r in &reports {
                w.push(r);
            }
        }
        let err = w.finish().expect_err("the disk is full");
        assert!(matches!(err, SegmentWriteError::Jsonl(_)), "{err}");
        let cause = std::error::Error::source(&err).map(ToString::to_string);
        let full = format!("{err}: {}", cause.unwrap_or_default());
        assert_eq!(full, "writing the segment JSON Lines: disk full");
    }
}
