#!/usr/bin/env python3
"""Writes one bulk TCP connection of N segments (default 1,000,000), for
timing `tcplab view` on a connection that large (bench/README.md).

Handshake, then two 1448-byte data segments per ACK from the receiver,
10 µs apart; every 10,000th data segment is sent once more (a
retransmission, so the page has events to list). Packets are cut to their
headers (snap length 96: the capture says how long they were), so the file
is about 90 MB for a million segments. Packet building is synth-conns.py's.
"""
import argparse
import importlib.util
import os
import struct

spec = importlib.util.spec_from_file_location(
    "synth_conns", os.path.join(os.path.dirname(os.path.abspath(__file__)), "synth-conns.py"))
synth = importlib.util.module_from_spec(spec)
spec.loader.exec_module(synth)

CLIENT, SERVER = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
MSS, SNAP = 1448, 96
M = 0xFFFFFFFF


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out")
    ap.add_argument("--segments", type=int, default=1_000_000)
    args = ap.parse_args()
    payload = bytes(MSS)
    c, s = 1_000_000, 2_000_000
    t_us = 1_764_000_000 * 1_000_000
    written = 0
    with open(args.out, "wb", buffering=1 << 22) as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, SNAP, 1))

        def put(pkt):
            nonlocal t_us, written
            f.write(struct.pack("<IIII", t_us // 1_000_000, t_us % 1_000_000, min(len(pkt), SNAP), len(pkt)))
            f.write(pkt[:SNAP])
            t_us += 10
            written += 1

        def cs(seq, ack, flags, opts=b"", data=b""):
            put(synth.packet(CLIENT, SERVER, 40000, 5001, seq & M, ack & M, flags, 502, opts, data))

        def sc(seq, ack, flags, opts=b""):
            put(synth.packet(SERVER, CLIENT, 5001, 40000, seq & M, ack & M, flags, 509, opts, b""))

        cs(c, 0, synth.SYN, synth.syn_options(1, 0))
        sc(s, c + 1, synth.SYN | synth.ACK, synth.syn_options(2, 1))
        cs(c + 1, s + 1, synth.ACK)
        nxt, sent = c + 1, 0
        while written < args.segments - 3:
            for _ in range(2):
                cs(nxt, s + 1, synth.ACK | synth.PSH, b"", payload)
                nxt += MSS
                sent += 1
                if sent % 10_000 == 0:
                    cs(nxt - MSS, s + 1, synth.ACK | synth.PSH, b"", payload)
            sc(s + 1, nxt, synth.ACK)
        cs(nxt, s + 1, synth.FIN | synth.ACK)
        sc(s + 1, nxt + 1, synth.FIN | synth.ACK)
        cs(nxt + 1, s + 2, synth.ACK)
    print(f"{args.out}: {written} packets")


if __name__ == "__main__":
    main()
