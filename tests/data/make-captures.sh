#!/usr/bin/env bash
# Regenerate every REAL capture in tests/data/ (the synthetic ones come from
# synth.py).  Must run as root: it creates network namespaces named
# tcplab-gen-*, veth pairs inside them, tc/nftables rules and runs tcpdump.
# All traffic stays on loopback or inside those namespaces; they are removed
# on exit (trap), also on error or Ctrl-C.  Every helper program has a hard
# timeout, so nothing keeps running.
#
# usage: sudo tests/data/make-captures.sh [NAME ...]
#   NAME = capture file name without .pcap (default: all), e.g. lossy
#
# Traffic generators: tests/data/gen/*.py (python3, stdlib only).
# Payloads are deterministic; ports are fixed inside namespaces (server 5001,
# client 40001); ISNs, timestamps and loss patterns differ between runs.
# If tshark is installed each capture is checked for the events it must
# show and remade (up to 3 attempts) when they are missing.
set -euo pipefail

export PYTHONDONTWRITEBYTECODE=1
DATA=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GEN=$DATA/gen

if [[ $EUID -ne 0 ]]; then
    echo "make-captures.sh: must be run as root (network namespaces, tc, nft, tcpdump)" >&2
    exit 1
fi
for c in ip tc nft ethtool tcpdump python3 head; do
    command -v "$c" >/dev/null || { echo "make-captures.sh: missing $c" >&2; exit 1; }
done
HAVE_TSHARK=0
command -v tshark >/dev/null && HAVE_TSHARK=1

WORK=$(mktemp -d /tmp/tcplab-gen.XXXXXX)
NAMESPACES=()
BGPIDS=()

cleanup() {
    local rc=$?
    set +e
    for pid in "${BGPIDS[@]}"; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    for ns in "${NAMESPACES[@]}"; do
        ip netns del "$ns" 2>/dev/null
    done
    rm -rf "$WORK"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'make-captures.sh: %s\n' "$*" >&2; exit 1; }

SERVER_PORT=5001
CLIENT_PORT=40001

# ---------------------------------------------------------------- namespaces
# mk_ns SUFFIX: create namespace tcplab-gen-SUFFIX with lo up, echo its name
mk_ns() {
    local ns=tcplab-gen-$1
    ip netns del "$ns" 2>/dev/null || true   # stale one from a killed run
    ip netns add "$ns"
    NAMESPACES+=("$ns")
    ip -n "$ns" link set lo up
}

del_ns() {
    local ns
    for ns in "$@"; do
        ip netns del "$ns"
        local keep=() n
        for n in "${NAMESPACES[@]}"; do [[ $n == "$ns" ]] || keep+=("$n"); done
        NAMESPACES=("${keep[@]}")
    done
}

# lo_wire NS: lo with mtu 1500 and no TSO/GSO/GRO => wire-sized segments
lo_wire() {
    ip -n "$1" link set lo mtu 1500 up
    ip netns exec "$1" ethtool -K lo tso off gso off gro off >/dev/null
}

# veth_pair NS_A NS_B: veth-a (10.77.0.1/24) in NS_A <-> veth-b (10.77.0.2/24)
# in NS_B, mtu 1500, segmentation offloads and tx checksum offload off on both
veth_pair() {
    local a=$1 b=$2
    ip link add veth-a netns "$a" type veth peer name veth-b netns "$b"
    ip -n "$a" addr add 10.77.0.1/24 dev veth-a
    ip -n "$b" addr add 10.77.0.2/24 dev veth-b
    ip netns exec "$a" ethtool -K veth-a tso off gso off gro off tx off >/dev/null
    ip netns exec "$b" ethtool -K veth-b tso off gso off gro off tx off >/dev/null
    ip -n "$a" link set veth-a mtu 1500 up
    ip -n "$b" link set veth-b mtu 1500 up
}

# ------------------------------------------------------------------- capture
CAP_PID=
CAP_ERR=
# start_capture NS IFACE OUTFILE "BPF FILTER" [extra tcpdump args...]
start_capture() {
    local ns=$1 ifc=$2 out=$3 filter=$4; shift 4
    CAP_ERR=$WORK/tcpdump.$RANDOM.err
    rm -f "$out"
    # started directly (not through a function) so that $! is tcpdump itself
    # (ip netns exec execs it)
    if [[ -n $ns ]]; then
        ip netns exec "$ns" tcpdump -i "$ifc" -n -U -B 8192 -Z root "$@" -w "$out" "$filter" 2>"$CAP_ERR" &
    else
        tcpdump -i "$ifc" -n -U -B 8192 -Z root "$@" -w "$out" "$filter" 2>"$CAP_ERR" &
    fi
    CAP_PID=$!
    BGPIDS+=("$CAP_PID")
    local i
    for i in $(seq 100); do
        grep -q 'listening on' "$CAP_ERR" && return 0
        kill -0 "$CAP_PID" 2>/dev/null || break
        sleep 0.05
    done
    cat "$CAP_ERR" >&2
    die "tcpdump did not start listening on $ifc"
}

stop_capture() {
    # let tcpdump read the last packets from the ring and write them (-U):
    # libpcap hands a TPACKET_V3 block over after at most 1 s (tcpdump's
    # timeout), so wait longer than that.  (--immediate-mode is not used: it
    # makes the ring small and "-i any" then drops packets.)
    sleep 1.5
    kill -INT "$CAP_PID"
    wait "$CAP_PID" || true
    forget_pid "$CAP_PID"
    grep -E 'packets (captured|received|dropped)' "$CAP_ERR" | sed 's/^/   tcpdump: /' >&2
    grep -q '^0 packets dropped by kernel' "$CAP_ERR" \
        || die "tcpdump dropped packets (see above)"
    # (no "captured == received by filter" test: on lo the kernel delivers
    # every packet twice, libpcap drops the outgoing copy after counting it)
}

forget_pid() {
    local keep=() p
    for p in "${BGPIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
    BGPIDS=("${keep[@]}")
}

# --------------------------------------------------------------- programs
SRV_PID=
# start_server NS READYFILE CMD...: start a generator server in the
# background and wait until it has written READYFILE (i.e. it listens)
start_server() {
    local ns=$1 ready=$2; shift 2
    rm -f "$ready"
    if [[ -n $ns ]]; then
        ip netns exec "$ns" python3 "$@" --ready "$ready" &
    else
        python3 "$@" --ready "$ready" &
    fi
    SRV_PID=$!
    BGPIDS+=("$SRV_PID")
    local i
    for i in $(seq 100); do
        [[ -s $ready ]] && return 0
        kill -0 "$SRV_PID" 2>/dev/null || break
        sleep 0.05
    done
    die "server $* did not become ready"
}

wait_server() {
    local rc=0
    wait "$SRV_PID" || rc=$?
    forget_pid "$SRV_PID"
    [[ $rc -eq 0 ]] || die "server exited with status $rc"
}

# --------------------------------------------------------------- checking
# count FILE DISPLAYFILTER: number of frames matching (needs tshark)
count() {
    tshark -r "$1" -Y "$2" 2>/dev/null | wc -l
}

# need FILE "FILTER>=N" | "FILTER<=N" ...: check event counts; sets
# CHECK_FAILED=1 if one is out of range (a flag, not a return status:
# functions called from an `if` or `||` would run without errexit)
CHECK_FAILED=0
need() {
    local f=$1; shift
    [[ $HAVE_TSHARK -eq 1 ]] || return 0
    local spec flt op lim n
    for spec in "$@"; do
        [[ $spec =~ ^(.*)(\>=|\<=)([0-9]+)$ ]] || die "bad check: $spec"
        flt=${BASH_REMATCH[1]}; op=${BASH_REMATCH[2]}; lim=${BASH_REMATCH[3]}
        n=$(count "$f" "$flt")
        printf '   check %-58s %5d (need %s %d)\n' "$flt" "$n" "$op" "$lim" >&2
        if [[ $op == '>=' && $n -lt $lim ]] || [[ $op == '<=' && $n -gt $lim ]]; then
            CHECK_FAILED=1
        fi
    done
}

# ---------------------------------------------------------------- captures
# Each cap_NAME writes $WORK/NAME.pcap and sets CHECK_FAILED=1 if the checks
# fail (the driver then retries).

cap_lo-host-v4() {
    # host lo, offloads as they are (TSO/GSO => up to ~64 KB segments);
    # the kernel picks a free high port for the server
    local out=$WORK/lo-host-v4.pcap port
    start_server "" "$WORK/ready" "$GEN/bulk.py" recv --bind 127.0.0.1 --port 0 --expect 150000
    port=$(cat "$WORK/ready")
    start_capture "" lo "$out" "tcp port $port"
    python3 "$GEN/bulk.py" send --connect 127.0.0.1 --port "$port" --bytes 150000 >&2
    wait_server
    stop_capture
    need "$out" "tcp.flags.syn==1>=2" "tcp.flags.fin==1>=2" "tcp.len>1500>=1"
}

# same transfer in a namespace whose lo has mtu 1500 and no offloads
ns_lo_transfer() {
    local out=$1 addr=$2 ns
    ns=tcplab-gen-lo
    mk_ns lo
    lo_wire "$ns"
    start_capture "$ns" lo "$out" "tcp port $SERVER_PORT"
    start_server "$ns" "$WORK/ready" "$GEN/bulk.py" recv --bind "$addr" --port $SERVER_PORT --expect 150000
    ip netns exec "$ns" python3 "$GEN/bulk.py" send --connect "$addr" --port $SERVER_PORT \
        --bind-port $CLIENT_PORT --bytes 150000 >&2
    wait_server
    stop_capture
    del_ns "$ns"
    need "$out" "tcp.flags.syn==1>=2" "tcp.flags.fin==1>=2" "tcp.len>1000>=90" "tcp.len>1448<=0"
}

cap_ns-lo-v4() { ns_lo_transfer "$WORK/ns-lo-v4.pcap" 127.0.0.1; }
cap_ns-lo-v6() { ns_lo_transfer "$WORK/ns-lo-v6.pcap" ::1; }

# tcpdump -i any in the sender namespace of a veth pair
any_transfer() {
    local out=$1; shift
    local a=tcplab-gen-any-snd b=tcplab-gen-any-rcv
    mk_ns any-snd; mk_ns any-rcv
    veth_pair "$a" "$b"
    start_capture "$a" any "$out" "tcp port $SERVER_PORT" "$@"
    start_server "$b" "$WORK/ready" "$GEN/bulk.py" recv --bind 10.77.0.2 --port $SERVER_PORT --expect 20000
    ip netns exec "$a" python3 "$GEN/bulk.py" send --connect 10.77.0.2 --port $SERVER_PORT \
        --bind-port $CLIENT_PORT --bytes 20000 >&2
    wait_server
    stop_capture
    del_ns "$a" "$b"
}

linktype_of() {
    # prints e.g. "LINUX_SLL2" from tcpdump's "reading from file" line
    tcpdump -r "$1" -c 1 2>&1 >/dev/null | sed -n 's/.*link-type \([^ ]*\).*/\1/p' | head -1
}

cap_any-sll2() {
    local out=$WORK/any-sll2.pcap lt
    any_transfer "$out"
    lt=$(linktype_of "$out")
    if [[ $lt != LINUX_SLL2 ]]; then
        log "tcpdump -i any wrote $lt; retrying with -y LINUX_SLL2"
        any_transfer "$out" -y LINUX_SLL2
        lt=$(linktype_of "$out")
    fi
    log "any-sll2.pcap link type: $lt"
    [[ $lt == LINUX_SLL2 ]] || CHECK_FAILED=1
    need "$out" "sll.ifindex>=10" "tcp.flags.fin==1>=2"
}

cap_any-sll() {
    local out=$WORK/any-sll.pcap lt
    any_transfer "$out" -y LINUX_SLL
    lt=$(linktype_of "$out")
    log "any-sll.pcap link type: $lt"
    [[ $lt == LINUX_SLL ]] || CHECK_FAILED=1
    need "$out" "sll.pkttype==4>=5" "tcp.flags.fin==1>=2"
}

cap_snaplen-96() {
    local out=$WORK/snaplen-96.pcap ns=tcplab-gen-snap
    mk_ns snap; lo_wire "$ns"
    start_capture "$ns" lo "$out" "tcp port $SERVER_PORT" -s 96
    start_server "$ns" "$WORK/ready" "$GEN/bulk.py" recv --bind 127.0.0.1 --port $SERVER_PORT --expect 100000
    ip netns exec "$ns" python3 "$GEN/bulk.py" send --connect 127.0.0.1 --port $SERVER_PORT \
        --bind-port $CLIENT_PORT --bytes 100000 >&2
    wait_server
    stop_capture
    del_ns "$ns"
    need "$out" "frame.cap_len<frame.len>=60"
}

cap_cut-mid-record() {
    local src=$DATA/ns-lo-v4.pcap n
    [[ -s $WORK/ns-lo-v4.pcap ]] && src=$WORK/ns-lo-v4.pcap
    [[ -s $src ]] || die "cut-mid-record needs ns-lo-v4.pcap (make it first)"
    n=$(python3 "$GEN/pcapcut.py" "$src" --fraction 0.5)
    log "cut-mid-record: head -c $n ns-lo-v4.pcap"
    head -c "$n" "$src" >"$WORK/cut-mid-record.pcap"
}

# two namespaces joined by veth; $1 = file, $2 = bytes, $3.. = sender options
two_ns_transfer() {
    local out=$1 bytes=$2 setup=$3; shift 3
    local a=tcplab-gen-snd b=tcplab-gen-rcv
    mk_ns snd; mk_ns rcv
    veth_pair "$a" "$b"
    $setup "$a" "$b"
    start_capture "$a" veth-a "$out" "tcp port $SERVER_PORT"
    start_server "$b" "$WORK/ready" "$GEN/bulk.py" recv --bind 10.77.0.2 --port $SERVER_PORT --expect "$bytes" --timeout 60
    ip netns exec "$a" python3 "$GEN/bulk.py" send --connect 10.77.0.2 --port $SERVER_PORT \
        --bind-port $CLIENT_PORT --bytes "$bytes" --timeout 60 "$@" >&2
    wait_server
    stop_capture
    del_ns "$a" "$b"
}

setup_tbf() {
    # small tbf queue on the sender's veth: 2 mbit/s, 6 KB queue => drops
    ip netns exec "$1" tc qdisc add dev veth-a root tbf rate 2mbit burst 4kb limit 6kb
}

setup_nft_loss() {
    # drop ~3 % of the data segments at the receiver, before conntrack
    ip netns exec "$2" nft -f - <<EOF
table inet tcplab_loss {
    chain prerouting {
        type filter hook prerouting priority -300; policy accept;
        tcp dport $SERVER_PORT numgen random mod 100 < 3 drop
    }
}
EOF
}

cap_congested() {
    local out=$WORK/congested.pcap
    two_ns_transfer "$out" 256000 setup_tbf --cc cubic
    need "$out" "tcp.analysis.retransmission>=1"
}

cap_lossy() {
    local out=$WORK/lossy.pcap
    two_ns_transfer "$out" 256000 setup_nft_loss --cc cubic
    need "$out" "tcp.analysis.retransmission>=1" "tcp.analysis.duplicate_ack>=2" \
        "tcp.analysis.fast_retransmission>=1"
}

cap_zero-window() {
    local out=$WORK/zero-window.pcap ns=tcplab-gen-zwin
    mk_ns zwin; lo_wire "$ns"
    start_capture "$ns" lo "$out" "tcp port $SERVER_PORT"
    # SO_RCVBUF 2048 before listen(); read 1000 bytes every 50 ms after
    # stalling 1 s (so that the sender has to probe the zero window)
    start_server "$ns" "$WORK/ready" "$GEN/bulk.py" recv --bind 127.0.0.1 --port $SERVER_PORT \
        --rcvbuf 2048 --chunk 1000 --interval 0.05 --stall 1.0 --expect 100000 --timeout 20
    ip netns exec "$ns" python3 "$GEN/bulk.py" send --connect 127.0.0.1 --port $SERVER_PORT \
        --bind-port $CLIENT_PORT --bytes 100000 --timeout 20 >&2
    wait_server
    stop_capture
    del_ns "$ns"
    # Linux probes a zero window with seq = snd_una-1 and no data
    # (tcp_xmit_probe_skb), which tshark 4.0 labels "keep-alive"; it never
    # sends the 1-byte probes that tshark calls zero_window_probe (those are
    # in the synthetic zero-window-probe.pcap)
    need "$out" "tcp.analysis.zero_window>=5" "tcp.analysis.window_full>=5" \
        "tcp.analysis.keep_alive>=1" "tcp.analysis.window_update>=5"
}

cap_rst() {
    local out=$WORK/rst.pcap ns=tcplab-gen-rst closed=5002
    mk_ns rst; lo_wire "$ns"
    start_capture "$ns" lo "$out" "tcp port $SERVER_PORT or tcp port $closed"
    start_server "$ns" "$WORK/ready" "$GEN/rst.py" server --bind 127.0.0.1 --port $SERVER_PORT
    ip netns exec "$ns" python3 "$GEN/rst.py" client --connect 127.0.0.1 --port $SERVER_PORT \
        --bind-port $CLIENT_PORT --closed-port $closed >&2
    wait_server
    stop_capture
    del_ns "$ns"
    need "$out" "tcp.flags.reset==1>=2" "tcp.flags.reset==1&&tcp.flags.ack==1&&tcp.srcport==$closed>=1"
}

cap_echo-two-clients() {
    local out=$WORK/echo-two-clients.pcap ns=tcplab-gen-echo
    mk_ns echo; lo_wire "$ns"
    start_capture "$ns" lo "$out" "tcp port $SERVER_PORT"
    start_server "$ns" "$WORK/ready" "$GEN/echo.py" server --bind 127.0.0.1 --port $SERVER_PORT --clients 2
    ip netns exec "$ns" python3 "$GEN/echo.py" clients --connect 127.0.0.1 --port $SERVER_PORT \
        --bind-port $CLIENT_PORT >&2
    wait_server
    stop_capture
    del_ns "$ns"
    need "$out" "tcp.flags.fin==1>=4" "tcp.len>0>=12"
}

cap_half-close() {
    local out=$WORK/half-close.pcap ns=tcplab-gen-half
    mk_ns half; lo_wire "$ns"
    start_capture "$ns" lo "$out" "tcp port $SERVER_PORT"
    start_server "$ns" "$WORK/ready" "$GEN/halfclose.py" server --bind 127.0.0.1 --port $SERVER_PORT \
        --response 20000
    ip netns exec "$ns" python3 "$GEN/halfclose.py" client --connect 127.0.0.1 --port $SERVER_PORT \
        --bind-port $CLIENT_PORT --request 3000 --response 20000 >&2
    wait_server
    stop_capture
    del_ns "$ns"
    need "$out" "tcp.flags.fin==1>=2" "tcp.srcport==$SERVER_PORT&&tcp.len>0>=10"
}

# Made by tcplab itself across its emulated link (link type RAW: captured on
# the TUN device). TCPLAB names the binary (default: the release build).
TCPLAB=${TCPLAB:-$DATA/../../target/release/tcplab}

# run-and-capture with OPTIONS…, its capture moved to $WORK/NAME.pcap
tcplab_run() {
    local name=$1; shift
    [[ -x $TCPLAB ]] || die "no tcplab binary at $TCPLAB (cargo build --release, or set TCPLAB)"
    local dir=$WORK/run-$name
    rm -rf "$dir"
    timeout 120 "$TCPLAB" run-and-capture --out-dir "$dir" --report-dir "$dir/reports" "$@" >&2
    mv "$dir"/*.pcap "$WORK/$name.pcap"
}

cap_emu-loss() {
    # 150 KB over a 10 ms link losing 5 % of the data (seed 1), captured at
    # the sender: each lost segment is seen twice (sent, then resent)
    local out=$WORK/emu-loss.pcap
    tcplab_run emu-loss --delay 5ms --loss 5% --seed 1 --cc cubic
    need "$out" "tcp.analysis.retransmission||tcp.analysis.fast_retransmission||tcp.analysis.out_of_order>=3" \
        "tcp.analysis.duplicate_ack>=3"
}

cap_emu-slow-reader() {
    # 40 KB into a 4 KB receive buffer read at 20 KB/s: zero windows, the
    # sender's window probes (keep-alive style) and window updates
    local out=$WORK/emu-slow-reader.pcap
    tcplab_run emu-slow-reader --rate 10mbit --delay 20ms --rcvbuf 4096 \
        --slow-reader 20000 --payload-size 40k
    need "$out" "tcp.analysis.zero_window>=3" "tcp.analysis.window_update>=3" \
        "tcp.analysis.keep_alive>=1"
}

ALL=(lo-host-v4 ns-lo-v4 ns-lo-v6 any-sll2 any-sll snaplen-96 cut-mid-record
     congested lossy zero-window rst echo-two-clients half-close
     emu-loss emu-slow-reader)

main() {
    local names=("$@") name attempt
    [[ ${#names[@]} -gt 0 ]] || names=("${ALL[@]}")
    for name in "${names[@]}"; do
        declare -F "cap_$name" >/dev/null || die "unknown capture: $name"
    done
    [[ $HAVE_TSHARK -eq 1 ]] || log "tshark not found: captures are not checked"
    for name in "${names[@]}"; do
        for attempt in 1 2 3; do
            log "$name.pcap (attempt $attempt)"
            CHECK_FAILED=0
            "cap_$name"
            if [[ $CHECK_FAILED -eq 0 ]]; then
                mv "$WORK/$name.pcap" "$DATA/$name.pcap"
                chmod 644 "$DATA/$name.pcap"
                log "$name.pcap: $(stat -c %s "$DATA/$name.pcap") bytes"
                continue 2
            fi
            log "$name.pcap: checks failed, retrying"
        done
        die "$name.pcap: checks still failing after 3 attempts"
    done
}

main "$@"
