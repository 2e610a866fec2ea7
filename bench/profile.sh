#!/usr/bin/env bash
# Where does `tcplab analyze` spend its time and memory? (by hand, not in CI)
#
# Usage: bench/profile.sh [FILE] [FORMAT]
#   FILE    a capture (default /work/bench-data/large.pcap)
#   FORMAT  text | json | csv (default text)
# Environment: PACKETS (default 100000): the first PACKETS packets are cut
# out with editcap for the valgrind runs (valgrind is ~50x slower);
# TCPLAB: a tcplab binary to profile instead of building target/release/tcplab.
#
# Prints, into $OUT (default /tmp/tcplab-profile):
#   perf.txt      perf report (real run, whole file), functions by self time
#   callgrind.txt instructions by function (exclusive), on the cut
#   massif.txt    heap peak and who allocated it, on the cut
# perf needs linux-perf; valgrind needs valgrind (apt-get install -y ...).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
FILE=${1:-/work/bench-data/large.pcap}
FORMAT=${2:-text}
PACKETS=${PACKETS:-100000}
OUT=${OUT:-/tmp/tcplab-profile}
mkdir -p "$OUT"
if [ -z "${TCPLAB:-}" ]; then
    TCPLAB="$ROOT/target/release/tcplab"
    (cd "$ROOT" && cargo build --release --quiet) # the release profile keeps debug info (line tables)
fi

CUT="$OUT/cut.pcap"
timeout 300 editcap -r "$FILE" "$CUT" "1-$PACKETS"
echo "profiling $FORMAT on $FILE (valgrind on its first $PACKETS packets: $CUT)"

if command -v perf >/dev/null; then
    timeout 600 perf record -q -F 4000 -g -o "$OUT/perf.data" "$TCPLAB" analyze "$FILE" --format "$FORMAT" >/dev/null 2>"$OUT/perf.err" || true
    perf report -i "$OUT/perf.data" --no-children --percent-limit 0.5 --stdio -g none 2>/dev/null |
        grep -v '^#' | grep -v '^$' >"$OUT/perf.txt" || true
    echo "== perf (self time, whole file)"; sed -n 1,25p "$OUT/perf.txt"
fi

if command -v valgrind >/dev/null; then
    timeout 900 valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" \
        "$TCPLAB" analyze "$CUT" --format "$FORMAT" >/dev/null 2>"$OUT/callgrind.err"
    callgrind_annotate "$OUT/callgrind.out" 2>/dev/null >"$OUT/callgrind.txt"
    echo "== callgrind (instructions, exclusive, cut)"
    grep -E '^\s*[0-9,]+ \(' "$OUT/callgrind.txt" | sed -n 1,25p | cut -c1-200

    timeout 900 valgrind --tool=massif --massif-out-file="$OUT/massif.out" \
        "$TCPLAB" analyze "$CUT" --format "$FORMAT" >/dev/null 2>"$OUT/massif.err"
    ms_print "$OUT/massif.out" >"$OUT/massif.txt"
    echo "== massif (heap; full tree in $OUT/massif.txt)"
    sed -n '/^    MB/,/^Number of snapshots/p' "$OUT/massif.txt"
fi
