#!/usr/bin/env python3
"""Writes a synthetic capture with many short TCP connections (stdlib only).

    python3 bench/synth-conns.py OUT.pcap [--conns N] [--concurrent K] [--payload BYTES]

Each connection is what `bench/traffic.py many` makes on a real host, 8
packets: SYN, SYN/ACK, ACK, the client's request (PSH/ACK, BYTES of payload),
the server's ACK, FIN/ACK from each side and the last ACK. SYNs carry MSS,
SACK-permitted, timestamps and window scale 7 (Linux's order); every other
segment carries the timestamps option. IPv4 and TCP checksums are correct.

K connections are open at a time: their packets are interleaved round-robin,
and a new connection starts as soon as one ends, so the capture is not just
one connection after another. Packets are 10 us apart (8 M packets for
1,000,000 connections: 80 s of capture time).

4-tuples never repeat: client 10.1.X.Y (a new address every 50,000
connections) with source ports 10000-59999, server 10.255.255.1:80. ISNs
come from a fixed-seed PRNG: the same file every run.

The file is large (about 1 KB per connection with the default 300-byte
request: ~1 GB for 1,000,000): write it outside the repository, e.g.
/work/bench-data/million-conns.pcap.
"""

import argparse
import array
import random
import struct
import sys

SERVER = bytes([10, 255, 255, 1])
SERVER_PORT = 80
PORTS_PER_ADDR = 50_000
STEP_US = 10

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(array.array("H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    # Summed in native byte order: stored in native order it is right (RFC 1071).
    return struct.pack("=H", ~s & 0xFFFF)


def packet(src, dst, sport, dport, seq, ack, flags, win, options, payload):
    """Ethernet + IPv4 + TCP, checksums filled in."""
    tcp_len = 20 + len(options) + len(payload)
    tcp = bytearray(
        struct.pack("!HHIIBBHHH", sport, dport, seq, ack, (20 + len(options)) // 4 << 4, flags, win, 0, 0)
    )
    tcp += options
    tcp += payload
    pseudo = src + dst + struct.pack("!BBH", 0, 6, tcp_len)
    tcp[16:18] = checksum(pseudo + bytes(tcp))
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + tcp_len, 0, 0x4000, 64, 6, 0, src, dst))
    ip[10:12] = checksum(bytes(ip))
    eth = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00"
    return eth + bytes(ip) + bytes(tcp)


def syn_options(tsval, tsecr):
    # MSS 1460, SACK permitted, timestamps, NOP, window scale 7.
    return struct.pack("!BBHBBBBII BBBB".replace(" ", ""), 2, 4, 1460, 4, 2, 8, 10, tsval, tsecr, 1, 3, 3, 7)


def ts_options(tsval, tsecr):
    return struct.pack("!BBBBII", 1, 1, 8, 10, tsval, tsecr)


def connection(i, rng, payload_len):
    """The 8 packets of connection i, as (from_client, packet bytes) in order."""
    client = bytes([10, 1, (i // PORTS_PER_ADDR) >> 8 & 0xFF, (i // PORTS_PER_ADDR) & 0xFF])
    cport = 10_000 + i % PORTS_PER_ADDR
    c_isn, s_isn = rng.getrandbits(32), rng.getrandbits(32)
    ts = 1_000_000 + i
    req = bytes((b"tcplab request %d " % i) * 40)[:payload_len]
    c, s = c_isn, s_isn
    m = 0xFFFFFFFF

    def cs(seq, ack, flags, opts, data=b""):
        return (True, packet(client, SERVER, cport, SERVER_PORT, seq & m, ack & m, flags, 502, opts, data))

    def sc(seq, ack, flags, opts, data=b""):
        return (False, packet(SERVER, client, SERVER_PORT, cport, seq & m, ack & m, flags, 509, opts, data))

    return [
        cs(c, 0, SYN, syn_options(ts, 0)),
        sc(s, c + 1, SYN | ACK, syn_options(ts + 1, ts)),
        cs(c + 1, s + 1, ACK, ts_options(ts + 2, ts + 1)),
        cs(c + 1, s + 1, PSH | ACK, ts_options(ts + 2, ts + 1), req),
        sc(s + 1, c + 1 + payload_len, ACK, ts_options(ts + 3, ts + 2)),
        cs(c + 1 + payload_len, s + 1, FIN | ACK, ts_options(ts + 4, ts + 3)),
        sc(s + 1, c + 2 + payload_len, FIN | ACK, ts_options(ts + 5, ts + 4)),
        cs(c + 2 + payload_len, s + 2, ACK, ts_options(ts + 6, ts + 5)),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--conns", type=int, default=1_000_000)
    ap.add_argument("--concurrent", type=int, default=64)
    ap.add_argument("--payload", type=int, default=300)
    args = ap.parse_args()
    if args.conns > PORTS_PER_ADDR * 65_536:
        sys.exit("synth-conns.py: at most %d connections" % (PORTS_PER_ADDR * 65_536))
    rng = random.Random(20261125)
    started = 0
    # [packets, next index, rounds to wait]: the first connections start
    # spread over 8 rounds, so that ends (and starts) are staggered.
    active = []
    t_us = 1_764_000_000 * 1_000_000
    packets = 0
    with open(args.out, "wb", buffering=1 << 22) as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        while started < args.conns or active:
            while len(active) < args.concurrent and started < args.conns:
                wait = started * 8 // args.concurrent if started < args.concurrent else 0
                active.append([connection(started, rng, args.payload), 0, wait])
                started += 1
            still = []
            for conn in active:
                if conn[2] > 0:
                    conn[2] -= 1
                    still.append(conn)
                    continue
                _, data = conn[0][conn[1]]
                f.write(struct.pack("<IIII", t_us // 1_000_000, t_us % 1_000_000, len(data), len(data)))
                f.write(data)
                t_us += STEP_US
                packets += 1
                conn[1] += 1
                if conn[1] < len(conn[0]):
                    still.append(conn)
            active = still
    print(f"{args.out}: {args.conns} connections, {packets} packets", file=sys.stderr)


if __name__ == "__main__":
    main()
