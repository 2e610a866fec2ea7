#!/usr/bin/env bash
# Times the Parquet dataset of many captures (bench/README.md, "Many
# captures"): `tcplab analyze DIR --format parquet` with -j 1 and -j 2,
# back to back, under /usr/bin/time -v (wall, user+sys, peak RSS), and
# the common way to get such a table today on the first SMALL captures:
# `tshark -T fields` of the same segment fields into CSV, then DuckDB's
# CSV import into a table, against `tcplab analyze -j 1` on the same
# captures. Prints what it measures; bench/results.md is written by hand.
#
#   bench/many-captures.sh [DATA_DIR]     (default /work/bench-data/many)
#
# Knobs: ONLY_TSHARK=1 (skip the 1,000-capture rounds), TCPLAB (the binary; default target/release/tcplab), SMALL (how
# many captures for the tshark side; default 100), SCRATCH (where the
# datasets and CSVs go; default /work/bench-data/many-out), PYTHON (with
# duckdb; default /opt/tcplab-venv/bin/python, else python3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=${1:-/work/bench-data/many}
tcplab=${TCPLAB:-$here/../target/release/tcplab}
small=${SMALL:-100}
scratch=${SCRATCH:-/work/bench-data/many-out}
python=${PYTHON:-/opt/tcplab-venv/bin/python}
[ -x "$python" ] || python=python3
[ -d "$data" ] || { echo "no $data: make it with bench/many-captures.py" >&2; exit 1; }
rm -rf "$scratch"
mkdir -p "$scratch"

timed() { # label, command...: one line of wall, user, sys, peak RSS
    local label=$1; shift
    /usr/bin/time -v -o "$scratch/time.txt" "$@" > "$scratch/out.txt" 2> "$scratch/err.txt" || {
        echo "$label: failed" >&2; tail -3 "$scratch/err.txt" >&2; exit 1; }
    awk -v label="$label" -F': ' '
        /Elapsed \(wall clock\)/ { n = split($2, t, ":"); wall = (n == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
        /User time/ { user = $2 } /System time/ { sys = $2 }
        /Maximum resident/ { rss = $2 / 1024 }
        END { printf "%-34s wall %7.2f s  user+sys %7.2f s  peak RSS %6.1f MB\n", label, wall, user + sys, rss }' "$scratch/time.txt"
}

echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "captures: $(ls "$data" | wc -l), $(du -sb "$data" | awk '{printf "%.1f MB", $1/1e6}')"
for round in $([ -n "${ONLY_TSHARK:-}" ] || echo 1 2); do
    for jobs in 1 2; do
        rm -rf "$scratch/ds"
        timed "round $round: analyze -j $jobs (parquet)" "$tcplab" analyze "$data" --format parquet -o "$scratch/ds" -j "$jobs"
    done
done
[ -d "$scratch/ds" ] && echo "dataset: $(du -sb "$scratch/ds" | awk '{printf "%.1f MB", $1/1e6}') ($(find "$scratch/ds" -name '*.parquet' | wc -l) files)"
echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg)"

# The tshark side, on the first $small captures.
mkdir -p "$scratch/small"
mapfile -t names < <(cd "$data" && ls)
for f in "${names[@]:0:$small}"; do ln -s "$data/$f" "$scratch/small/$f"; done
echo "small: $small captures, $(du -sbL "$scratch/small" | awk '{printf "%.1f MB", $1/1e6}')"
fields=(frame.number frame.time_epoch tcp.stream ip.src tcp.srcport ip.dst tcp.dstport
        tcp.seq_raw tcp.ack_raw tcp.nxtseq tcp.len tcp.flags tcp.window_size_value
        tcp.window_size tcp.options.sack_le tcp.options.sack_re tcp.analysis.flags
        tcp.analysis.ack_rtt tcp.analysis.bytes_in_flight)
args=(); for f in "${fields[@]}"; do args+=(-e "$f"); done
cat > "$scratch/tshark.sh" <<EOF
#!/usr/bin/env bash
set -e
mkdir -p "$scratch/csv"
for f in "$scratch"/small/*; do
    tshark -n -r "\$f" -Y tcp -T fields -E separator=, -E quote=d -E occurrence=a -E aggregator=' ' ${args[*]} > "$scratch/csv/\$(basename "\$f").csv"
done
EOF
chmod +x "$scratch/tshark.sh"
timed "tshark -T fields > csv" "$scratch/tshark.sh"
echo "csv: $(du -sb "$scratch/csv" | awk '{printf "%.1f MB", $1/1e6}')"
timed "duckdb: CSV import" "$python" -c "
import duckdb
con = duckdb.connect('$scratch/csv.duckdb')
con.execute(\"CREATE TABLE segments AS SELECT * FROM read_csv('$scratch/csv/*.csv', header = false, filename = true, all_varchar = false)\")
print(con.execute('SELECT count(*) FROM segments').fetchone()[0])
"
echo "duckdb rows: $(cat "$scratch/out.txt")"
rm -rf "$scratch/ds-small"
timed "analyze -j 1 (parquet), small" "$tcplab" analyze "$scratch/small" --format parquet -o "$scratch/ds-small" -j 1
rm -rf "$scratch/ds-small"
timed "analyze -j 2 (parquet), small" "$tcplab" analyze "$scratch/small" --format parquet -o "$scratch/ds-small" -j 2
echo "dataset (small): $(du -sb "$scratch/ds-small" | awk '{printf "%.1f MB", $1/1e6}')"
"$python" -c "
import duckdb
print('dataset rows (small):', duckdb.sql(\"SELECT count(*) FROM read_parquet('$scratch/ds-small/segments/**/*.parquet', hive_partitioning = true)\").fetchall()[0][0])
"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
