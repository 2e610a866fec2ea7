//! The analysis as one JSON document (schema: `docs/analyze-json.md`).

use crate::analysis::Analysis;
use std::io::{self, Write};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(serde::Serialize)]
struct Document<'a> {
    tcplab_schema: u32,
    captures: &'a [Analysis],
}

pub fn write(out: &mut impl Write, analyses: &[Analysis]) -> io::Result<()> {
    let doc = Document {
        tcplab_schema: SCHEMA_VERSION,
        captures: analyses,
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}
