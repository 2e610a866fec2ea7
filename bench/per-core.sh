#!/usr/bin/env bash
# Per-core speed of `tcplab analyze` against `tcpdump -r FILE -w /dev/null`
# on the same capture (issue #14: short connections within 2x of tcpdump).
# By hand, as root (tcpdump keeps root under valgrind with -Z root), on an
# idle machine for the times; the instruction counts do not depend on load.
#
# Usage: bench/per-core.sh [FILE] [FORMAT...]
#   FILE     a capture (default /work/bench-data/many-conns.pcap)
#   FORMAT   csv text json (default: all three)
# Environment: TCPLAB (a tcplab binary; default target/release/tcplab,
# built first), RUNS (perf stat repetitions, default 20).
#
# Prints, per command: instructions per packet in user space (valgrind
# callgrind; the flow table's hash is seeded per process, which moves a
# run by about ±5 M instructions), and CPU and wall milliseconds (perf
# stat, mean of RUNS), then the ratio of each to tcpdump's.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
FILE=${1:-/work/bench-data/many-conns.pcap}
shift || true
FORMATS=("$@")
[ ${#FORMATS[@]} -gt 0 ] || FORMATS=(csv text json)
RUNS=${RUNS:-20}
if [ -z "${TCPLAB:-}" ]; then
    TCPLAB="$ROOT/target/release/tcplab"
    (cd "$ROOT" && cargo build --release --quiet)
fi
for tool in valgrind callgrind_annotate perf capinfos tcpdump; do
    command -v "$tool" >/dev/null || { echo "per-core.sh: $tool is missing (apt-get install valgrind linux-perf tshark tcpdump)" >&2; exit 1; }
done
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
packets=$(capinfos -c -M "$FILE" | awk '/Number of packets/{print $NF}')

# instructions COMMAND...: user-space instructions of one run.
instructions() {
    valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "$@" >/dev/null 2>"$WORK/cg.err"
    callgrind_annotate "$WORK/cg.out" 2>/dev/null | awk '/PROGRAM TOTALS/{gsub(",","",$1); print $1}'
}
# times COMMAND...: "CPU-ms wall-ms", means of RUNS runs.
times() {
    perf stat -x, -r "$RUNS" -e task-clock -o "$WORK/perf.txt" "$@" >/dev/null 2>&1
    cpu=$(awk -F, '/task-clock/{printf "%.1f", $1}' "$WORK/perf.txt")
    # perf's CSV mode leaves the elapsed time out: time the runs ourselves.
    start=$(date +%s%N)
    for _ in $(seq "$RUNS"); do "$@" >/dev/null 2>&1; done
    end=$(date +%s%N)
    echo "$cpu $(awk -v s="$start" -v e="$end" -v n="$RUNS" 'BEGIN{printf "%.1f", (e-s)/n/1e6}')"
}

echo "$(basename "$FILE"): $packets packets; $(uptime | sed 's/.*load/load/')"
base_i=$(instructions tcpdump -Z root -r "$FILE" -w /dev/null)
read -r base_cpu base_wall < <(times tcpdump -r "$FILE" -w /dev/null)
printf '| %-36s | %14s | %8s | %8s | %9s | %9s |\n' command "instr/packet" "CPU ms" "wall ms" "× instr" "× CPU"
printf '| %-36s | %14d | %8s | %8s | %9s | %9s |\n' "tcpdump -r -w /dev/null" $((base_i / packets)) "$base_cpu" "$base_wall" 1 1
for f in "${FORMATS[@]}"; do
    i=$(instructions "$TCPLAB" analyze "$FILE" --format "$f")
    read -r cpu wall < <(times "$TCPLAB" analyze "$FILE" --format "$f")
    printf '| %-36s | %14d | %8s | %8s | %9s | %9s |\n' "tcplab analyze --format $f" $((i / packets)) "$cpu" "$wall" \
        "$(awk -v a="$i" -v b="$base_i" 'BEGIN{printf "%.2f", a/b}')" \
        "$(awk -v a="$cpu" -v b="$base_cpu" 'BEGIN{printf "%.2f", a/b}')"
done
