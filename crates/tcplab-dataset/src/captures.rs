//! The captures table: one row per capture — the file (name, size,
//! SHA-256), what the reader found in it (format, link types, packets,
//! what was not TCP and why, damage), and, when tcplab made it, the run's
//! metadata from the JSON beside it (docs/run-metadata.md). Also reads
//! the table back, to know which captures a dataset already holds.

use crate::columns::{opt, req, Column, Getter::*, Table};
use crate::error::{DatasetError, Result};
use arrow_array::{Array, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use std::fs::File;
use std::path::{Path, PathBuf};
use tcplab_analysis::record::run_meta::RunMeta;
use tcplab_analysis::CaptureStats;

/// The run's metadata file beside a capture, read.
#[derive(Clone, Debug)]
pub struct RunFile {
    pub path: PathBuf,
    /// The file as it is, kept whole in the `run_metadata` column.
    pub text: String,
    pub meta: RunMeta,
}

impl RunFile {
    /// The metadata beside `capture` (`x.pcap` → `x.json`), when there is
    /// one and it names this capture: `Ok(None)` when there is none,
    /// `Err` (a sentence) when it cannot be read or names another file.
    pub fn beside(capture: &Path) -> std::result::Result<Option<RunFile>, String> {
        let Some(path) = tcplab_analysis::record::run_meta::beside(capture) else {
            return Ok(None);
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("{}: {e}; run metadata not added", path.display()))?;
        let meta: RunMeta = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}: not tcplab's run metadata ({e}); run metadata not added",
                path.display()
            )
        })?;
        let named = Path::new(&meta.capture_file).file_name();
        if named != capture.file_name() {
            return Err(format!(
                "{}: is the metadata of {:?}, not of this capture; run metadata not added",
                path.display(),
                meta.capture_file
            ));
        }
        Ok(Some(RunFile { path, text, meta }))
    }
}

/// One capture's row.
pub(crate) struct CaptureRow {
    pub file: String,
    pub size: u64,
    pub sha256: String,
    pub stats: CaptureStats,
    pub connections: u64,
    pub segments: u64,
    pub run: Option<RunFile>,
}

type Row = CaptureRow;

/// Seconds since the epoch (a float in `CaptureStats`) as nanoseconds.
fn ns(secs: Option<f64>) -> Option<i64> {
    secs.map(|s| (s * 1e9).round() as i64)
}

fn run<T>(r: &Row, f: impl Fn(&RunMeta) -> Option<T>) -> Option<T> {
    r.run.as_ref().and_then(|run| f(&run.meta))
}

pub(crate) fn table() -> Table<Row> {
    let cols: Vec<Column<Row>> = vec![
        req("file", Str(Box::new(|r: &Row| Some(r.file.clone())))),
        req("size", U64(Box::new(|r: &Row| Some(r.size)))),
        req("sha256", Str(Box::new(|r: &Row| Some(r.sha256.clone())))),
        opt(
            "format",
            Str(Box::new(|r: &Row| {
                r.stats.format.and_then(|f| {
                    serde_json::to_value(f)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                })
            })),
        ),
        req(
            "link_types",
            StrList(Box::new(|r: &Row| r.stats.link_types.clone())),
        ),
        req("records", U64(Box::new(|r: &Row| Some(r.stats.records)))),
        req(
            "tcp_segments",
            U64(Box::new(|r: &Row| Some(r.stats.tcp_segments))),
        ),
        req("segments", U64(Box::new(|r: &Row| Some(r.segments)))),
        req("connections", U64(Box::new(|r: &Row| Some(r.connections)))),
        req(
            "skipped",
            Counts(Box::new(|r: &Row| {
                r.stats
                    .skipped
                    .iter()
                    .map(|(k, v)| (k.clone(), *v))
                    .collect()
            })),
        ),
        req(
            "skipped_total",
            U64(Box::new(|r: &Row| Some(r.stats.skipped_total()))),
        ),
        req(
            "truncated_payload",
            U64(Box::new(|r: &Row| Some(r.stats.truncated_payload))),
        ),
        opt(
            "first_time",
            Time(Box::new(|r: &Row| ns(r.stats.first_time))),
        ),
        opt("last_time", Time(Box::new(|r: &Row| ns(r.stats.last_time)))),
        opt("damage", Str(Box::new(|r: &Row| r.stats.damage.clone()))),
        req(
            "invalid_times",
            U64(Box::new(|r: &Row| Some(r.stats.invalid_times.count))),
        ),
        req(
            "invalid_time_frames",
            U64List(Box::new(|r: &Row| r.stats.invalid_times.frames.clone())),
        ),
        opt(
            "filter",
            Str(Box::new(|r: &Row| {
                r.stats.filter.as_ref().map(|f| f.expression.clone())
            })),
        ),
        opt(
            "filter_not_matching",
            U64(Box::new(|r: &Row| {
                r.stats.filter.as_ref().map(|f| f.not_matching)
            })),
        ),
        opt(
            "run_metadata_file",
            Str(Box::new(|r: &Row| {
                r.run.as_ref().map(|m| m.path.display().to_string())
            })),
        ),
        opt(
            "run_metadata",
            Str(Box::new(|r: &Row| r.run.as_ref().map(|m| m.text.clone()))),
        ),
        opt(
            "run_scenario",
            Str(Box::new(|r: &Row| run(r, |m| Some(m.scenario.clone())))),
        ),
        opt(
            "run_identical",
            Bool(Box::new(|r: &Row| run(r, |m| m.identical))),
        ),
        opt(
            "run_sent_bytes",
            U64(Box::new(|r: &Row| {
                run(r, |m| m.sent.as_ref().map(|s| s.bytes))
            })),
        ),
        opt(
            "run_sent_sha256",
            Str(Box::new(|r: &Row| {
                run(r, |m| m.sent.as_ref().map(|s| s.sha256.clone()))
            })),
        ),
        opt(
            "run_received_bytes",
            U64(Box::new(|r: &Row| {
                run(r, |m| m.received.as_ref().map(|s| s.bytes))
            })),
        ),
        opt(
            "run_received_sha256",
            Str(Box::new(|r: &Row| {
                run(r, |m| m.received.as_ref().map(|s| s.sha256.clone()))
            })),
        ),
        opt(
            "run_kernel_dropped",
            U64(Box::new(|r: &Row| {
                run(r, |m| {
                    m.capture.as_ref().map(|c| u64::from(c.kernel_dropped))
                })
            })),
        ),
        opt(
            "run_capture_complete",
            Bool(Box::new(|r: &Row| {
                run(r, |m| m.capture.as_ref().map(|c| c.complete))
            })),
        ),
        opt(
            "run_congestion_control",
            Str(Box::new(|r: &Row| run(r, |m| m.congestion_control.clone()))),
        ),
        opt(
            "run_warnings",
            StrList(Box::new(|r: &Row| {
                r.run
                    .as_ref()
                    .map(|m| m.meta.warnings.clone())
                    .unwrap_or_default()
            })),
        ),
        req(
            "tcplab_version",
            Str(Box::new(|_: &Row| {
                Some(env!("CARGO_PKG_VERSION").to_string())
            })),
        ),
    ];
    Table::new(cols)
}

/// A capture already in a dataset: its partition name and SHA-256.
pub(crate) struct Known {
    pub capture: String,
    pub sha256: String,
}

/// Reads one file of the captures table, `DIR/captures/capture=NAME/
/// part-0.parquet`, checking its schema version; NAME is the partition's.
pub(crate) fn read_known(path: &Path, capture: &str) -> Result<Vec<Known>> {
    let file = File::open(path).map_err(DatasetError::io(path))?;
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(DatasetError::parquet(path))?;
    let version = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|k| k.key == crate::SCHEMA_VERSION_KEY))
        .and_then(|k| k.value.clone());
    match version {
        Some(v) if v == crate::SCHEMA_VERSION.to_string() => {}
        Some(found) => {
            return Err(DatasetError::SchemaVersion {
                path: path.to_path_buf(),
                found,
                expected: crate::SCHEMA_VERSION,
            })
        }
        None => {
            return Err(DatasetError::NotTcplab {
                path: path.to_path_buf(),
                what: format!("no {} in its metadata", crate::SCHEMA_VERSION_KEY),
            })
        }
    }
    let reader = builder.build().map_err(DatasetError::parquet(path))?;
    let mut known = Vec::new();
    for batch in reader {
        let batch = batch.map_err(DatasetError::arrow(path))?;
        let column = |name: &str| -> Result<StringArray> {
            batch
                .column_by_name(name)
                .and_then(|c| c.as_any().downcast_ref::<StringArray>())
                .cloned()
                .ok_or_else(|| DatasetError::NotTcplab {
                    path: path.to_path_buf(),
                    what: format!("no text column {name:?}"),
                })
        };
        let hashes = column("sha256")?;
        for i in 0..batch.num_rows() {
            if hashes.is_valid(i) {
                known.push(Known {
                    capture: capture.to_string(),
                    sha256: hashes.value(i).to_string(),
                });
            }
        }
    }
    Ok(known)
}
