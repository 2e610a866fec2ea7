//! The per-segment writers (CSV, JSON Lines) on a thread of their own: a
//! row per packet is about a third of `tcplab analyze --format csv`'s work,
//! and on a second core it runs while the analysis goes on. Segments cross
//! in batches through a bounded channel, so memory stays a few batches
//! whatever the capture's size.

use super::csv::CsvWriter;
use super::jsonl::JsonlWriter;
use crate::analysis::SegmentReport;
use std::io::{self, Write};
use std::sync::mpsc::{self, SyncSender};
use std::thread::{self, JoinHandle};

/// Segments per batch: large enough that the channel costs nothing per
/// segment, small enough (about 1 MB) to stay in the caches.
const BATCH: usize = 1024;
/// Batches that may wait for the writer thread.
const BATCHES_AHEAD: usize = 4;

pub type CsvOut = CsvWriter<Box<dyn Write + Send>>;
pub type JsonlOut = JsonlWriter<Box<dyn Write + Send>>;

/// Which writer failed, and how.
#[derive(Debug, thiserror::Error)]
pub enum SegmentWriteError {
    #[error("writing the segment CSV")]
    Csv(#[source] io::Error),
    #[error("writing the segment JSON Lines")]
    Jsonl(#[source] io::Error),
}

/// The writers, running on their thread.
pub struct SegmentWriters {
    tx: Option<SyncSender<Vec<SegmentReport>>>,
    batch: Vec<SegmentReport>,
    thread: Option<JoinHandle<Result<(), SegmentWriteError>>>,
}

impl SegmentWriters {
    /// Starts the thread (none when there is nothing to write).
    pub fn start(csv: Option<CsvOut>, jsonl: Option<JsonlOut>) -> SegmentWriters {
        if csv.is_none() && jsonl.is_none() {
            return SegmentWriters {
                tx: None,
                batch: Vec::new(),
                thread: None,
            };
        }
        let (tx, rx) = mpsc::sync_channel::<Vec<SegmentReport>>(BATCHES_AHEAD);
        let thread = thread::spawn(move || {
            let (mut csv, mut jsonl) = (csv, jsonl);
            for batch in rx {
                for r in &batch {
                    if let Some(w) = csv.as_mut() {
                        w.write(r).map_err(SegmentWriteError::Csv)?;
                    }
                    if let Some(w) = jsonl.as_mut() {
                        w.write(r).map_err(SegmentWriteError::Jsonl)?;
                    }
                }
            }
            if let Some(w) = csv {
                w.finish().map_err(SegmentWriteError::Csv)?;
            }
            if let Some(w) = jsonl {
                w.finish().map_err(SegmentWriteError::Jsonl)?;
            }
            Ok(())
        });
        SegmentWriters {
            tx: Some(tx),
            batch: Vec::with_capacity(BATCH),
            thread: Some(thread),
        }
    }

    /// Queues one segment. After a write error the writers stop taking
    /// segments; `finish` says what happened.
    pub fn push(&mut self, r: &SegmentReport) {
        if self.tx.is_none() {
            return;
        }
        self.batch.push(r.clone());
        if self.batch.len() == BATCH {
            self.send();
        }
    }

    fn send(&mut self) {
        let full = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        if let Some(tx) = &self.tx {
            if tx.send(full).is_err() {
                // The thread stopped on an error; it is reported by `finish`.
                self.tx = None;
            }
        }
    }

    /// Writes what is queued, flushes, and returns the first write error.
    pub fn finish(mut self) -> Result<(), SegmentWriteError> {
        if !self.batch.is_empty() {
            self.send();
        }
        self.tx = None;
        match self.thread.take().map(JoinHandle::join) {
            None => Ok(()),
            Some(Ok(result)) => result,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::spill_tests::{closed, run_reports};
    use std::sync::{Arc, Mutex};

    /// A `Write` whose bytes the test reads afterwards.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

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
    fn the_thread_writes_what_the_writers_write() {
        let reports = run_reports(
            &(0..1500)
                .flat_map(|i| closed(10_000 + i, i64::from(i), 7 * u32::from(i)))
                .collect::<Vec<_>>(),
        );
        assert!(reports.len() > 2 * BATCH);
        let (direct_csv, direct_jsonl) = (Shared::default(), Shared::default());
        let mut c =
            CsvWriter::new(Box::new(direct_csv.clone()) as Box<dyn Write + Send>).expect("header");
        let mut j = JsonlWriter::new(Box::new(direct_jsonl.clone()) as Box<dyn Write + Send>);
        for r in &reports {
            c.write(r).expect("csv");
            j.write(r).expect("jsonl");
        }
        c.finish().expect("csv");
        j.finish().expect("jsonl");

        let (csv, jsonl) = (Shared::default(), Shared::default());
        let mut w = SegmentWriters::start(
            Some(CsvWriter::new(Box::new(csv.clone()) as Box<dyn Write + Send>).expect("header")),
            Some(JsonlWriter::new(Box::new(jsonl.clone()))),
        );
        for r in &reports {
            w.push(r);
        }
        w.finish().expect("written");
        assert_eq!(
            *csv.0.lock().expect("lock"),
            *direct_csv.0.lock().expect("lock")
        );
        assert_eq!(
            *jsonl.0.lock().expect("lock"),
            *direct_jsonl.0.lock().expect("lock")
        );
    }

    #[test]
    fn a_write_error_is_reported_with_its_writer() {
        let reports = run_reports(&closed(10_000, 0, 1));
        let mut w = SegmentWriters::start(
            None,
            Some(JsonlWriter::new(Box::new(Full) as Box<dyn Write + Send>)),
        );
        for _ in 0..3 * BATCH {
            for r in &reports {
                w.push(r);
            }
        }
        let err = w.finish().expect_err("the disk is full");
        assert!(matches!(err, SegmentWriteError::Jsonl(_)), "{err}");
        let full = format!("{:#}", anyhow::Error::from(err));
        assert_eq!(full, "writing the segment JSON Lines: disk full");
    }
}
