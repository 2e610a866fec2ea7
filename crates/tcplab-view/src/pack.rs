//! The segments' columns as the page carries them: little-endian typed
//! arrays, gzip-compressed, in base64, inside a `<script
//! type="application/octet-stream">` block that the browser never runs
//! (docs/view.md, "The encoding").
//!
//! In: `Columns` (from `encode`). Out: `Packed`, the connection's entry
//! in the page's JSON (where its columns lie) and its base64 text. Why
//! bytes and not JSON numbers: the HTML parser, the JSON parser and the
//! garbage collector never see millions of numbers; the viewer inflates
//! the bytes with the browser's own `DecompressionStream` and reads each
//! column in place as an `Int8Array`, `Int16Array`, `Int32Array` or
//! `Float64Array` (`web/codec.js`, `unpack`). Each column takes the
//! narrowest of those that holds all its values, and starts at a
//! multiple of 8 bytes (a typed array must be aligned).
//!
//! Not done here: choosing the columns or their differences (`encode`).

use crate::encode::Columns;
use base64::Engine;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde::Serialize;
use std::io::Write;

/// How a column's values are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Width {
    I8,
    I16,
    I32,
    /// Integers beyond 32 bits, exact up to 2^53 as JavaScript numbers.
    F64,
}

impl Width {
    /// The narrowest width that holds every value of `col`.
    pub fn of(col: &[i64]) -> Width {
        let (lo, hi) = col
            .iter()
            .fold((0i64, 0i64), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        let fits = |min: i64, max: i64| lo >= min && hi <= max;
        if fits(i8::MIN.into(), i8::MAX.into()) {
            Width::I8
        } else if fits(i16::MIN.into(), i16::MAX.into()) {
            Width::I16
        } else if fits(i32::MIN.into(), i32::MAX.into()) {
            Width::I32
        } else {
            Width::F64
        }
    }

    pub fn bytes(self) -> usize {
        match self {
            Width::I8 => 1,
            Width::I16 => 2,
            Width::I32 => 4,
            Width::F64 => 8,
        }
    }

    fn put(self, out: &mut Vec<u8>, v: i64) {
        // `of` chose a width that holds `v`: the casts do not truncate.
        match self {
            Width::I8 => out.push(v as i8 as u8),
            Width::I16 => out.extend_from_slice(&(v as i16).to_le_bytes()),
            Width::I32 => out.extend_from_slice(&(v as i32).to_le_bytes()),
            Width::F64 => out.extend_from_slice(&(v as f64).to_le_bytes()),
        }
    }
}

/// Where one column lies in its connection's inflated bytes:
/// `(name, width, byte offset, values)`.
pub type ColumnAt = (&'static str, Width, usize, usize);

/// One connection's entry in the page's JSON.
#[derive(Clone, Debug, Serialize)]
pub struct Packed {
    pub stream: u32,
    pub n: usize,
    pub base: [Option<i64>; 2],
    pub unscaled: [bool; 2],
    pub cols: Vec<ColumnAt>,
    /// `[offset, length]` of this connection's base64 in the data block
    /// (set by the page when it joins every connection's text).
    pub at: [usize; 2],
    /// The connection's gzip-compressed bytes in base64.
    #[serde(skip)]
    pub text: String,
}

/// The columns as bytes, uncompressed, and where each one lies.
pub fn raw(c: &Columns) -> (Vec<u8>, Vec<ColumnAt>) {
    let mut out = Vec::new();
    let mut cols = Vec::new();
    for (name, col) in c.named() {
        out.resize(out.len().next_multiple_of(8), 0);
        let w = Width::of(col);
        cols.push((name, w, out.len(), col.len()));
        out.reserve(col.len() * w.bytes());
        for &v in col {
            w.put(&mut out, v);
        }
    }
    (out, cols)
}

/// One connection, packed.
pub fn pack(c: &Columns) -> Packed {
    let (bytes, cols) = raw(c);
    // Level 6 (gzip's default): a million segments in about a second of
    // writing; level 9 is slower for little gain on these columns.
    let mut gz = GzEncoder::new(Vec::with_capacity(bytes.len() / 4), Compression::new(6));
    // Writing into a Vec cannot fail.
    let _ = gz.write_all(&bytes);
    let zipped = gz.finish().unwrap_or_default();
    Packed {
        stream: c.stream,
        n: c.n,
        base: c.base,
        unscaled: c.unscaled,
        cols,
        at: [0, 0],
        text: base64::engine::general_purpose::STANDARD.encode(zipped),
    }
}

/// Every connection's text in one block, each entry's `at` set.
pub fn join(packed: &mut [Packed]) -> String {
    let mut text = String::with_capacity(packed.iter().map(|p| p.text.len()).sum());
    for p in packed {
        p.at = [text.len(), p.text.len()];
        text.push_str(&std::mem::take(&mut p.text));
    }
    text
}

#[cfg(test)]
#[path = "pack_tests.rs"]
mod tests;
