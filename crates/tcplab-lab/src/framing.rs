//! The lab's A-PDU codec: a fixed-width decimal length, `:`, then the payload.
//!
//! In: payload bytes to [`encode`]; arbitrary chunks of a byte stream to a
//! [`Decoder`]. Out: the encoded A-PDU, byte for byte what the lab's Python
//! `encapsula()` writes (`'{:0>6n}'.format(len) + ':' + msg`), and complete
//! messages in stream order.
//!
//! The header width is configurable ([`HeaderWidth`], 6 digits as in the lab),
//! so a payload may hold at most `10^N - 1` bytes. Encoding a payload that does
//! not fit is an error (the lab's `'{:0>6n}'` would silently widen the header to
//! 7 digits and desynchronise the peer); it is never truncated.
//!
//! The decoder copes with what TCP really delivers: partial headers, several
//! messages in one read, payloads containing `:`, empty messages. A malformed
//! header is reported as a [`FrameError`] naming the stream offset and the bad
//! bytes; the stream cannot be resynchronised after that, so the error sticks.
//! No I/O happens here: see `framed_stream` for the tokio adapter.
//!
//! ```
//! use tcplab_lab::framing::{encode, Decoder, HeaderWidth};
//! let width = HeaderWidth::LAB;
//! let mut stream = encode(width, b"hola").unwrap();
//! stream.extend(encode(width, b"a:b").unwrap());
//! assert_eq!(&stream[..11], b"000004:hola");
//! let mut decoder = Decoder::new(width);
//! decoder.feed(&stream[..5]);
//! assert_eq!(decoder.next_message().unwrap(), None);
//! decoder.feed(&stream[5..]);
//! assert_eq!(decoder.next_message().unwrap(), Some(b"hola".to_vec()));
//! assert_eq!(decoder.next_message().unwrap(), Some(b"a:b".to_vec()));
//! ```

use std::fmt;

/// The byte between the length field and the payload.
pub const SEPARATOR: u8 = b':';
/// Widest supported header: `10^18 - 1` still fits a `u64`.
pub const MAX_DIGITS: u8 = 18;

/// Number of decimal digits in the length field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HeaderWidth(u8);

impl HeaderWidth {
    /// The lab's width: 6 digits, payloads up to 999,999 bytes.
    pub const LAB: HeaderWidth = HeaderWidth(6);

    /// A width of `digits` digits (1 to [`MAX_DIGITS`]).
    pub fn new(digits: u8) -> Result<Self, FrameError> {
        if (1..=MAX_DIGITS).contains(&digits) {
            Ok(HeaderWidth(digits))
        } else {
            Err(FrameError::InvalidWidth { digits })
        }
    }

    /// The smallest width whose length field can hold `len`.
    pub fn fitting(len: u64) -> Result<Self, FrameError> {
        let digits = len.checked_ilog10().map_or(1, |log| log + 1);
        Self::new(u8::try_from(digits).unwrap_or(u8::MAX))
    }

    pub fn digits(self) -> u8 {
        self.0
    }

    /// Largest payload this width can announce: `10^N - 1`.
    pub fn max_len(self) -> u64 {
        10u64.pow(u32::from(self.0)) - 1
    }

    /// Bytes in a header: the digits plus the separator.
    pub fn header_len(self) -> usize {
        usize::from(self.0) + 1
    }
}

impl Default for HeaderWidth {
    fn default() -> Self {
        Self::LAB
    }
}

impl fmt::Display for HeaderWidth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} digits", self.0)
    }
}

/// Bytes shown escaped (`\n`, `\xff`) in error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownBytes(pub Vec<u8>);

impl fmt::Display for ShownBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", self.0.escape_ascii())
    }
}

/// What can go wrong encoding or decoding A-PDUs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("a header of {digits} digits is not supported (use 1 to {MAX_DIGITS})")]
    InvalidWidth { digits: u8 },
    #[error(
        "a {len}-byte payload does not fit a {}-digit header (at most {max} bytes); \
         use a header of at least {needed} digits",
        width.digits()
    )]
    PayloadTooLarge {
        len: u64,
        width: HeaderWidth,
        max: u64,
        needed: u8,
    },
    #[error(
        "malformed A-PDU header at stream byte {offset}: expected {width} then ':', \
         found a non-digit in {header}"
    )]
    NonDigit {
        offset: u64,
        width: HeaderWidth,
        header: ShownBytes,
    },
    #[error(
        "malformed A-PDU header at stream byte {offset}: expected ':' after {width}, \
         found {header}{}",
        if header.0.last().is_some_and(u8::is_ascii_digit) {
            " (the length field is longer than the header allows)"
        } else {
            ""
        }
    )]
    MissingSeparator {
        offset: u64,
        width: HeaderWidth,
        header: ShownBytes,
    },
    #[error("A-PDU at stream byte {offset} announces {len} bytes, more than the {max} allowed")]
    LengthOverMax { offset: u64, len: u64, max: u64 },
    #[error(
        "the stream ended inside the A-PDU that starts at byte {offset}: \
         got {got} of its {expected} bytes"
    )]
    Truncated {
        offset: u64,
        expected: u64,
        got: u64,
    },
}

/// Encodes `payload` as one A-PDU: header and payload in a single buffer, ready
/// for one `write_all` (the lab's `sendall`).
pub fn encode(width: HeaderWidth, payload: &[u8]) -> Result<Vec<u8>, FrameError> {
    let mut apdu = encode_header(width, payload.len() as u64)?;
    apdu.extend_from_slice(payload);
    Ok(apdu)
}

/// The header announcing `len` bytes, e.g. `000005:`.
pub fn encode_header(width: HeaderWidth, len: u64) -> Result<Vec<u8>, FrameError> {
    if len > width.max_len() {
        let needed = HeaderWidth::fitting(len).map_or(u8::MAX, HeaderWidth::digits);
        return Err(FrameError::PayloadTooLarge {
            len,
            width,
            max: width.max_len(),
            needed,
        });
    }
    let digits = usize::from(width.digits());
    let mut header = format!("{len:0>digits$}").into_bytes();
    header.push(SEPARATOR);
    Ok(header)
}

/// Parses the header at the start of `bytes`, which begin at stream byte
/// `offset`. `Ok(None)`: more bytes are needed (every byte seen so far is
/// valid). `Ok(Some(len))`: the first `width.header_len()` bytes are a header
/// announcing `len <= max_len` payload bytes.
pub fn parse_header(
    width: HeaderWidth,
    max_len: u64,
    bytes: &[u8],
    offset: u64,
) -> Result<Option<u64>, FrameError> {
    let digits = usize::from(width.digits());
    let seen = &bytes[..bytes.len().min(digits + 1)];
    let shown = || ShownBytes(seen.to_vec());
    if seen.iter().take(digits).any(|b| !b.is_ascii_digit()) {
        return Err(FrameError::NonDigit {
            offset,
            width,
            header: shown(),
        });
    }
    if seen.len() <= digits {
        return Ok(None);
    }
    if seen[digits] != SEPARATOR {
        return Err(FrameError::MissingSeparator {
            offset,
            width,
            header: shown(),
        });
    }
    let len = seen[..digits]
        .iter()
        .fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0'));
    if len > max_len {
        return Err(FrameError::LengthOverMax {
            offset,
            len,
            max: max_len,
        });
    }
    Ok(Some(len))
}

/// Part of a message: `got` bytes of it (header included) have arrived; it
/// has `expected` bytes in all, once its header is complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partial {
    pub got: u64,
    pub expected: Option<u64>,
}

impl fmt::Display for Partial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.expected {
            Some(all) => write!(f, "{} of the {all} bytes of a message", self.got),
            None => write!(f, "{} bytes of a message's header", self.got),
        }
    }
}

/// Incremental A-PDU decoder: [`feed`](Decoder::feed) it chunks as they arrive,
/// take complete messages with [`next_message`](Decoder::next_message).
#[derive(Debug)]
pub struct Decoder {
    width: HeaderWidth,
    max_len: u64,
    buf: Vec<u8>,
    /// Start of the unconsumed bytes in `buf`.
    pos: usize,
    /// Stream offset of `buf[pos]`.
    offset: u64,
    failed: Option<FrameError>,
}

impl Decoder {
    pub fn new(width: HeaderWidth) -> Self {
        Decoder {
            width,
            max_len: width.max_len(),
            buf: Vec::new(),
            pos: 0,
            offset: 0,
            failed: None,
        }
    }

    /// Refuses messages longer than `max_len` (never more than the width allows).
    pub fn with_max_len(mut self, max_len: u64) -> Self {
        self.max_len = max_len.min(self.width.max_len());
        self
    }

    pub fn width(&self) -> HeaderWidth {
        self.width
    }

    /// Appends the next chunk of the stream.
    pub fn feed(&mut self, chunk: &[u8]) {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// The next complete message, `Ok(None)` if more bytes are needed.
    pub fn next_message(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        let pending = &self.buf[self.pos..];
        let len = match parse_header(self.width, self.max_len, pending, self.offset) {
            Ok(Some(len)) => len,
            Ok(None) => return Ok(None),
            Err(err) => {
                self.failed = Some(err.clone());
                return Err(err);
            }
        };
        let start = self.width.header_len();
        let available = (pending.len() - start) as u64;
        if available < len {
            return Ok(None);
        }
        // `len <= available`, itself a usize.
        let end = start + len as usize;
        let message = pending[start..end].to_vec();
        self.pos += end;
        self.offset += end as u64;
        Ok(Some(message))
    }

    /// Call at end of stream: an error if a message was left incomplete.
    pub fn finish(&self) -> Result<(), FrameError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        let pending = &self.buf[self.pos..];
        if pending.is_empty() {
            return Ok(());
        }
        let header_len = self.width.header_len() as u64;
        let expected = match parse_header(self.width, self.max_len, pending, self.offset)? {
            Some(len) => header_len + len,
            None => header_len,
        };
        Err(FrameError::Truncated {
            offset: self.offset,
            expected,
            got: pending.len() as u64,
        })
    }

    /// Stream offset just past the last message returned.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The incomplete message received so far, if any: how many of its bytes
    /// (header included) arrived, and how many it has in all once its header
    /// is complete.
    pub fn partial(&self) -> Option<Partial> {
        let pending = &self.buf[self.pos..];
        if pending.is_empty() {
            return None;
        }
        let header_len = self.width.header_len() as u64;
        let expected = parse_header(self.width, self.max_len, pending, self.offset)
            .ok()
            .flatten()
            .map(|len| header_len + len);
        Some(Partial {
            got: pending.len() as u64,
            expected,
        })
    }

    /// Takes the bytes received past the last complete message, e.g. to hand
    /// the rest of the stream to another reader.
    pub fn take_buffered(&mut self) -> Vec<u8> {
        let rest = self.buf.split_off(self.pos);
        self.offset += rest.len() as u64;
        self.buf.clear();
        self.pos = 0;
        rest
    }
}

#[cfg(test)]
#[path = "framing_tests.rs"]
mod tests;
