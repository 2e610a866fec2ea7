//! Output held back until its turn: what a worker of `analyze -j N`
//! writes for a capture that is not yet first in line. Kept in memory up
//! to a bound, then in a private temporary file (unnamed: `O_TMPFILE` or
//! created and unlinked at once by `tempfile::tempfile`, so nothing is
//! left behind whatever happens), and copied out whole when every capture
//! before it has been written.
//!
//! `SharedSpool` is the same spool behind a handle that the per-segment
//! writers can own as a `Box<dyn Write>` while the worker keeps another
//! one to take the spool back.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, Write};
use std::rc::Rc;

/// How many bytes of one output a spool keeps in memory before it moves
/// them to its temporary file.
pub const MEMORY_BOUND: usize = 4 << 20;

#[derive(Debug)]
pub struct Spool {
    memory: Vec<u8>,
    file: Option<BufWriter<File>>,
    bound: usize,
    len: u64,
}

impl Default for Spool {
    fn default() -> Spool {
        Spool::with_bound(MEMORY_BOUND)
    }
}

impl Spool {
    pub fn with_bound(bound: usize) -> Spool {
        Spool {
            memory: Vec::new(),
            file: None,
            bound,
            len: 0,
        }
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// True once the spool went to its temporary file.
    pub fn on_disk(&self) -> bool {
        self.file.is_some()
    }

    /// Writes everything the spool holds to `out`, in order.
    pub fn copy_to(self, out: &mut dyn Write) -> io::Result<()> {
        match self.file {
            None => out.write_all(&self.memory),
            Some(file) => {
                let mut file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
                file.rewind()?;
                let mut buf = vec![0u8; 1 << 16];
                loop {
                    match file.read(&mut buf) {
                        Ok(0) => return Ok(()),
                        Ok(n) => out.write_all(&buf[..n])?,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                }
            }
        }
    }
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.file.is_none() && self.memory.len() + buf.len() > self.bound {
            let mut file = BufWriter::with_capacity(1 << 16, tempfile::tempfile()?);
            file.write_all(&self.memory)?;
            self.memory = Vec::new();
            self.file = Some(file);
        }
        match self.file.as_mut() {
            Some(file) => file.write_all(buf)?,
            None => self.memory.extend_from_slice(buf),
        }
        self.len += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.file.as_mut() {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }
}

/// A spool that a writer owns while its worker keeps a handle to it.
#[derive(Clone, Debug, Default)]
pub struct SharedSpool(Rc<RefCell<Spool>>);

impl SharedSpool {
    /// The spool, once every other handle is gone (`None` while a writer
    /// still holds one).
    pub fn take(self) -> Option<Spool> {
        Rc::try_unwrap(self.0).ok().map(RefCell::into_inner)
    }
}

impl Write for SharedSpool {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.borrow_mut().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bytes_come_back_in_order_from_memory_or_from_the_file() {
        let data: Vec<u8> = (0..100_000u32).flat_map(|i| i.to_le_bytes()).collect();
        for bound in [1 << 30, 1000, 0] {
            let mut spool = Spool::with_bound(bound);
            for piece in data.chunks(777) {
                spool.write_all(piece).expect("written");
            }
            assert_eq!(spool.len(), data.len() as u64);
            assert_eq!(spool.on_disk(), bound < data.len(), "bound {bound}");
            let mut out = Vec::new();
            spool.copy_to(&mut out).expect("copied");
            assert_eq!(out, data, "bound {bound}");
        }
    }

    #[test]
    fn a_shared_spool_is_given_back_once_its_writer_is_gone() {
        let handle = SharedSpool::default();
        let mut writer: Box<dyn Write> = Box::new(handle.clone());
        writer.write_all(b"rows").expect("written");
        let handle = match handle.clone().take() {
            None => handle,
            Some(_) => panic!("taken while the writer holds it"),
        };
        drop(writer);
        let spool = handle.take().expect("the only handle");
        let mut out = Vec::new();
        spool.copy_to(&mut out).expect("copied");
        assert_eq!(out, b"rows");
    }
}
