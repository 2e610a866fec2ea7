"""The executor's half of scale/spark_analyze.py: one capture analysed
by the tcplab binary into local scratch, its partitions staged under
--out (docs/scale-out.md). Shipped to the executors with addPyFile."""

import hashlib
import os
import re
import shutil
import subprocess
import tempfile

TABLES = ("segments", "connections", "captures")
# tcplab's exit codes: 1 an error, 3 added with a warning (damage, metadata).
EXIT_FAILURE, EXIT_PARTIAL = 1, 3
ADDED = re.compile(r": added as capture=\S+ \((.*)\)$")


def is_local(path):
    """A path the executors read as it is (no scheme, or file:)."""
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", path)
    return scheme is None or scheme.group(1).lower() == "file"


def local_path(path):
    """`file:///a/b` and `file:/a/b` as /a/b; other local paths as they are."""
    if path.lower().startswith("file:"):
        rest = path[5:]
        return "/" + rest.lstrip("/")
    return path


def analyse_one(item, job):
    """Runs on an executor: hashes and analyses one capture into local
    scratch, stages its partitions under --out; never raises for a
    capture tcplab refuses (the driver decides)."""
    from pyspark import SparkFiles, TaskContext

    index, path = item
    tcplab = SparkFiles.get(job["tcplab"])
    if not os.access(tcplab, os.X_OK):
        os.chmod(tcplab, 0o755)
    work = tempfile.mkdtemp(prefix="tcplab-spark-", dir=scratch_dir(job))
    result = {"index": index, "path": path, "error": None, "stderr": "", "code": 0}
    try:
        conf = None
        if job["conf"]:
            # FsShell reads core-site.xml from its class path (and fails
            # without one): the driver's configuration under that name.
            conf = os.path.join(work, "conf")
            os.mkdir(conf, 0o700)
            shutil.copy(SparkFiles.get(job["conf"]), os.path.join(conf, "core-site.xml"))
        if is_local(path):
            given, cwd = local_path(path), job["cwd"]
            if not os.path.isdir(cwd):
                given, cwd = os.path.abspath(given), None
        else:
            cwd = os.path.join(work, "in")
            os.mkdir(cwd)
            given = path.rsplit("/", 1)[-1]
            fs_shell(conf, ["-copyToLocal", path, cwd + "/"], path)
            # The run's metadata beside it, when there is one (x.json for x.pcap).
            meta = re.sub(r"(\.[^./]*)?$", ".json", path, count=1)
            if meta != path:
                fs_shell(conf, ["-copyToLocal", meta, cwd + "/"], meta, missing_ok=True)
        local_out = os.path.join(work, "out")
        cmd = [tcplab, "analyze", given, "--format", "parquet", "-o", local_out] + job["extra"]
        # The captures table names the capture as the user gave it: a
        # remote one by its URI, not by its local copy.
        shown = local_path(path) if is_local(path) else path
        if given != shown:
            cmd += ["--file-as", shown]
        run = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
        # Messages name the capture as the user gave it, not its local copy.
        rename = (lambda s: s.replace(given, path)) if given != path else (lambda s: s)
        stdout, stderr = rename(run.stdout), rename(run.stderr)
        added = [ADDED.search(line) for line in stdout.splitlines()]
        added = [m for m in added if m]
        if run.returncode == EXIT_FAILURE or len(added) != 1:
            lines = [l for l in stderr.splitlines() if l.strip()]
            errors = [l.removeprefix("tcplab: error: ") for l in lines if l.startswith("tcplab: error: ")]
            result["error"] = errors[0] if errors else (lines[-1] if lines else f"{path}: tcplab exited with {run.returncode}")
            result["stderr"] = "".join(l + "\n" for l in lines if not l.startswith("tcplab: error: "))
            return result
        result["stderr"] = stderr
        result["code"] = run.returncode
        # tcplab read it without error: hashing it again reads the page cache.
        result["sha256"] = sha256_of(os.path.join(cwd, given) if cwd else given)
        result["counts"] = added[0].group(1)
        parts = os.listdir(os.path.join(local_out, "captures"))
        result["staged_name"] = parts[0].removeprefix("capture=")
        # One directory per attempt: a task retried, or run twice by
        # speculation, never mixes its files with another attempt's.
        result["staged"] = f"{job['staging']}/{index}-{TaskContext.get().attemptNumber()}"
        stage(conf, local_out, result["staged"])
        return result
    except CopyError as e:
        result["error"] = str(e)
        return result
    except OSError as e:  # reading the capture again, or the scratch
        result["error"] = f"{e.filename or path}: {e.strerror or e}"
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def scratch_dir(job):
    if job["scratch"]:
        return job["scratch"]
    # Spark's local dirs on this executor (spark.local.dir, YARN's dirs).
    for var in ("SPARK_LOCAL_DIRS", "LOCAL_DIRS"):
        for d in os.environ.get(var, "").split(","):
            if d and os.path.isdir(d):
                return d
    return None


def stage(conf, local_out, staged):
    """Moves the three tables' partitions from local scratch to `staged`."""
    if is_local(staged):
        dst = local_path(staged)
        shutil.rmtree(dst, ignore_errors=True)
        os.makedirs(dst)
        for table in TABLES:
            shutil.move(os.path.join(local_out, table), os.path.join(dst, table))
        return
    fs_shell(conf, ["-rm", "-r", "-f", staged], staged)
    fs_shell(conf, ["-mkdir", "-p", staged], staged)
    fs_shell(conf, ["-put"] + [os.path.join(local_out, t) for t in TABLES] + [staged + "/"], staged)


class CopyError(Exception):
    pass


def fs_shell(conf, argv, path, missing_ok=False):
    """Hadoop's FsShell (`hadoop fs`) with Spark's jars and the driver's
    Hadoop configuration (the directory `conf` holds it as core-site.xml):
    the same file systems the driver reads."""
    java = os.path.join(os.environ["JAVA_HOME"], "bin", "java") if os.environ.get("JAVA_HOME") else "java"
    classpath = ([conf] if conf else []) + [spark_classpath()]
    cmd = [java, "-cp", ":".join(classpath), "org.apache.hadoop.fs.FsShell"]
    run = subprocess.run(cmd + argv, capture_output=True, text=True)
    if run.returncode != 0:
        if missing_ok and "No such file" in run.stderr:
            return
        why = [l for l in run.stderr.splitlines() if l.strip()]
        raise CopyError(f"{path}: cannot copy with Hadoop's FsShell: {why[-1] if why else run.returncode}")


def spark_classpath():
    """Spark's jars on this executor: YARN's container classpath, or
    SPARK_HOME's jars, or those of the pyspark package."""
    parts = [p for p in os.environ.get("CLASSPATH", "").split(":") if p]
    libs = os.path.join(os.getcwd(), "__spark_libs__")
    if os.path.isdir(libs):
        parts.append(libs + "/*")
    home = os.environ.get("SPARK_HOME")
    if not home:
        import pyspark

        home = os.path.dirname(pyspark.__file__)
    parts.append(os.path.join(home, "jars", "*"))
    return ":".join(parts)


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()
