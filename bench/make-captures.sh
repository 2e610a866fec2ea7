#!/usr/bin/env bash
# Makes the benchmark captures (run as root, by hand; not in CI):
#   $OUT/large.pcap       >= 400 MB, >= 300,000 packets: 8 parallel bulk TCP
#                         transfers with wire-sized (<= 1500-byte) segments
#   $OUT/many-conns.pcap  >= 30,000 short connections (connect, a few
#                         hundred bytes, close)
#   $OUT/million-conns.pcap  1,000,000 such connections, synthetic
#                         (bench/synth-conns.py, no root needed): the memory
#                         bound of `tcplab analyze` (docs/memory.md)
# Each capture is taken inside a private network namespace of its own
# (deleted on exit) whose lo has mtu 1500 and TSO/GSO/GRO off, so the
# capture shows segments as a real 1500-byte link would carry them. Bulk
# traffic is paced with a tbf qdisc on that lo so tcpdump drops nothing;
# the script fails if tcpdump reports any packet dropped by the kernel.
#
# Usage: bench/make-captures.sh [large|many|million|all]      (default: all)
# Environment: OUT (default /work/bench-data), RATE (tbf rate, default
# 600mbit), BULK_BYTES (bytes per transfer, default 58720256 = 56 MiB),
# CONNS (default 30000), MILLION (connections of million-conns.pcap,
# default 1000000).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-/work/bench-data}
RATE=${RATE:-600mbit}
BULK_BYTES=${BULK_BYTES:-58720256}
CONNS=${CONNS:-30000}
MILLION=${MILLION:-1000000}
WHAT=${1:-all}

[ "$WHAT" = million ] || [ "$(id -u)" -eq 0 ] || { echo "make-captures.sh: needs root (network namespaces)" >&2; exit 1; }
for tool in ip tc ethtool tcpdump python3 capinfos timeout; do
    command -v "$tool" >/dev/null || { echo "make-captures.sh: $tool is missing" >&2; exit 1; }
done
case "$OUT" in
    "$(cd "$HERE/.." && pwd)"*) echo "make-captures.sh: OUT must be outside the repository" >&2; exit 1 ;;
esac
mkdir -p "$OUT"

NS=""
TCPDUMP_PID=""
cleanup() {
    if [ -n "$TCPDUMP_PID" ] && kill -0 "$TCPDUMP_PID" 2>/dev/null; then
        kill -INT "$TCPDUMP_PID" 2>/dev/null || true
        wait "$TCPDUMP_PID" 2>/dev/null || true
    fi
    TCPDUMP_PID=""
    if [ -n "$NS" ]; then
        ip netns del "$NS" 2>/dev/null || true
    fi
    NS=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# make_ns NAME [tbf]: a namespace with lo up, mtu 1500, no offloads.
make_ns() {
    NS=$1
    ip netns add "$NS"
    ip -n "$NS" link set lo mtu 1500 up
    ip netns exec "$NS" ethtool -K lo tso off gso off gro off >/dev/null 2>&1 ||
        ip netns exec "$NS" ethtool -K lo tso off gso off
    if [ "${2:-}" = tbf ]; then
        # burst: a few segments; limit: enough queue that TSQ, not drops, paces.
        ip netns exec "$NS" tc qdisc replace dev lo root tbf rate "$RATE" burst 64kb limit 4mb
    fi
    ip netns exec "$NS" ethtool -k lo | grep -E '^(tcp-segmentation-offload|generic-segmentation-offload|generic-receive-offload):' | tr '\n' ' '
    echo
}

# capture FILE CMD...: runs CMD in the namespace while tcpdump writes FILE.
capture() {
    local file=$1; shift
    local log="$file.tcpdump.log"
    rm -f "$file" "$log"
    # -B in KiB: a 256 MiB kernel buffer; -s 0: whole packets; -U off (buffered writes).
    timeout 900 ip netns exec "$NS" tcpdump -i lo -n -s 0 -B 262144 -w "$file" tcp 2>"$log" &
    TCPDUMP_PID=$!
    # Wait until tcpdump is listening (it says so on stderr).
    for _ in $(seq 100); do
        grep -q "listening on" "$log" 2>/dev/null && break
        sleep 0.1
    done
    grep -q "listening on" "$log" || { cat "$log" >&2; echo "tcpdump did not start" >&2; exit 1; }
    local rc=0
    timeout 600 ip netns exec "$NS" "$@" || rc=$?
    sleep 1
    kill -INT "$TCPDUMP_PID"
    wait "$TCPDUMP_PID" || true
    TCPDUMP_PID=""
    cat "$log"
    [ "$rc" -eq 0 ] || { echo "traffic failed (exit $rc)" >&2; exit 1; }
    grep -q "^0 packets dropped by kernel" "$log" ||
        { echo "tcpdump dropped packets: lower RATE and try again" >&2; exit 1; }
}

# check FILE MIN_BYTES MIN_PACKETS
check() {
    local file=$1 min_bytes=$2 min_packets=$3 bytes packets
    bytes=$(stat -c %s "$file")
    packets=$(capinfos -M -c -T -r "$file" | awk -F'\t' '{print $2}')
    echo "$file: $bytes bytes, $packets packets"
    [ "$bytes" -ge "$min_bytes" ] || { echo "$file is smaller than $min_bytes bytes" >&2; exit 1; }
    [ "$packets" -ge "$min_packets" ] || { echo "$file has fewer than $min_packets packets" >&2; exit 1; }
}

if [ "$WHAT" = all ] || [ "$WHAT" = large ]; then
    echo "== large.pcap: 8 x $BULK_BYTES bytes, tbf $RATE"
    make_ns "tcplab-bench-large-$$" tbf
    capture "$OUT/large.pcap" \
        python3 "$HERE/traffic.py" bulk --streams 8 --bytes "$BULK_BYTES" --deadline 500
    cleanup
    check "$OUT/large.pcap" 400000000 300000
fi

if [ "$WHAT" = all ] || [ "$WHAT" = many ]; then
    echo "== many-conns.pcap: $CONNS connections"
    make_ns "tcplab-bench-many-$$"
    capture "$OUT/many-conns.pcap" \
        python3 "$HERE/traffic.py" many --conns "$CONNS" --deadline 500
    cleanup
    check "$OUT/many-conns.pcap" 0 "$((CONNS * 7))"
    conns=$(timeout 600 tshark -r "$OUT/many-conns.pcap" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' -T fields -e frame.number 2>/dev/null | wc -l)
    echo "$OUT/many-conns.pcap: $conns SYNs"
    [ "$conns" -ge "$CONNS" ] || { echo "fewer than $CONNS connections captured" >&2; exit 1; }
fi

if [ "$WHAT" = all ] || [ "$WHAT" = million ]; then
    echo "== million-conns.pcap: $MILLION synthetic connections (bench/synth-conns.py)"
    timeout 1800 python3 "$HERE/synth-conns.py" "$OUT/million-conns.pcap" --conns "$MILLION"
    check "$OUT/million-conns.pcap" 0 "$((MILLION * 8))"
fi
