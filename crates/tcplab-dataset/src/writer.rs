//! Writing one capture's three partitions: segments as they come, then
//! the connections and the capture's row, each to a temporary file in its
//! partition directory, renamed into place at the end (captures last).

use crate::captures::{self, CaptureRow, RunFile};
use crate::connections;
use crate::dataset::{CaptureSlot, PART_FILE, TABLES};
use crate::error::{DatasetError, Result};
use crate::segments::{self, SegmentColumns};
use crate::{
    CONNECTION_BATCH_ROWS, SCHEMA_VERSION, SCHEMA_VERSION_KEY, SEGMENT_BATCH_ROWS,
    SEGMENT_ROW_GROUP_ROWS,
};
use arrow_array::RecordBatch;
use arrow_schema::{DataType, Field, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;
use std::fs::File;
use std::io::BufWriter;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use tcplab_analysis::{CaptureStats, ConnectionSummary, SegmentReport};
use tempfile::NamedTempFile;

/// What was added for one capture.
#[derive(Clone, Debug)]
pub struct CaptureAdded {
    pub name: String,
    pub segments: u64,
    pub connections: u64,
}

/// A Parquet file being written under a temporary name in its partition.
struct Staged {
    temp: NamedTempFile,
    writer: ArrowWriter<BufWriter<File>>,
    path: PathBuf,
}

impl Staged {
    fn create(dir: PathBuf, schema: SchemaRef, row_group_rows: usize) -> Result<Staged> {
        // Dictionaries for text only: numbers such as sequence numbers and
        // times rarely repeat, and interning them was a tenth of the time.
        let mut props = WriterProperties::builder().set_dictionary_enabled(false);
        for field in schema.fields() {
            if text_column(field.data_type()) {
                props = props.set_column_dictionary_enabled(column_path(field), true);
            }
        }
        std::fs::create_dir_all(&dir).map_err(DatasetError::io(&dir))?;
        // 0666 less the umask, as for any new file (tempfile's own is 0600).
        let temp = tempfile::Builder::new()
            .prefix(".part-0.")
            .suffix(".tmp")
            .permissions(std::fs::Permissions::from_mode(0o666))
            .tempfile_in(&dir)
            .map_err(DatasetError::io(&dir))?;
        let path = dir.join(PART_FILE);
        let file = temp
            .as_file()
            .try_clone()
            .map_err(DatasetError::io(&path))?;
        let props = props
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_max_row_group_row_count(Some(row_group_rows))
            .set_key_value_metadata(Some(vec![KeyValue::new(
                SCHEMA_VERSION_KEY.to_string(),
                SCHEMA_VERSION.to_string(),
            )]))
            .build();
        let writer = ArrowWriter::try_new(BufWriter::new(file), schema, Some(props))
            .map_err(DatasetError::parquet(&path))?;
        Ok(Staged { temp, writer, path })
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.writer
            .write(batch)
            .map_err(DatasetError::parquet(&self.path))
    }

    /// Writes the footer; the file keeps its temporary name until `publish`.
    fn close(self) -> Result<Closed> {
        let path = self.path;
        let out = self
            .writer
            .into_inner()
            .map_err(DatasetError::parquet(&path))?;
        out.into_inner()
            .map_err(|e| DatasetError::io(&path)(e.into_error()))?;
        Ok(Closed {
            temp: self.temp,
            path,
        })
    }
}

/// Strings and lists of strings (`events`, `link_types`).
fn text_column(t: &DataType) -> bool {
    match t {
        DataType::Utf8 => true,
        DataType::List(item) => item.data_type() == &DataType::Utf8,
        _ => false,
    }
}

/// The Parquet path of a top-level column (`events.list.item` for a list).
fn column_path(field: &Field) -> ColumnPath {
    match field.data_type() {
        DataType::List(item) => ColumnPath::new(vec![
            field.name().clone(),
            "list".to_string(),
            item.name().clone(),
        ]),
        _ => ColumnPath::new(vec![field.name().clone()]),
    }
}

/// A complete file under its temporary name.
struct Closed {
    temp: NamedTempFile,
    path: PathBuf,
}

impl Closed {
    fn publish(self) -> Result<()> {
        let path = self.path;
        self.temp
            .persist(&path)
            .map_err(|e| DatasetError::io(&path)(e.error))?;
        Ok(())
    }
}

/// Writes one capture: `push` each segment as the analyzer hands it out,
/// then `finish` with the capture's statistics and connections. Dropped
/// without `finish` (or on an error), it leaves no file behind.
pub struct CaptureWriter {
    slot: CaptureSlot,
    schema: SchemaRef,
    rows: SegmentColumns,
    segments_file: Staged,
    segments: u64,
    /// The first error while writing segments; `finish` returns it.
    error: Option<DatasetError>,
    /// Last, so that it is dropped after the temporary files are.
    _empty_dirs: RemoveEmptyDirs,
}

/// Removes the capture's partition directories that are empty when it is
/// dropped: a capture that could not be written leaves nothing behind.
struct RemoveEmptyDirs(Vec<PathBuf>);

impl Drop for RemoveEmptyDirs {
    fn drop(&mut self) {
        for dir in &self.0 {
            // Fails, as it should, when the directory holds the capture's file.
            let _ = std::fs::remove_dir(dir);
        }
    }
}

impl CaptureWriter {
    pub(crate) fn new(slot: CaptureSlot) -> Result<CaptureWriter> {
        let empty_dirs = RemoveEmptyDirs(TABLES.iter().map(|t| slot.partition(t)).collect());
        let schema = segments::schema();
        let segments_file = Staged::create(
            slot.partition("segments"),
            schema.clone(),
            SEGMENT_ROW_GROUP_ROWS,
        )?;
        Ok(CaptureWriter {
            slot,
            schema,
            rows: SegmentColumns::default(),
            segments_file,
            segments: 0,
            error: None,
            _empty_dirs: empty_dirs,
        })
    }

    /// The size and SHA-256 of a capture admitted as a stream
    /// (`Dataset::admit_stream`), once it has been read.
    pub fn set_source(&mut self, size: u64, sha256: String) {
        self.slot.size = size;
        self.slot.sha256 = sha256;
    }

    /// Adds a segment's row (written out every `SEGMENT_BATCH_ROWS` rows).
    pub fn push(&mut self, r: &SegmentReport) {
        if self.error.is_some() {
            return;
        }
        self.rows.push(r);
        self.segments += 1;
        if self.rows.len() >= SEGMENT_BATCH_ROWS {
            if let Err(e) = self.flush() {
                self.error = Some(e);
            }
        }
    }

    fn flush(&mut self) -> Result<()> {
        let path = self.segments_file.path.clone();
        let batch = self
            .rows
            .take(&self.schema)
            .map_err(DatasetError::arrow(&path))?;
        self.segments_file.write(&batch)
    }

    /// Writes the rest: the last segments, the `connections` (in the
    /// order given, `CONNECTION_BATCH_ROWS` at a time) and the capture's
    /// row with `stats` and the run's metadata; then renames the three
    /// files into place, the captures row last.
    pub fn finish(
        mut self,
        stats: &CaptureStats,
        connections: &mut dyn Iterator<Item = ConnectionSummary>,
        run: Option<RunFile>,
    ) -> Result<CaptureAdded> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if self.rows.len() > 0 {
            self.flush()?;
        }
        let segments = self.segments_file.close()?;

        let table = connections::table();
        let mut conn_file = Staged::create(
            self.slot.partition("connections"),
            table.schema(),
            CONNECTION_BATCH_ROWS,
        )?;
        let mut count = 0u64;
        let mut rows = Vec::with_capacity(CONNECTION_BATCH_ROWS);
        for c in connections {
            rows.push(c);
            if rows.len() == CONNECTION_BATCH_ROWS {
                count += write_rows(&table, &mut rows, &mut conn_file)?;
            }
        }
        count += write_rows(&table, &mut rows, &mut conn_file)?;
        let connections = conn_file.close()?;

        let table = captures::table();
        let mut capture_file = Staged::create(self.slot.partition("captures"), table.schema(), 1)?;
        let row = CaptureRow {
            file: self.slot.file.display().to_string(),
            size: self.slot.size,
            sha256: self.slot.sha256.clone(),
            stats: stats.clone(),
            connections: count,
            segments: self.segments,
            run,
        };
        write_rows(&table, &mut vec![row], &mut capture_file)?;
        let capture = capture_file.close()?;

        segments.publish()?;
        connections.publish()?;
        capture.publish()?;
        Ok(CaptureAdded {
            name: self.slot.name,
            segments: self.segments,
            connections: count,
        })
    }
}

/// Writes `rows` as one batch (nothing when empty) and empties it;
/// returns how many rows were written.
fn write_rows<T>(
    table: &crate::columns::Table<T>,
    rows: &mut Vec<T>,
    file: &mut Staged,
) -> Result<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    let batch = table.batch(rows).map_err(DatasetError::arrow(&file.path))?;
    file.write(&batch)?;
    let n = rows.len() as u64;
    rows.clear();
    Ok(n)
}
