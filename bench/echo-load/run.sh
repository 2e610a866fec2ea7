#!/usr/bin/env bash
# Load benchmark for the multiplexed echo server (issue 3), by hand, not in CI:
# 1,000 concurrent clients x 100 messages each against
# `tcplab echo-server --version multi`, every echo checked byte for byte.
#
# Usage: bench/echo-load/run.sh
# Environment: RUNS (default 3), CLIENTS (1000), MESSAGES (100),
# MAX_TIME (the server's --max-time, default 120s), SKIP_BUILD=1,
# CARGO_TARGET_DIR (default /work/target-bench), TCPLAB (the server binary,
# default $CARGO_TARGET_DIR/release/tcplab), RESULTS (default results.md here),
# SERVER_LOG (where the server's event lines go; default a temporary file
# that is counted and removed; /dev/null measures the server without its log).
#
# Each run starts a fresh server on 127.0.0.1 (port 0) under /usr/bin/time -v
# and `timeout`, runs bench/echo-load (the load generator) against it, waits
# for the server to stop by itself (--max-clients), and checks its log.
# Writes bench/echo-load/results.md (date, machine, one row per run, best and
# worst) and prints it. Exit status 0 only if every run passed.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUNS=${RUNS:-3}
CLIENTS=${CLIENTS:-1000}
MESSAGES=${MESSAGES:-100}
MAX_TIME=${MAX_TIME:-120s}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/target-bench}
TCPLAB=${TCPLAB:-$CARGO_TARGET_DIR/release/tcplab}
LOADER="$CARGO_TARGET_DIR/release/echo-load"
RESULTS=${RESULTS:-$HERE/results.md}

# Server and clients each need a descriptor per connection (plus a few).
NOFILE=4096
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$NOFILE" ]; then
    echo "run.sh: the hard limit on open files is $(ulimit -Hn), need $NOFILE" >&2
    exit 1
fi
ulimit -n "$NOFILE"

if [ ! -x /usr/bin/time ]; then
    apt-get install -y time >/dev/null || { echo "run.sh: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
fi
for tool in timeout awk grep; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing" >&2; exit 1; }
done

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    (cd "$ROOT" && cargo build --release --quiet --bin tcplab)
    (cd "$HERE" && cargo build --release --quiet)
fi

WORK=$(mktemp -d /tmp/tcplab-echo-load.XXXXXX)
SERVER_WRAPPER=""
cleanup() {
    # Only the server this script started, by its process id.
    if [ -n "$SERVER_WRAPPER" ] && kill -0 "$SERVER_WRAPPER" 2>/dev/null; then
        kill "$(server_pid)" "$SERVER_WRAPPER" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# The tcplab process under /usr/bin/time -> timeout -> tcplab.
child_of() { cat "/proc/$1/task/$1/children" 2>/dev/null | awk '{print $1}'; }
server_pid() {
    local t
    t=$(child_of "$SERVER_WRAPPER")
    [ -n "$t" ] && child_of "$t"
}

# figure FILE KEY: the value of KEY=... in FILE ("-" if absent).
figure() { awk -F= -v k="$2" '$1 == k { v = $2 } END { print (v == "" ? "-" : v) }' "$1"; }

ROWS=()
ALL_PASSED=1
for ((run = 1; run <= RUNS; run++)); do
    dir="$WORK/run$run"
    mkdir -p "$dir"
    log=${SERVER_LOG:-$dir/server.log}
    load=$(cut -d' ' -f1 /proc/loadavg)
    : >"$dir/server.out"
    /usr/bin/time -v -o "$dir/time.txt" \
        timeout -k 5 150 "$TCPLAB" echo-server --version multi --bind 127.0.0.1 --port 0 \
        --max-clients "$CLIENTS" --max-connections "$CLIENTS" --max-time "$MAX_TIME" >"$dir/server.out" 2>"$log" &
    SERVER_WRAPPER=$!
    addr=""
    for _ in $(seq 100); do
        addr=$(awk '/^listening on /{print $3; exit}' "$dir/server.out")
        [ -n "$addr" ] && break
        sleep 0.1
    done
    [ -n "$addr" ] || { echo "run.sh: the server did not start" >&2; cat "$log" >&2; exit 1; }
    spid=$(server_pid)
    [ -n "$spid" ] || { echo "run.sh: cannot find the server's process id" >&2; exit 1; }
    echo "== run $run/$RUNS: server pid $spid on $addr"

    set +e
    timeout -k 5 140 "$LOADER" --addr "$addr" --server-pid "$spid" \
        --clients "$CLIENTS" --messages "$MESSAGES" --out "$dir/figures.env"
    loader_rc=$?
    wait "$SERVER_WRAPPER"
    server_rc=$?
    set -e
    SERVER_WRAPPER=""

    f="$dir/figures.env"
    [ -s "$f" ] || : >"$f"
    rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$dir/time.txt")
    cpu_s=$(awk -F': ' '/User time|System time/ {t += $2} END {printf "%.2f", t}' "$dir/time.txt")
    if [ -z "${SERVER_LOG:-}" ]; then
        joined=$(grep -c ': connected with ' "$log" || true)
        closed=$(grep -c 'closed the connection$' "$log" || true)
        left=$(grep -c ': client left ' "$log" || true)
        accept_failed=$(grep -c ': accept failed' "$log" || true)
        data_lines=$(grep -c ' data (' "$log" || true)
        stopped=$(grep -o 'server stopped: .*' "$log" | tail -1 || true)
    else
        joined=-; closed=-; left=-; accept_failed=-; data_lines=-; stopped="(log sent to $SERVER_LOG)"
    fi
    passed=$(figure "$f" PASSED)
    verdict=PASS
    if [ "$loader_rc" != 0 ] || [ "$server_rc" != 0 ] || [ "$passed" != 1 ]; then verdict=FAIL; fi
    if [ -z "${SERVER_LOG:-}" ] && { [ "$closed" != "$CLIENTS" ] || [ "$accept_failed" != 0 ] \
        || [ "$stopped" != "server stopped: served --max-clients $CLIENTS" ]; }; then
        verdict=FAIL
    fi
    [ "$verdict" = PASS ] || ALL_PASSED=0
    echo "   server: exit $server_rc, peak RSS ${rss_kb:-?} kB, CPU ${cpu_s} s (time -v), log: $joined connected, $closed closed, $left left, $accept_failed accept failures, $data_lines data events, \"$stopped\""
    echo "   $verdict"
    # run|total s|exchange s|msgs/s|p50|p99|max|connect p99|overflows|server RSS MB (time -v)|VmHWM MB|intact|lost|corrupted|fds|server CPU s|load average|verdict
    ROWS+=("$run|$(figure "$f" TOTAL_S)|$(figure "$f" EXCHANGE_S)|$(figure "$f" MSGS_PER_S)|$(figure "$f" RTT_P50_MS)|$(figure "$f" RTT_P99_MS)|$(figure "$f" RTT_MAX_MS)|$(figure "$f" CONNECT_P99_MS)|$(figure "$f" LISTEN_OVERFLOWS)|$(awk -v k="${rss_kb:-0}" 'BEGIN{printf "%.1f", k/1024}')|$(awk -v k="$(figure "$f" SERVER_HWM_KB)" 'BEGIN{printf "%.1f", k/1024}')|$(figure "$f" OK)/$(figure "$f" EXPECTED)|$(figure "$f" LOST)|$(figure "$f" CORRUPTED)|$(figure "$f" SERVER_FDS_PEAK)|$cpu_s|$load|$verdict")
    cp "$f" "$WORK/last.env"
done

# Best and worst run by total wall time.
best=$(printf '%s\n' "${ROWS[@]}" | sort -t'|' -k2,2g | head -1)
worst=$(printf '%s\n' "${ROWS[@]}" | sort -t'|' -k2,2g | tail -1)
row() { echo "$1" | awk -F'|' -v label="$2" '{ printf "| %s", label; for (i = 2; i <= NF; i++) printf " | %s", $i; print " |" }'; }

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)
version=$(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo unknown)
{
    echo "# Echo server load results (issue 3)"
    echo
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- Machine: $(nproc) cores, $cpu, $mem RAM, Linux $(uname -r); somaxconn $(cat /proc/sys/net/core/somaxconn)"
    echo "- tcplab: $version, release build ($TCPLAB); server \`tcplab echo-server --version multi --bind 127.0.0.1 --port 0 --max-clients $CLIENTS --max-time $MAX_TIME\`, event log to ${SERVER_LOG:-a file}, \`ulimit -n $NOFILE\`"
    echo "- Load: bench/echo-load, $CLIENTS clients connected at once, then each sends $MESSAGES distinct lines (34 + 8..100 bytes) one at a time and checks each echo byte for byte; $(figure "$WORK/last.env" BYTES_EACH_WAY) bytes each way"
    echo "- Method: total = connect + exchange + close; msgs/s = intact echoes / exchange seconds; latency = one message's write-to-complete-echo time; server peak RSS and CPU (user + system) from \`/usr/bin/time -v\` (whole life) and \`VmHWM\` (read with all clients still connected); listen overflows = TcpExt ListenOverflows during the run; load before = 1-minute load average when the run started (other work on the machine shares its cores)"
    echo
    echo "| run | total (s) | exchange (s) | msgs/s | p50 (ms) | p99 (ms) | max (ms) | connect p99 (ms) | listen overflows | server peak RSS (MB) | VmHWM (MB) | intact | lost | corrupted | server fds | server CPU (s) | load before | result |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    for r in "${ROWS[@]}"; do row "$r" "$(echo "$r" | cut -d'|' -f1)"; done
    row "$best" best
    row "$worst" worst
} >"$RESULTS"
echo
cat "$RESULTS"
[ "$ALL_PASSED" = 1 ]
