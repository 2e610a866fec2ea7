#!/usr/bin/env python3
"""tcplab's Parquet dataset built by Spark: one capture is one task.

    spark-submit scale/spark_analyze.py --tcplab ./tcplab --out DIR INPUTS...
    python scale/spark_analyze.py --tcplab ./tcplab --out DIR INPUTS...   (local[*])

Writes the layout of `tcplab analyze INPUTS... --format parquet -o DIR`
(docs/dataset.md): DIR/{segments,connections,captures}/capture=NAME/.
docs/scale-out.md says how to run it on a cluster and what it costs.
"""

import argparse
import os
import re
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spark_task import EXIT_FAILURE, TABLES, analyse_one, is_local, local_path  # noqa: E402

# The names tcplab finds in a directory (crates/tcplab-wire/src/capture/inputs.rs).
CAPTURE_ENDINGS = (".pcap", ".pcapng", ".cap")
COMPRESSED_ENDINGS = ("", ".gz", ".zst")
# Where the tasks leave their partitions until the driver names them.
STAGING = "_tcplab_spark_staging"
NANOS_AS_LONG = "spark.sql.legacy.parquet.nanosAsLong"
# The key of the dataset's schema version in each file's Parquet metadata
# (SCHEMA_VERSION_KEY in crates/tcplab-dataset/src/lib.rs).
SCHEMA_KEY = "tcplab.dataset_schema"

HELP_EPILOG = """\
INPUTS are capture files or directories on any Hadoop-compatible file
system (a local path, file:, hdfs://, s3a://, ...); directories are searched
recursively for .pcap, .pcapng and .cap files, also ending .gz or .zst, in
sorted order, as tcplab does. Each capture is one Spark task: the tcplab
binary (--tcplab, shipped with Spark's own file distribution) analyses it
on an executor into local scratch, and the driver then adds its partitions
to --out under the name tcplab would give it. A capture whose SHA-256 is
already in --out (or given twice) is not added again; an --out written
with another schema version of the dataset is refused, as tcplab does.

Captures on a file system other than the local one (and a remote --out)
are copied with Hadoop's own FsShell, run with the executor's Java and
Spark's jars and the driver's Hadoop configuration.

Exit codes as tcplab's: 0 all added; 3 added, with warnings (damaged
captures, run metadata left out); 1 a capture was refused (nothing is
added unless --keep-going) or the job failed.

Example:
  spark-submit --master yarn --deploy-mode client scale/spark_analyze.py \\
      --tcplab target/release/tcplab --out hdfs:///lab/dataset hdfs:///lab/captures
"""


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="spark_analyze.py",
        description="Builds tcplab's Parquet dataset (docs/dataset.md) with Spark: one capture\n"
        "per task, analysed by the tcplab binary on the executors (docs/scale-out.md).",
        epilog=HELP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="capture files or directories")
    p.add_argument("--out", required=True, metavar="DIR", help="the dataset directory (created when missing; captures are added to it)")
    p.add_argument("--tcplab", required=True, metavar="PATH", help="the tcplab binary for the executors (Linux x86-64 as they are; a local path or a URI)")
    p.add_argument("--master", metavar="URL", help="Spark master (default: spark-submit's, or local[*] under plain python)")
    p.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE", help="a Spark setting, as spark-submit's --conf (repeat it)")
    p.add_argument("--keep-going", action="store_true", help="add the captures tcplab accepts even when it refuses some (each refusal still printed; exit code 1)")
    p.add_argument("-f", "--filter", metavar="BPF", help="passed to tcplab analyze -f")
    p.add_argument("--only", metavar="EVENTS", help="passed to tcplab analyze --only")
    p.add_argument("--scratch", metavar="DIR", help="local scratch directory on the executors (default: Spark's local dir, else the system's temp dir)")
    return p.parse_args(argv)


def is_capture_name(name):
    name = name.lower()
    return any(name.endswith(c + z) for c in CAPTURE_ENDINGS for z in COMPRESSED_ENDINGS)


def partition_name(path, taken):
    """The partition name tcplab gives a capture (crates/tcplab-dataset/src/names.rs)."""
    raw = path.rstrip("/").rsplit("/", 1)[-1]
    name = "".join(c if (c.isascii() and c.isalnum()) or c in "_-." else "_" for c in raw)
    if name.startswith("."):
        name = "_" + name[1:]
    name = name.encode()[:200].decode(errors="ignore")
    if not any(c.isascii() and c.isalpha() for c in name) or reads_as_number(name):
        name = "capture-" + name
    if name not in taken:
        return name
    i = name.find(".")
    stem, ext = (name[:i], name[i:]) if i > 0 else (name, "")
    n = 2
    while f"{stem}-{n}{ext}" in taken:
        n += 1
    return f"{stem}-{n}{ext}"


def reads_as_number(name):
    """As Rust's `str::parse::<f64>` (which, unlike Python's float, takes
    no underscores or spaces)."""
    if "_" in name:
        return False
    try:
        float(name)
        return True
    except ValueError:
        return False


# ---------------------------------------------------------------- the driver


def list_inputs(sc, inputs):
    """[(path as given or found, size)] in tcplab's order: each file as
    given, each directory's captures sorted by path."""
    jvm = sc._jvm
    conf = sc._jsc.hadoopConfiguration()
    found = []
    for arg in inputs:
        path = jvm.org.apache.hadoop.fs.Path(arg)
        fs = path.getFileSystem(conf)
        try:
            status = fs.getFileStatus(path)
        except Exception:  # py4j's error for FileNotFoundException
            raise SystemExit(f"spark_analyze: error: {arg}: no such file or directory")
        if not status.isDirectory():
            found.append((arg, status.getLen()))
            continue
        base = fs.makeQualified(path).toUri().getPath().rstrip("/")
        files = []
        it = fs.listFiles(path, True)
        while it.hasNext():
            st = it.next()
            p = st.getPath()
            if not is_capture_name(p.getName()):
                continue
            rel = p.toUri().getPath()[len(base) + 1:]
            given = arg.rstrip("/") + "/" + rel if is_local(arg) else p.toString()
            files.append((given, st.getLen()))
        if not files:
            raise SystemExit(
                f"spark_analyze: error: {arg}: no capture in this directory "
                "(looked for .pcap, .pcapng and .cap, also ending .gz or .zst)"
            )
        files.sort(key=lambda f: f[0].split("/"))
        found.extend(files)
    return found


def known_captures(spark, out):
    """({sha256: partition name}, {captures file: schema version}) of the
    captures already in `out` (their captures rows: a capture is in the
    dataset exactly when it has one)."""
    from pyspark.sql import functions as F

    sc = spark.sparkContext
    captures, fs = fs_of(sc, out + "/captures")
    if not fs.exists(captures):
        return {}, {}
    parts = {}
    for status in fs.listStatus(captures):
        name = status.getPath().getName()
        part = status.getPath().toString() + "/part-0.parquet"
        if name.startswith("capture=") and fs.exists(fs_of(sc, part)[0]):
            parts[name.removeprefix("capture=")] = part
    if not parts:
        return {}, {}
    versions = {part: schema_version(sc, part) for part in parts.values()}
    rows = (
        spark.read.schema("sha256 string")
        .parquet(*parts.values())
        .select("sha256", F.input_file_name().alias("file"))
        .collect()
    )
    known = {}
    for row in rows:
        m = re.search(r"/capture=([^/]+)/part-0\.parquet$", row.file)
        if m:
            known[row.sha256] = m.group(1)
    return known, versions


def schema_version(sc, path):
    """The dataset schema version in a Parquet file's key-value metadata
    (None when it has none), read from its footer through the JVM."""
    jvm = sc._jvm
    jpath, _ = fs_of(sc, path)
    conf = sc._jsc.hadoopConfiguration()
    infile = jvm.org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(jpath, conf)
    reader = jvm.org.apache.parquet.hadoop.ParquetFileReader.open(infile)
    try:
        return reader.getFooter().getFileMetaData().getKeyValueMetaData().get(SCHEMA_KEY)
    finally:
        reader.close()


def other_schema(sc, results, versions):
    """The error tcplab gives when --out holds another schema version than
    the one the tasks wrote (read from a staged captures file), or None."""
    written = next((r for r in results if not r["error"]), None)
    if written is None or not versions:
        return None
    staged = f"{written['staged']}/captures/capture={written['staged_name']}/part-0.parquet"
    expected = schema_version(sc, staged)
    for part, found in sorted(versions.items()):
        shown = local_path(part) if is_local(part) else part
        if found is None:
            return f"{shown}: not a tcplab dataset file (no {SCHEMA_KEY} in its metadata); write to a new directory or remove it"
        if found != expected:
            return f"{shown}: dataset schema version {found}, this tcplab writes version {expected}; write to a new directory"
    return None


def hadoop_conf_file(sc):
    """The driver's Hadoop configuration as XML, shipped to the executors
    for FsShell (credentials included: the file is mode 0600 and removed
    with the job's scratch)."""
    fd, path = tempfile.mkstemp(prefix="tcplab-hadoop-", suffix=".xml")
    os.close(fd)
    os.chmod(path, 0o600)
    stream = sc._jvm.java.io.FileOutputStream(path)
    sc._jsc.hadoopConfiguration().writeXml(stream)
    stream.close()
    return path


def fs_of(sc, path):
    jpath = sc._jvm.org.apache.hadoop.fs.Path(path)
    return jpath, jpath.getFileSystem(sc._jsc.hadoopConfiguration())


def commit(sc, out, result, name):
    """Moves a task's staged partitions to `out` as capture=NAME; the
    captures row last, so that a capture is in the dataset exactly when
    its captures row is (as tcplab does)."""
    for table in TABLES:
        src, fs = fs_of(sc, f"{result['staged']}/{table}/capture={result['staged_name']}")
        dst, _ = fs_of(sc, f"{out}/{table}/capture={name}")
        if fs.exists(dst):  # a partition left by a run that did not finish
            fs.delete(dst, True)
        fs.mkdirs(dst.getParent())
        if not fs.rename(src, dst):
            raise SystemExit(f"spark_analyze: error: cannot move {src.toString()} to {dst.toString()}")


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from pyspark import SparkFiles  # noqa: F401  (fails early without pyspark)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("tcplab-analyze")
    # The dataset's timestamps are Parquet TIMESTAMP(NANOS), which Spark
    # refuses unless told to read them as nanoseconds in a long
    # (docs/dataset.md, "Reading it in Spark"); the read-back check needs it.
    builder = builder.config(NANOS_AS_LONG, "true")
    if not sys.stderr.isatty():
        builder = builder.config("spark.ui.showConsoleProgress", "false")
    if args.master:
        builder = builder.master(args.master)
    for setting in args.conf:
        key, eq, value = setting.partition("=")
        if not eq:
            raise SystemExit(f"spark_analyze: error: --conf {setting}: give it as KEY=VALUE")
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    sc = spark.sparkContext
    sc.setLogLevel("WARN")
    try:
        return run(spark, args)
    finally:
        spark.stop()


def run(spark, args):
    sc = spark.sparkContext
    out = args.out.rstrip("/")
    inputs = list_inputs(sc, args.inputs)
    known, versions = known_captures(spark, out)
    sc.addFile(args.tcplab)
    # The executors' half of the job, beside this file (in cluster mode
    # give it with --py-files).
    task = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spark_task.py")
    if os.path.isfile(task):
        sc.addPyFile(task)
    remote = not is_local(out) or any(not is_local(p) for p, _ in inputs)
    conf_xml = None
    if remote:
        conf_xml = hadoop_conf_file(sc)
        sc.addFile(conf_xml)
    job = {
        "tcplab": os.path.basename(args.tcplab.rstrip("/")),
        "conf": os.path.basename(conf_xml) if conf_xml else None,
        "cwd": os.getcwd(),
        "staging": f"{out}/{STAGING}/{uuid.uuid4().hex}",
        "scratch": args.scratch,
        "extra": (["-f", args.filter] if args.filter else []) + (["--only", args.only] if args.only else []),
    }
    # One capture per partition, the biggest first: the longest tasks start
    # first, and the short ones fill in around them.
    items = sorted(enumerate(inputs), key=lambda t: -t[1][1])
    items = [(i, path) for i, (path, _) in items]
    results = (
        sc.parallelize(items, max(len(items), 1))
        .map(lambda item: analyse_one(item, job))
        .collect()
    )
    results.sort(key=lambda r: r["index"])
    try:
        # Rows of two schema versions never share a dataset (as tcplab).
        mismatch = other_schema(sc, results, versions)
        if mismatch:
            print(f"spark_analyze: error: {mismatch}", file=sys.stderr)
            return EXIT_FAILURE
        added = report_and_commit(sc, out, results, known, args.keep_going)
        read_back(spark, out, added["names"])
        return added["exit_code"]
    finally:
        staging, fs = fs_of(sc, job["staging"])
        fs.delete(staging, True)
        parent = staging.getParent()
        if fs.exists(parent) and not fs.listStatus(parent):
            fs.delete(parent, False)
        if conf_xml:
            os.remove(conf_xml)


def read_back(spark, out, names):
    """Reads the captures just added back through Spark and requires as
    many segment and connection rows as their captures rows say: the
    dataset is one that Spark reads, not only one that Spark wrote."""
    if not names:
        return
    from pyspark.sql import functions as F

    def rows(table):
        paths = [f"{out}/{table}/capture={name}" for name in names]
        return spark.read.option("basePath", f"{out}/{table}").parquet(*paths)

    said = rows("captures").agg(F.sum("segments"), F.sum("connections")).first()
    found = (rows("segments").count(), rows("connections").count())
    if (int(said[0]), int(said[1])) != found:
        raise SystemExit(
            f"spark_analyze: error: {out}: Spark reads {found[0]} segments and "
            f"{found[1]} connections in the captures just added, their captures "
            f"rows say {int(said[0])} and {int(said[1])}; the dataset is left as "
            "written, check it with DuckDB (docs/dataset.md)"
        )


def report_and_commit(sc, out, results, known, keep_going):
    """Prints each capture's line and moves the added ones into `out`;
    returns the exit code and the partition names added."""
    exit_code = 0
    added = []
    refused = [r for r in results if r["error"]]
    for r in results:
        sys.stderr.write(r["stderr"])
    if refused and not keep_going:
        for r in refused:
            print(f"spark_analyze: error: {r['error']}", file=sys.stderr)
        print(
            f"spark_analyze: {len(refused)} of {len(results)} captures refused; "
            "nothing added (--keep-going adds the others)",
            file=sys.stderr,
        )
        return {"exit_code": EXIT_FAILURE, "names": added}
    taken = set(known.values())
    for r in results:
        if r["error"]:
            print(f"spark_analyze: error: {r['error']}", file=sys.stderr)
            exit_code = EXIT_FAILURE
            continue
        if r["sha256"] in known:
            print(
                f"{r['path']}: already in the dataset as capture={known[r['sha256']]} "
                "(same SHA-256); not added again"
            )
            continue
        name = partition_name(r["path"], taken)
        taken.add(name)
        known[r["sha256"]] = name
        commit(sc, out, r, name)
        added.append(name)
        print(f"{r['path']}: added as capture={name} ({r['counts']})")
        if exit_code != EXIT_FAILURE:
            exit_code = max(exit_code, r["code"])
    return {"exit_code": exit_code, "names": added}


if __name__ == "__main__":
    sys.exit(main())
