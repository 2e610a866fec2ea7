//! A read buffer that hands out slices of itself: records are parsed where
//! the kernel put them, with no second copy (what `BufReader` + `read_exact`
//! into a record buffer would cost). The buffer grows only as bytes
//! actually arrive, so a damaged length field claiming gigabytes costs no
//! more memory than the file has.

use std::io::{self, Read};

/// Bytes asked of the reader at a time.
pub(crate) const CHUNK: usize = 4 << 20;

pub(crate) struct Source<R> {
    reader: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
}

impl<R: Read> Source<R> {
    pub(crate) fn new(reader: R) -> Source<R> {
        Source {
            reader,
            buf: Vec::new(),
            start: 0,
            end: 0,
            eof: false,
        }
    }

    /// Makes at least `n` bytes available (fewer only at the end of the
    /// input); returns how many are.
    pub(crate) fn ensure(&mut self, n: usize) -> io::Result<usize> {
        if self.end - self.start >= n || self.eof {
            return Ok(self.end - self.start);
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        while self.end < n && !self.eof {
            // Grow toward `n` one chunk at a time, and only once the space
            // already there is full of real bytes.
            if self.end == self.buf.len() {
                let target = n.max(CHUNK).min(self.end + CHUNK);
                self.buf.resize(target, 0);
            }
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(got) => self.end += got,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(self.end - self.start)
    }

    /// Bytes held by the buffer (for tests of memory use).
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// The next `n` bytes (or all that is left, if fewer), after `ensure`.
    pub(crate) fn next_slice(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.end - self.start);
        let s = self.start;
        self.start += n;
        &self.buf[s..s + n]
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

    #[test]
    fn hands_out_consecutive_slices_across_refills() {
        let data: Vec<u8> = (0..=255u8).cycle().take(3 * CHUNK + 17).collect();
        let mut s = Source::new(Cursor::new(data.clone()));
        let mut seen = Vec::new();
        loop {
            let got = s.ensure(100_003).expect("in-memory reads succeed");
            if got == 0 {
                break;
            }
            seen.extend_from_slice(s.next_slice(100_003));
        }
        assert_eq!(seen, data);
    }

    #[test]
    fn a_huge_request_on_a_small_input_costs_only_the_input() {
        let mut s = Source::new(Cursor::new(vec![7u8; 10]));
        assert_eq!(s.ensure(usize::MAX / 2).expect("reads"), 10);
        assert!(s.buf.len() <= CHUNK);
        assert_eq!(s.next_slice(usize::MAX), &[7u8; 10]);
    }
}
