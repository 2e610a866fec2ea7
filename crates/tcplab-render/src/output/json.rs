//! The analysis as one JSON document (schema: `docs/analyze-json.md`),
//! written one connection at a time so that memory does not hold every
//! summary of a capture with many connections.

use super::json_connection;
use std::io::{self, Write};
use tcplab_analysis::{Analysis, CaptureStats, ConnectionSummary};

pub const SCHEMA_VERSION: u32 = 1;

fn json_err(e: serde_json::Error) -> io::Error {
    io::Error::other(e)
}

/// Writes `{"tcplab_schema":1,"captures":[ ... ]}` piece by piece.
pub struct JsonWriter<W: Write> {
    out: W,
    captures: usize,
}

impl<W: Write> JsonWriter<W> {
    pub fn new(mut out: W) -> io::Result<JsonWriter<W>> {
        write!(
            out,
            "{{\n  \"tcplab_schema\": {SCHEMA_VERSION},\n  \"captures\": ["
        )?;
        Ok(JsonWriter { out, captures: 0 })
    }

    /// One capture: its statistics, then its connections as they come.
    pub fn capture(
        &mut self,
        stats: &CaptureStats,
        connections: impl Iterator<Item = ConnectionSummary>,
    ) -> io::Result<()> {
        self.capture_with(|o| write_capture(o, stats, connections))
    }

    /// One capture whose object `body` writes (with [`write_capture`],
    /// now or earlier into a buffer): the comma before it is this
    /// writer's business.
    pub fn capture_with(&mut self, body: impl FnOnce(&mut W) -> io::Result<()>) -> io::Result<()> {
        if self.captures > 0 {
            self.out.write_all(b",")?;
        }
        self.captures += 1;
        body(&mut self.out)
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(b"\n  ]\n}\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// One capture's object in the `captures` array (no comma before it):
/// its statistics, then its connections as they come.
pub fn write_capture(
    o: &mut impl Write,
    stats: &CaptureStats,
    connections: impl Iterator<Item = ConnectionSummary>,
) -> io::Result<()> {
    o.write_all(b"\n    {\n      \"capture\": ")?;
    serde_json::to_writer(&mut *o, stats).map_err(json_err)?;
    o.write_all(b",\n      \"connections\": [")?;
    let mut buf = Vec::with_capacity(8192);
    for (i, c) in connections.enumerate() {
        buf.clear();
        buf.extend_from_slice(if i == 0 {
            b"\n        "
        } else {
            b",\n        "
        });
        json_connection::write(&mut buf, &c)?;
        o.write_all(&buf)?;
    }
    o.write_all(b"\n      ]\n    }")
}

/// A whole document for analyses already in memory.
pub fn write(out: &mut impl Write, analyses: &[Analysis]) -> io::Result<()> {
    let mut w = JsonWriter::new(out)?;
    for a in analyses {
        w.capture(&a.capture, a.connections.iter().cloned())?;
    }
    w.finish().map(|_| ())
}
