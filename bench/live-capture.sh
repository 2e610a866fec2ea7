#!/usr/bin/env bash
# bench/live-capture.sh: how fast is `tcplab capture --live`? (issue #16)
#
# In a private network namespace whose lo is made Ethernet-like (MTU 1500,
# TSO/GSO/GRO off) and paced by a tbf qdisc at RATE, one bulk TCP transfer
# (bench/traffic.py) runs for about DURATION seconds while
# `tcplab capture -i lo -w F --live` draws in a tmux pane of COLS x ROWS.
# Then the same transfer again under `tcplab capture` without --live, for
# the process's CPU time without drawing. Measured: the transfer's rate,
# kernel drops, frames drawn per second and the drawing's cost as a
# fraction of a core (TCPLAB_LIVE_STATS, docs/live-stats.md; and the
# drawing thread's CPU time from /proc). Run as root; see bench/README.md.
#
# Knobs: TCPLAB (binary), RATE (tbf rate, default 1200mbit; "none" for no
# pacing), DURATION (s, default 10), COLS/ROWS (default 160x48), OUT
# (default /tmp/tcplab-livebench), BASELINE=0 skips the run without --live,
# STREAMS (parallel connections, default 1), PERF=1 records a profile of
# each capture during the transfer (perf record -g: OUT/LABEL-perf.data),
# IFACE (default lo; `any` too), NICE (tcplab's nice value, default 0: a
# negative one shows whether drops come from a loaded machine's scheduler).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
TCPLAB=${TCPLAB:-${CARGO_TARGET_DIR:-$here/../target}/release/tcplab}
RATE=${RATE:-1200mbit}
DURATION=${DURATION:-10}
COLS=${COLS:-160}
ROWS=${ROWS:-48}
OUT=${OUT:-/tmp/tcplab-livebench}
BASELINE=${BASELINE:-1}
STREAMS=${STREAMS:-1}
PERF=${PERF:-0}
PERF_ARGS=${PERF_ARGS:--F 499 -g}
IFACE=${IFACE:-lo}
NICE=${NICE:-0}
PORT=5001

die() { echo "live-capture.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces, capture)"
for tool in tmux python3 ip ethtool tc; do
  command -v "$tool" >/dev/null || die "$tool is not installed (.ci/install-deps installs it)"
done
[ -x "$TCPLAB" ] || die "no tcplab at $TCPLAB (cargo build --release, or set TCPLAB)"

ns=tcplab-livebench-$$
sock=$OUT/tmux-$$.sock
pids=()
cleanup() {
  tmux -S "$sock" kill-server 2>/dev/null || true
  rm -f "$sock"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if ip netns list | grep -qw "$ns"; then
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
    sleep 0.2
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mkdir -p "$OUT"
rm -f "$OUT"/live.pcapng "$OUT"/plain.pcapng "$OUT"/*.txt

ip netns add "$ns"
ip -n "$ns" link set lo up mtu 1500
ip netns exec "$ns" ethtool -K lo tso off gso off gro off >/dev/null 2>&1 || true
if [ "$RATE" != none ]; then
  # burst must hold at least one timer tick's worth at RATE (HZ 250: 4 ms).
  ip netns exec "$ns" tc qdisc add dev lo root tbf rate "$RATE" burst 1mb latency 50ms
fi
# bytes for DURATION seconds at RATE (at 5 Gbit/s when not paced).
bits=$(python3 -c "
import re,sys
r='$RATE'
if r=='none': print(5e9); sys.exit()
m=re.fullmatch(r'([0-9.]+)([kmg]?)bit',r)
if not m: sys.exit('RATE must be like 1200mbit or none')
print(float(m[1])*{'':1,'k':1e3,'m':1e6,'g':1e9}[m[2]])")
bytes=$(python3 -c "print(int($bits*$DURATION/8))")

# CPU seconds of a process or thread: utime + stime of its stat file.
cpu_of() {
  python3 -c "
import os,sys
f=open(sys.argv[1]).read()
v=f[f.rindex(')')+2:].split()
print((int(v[11])+int(v[12]))/os.sysconf('SC_CLK_TCK'))" "$1"
}

# CPU seconds of process PID and of each of its threads; the main
# thread draws (with --live), the capture runs on a thread of its own.
cpu_snapshot() {
  local pid=$1 task
  echo "process $(cpu_of /proc/"$pid"/stat)"
  echo "main_thread $(cpu_of /proc/"$pid"/task/"$pid"/stat)"
  for task in /proc/"$pid"/task/*; do
    [ "${task##*/}" = "$pid" ] || echo "thread_${task##*/} $(cpu_of "$task"/stat)"
  done
}

# run LABEL LIVE(0|1): one capture of one transfer; leaves LABEL-*.txt in OUT.
run() {
  local label=$1 live=$2 pcap=$OUT/$1.pcapng pid t0 t1
  local cmd=(nice -n "$NICE" "$TCPLAB" capture -i "$IFACE" -f "tcp port $PORT" -w "$pcap")
  if [ "$live" = 1 ]; then
    printf 'set -g remain-on-exit on\nset -g status off\n' >"$OUT/tmux.conf"
    tmux -S "$sock" -f "$OUT/tmux.conf" new-session -d -s bench -x "$COLS" -y "$ROWS" \
      "exec env TCPLAB_LIVE_STATS=$OUT/$label-stats.txt ip netns exec $ns $(printf '%q ' "${cmd[@]}") --live"
    pid=$(tmux -S "$sock" display -p -t bench '#{pane_pid}')
  else
    ip netns exec "$ns" "${cmd[@]}" >"$OUT/$label-out.txt" 2>&1 &
    pid=$!
    pids+=("$pid")
  fi
  for _ in $(seq 50); do [ -e "$pcap" ] && break; sleep 0.1; done
  [ -e "$pcap" ] || die "$label: the capture did not start (no $pcap)"
  sleep 0.5
  [ "$(cat /proc/"$pid"/comm)" = tcplab ] || die "$label: pid $pid is not tcplab"
  cat /proc/loadavg >"$OUT/$label-load.txt"
  cpu_snapshot "$pid" >"$OUT/$label-cpu0.txt"
  local perf_pid=
  if [ "$PERF" = 1 ]; then
    perf record -q $PERF_ARGS -p "$pid" -o "$OUT/$label-perf.data" 2>"$OUT/$label-perf.log" &
    perf_pid=$!
    pids+=("$perf_pid")
  fi
  t0=$(date +%s.%N)
  ip netns exec "$ns" timeout $((DURATION * 4 + 30)) python3 "$here/traffic.py" bulk \
    --streams "$STREAMS" --bytes $((bytes / STREAMS)) --port "$PORT" --deadline $((DURATION * 4 + 20)) \
    >"$OUT/$label-traffic.txt"
  sleep 0.5
  t1=$(date +%s.%N)
  cat /proc/loadavg >>"$OUT/$label-load.txt"
  echo "wall $(python3 -c "print($t1-$t0)")" >"$OUT/$label-wall.txt"
  cpu_snapshot "$pid" >"$OUT/$label-cpu1.txt"
  if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid"
    wait "$perf_pid" || true
  fi
  if [ "$live" = 1 ]; then
    tmux -S "$sock" capture-pane -p -t bench >"$OUT/$label-screen.txt"
    tmux -S "$sock" send-keys -t bench q
  else
    kill -INT "$pid"
  fi
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && die "$label: tcplab did not stop"
  if [ "$live" = 1 ]; then
    sleep 0.5
    tmux -S "$sock" capture-pane -p -S -100 -t bench >"$OUT/$label-out.txt"
    tmux -S "$sock" kill-server
  else
    wait "$pid" || true
  fi
}

# report LABEL: one line of figures.
report() {
  local label=$1
  python3 - "$OUT" "$label" "$RATE" <<'EOF'
import re, sys, pathlib
out, label, rate = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
def kv(name):
    p = out / f"{label}-{name}.txt"
    if not p.exists(): return {}
    return {k: float(v) for k, v in (l.split() for l in p.read_text().splitlines() if l.strip())}
traffic = (out / f"{label}-traffic.txt").read_text()
mbit = re.search(r"\((\d+) Mbit/s\)", traffic)
summary = (out / f"{label}-out.txt").read_text()
saved = re.search(r"(\d+) packets? saved .*the kernel dropped (\d+), the interface (\d+)", summary)
before, after, stats = kv("cpu0"), kv("cpu1"), kv("stats")
# CPU used while the transfer ran (from its start to 0.5 s after its end).
cpu = {k: v - before.get(k, 0.0) for k, v in after.items()}
cpu["wall"] = kv("wall")["wall"]
load = (out / f"{label}-load.txt").read_text().split("\n")
wall = cpu["wall"]
threads = sorted((v for k, v in cpu.items() if k.startswith("thread_")), reverse=True)
print(f"{label}: rate {mbit[1] if mbit else '?'} Mbit/s (tbf {rate}); "
      f"{saved[1] if saved else '?'} packets saved, kernel dropped {saved[2] if saved else '?'}, "
      f"interface dropped {saved[3] if saved else '?'}")
print(f"  process CPU {cpu['process']:.2f} s in {wall:.1f} s ({cpu['process'] / wall:.1%} of a core); "
      f"main thread {cpu['main_thread']:.2f} s ({cpu['main_thread'] / wall:.1%}); "
      f"busiest other thread {threads[0] if threads else 0:.2f} s ({(threads[0] if threads else 0) / wall:.1%})")
if stats:
    print(f"  drawn: {stats['frames']:.0f} frames in {stats['seconds']:.1f} s = {stats['fps']:.2f} fps; "
          f"draw {stats['draw_ms_mean']:.2f} ms mean, {stats['draw_ms_longest']:.2f} ms longest, "
          f"{stats['draw_share_of_wall']:.1%} of wall; drawing thread CPU {stats['thread_cpu_ms']:.0f} ms "
          f"= {stats['thread_cpu_share']:.1%} of a core")
print(f"  load average before: {' '.join(load[0].split()[:3])}, after: {' '.join(load[1].split()[:3])}")
EOF
}

echo "live-capture.sh: namespace $ns, lo mtu 1500, tbf $RATE, $bytes bytes, view ${COLS}x${ROWS}, $(nproc) cores, $(uname -r)"
run live 1
report live | tee "$OUT/summary.txt"
if [ "$BASELINE" = 1 ]; then
  run plain 0
  report plain | tee -a "$OUT/summary.txt"
fi
echo "files in $OUT (the last screen: $OUT/live-screen.txt)"
