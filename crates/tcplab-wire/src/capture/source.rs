//! A read buffer that hands out slices of itself: records are parsed where
//! the kernel put them, with no second copy (what `BufReader` + `read_exact`
//! into a record buffer would cost). The buffer grows only as bytes
//! actually arrive, so a damaged length field claiming gigabytes costs no
//! more memory than the file has.
//!
//! For files, a second thread reads ahead (`Source::prefetching`): while the
//! analysis works on one chunk, the kernel copies the next one. Each chunk
//! keeps room in front of its data, so the few bytes of a record split
//! between two chunks are moved there and the record stays contiguous.
//! Used chunks go back to the reading thread `RETURN_AT` at a time: it
//! waits for them, and each wake-up of a waiting thread costs a system
//! call and, in a virtual machine, an interrupt between processors
//! (bench/results.md, 2026-12-04: half the context switches, about 2 %
//! less time on a CSV of short connections).

use std::io::{self, Read};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread;

// Under `cargo fuzz` (which sets `--cfg fuzzing`) chunks are small: its
// inputs (at most 256 KiB) then span several chunks, records are split
// between chunks and outgrow the headroom, and a run does not zero a full chunk.
/// Bytes asked of the reader at a time. 256 KiB rather than 1 MiB: the
/// four chunks in flight touch 1 MB instead of 4 (about 1,000 page faults
/// fewer on many-conns.pcap), with no measurable change in time
/// (bench/results.md, third pass).
#[allow(unexpected_cfgs)]
pub(crate) const CHUNK: usize = if cfg!(fuzzing) { 4 << 10 } else { 256 << 10 };
/// Room in front of each prefetched chunk for the tail of the previous one:
/// larger than any pcap record (262,144 bytes plus its header).
#[allow(unexpected_cfgs)]
const HEADROOM: usize = if cfg!(fuzzing) { 1 << 10 } else { 512 << 10 };
/// Chunks in all: the one being parsed, those read ahead of it, and used
/// ones waiting to go back to the reading thread.
const CHUNKS: usize = 4;
/// Used chunks go back to the reading thread this many at a time.
const RETURN_AT: usize = 2;

/// A chunk and how many bytes of it were read; with the error that ended
/// the reading, if one did (the bytes before it still count: a gzip
/// stream cut short gives its whole first part before the error).
type Filled = (Vec<u8>, usize, Option<io::Error>);

/// The background reader: sends chunks filled from `HEADROOM` on, and gets
/// used ones back to refill, so memory stays at `CHUNKS` chunks.
struct Prefetch {
    filled: Receiver<Filled>,
    recycle: SyncSender<Vec<u8>>,
    /// Used chunks not yet sent back (fewer than `RETURN_AT`).
    used: Vec<Vec<u8>>,
    thread: Option<thread::JoinHandle<()>>,
}

/// Stops and joins the reader thread, so that nothing outlives the reader.
impl Drop for Prefetch {
    fn drop(&mut self) {
        // Unblock a thread waiting to send or for a chunk to fill: drop
        // both channels' ends here.
        let (_, dead) = mpsc::sync_channel::<Filled>(0);
        drop(std::mem::replace(&mut self.filled, dead));
        let (dead, _) = mpsc::sync_channel::<Vec<u8>>(0);
        drop(std::mem::replace(&mut self.recycle, dead));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Prefetch {
    fn start<R: Read + Send + 'static>(mut reader: R) -> Prefetch {
        // Room for every chunk in both channels: sending never waits; the
        // reading thread waits only for a used chunk to fill.
        let (tx, filled) = mpsc::sync_channel::<Filled>(CHUNKS);
        let (recycle, used) = mpsc::sync_channel::<Vec<u8>>(CHUNKS);
        let mut made = 0;
        let thread = thread::spawn(move || loop {
            let next = match used.try_recv() {
                Ok(buf) => Ok(buf),
                Err(_) if made < CHUNKS => {
                    made += 1;
                    Ok(vec![0u8; HEADROOM + CHUNK])
                }
                // Fails when the reader was dropped.
                Err(_) => used.recv(),
            };
            let Ok(mut buf) = next else {
                return;
            };
            let mut got = 0;
            let result = loop {
                match reader.read(&mut buf[HEADROOM + got..]) {
                    Ok(0) => break Ok(()),
                    Ok(n) => {
                        got += n;
                        if got == CHUNK {
                            break Ok(());
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => break Err(e),
                }
            };
            let last = got < CHUNK || result.is_err();
            // The receiving side is gone when the reader was dropped early.
            if tx.send((buf, got, result.err())).is_err() || last {
                return;
            }
        });
        Prefetch {
            filled,
            recycle,
            used: Vec::with_capacity(RETURN_AT),
            thread: Some(thread),
        }
    }

    /// Gives a used chunk back, `RETURN_AT` at a time (one wake-up of the
    /// reading thread for them all). Every chunk must come back: the
    /// reading thread makes no more than `CHUNKS`.
    fn give_back(&mut self, chunk: Vec<u8>) {
        self.used.push(chunk);
        if self.used.len() >= RETURN_AT {
            for chunk in self.used.drain(..) {
                // Fails only once the reading has ended.
                let _ = self.recycle.try_send(chunk);
            }
        }
    }
}

enum Feed<R> {
    Direct(R),
    Prefetch(Prefetch),
}

pub(crate) struct Source<R> {
    feed: Feed<R>,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// An error met after the bytes in `buf`: returned once they are used.
    failed: Option<io::Error>,
}

impl<R: Read> Source<R> {
    pub(crate) fn new(reader: R) -> Source<R> {
        Source {
            feed: Feed::Direct(reader),
            buf: Vec::new(),
            start: 0,
            end: 0,
            eof: false,
            failed: None,
        }
    }

    /// Makes at least `n` bytes available (fewer only at the end of the
    /// input); returns how many are. Inline for the common case, where
    /// the bytes are already in the buffer (every record but one a chunk).
    #[inline]
    pub(crate) fn ensure(&mut self, n: usize) -> io::Result<usize> {
        let held = self.end - self.start;
        if held >= n {
            return Ok(held);
        }
        self.fill(n)
    }

    /// `ensure`'s slow half: reads until `n` bytes are held or the input ends.
    #[inline(never)]
    fn fill(&mut self, n: usize) -> io::Result<usize> {
        while self.end - self.start < n && !self.eof {
            let leftover = self.end - self.start;
            match &mut self.feed {
                _ if self.failed.is_some() => {
                    // The bytes before the error are used up: now the error.
                    return Err(self
                        .failed
                        .take()
                        .unwrap_or_else(|| io::Error::other("read error")));
                }
                Feed::Prefetch(p) if leftover <= HEADROOM => match p.filled.recv() {
                    Ok((mut next, got, failed)) => {
                        let at = HEADROOM - leftover;
                        next[at..HEADROOM].copy_from_slice(&self.buf[self.start..self.end]);
                        let used = std::mem::replace(&mut self.buf, next);
                        if used.len() == HEADROOM + CHUNK {
                            p.give_back(used);
                        }
                        self.start = at;
                        self.end = HEADROOM + got;
                        self.eof = got < CHUNK && failed.is_none();
                        self.failed = failed;
                    }
                    Err(_) => self.eof = true,
                },
                // A block larger than the headroom (pcapng allows 16 MiB):
                // gather it in a buffer of its own.
                Feed::Prefetch(p) => {
                    let mut big = self.buf[self.start..self.end].to_vec();
                    match p.filled.recv() {
                        Ok((next, got, failed)) => {
                            big.extend_from_slice(&next[HEADROOM..HEADROOM + got]);
                            self.eof = got < CHUNK && failed.is_none();
                            self.failed = failed;
                            p.give_back(next);
                        }
                        Err(_) => self.eof = true,
                    }
                    self.end = big.len();
                    self.start = 0;
                    let used = std::mem::replace(&mut self.buf, big);
                    if used.len() == HEADROOM + CHUNK {
                        p.give_back(used);
                    }
                }
                Feed::Direct(reader) => {
                    if self.start > 0 {
                        self.buf.copy_within(self.start..self.end, 0);
                        self.end -= self.start;
                        self.start = 0;
                    }
                    // Grow toward `n` one chunk at a time, and only once the
                    // space already there is full of real bytes.
                    if self.end == self.buf.len() {
                        let target = n.max(CHUNK).min(self.end + CHUNK);
                        self.buf.resize(target, 0);
                    }
                    match reader.read(&mut self.buf[self.end..]) {
                        Ok(0) => self.eof = true,
                        Ok(got) => self.end += got,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        Ok(self.end - self.start)
    }

    /// Bytes held by the buffer (for tests of memory use).
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// The bytes already in the buffer (the next ones to be read), without
    /// reading more: what a reader's fast path parses in place.
    #[inline]
    pub(crate) fn held(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Moves past `n` bytes of [`Source::held`] and returns them.
    #[inline]
    pub(crate) fn take_held(&mut self, n: usize) -> &[u8] {
        let s = self.start;
        let n = n.min(self.end - s);
        self.start = s + n;
        &self.buf[s..s + n]
    }

    /// The next `n` bytes (or all that is left, if fewer), after `ensure`.
    pub(crate) fn next_slice(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.end - self.start);
        let s = self.start;
        self.start += n;
        &self.buf[s..s + n]
    }
}

impl<R: Read + Send + 'static> Source<R> {
    /// Reads ahead on a second thread (for files).
    pub(crate) fn prefetching(reader: R) -> Source<R> {
        Source {
            feed: Feed::Prefetch(Prefetch::start(reader)),
            buf: Vec::new(),
            start: 0,
            end: 0,
            eof: false,
            failed: None,
        }
    }
}

/// Lets the pcapng reader, which parses block bodies in place, read through it.
impl<R: Read> Read for Source<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.ensure(out.len().min(CHUNK))?.min(out.len());
        out[..n].copy_from_slice(self.next_slice(n));
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn drain<R: Read>(mut s: Source<R>, step: usize) -> Vec<u8> {
        let mut seen = Vec::new();
        loop {
            let got = s.ensure(step).expect("in-memory reads succeed");
            if got == 0 {
                return seen;
            }
            seen.extend_from_slice(s.next_slice(step));
        }
    }

    #[test]
    fn hands_out_consecutive_slices_across_refills() {
        let data: Vec<u8> = (0..=255u8).cycle().take(3 * CHUNK + 17).collect();
        assert_eq!(drain(Source::new(Cursor::new(data.clone())), 100_003), data);
        assert_eq!(
            drain(Source::prefetching(Cursor::new(data.clone())), 100_003),
            data
        );
        // Requests larger than the headroom, as a big pcapng block makes.
        assert_eq!(
            drain(
                Source::prefetching(Cursor::new(data.clone())),
                HEADROOM * 3 + 5
            ),
            data
        );
    }

    #[test]
    fn the_reading_thread_never_runs_out_of_chunks() {
        // Many more chunks than `CHUNKS`, read in small steps and in steps
        // larger than the headroom (whose chunks are copied out and must
        // still go back): a chunk not given back would stop the reading
        // thread for good. In a thread of its own, so that a hang fails.
        let data: Vec<u8> = (0..=250u8).cycle().take(12 * CHUNK + 5).collect();
        let (done, wait) = std::sync::mpsc::channel();
        let copy = data.clone();
        std::thread::spawn(move || {
            let small = drain(Source::prefetching(Cursor::new(copy.clone())), 1_000);
            let big = drain(Source::prefetching(Cursor::new(copy)), HEADROOM * 2 + 3);
            let _ = done.send((small, big));
        });
        let (small, big) = wait
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the reading thread went on");
        assert!(small == data && big == data);
    }

    #[test]
    fn dropping_a_reader_early_stops_its_thread() {
        let mut s = Source::prefetching(Cursor::new(vec![1u8; 10 * CHUNK]));
        assert_eq!(s.ensure(10).expect("reads"), CHUNK);
        drop(s); // joins the reader thread; a hang here fails the test by timeout
    }

    #[test]
    fn a_huge_request_on_a_small_input_costs_only_the_input() {
        let mut s = Source::new(Cursor::new(vec![7u8; 10]));
        assert_eq!(s.ensure(usize::MAX / 2).expect("reads"), 10);
        assert!(s.buf.len() <= CHUNK);
        assert_eq!(s.next_slice(usize::MAX), &[7u8; 10]);
        let mut p = Source::prefetching(Cursor::new(vec![7u8; 10]));
        assert_eq!(p.ensure(usize::MAX / 2).expect("reads"), 10);
        assert_eq!(p.next_slice(usize::MAX), &[7u8; 10]);
    }
}
