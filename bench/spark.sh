#!/usr/bin/env bash
# What Spark costs: scale/spark_analyze.py in local mode against
# `tcplab analyze --format parquet` (one process) on the same captures,
# wall and CPU time of each (CPU: every process of the run, children
# included, from a cpuacct cgroup; /usr/bin/time's figure where there is
# none). By hand, as root, on an idle machine; not in CI.
#
# Usage: bench/spark.sh [DIR]
#   DIR: the captures (default: $DATA/spark-chunks, made once by splitting
#   $DATA/large.pcap of bench/make-captures.sh into pieces of $CHUNK
#   packets with editcap -c, as docs/scale-out.md suggests for one huge
#   capture).
# Environment: DATA (/work/bench-data), CHUNK (45000), MASTER (local[2]),
# TCPLAB (target/release/tcplab), TCPLAB_PYTHON (/opt/tcplab-venv/bin/python).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${DATA:-/work/bench-data}
CHUNK=${CHUNK:-45000}
MASTER=${MASTER:-local[2]}
TCPLAB=${TCPLAB:-$HERE/../target/release/tcplab}
PY=${TCPLAB_PYTHON:-/opt/tcplab-venv/bin/python}
IN=${1:-$DATA/spark-chunks}

[ -x "$TCPLAB" ] || { echo "spark.sh: no tcplab at $TCPLAB (cargo build --release, or set TCPLAB)" >&2; exit 1; }
"$PY" -c 'import pyspark' || { echo "spark.sh: $PY has no pyspark (.ci/install-deps)" >&2; exit 1; }
if [ ! -d "$IN" ]; then
    [ -f "$DATA/large.pcap" ] || { echo "spark.sh: $DATA/large.pcap is missing (bench/make-captures.sh large)" >&2; exit 1; }
    mkdir -p "$IN"
    editcap -c "$CHUNK" "$DATA/large.pcap" "$IN/large.pcap"
fi
WORK=$(mktemp -d)
# The cgroups of runs whose last processes were still ending at their rmdir.
trap 'rm -rf "$WORK"; sleep 2; rmdir /sys/fs/cgroup/cpuacct/tcplab-bench-$$-* 2>/dev/null || true' EXIT

# measure KEY NAME COMMAND...: prints "NAME wall_s cpu_s"; the output in $WORK/KEY.*.
measure() {
    local key=$1 name=$2 cg=/sys/fs/cgroup/cpuacct/tcplab-bench-$$-$1 start end cpu
    shift 2
    if mkdir "$cg" 2>/dev/null; then
        start=$(date +%s.%N)
        (echo "$BASHPID" >"$cg/tasks" && exec "$@") >"$WORK/$key.out" 2>"$WORK/$key.err" || true
        end=$(date +%s.%N)
        # Spark's Python workers end a moment after the driver: wait for them.
        for _ in $(seq 300); do [ -s "$cg/tasks" ] || break; sleep 0.2; done
        cpu=$(awk '{printf "%.1f", $1 / 1e9}' "$cg/cpuacct.usage")
        rmdir "$cg" 2>/dev/null || true
    else
        start=$(date +%s.%N)
        /usr/bin/time -f '%U %S' -o "$WORK/$key.time" "$@" >"$WORK/$key.out" 2>"$WORK/$key.err" || true
        end=$(date +%s.%N)
        cpu=$(awk '{printf "%.1f", $1 + $2}' "$WORK/$key.time")
    fi
    printf '%-34s wall %6.1f s   cpu %6.1f s\n' "$name" "$(echo "$end - $start" | bc)" "$cpu"
    grep -h 'error' "$WORK/$key.err" >&2 || true
}

files=$(find "$IN" -type f | wc -l)
size=$(du -sh "$IN" | cut -f1)
echo "captures: $IN ($files files, $size); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
measure single "tcplab analyze --format parquet" "$TCPLAB" analyze "$IN" --format parquet -o "$WORK/single"
measure spark "spark_analyze.py --master $MASTER" env SPARK_LOCAL_IP=127.0.0.1 "$PY" "$HERE/../scale/spark_analyze.py" \
    --master "$MASTER" --conf spark.ui.enabled=false --tcplab "$TCPLAB" --out "$WORK/spark" "$IN"
measure start "spark start and stop alone" env SPARK_LOCAL_IP=127.0.0.1 "$PY" -c \
    "from pyspark.sql import SparkSession; s = SparkSession.builder.master('$MASTER').config('spark.ui.enabled', 'false').getOrCreate(); s.sparkContext.parallelize([1]).count(); s.stop()"
diff <(sort "$WORK/single.out") <(sort "$WORK/spark.out") >/dev/null \
    && echo "both added the same captures" \
    || { echo "spark.sh: the two runs printed different lines:" >&2; diff "$WORK/single.out" "$WORK/spark.out" >&2 || true; exit 1; }
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
