//! The writer on synthetic connections: what lands on disk, what a
//! second run sees, and what a failed one leaves.

use crate::{Admission, Dataset, DatasetError, SCHEMA_VERSION_KEY};
use arrow_array::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use std::path::{Path, PathBuf};
use tcplab_analysis::synthetic::closed;
use tcplab_analysis::{Analyzer, CaptureStats};

/// The per-segment CSV's header (docs/analyze-csv.md).
const CSV_COLUMNS: &str = "frame,time,stream,src,sport,dst,dport,seq,ack,next_seq,len,flags,win,win_scaled,sack,events,ack_rtt,bytes_in_flight,tunnel";

/// A file to admit (only its bytes matter: the writer does not read it).
fn capture_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

fn read(path: &Path) -> Vec<RecordBatch> {
    let file = std::fs::File::open(path).expect("open");
    ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("parquet")
        .build()
        .expect("reader")
        .collect::<Result<_, _>>()
        .expect("batches")
}

fn new_slot(dataset: &mut Dataset, file: &Path) -> crate::CaptureSlot {
    match dataset.admit(file).expect("admit") {
        Admission::New(slot) => slot,
        Admission::Present { name, .. } => panic!("{name} already there"),
    }
}

/// Writes `connections` synthetic connections, `copies` times over, as one capture.
fn write(
    dataset: &mut Dataset,
    file: &Path,
    connections: u16,
    copies: usize,
) -> crate::CaptureAdded {
    let mut writer = new_slot(dataset, file).writer().expect("writer");
    let mut analyzer = Analyzer::new();
    let mut frame = 0;
    for _ in 0..copies {
        for port in 0..connections {
            for mut s in closed(40000 + port, i64::from(port) * 10, 1000 + u32::from(port)) {
                frame += 1;
                s.frame = frame;
                writer.push(&analyzer.push_segment(&s));
            }
        }
    }
    let finished = analyzer.finish();
    let added = writer
        .finish(&CaptureStats::default(), &mut finished.summaries(), None)
        .expect("finish");
    assert_eq!(added.connections, finished.connection_count() as u64);
    added
}

#[test]
fn a_capture_is_written_in_three_partitions_and_admitted_once() {
    let dir = tempfile::tempdir().expect("temp");
    let file = capture_file(dir.path(), "x.pcap", b"one");
    let root = dir.path().join("ds");
    let mut dataset = Dataset::open(&root).expect("open");
    // More segments than a batch: several batches in one row group.
    let added = write(&mut dataset, &file, 3, 1000);
    assert_eq!(added.segments, 24_000);

    let seg = read(&root.join("segments/capture=x.pcap/part-0.parquet"));
    let rows: usize = seg.iter().map(RecordBatch::num_rows).sum();
    assert_eq!(rows, 24_000);
    let names: Vec<String> = seg[0]
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names.join(","), CSV_COLUMNS);
    let conns = read(&root.join("connections/capture=x.pcap/part-0.parquet"));
    let conn_rows = conns.iter().map(RecordBatch::num_rows).sum::<usize>();
    assert_eq!(conn_rows as u64, added.connections);
    assert!(added.connections >= 3);
    let caps = read(&root.join("captures/capture=x.pcap/part-0.parquet"));
    assert_eq!(caps[0].num_rows(), 1);

    // The same bytes under another name are the same capture; a new
    // file with the same name gets a new one.
    let mut again = Dataset::open(&root).expect("reopen");
    let copy = capture_file(dir.path(), "copy.pcap", b"one");
    assert!(matches!(
        again.admit(&copy).expect("admit"),
        Admission::Present { name, .. } if name == "x.pcap"
    ));
    std::fs::create_dir_all(dir.path().join("b")).expect("mkdir");
    let other = capture_file(&dir.path().join("b"), "x.pcap", b"two");
    assert_eq!(new_slot(&mut again, &other).name, "x-2.pcap");
}

#[test]
fn a_writer_dropped_before_finish_leaves_no_file() {
    let dir = tempfile::tempdir().expect("temp");
    let file = capture_file(dir.path(), "x.pcap", b"one");
    let root = dir.path().join("ds");
    let mut dataset = Dataset::open(&root).expect("open");
    let mut writer = new_slot(&mut dataset, &file).writer().expect("writer");
    let mut analyzer = Analyzer::new();
    for s in closed(40000, 0, 1) {
        writer.push(&analyzer.push_segment(&s));
    }
    drop(writer);
    for table in ["segments", "connections", "captures"] {
        let left: Vec<_> = std::fs::read_dir(root.join(table)).expect("dir").collect();
        assert!(left.is_empty(), "{table}: {left:?}");
    }
    assert_eq!(Dataset::open(&root).expect("reopen").len(), 0);
}

#[test]
fn a_dataset_of_another_schema_version_is_refused() {
    let dir = tempfile::tempdir().expect("temp");
    let root = dir.path().join("ds");
    let part = root.join("captures/capture=old.pcap");
    std::fs::create_dir_all(&part).expect("mkdir");
    let table = crate::captures::table();
    let props = WriterProperties::builder()
        .set_key_value_metadata(Some(vec![KeyValue::new(
            SCHEMA_VERSION_KEY.to_string(),
            "99".to_string(),
        )]))
        .build();
    let file = std::fs::File::create(part.join("part-0.parquet")).expect("create");
    let mut w = ArrowWriter::try_new(file, table.schema(), Some(props)).expect("writer");
    w.write(&table.batch(&[]).expect("batch")).expect("write");
    w.close().expect("close");
    let err = Dataset::open(&root).err().expect("refused");
    assert!(matches!(err, DatasetError::SchemaVersion { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("dataset schema version 99, this tcplab writes version 1"),
        "{text}"
    );
    assert!(!text.contains('\n'));
}
