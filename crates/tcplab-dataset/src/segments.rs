//! The segments table: one row per TCP segment, the per-segment CSV's
//! columns (docs/analyze-csv.md) with types and the segment's tunnel path, gathered in a batch of
//! columns as the analyzer hands the segments out. The capture is not a
//! column of the file: it is the Hive partition (`capture=NAME/`), which
//! readers add as a column (pyarrow and Spark refuse a file column of the
//! partition's name).

use crate::columns::{list, list_of, time_type};
use arrow_array::builder::StringBuilder;
use arrow_array::{
    ArrayRef, Float64Array, RecordBatch, StringArray, StructArray, TimestampNanosecondArray,
    UInt16Array, UInt32Array, UInt64Array,
};
use arrow_schema::{ArrowError, DataType, Field, Fields, Schema, SchemaRef};

use std::fmt::Write;
use std::sync::Arc;
use tcplab_analysis::SegmentReport;

fn sack_fields() -> Fields {
    Fields::from(vec![
        Field::new("left", DataType::UInt32, false),
        Field::new("right", DataType::UInt32, false),
    ])
}

/// The segments table's schema.
pub(crate) fn schema() -> SchemaRef {
    use DataType::*;
    let field = |name: &str, t: DataType, nullable: bool| Field::new(name, t, nullable);
    Arc::new(Schema::new(vec![
        field("frame", UInt64, false),
        field("time", time_type(), false),
        field("stream", UInt32, false),
        field("src", Utf8, false),
        field("sport", UInt16, false),
        field("dst", Utf8, false),
        field("dport", UInt16, false),
        field("seq", UInt32, false),
        field("ack", UInt32, false),
        field("next_seq", UInt32, false),
        field("len", UInt32, false),
        field("flags", Utf8, false),
        field("win", UInt16, false),
        field("win_scaled", UInt32, true),
        field("sack", list_of(Struct(sack_fields())), false),
        field("events", list_of(Utf8), false),
        field("ack_rtt", Float64, true),
        field("bytes_in_flight", UInt32, true),
        field("tunnel", Utf8, true),
    ]))
}

/// A batch of segment rows being gathered, column by column.
#[derive(Default)]
pub(crate) struct SegmentColumns {
    frame: Vec<u64>,
    time: Vec<i64>,
    stream: Vec<u32>,
    /// Written in place (`fmt::Write`): no allocation per row.
    src: StringBuilder,
    sport: Vec<u16>,
    dst: StringBuilder,
    dport: Vec<u16>,
    seq: Vec<u32>,
    ack: Vec<u32>,
    next_seq: Vec<u32>,
    len: Vec<u32>,
    flags: Vec<&'static str>,
    win: Vec<u16>,
    win_scaled: Vec<Option<u32>>,
    sack: Vec<Vec<(u32, u32)>>,
    events: Vec<Vec<&'static str>>,
    ack_rtt: Vec<Option<f64>>,
    bytes_in_flight: Vec<Option<u32>>,
    /// The tunnel path the segment came through (shared text: one
    /// allocation per path, not per row).
    tunnel: Vec<Option<Arc<str>>>,
}

impl SegmentColumns {
    pub fn len(&self) -> usize {
        self.frame.len()
    }

    pub fn push(&mut self, r: &SegmentReport) {
        self.frame.push(r.frame);
        self.time.push(r.ts.0);
        self.stream.push(r.stream);
        append_addr(&mut self.src, r.src.addr);
        self.sport.push(r.src.port);
        append_addr(&mut self.dst, r.dst.addr);
        self.dport.push(r.dst.port);
        self.seq.push(r.seq.raw());
        self.ack.push(r.ack.raw());
        self.next_seq.push(r.next_seq.raw());
        self.len.push(r.len);
        self.flags.push(r.flags.letters());
        self.win.push(r.window);
        self.win_scaled.push(r.win_scaled);
        self.sack.push(
            r.sack
                .as_slice()
                .iter()
                .map(|(l, rr)| (l.raw(), rr.raw()))
                .collect(),
        );
        self.events
            .push(r.events.iter().map(|e| e.name()).collect());
        self.ack_rtt.push(r.ack_rtt_ns.map(|ns| ns as f64 / 1e9));
        self.bytes_in_flight.push(r.bytes_in_flight);
        self.tunnel.push(r.tunnel.clone());
    }

    /// The rows gathered so far as a batch of `schema`, leaving this empty.
    pub fn take(&mut self, schema: &SchemaRef) -> Result<RecordBatch, ArrowError> {
        let mut c = std::mem::take(self);
        let sack_pairs = || c.sack.iter().flatten();
        let sack = StructArray::try_new(
            sack_fields(),
            vec![
                Arc::new(sack_pairs().map(|p| Some(p.0)).collect::<UInt32Array>()),
                Arc::new(sack_pairs().map(|p| Some(p.1)).collect::<UInt32Array>()),
            ],
            None,
        )?;
        let events: StringArray = c.events.iter().flatten().map(|e| Some(*e)).collect();
        let columns: Vec<ArrayRef> = vec![
            Arc::new(UInt64Array::from(c.frame)),
            Arc::new(TimestampNanosecondArray::from(c.time)),
            Arc::new(UInt32Array::from(c.stream)),
            Arc::new(c.src.finish()),
            Arc::new(UInt16Array::from(c.sport)),
            Arc::new(c.dst.finish()),
            Arc::new(UInt16Array::from(c.dport)),
            Arc::new(UInt32Array::from(c.seq)),
            Arc::new(UInt32Array::from(c.ack)),
            Arc::new(UInt32Array::from(c.next_seq)),
            Arc::new(UInt32Array::from(c.len)),
            Arc::new(StringArray::from(c.flags)),
            Arc::new(UInt16Array::from(c.win)),
            Arc::new(UInt32Array::from(c.win_scaled)),
            list(&c.sack, Arc::new(sack), DataType::Struct(sack_fields()))?,
            list(&c.events, Arc::new(events), DataType::Utf8)?,
            Arc::new(Float64Array::from(c.ack_rtt)),
            Arc::new(UInt32Array::from(c.bytes_in_flight)),
            Arc::new(
                c.tunnel
                    .iter()
                    .map(|t| t.as_deref())
                    .collect::<StringArray>(),
            ),
        ];
        RecordBatch::try_new(schema.clone(), columns)
    }
}

/// An address as the CSV writes it (IPv6 without brackets), as the next value.
fn append_addr(column: &mut StringBuilder, a: std::net::IpAddr) {
    // Writing into the builder cannot fail (it only grows a buffer).
    let _ = write!(column, "{a}");
    column.append_value("");
}
