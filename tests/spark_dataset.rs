//! scale/spark_analyze.py in Spark's local mode (`--master local[2]`)
//! against `tcplab analyze --format parquet` on the same captures: the
//! same lines printed, the same partitions, and, read with DuckDB, the
//! same schema (Arrow types and Parquet's, file by file) and the same
//! rows in every table. The inputs cover a dataset that already holds a
//! capture, a capture given twice, two files with one name, a directory
//! (searched recursively, with a gzip capture and a run's metadata), a
//! damaged capture, a file that is not a capture (`--keep-going`), and
//! captures on a file system other than the local one (Hadoop's viewfs).
//! A second run: a dataset of another schema version, refused by both.
//!
//! PySpark and DuckDB come from PyPI into /opt/tcplab-venv, Java 17 from
//! Debian (`.ci/install-deps`); `TCPLAB_PYTHON` names another Python.
//! Without them the test says what to run, and fails when CI=true. Spark
//! starts once (about 10 s on an idle machine), bound to loopback.

mod common;
mod dataset_support;

use common::*;
use dataset_support::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Compares two dataset directories (argv[1], argv[2]) table by table;
/// prints {table: {...}} with each side's schema and row count and the
/// rows one has that the other has not, with the URI prefix argv[3] taken
/// off the captures' `file` (a remote capture's is its URI); and the
/// captures' `file` of each side.
const COMPARE: &str = r#"
import duckdb, json, os, sys
a, b, remote = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect()
out = {}
for table in ["segments", "connections", "captures"]:
    read = lambda d: f"read_parquet('{d}/{table}/**/*.parquet', hive_partitioning = true)"
    describe = lambda d: [list(r[:2]) for r in con.execute(f"DESCRIBE SELECT * FROM {read(d)}").fetchall()]
    count = lambda d: con.execute(f"SELECT count(*) FROM {read(d)}").fetchone()[0]
    rows = lambda d: (f"SELECT * REPLACE (replace(file, '{remote}', '') AS file) FROM {read(d)}"
                      if table == "captures" else f"SELECT * FROM {read(d)}")
    only = lambda x, y: [str(r) for r in con.execute(
        f"{rows(x)} EXCEPT ALL {rows(y)} ORDER BY ALL").fetchall()]
    parts = lambda d: sorted(os.listdir(f"{d}/{table}"))
    def parquet_schema(d):
        # Parquet's own types and the file's key-value metadata, file by file.
        s = {}
        for p in parts(d):
            f = f"{d}/{table}/{p}/part-0.parquet"
            cols = con.execute("SELECT * EXCLUDE (file_name) FROM parquet_schema(?)", [f]).fetchall()
            kv = con.execute("SELECT key, value FROM parquet_kv_metadata(?) ORDER BY key", [f]).fetchall()
            s[p] = [str(c) for c in cols] + [str(k) for k in kv]
        return s
    out[table] = {
        "schema_a": describe(a), "schema_b": describe(b),
        "parquet_a": parquet_schema(a), "parquet_b": parquet_schema(b),
        "parts_a": parts(a), "parts_b": parts(b),
        "rows_a": count(a), "rows_b": count(b),
        "only_a": only(a, b), "only_b": only(b, a),
    }
    if table == "captures":
        files = lambda d: sorted(r[0] for r in con.execute(f"SELECT file FROM {read(d)}").fetchall())
        out[table]["files_a"], out[table]["files_b"] = files(a), files(b)
print(json.dumps(out))
"#;

/// The directory of captures the job reads through viewfs, and its URI.
const REMOTE: &str = "remote";
const VIEWFS: &str = "viewfs://tcplab/remote/";

#[test]
fn spark_local_mode_writes_the_dataset_tcplab_writes() {
    let Some(python) = spark_python() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let (tcplab_inputs, spark_inputs) = inputs(root);
    let single = root.join("single");
    let spark = root.join("spark");
    // Both datasets hold rst.pcap already: given again, it is not added.
    for out in [&single, &spark] {
        dataset_of_rst(out);
    }

    let mut args = vec!["analyze".to_string()];
    args.extend(tcplab_inputs.iter().cloned());
    args.extend(["--format", "parquet", "-o"].map(String::from));
    args.push(single.display().to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // From remote/, where the job's copies of those captures are read by name.
    let tcplab_run = Command::new(env!("CARGO_BIN_EXE_tcplab"))
        .current_dir(root.join(REMOTE))
        .args(&args)
        .output()
        .expect("tcplab runs");

    let spark_run = spark_job(&python, root, &spark, &spark_inputs);
    let spark_err = stderr(&spark_run);

    // A file that is not a capture: exit code 1 from both, with
    // tcplab's one-line error naming it; the others are added.
    assert_eq!(tcplab_run.status.code(), Some(1), "{}", stderr(&tcplab_run));
    assert_eq!(spark_run.status.code(), Some(1), "{spark_err}");
    let bad = data("not-a-capture.txt").display().to_string();
    let refusal = stderr(&tcplab_run)
        .lines()
        .find_map(|l| l.strip_prefix("tcplab: error: ").map(String::from))
        .expect("tcplab's error");
    assert!(refusal.starts_with(&bad), "{refusal}");
    assert!(
        spark_err.contains(&format!("spark_analyze: error: {refusal}\n")),
        "{spark_err}"
    );
    // The damaged capture's warning is passed on.
    assert!(
        spark_err.contains("cut-mid-record.pcap: record 67 at byte 66268"),
        "{spark_err}"
    );
    // The same line for every capture, in the order given.
    let tcplab_out = stdout(&tcplab_run);
    assert_eq!(
        stdout(&spark_run).replace(VIEWFS, ""),
        tcplab_out,
        "{spark_err}"
    );
    assert!(stdout(&spark_run).contains(&format!("{VIEWFS}lab.pcap: added as capture=lab.pcap")));
    for expected in [
        "rst.pcap: already in the dataset as capture=rst.pcap (same SHA-256)",
        "added as capture=lossy-2.pcap",
        "added as capture=multi-if.pcapng.gz",
        "added as capture=lab.pcap",
        "lossy.pcap: already in the dataset as capture=lossy.pcap (same SHA-256)",
    ] {
        assert!(tcplab_out.contains(expected), "{expected}: {tcplab_out}");
    }

    // Nothing but the three tables left in --out (the staging is gone).
    assert_eq!(entries(&spark), ["captures", "connections", "segments"]);

    let compared = Command::new(&python)
        .args(["-c", COMPARE])
        .arg(&single)
        .arg(&spark)
        .arg(VIEWFS)
        .output()
        .expect("python runs");
    assert!(compared.status.success(), "DuckDB: {}", stderr(&compared));
    let tables: Value = serde_json::from_slice(&compared.stdout).expect("the comparison's JSON");
    // The captures read through viewfs are named by their URI; the others
    // as given, as tcplab names them.
    let files = |side: &str| -> Vec<String> {
        tables["captures"][side]
            .as_array()
            .expect("files")
            .iter()
            .map(|f| f.as_str().expect("a file").to_string())
            .collect()
    };
    for name in ["lab.pcap", "zero-window.pcap"] {
        assert!(
            files("files_a").contains(&name.to_string()),
            "{:?}",
            files("files_a")
        );
        let uri = format!("{VIEWFS}{name}");
        assert!(files("files_b").contains(&uri), "{:?}", files("files_b"));
    }
    for table in ["segments", "connections", "captures"] {
        let t = &tables[table];
        assert_eq!(t["parts_a"], t["parts_b"], "{table}: partitions");
        assert_eq!(
            t["parts_a"].as_array().map(Vec::len),
            Some(7),
            "{table}: rst, lossy, zero-window, cut-mid-record, lossy-2, lab, multi-if"
        );
        assert_eq!(t["schema_a"], t["schema_b"], "{table}: DuckDB's schema");
        assert_eq!(t["parquet_a"], t["parquet_b"], "{table}: Parquet's schema");
        assert_eq!(t["rows_a"], t["rows_b"], "{table}: rows");
        assert!(int(&t["rows_a"]) >= 7, "{table}: {}", t["rows_a"]);
        assert_eq!(
            t["only_a"],
            Value::Array(vec![]),
            "{table}: rows only tcplab has"
        );
        assert_eq!(
            t["only_b"],
            Value::Array(vec![]),
            "{table}: rows only Spark has"
        );
    }
}

/// Rewrites a Parquet file (argv[1]) in place with DuckDB, its key-value
/// metadata holding dataset schema version 0.
const VERSION_ZERO: &str = r#"
import duckdb, os, sys
p = sys.argv[1]
duckdb.sql(f"COPY (SELECT * FROM read_parquet('{p}')) TO '{p}.new' "
           "(FORMAT parquet, KV_METADATA {'tcplab.dataset_schema': '0'})")
os.replace(p + ".new", p)
"#;

/// A dataset written with another schema version: tcplab and the job
/// refuse it with the same one-line error naming the captures file, and
/// add nothing.
#[test]
fn spark_refuses_a_dataset_of_another_schema_version_as_tcplab_does() {
    let Some(python) = spark_python() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join(REMOTE)).expect("remote/");
    let out = root.join("old");
    let out_arg = out.display().to_string();
    dataset_of_rst(&out);
    let part = out.join("captures/capture=rst.pcap/part-0.parquet");
    let rewrite = Command::new(&python)
        .args(["-c", VERSION_ZERO])
        .arg(&part)
        .output()
        .expect("python runs");
    assert!(rewrite.status.success(), "DuckDB: {}", stderr(&rewrite));

    let lossy = data("lossy.pcap").display().to_string();
    let tcplab_run = tcplab(&["analyze", &lossy, "--format", "parquet", "-o", &out_arg]);
    let spark_run = spark_job(&python, root, &out, &[lossy]);
    let why = format!(
        "{}: dataset schema version 0, this tcplab writes version {}; write to a new directory",
        part.display(),
        tcplab_dataset::SCHEMA_VERSION
    );
    assert_eq!(tcplab_run.status.code(), Some(1), "{}", stderr(&tcplab_run));
    assert!(
        stderr(&tcplab_run).contains(&why),
        "{}",
        stderr(&tcplab_run)
    );
    let spark_err = stderr(&spark_run);
    assert_eq!(spark_run.status.code(), Some(1), "{spark_err}");
    assert!(
        spark_err.contains(&format!("spark_analyze: error: {why}\n")),
        "{spark_err}"
    );
    // Nothing added by either, no staging left.
    assert_eq!(entries(&out), ["captures", "connections", "segments"]);
    for table in ["segments", "connections", "captures"] {
        assert_eq!(entries(&out.join(table)), ["capture=rst.pcap"], "{table}");
    }
}

/// A dataset in `out` made by tcplab from rst.pcap.
fn dataset_of_rst(out: &Path) {
    let made = tcplab(&[
        "analyze",
        &data("rst.pcap").display().to_string(),
        "--format",
        "parquet",
        "-o",
        &out.display().to_string(),
    ]);
    assert!(made.status.success(), "{}", stderr(&made));
}

/// The names in a directory, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The Python that has PySpark and DuckDB, when Java is there too; `None`
/// after saying what to install (failing in CI).
fn spark_python() -> Option<String> {
    let python = python_with(&["pyspark", "duckdb"], "the Spark test")?;
    let java = Command::new("java").arg("-version").output();
    if !java.is_ok_and(|o| o.status.success()) {
        let msg = "java is missing: run .ci/install-deps (Debian's openjdk-17-jre-headless)";
        assert!(!in_ci(), "{msg}");
        eprintln!("skipping the Spark test: {msg}");
        return None;
    }
    Some(python)
}

/// Runs scale/spark_analyze.py in local mode from `root` on `inputs`
/// into `out`, bound to loopback, with `remote/` mounted as viewfs.
fn spark_job(python: &str, root: &Path, out: &Path, inputs: &[String]) -> std::process::Output {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scale/spark_analyze.py");
    Command::new(python)
        .current_dir(root)
        .env("SPARK_LOCAL_IP", "127.0.0.1")
        .arg(&script)
        .args(["--master", "local[2]", "--keep-going"])
        .args(["--conf", "spark.ui.enabled=false"])
        .args(["--conf", "spark.driver.host=127.0.0.1"])
        .args(["--conf", "spark.driver.bindAddress=127.0.0.1"])
        .arg("--conf")
        .arg(format!(
            "spark.hadoop.fs.viewfs.mounttable.tcplab.link./{REMOTE}=file://{}",
            root.join(REMOTE).display()
        ))
        .args(["--tcplab", env!("CARGO_BIN_EXE_tcplab"), "--out"])
        .arg(out)
        .args(inputs)
        .output()
        .expect("python runs")
}

/// The captures given to both, in order: a damaged one, a non-capture, a
/// directory, one given twice, one the dataset holds already, and two
/// (one with its run's metadata) in `remote/`, which Spark reads through
/// Hadoop's viewfs (`viewfs://tcplab/remote/…`, a file system other than
/// the local one: the job copies them with FsShell) and tcplab from that
/// directory by name. Returns (tcplab's arguments, the job's).
fn inputs(root: &Path) -> (Vec<String>, Vec<String>) {
    let more = root.join("more");
    // Another lossy.pcap (half-close's bytes): lossy-2.pcap.
    copy(&data("half-close.pcap"), &more.join("a/lossy.pcap"));
    // A gzip capture; and a file a directory search leaves out.
    copy(&data("multi-if.pcapng"), &more.join("b/multi-if.pcapng"));
    let gz = Command::new("gzip")
        .arg(more.join("b/multi-if.pcapng"))
        .status()
        .expect("gzip runs");
    assert!(gz.success());
    std::fs::write(more.join("b/notes.txt"), "not a capture").expect("notes");
    let remote = root.join(REMOTE);
    copy(&data("zero-window.pcap"), &remote.join("zero-window.pcap"));
    // A run made by tcplab, with its metadata beside it.
    lab_run(&remote.join("lab.pcap"));
    let file = |name: &str| data(name).display().to_string();
    let given = [
        file("lossy.pcap"),
        format!("{VIEWFS}zero-window.pcap"),
        file("cut-mid-record.pcap"),
        file("not-a-capture.txt"),
        more.display().to_string(),
        format!("{VIEWFS}lab.pcap"),
        file("rst.pcap"),
        file("lossy.pcap"),
    ];
    let for_tcplab = given
        .iter()
        .map(|g| g.strip_prefix(VIEWFS).unwrap_or(g).to_string())
        .collect();
    (for_tcplab, given.to_vec())
}
