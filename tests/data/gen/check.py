#!/usr/bin/env python3
"""Summarise the test captures with tshark: size, packets, link type(s),
TCP streams, SYN/FIN/RST counts, TCP analysis events, and bad IPv4/TCP
checksums (tshark -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE).

usage: python3 tests/data/gen/check.py [FILE ...]   (default: tests/data/*)
Prints one block per file; the link type is read from the file header.
"""
import glob
import os
import struct
import subprocess
import sys

EVENTS = [
    "retransmission", "fast_retransmission", "spurious_retransmission",
    "out_of_order", "lost_segment", "ack_lost_segment", "duplicate_ack",
    "zero_window", "zero_window_probe", "zero_window_probe_ack", "window_full",
    "window_update", "keep_alive", "keep_alive_ack", "reused_ports",
]
FIELDS = (["tcp.stream", "tcp.flags.syn", "tcp.flags.fin", "tcp.flags.reset",
           "tcp.checksum.status", "ip.checksum.status", "frame.cap_len", "frame.len"]
          + ["tcp.analysis." + e for e in EVENTS])
LINKTYPES = {0: "NULL", 1: "EN10MB", 101: "RAW", 113: "LINUX_SLL", 147: "USER0",
             228: "IPV4", 229: "IPV6", 276: "LINUX_SLL2"}


def linktypes(path):
    with open(path, "rb") as f:
        data = f.read(1 << 20)
    if len(data) < 24:
        if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            return "pcap, header truncated (%d bytes)" % len(data)
        return "not a capture"
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        lt = struct.unpack_from("<I", data, 20)[0] & 0xFFFF
        kind = "pcap-ns" if magic == b"\x4d\x3c\xb2\xa1" else "pcap"
        return "%s %s (%d)" % (kind, LINKTYPES.get(lt, "?"), lt)
    if magic == b"\x0a\x0d\x0d\x0a":
        off, out = 0, []
        while off + 12 <= len(data):
            btype, blen = struct.unpack_from("<II", data, off)
            if btype == 1:
                lt = struct.unpack_from("<H", data, off + 8)[0]
                out.append("%s (%d)" % (LINKTYPES.get(lt, "?"), lt))
            if blen < 12:
                break
            off += blen
        return "pcapng " + " + ".join(out)
    return "not a capture"


def summarise(path):
    print("== %s  (%d bytes, %s)" % (os.path.basename(path), os.path.getsize(path),
                                     linktypes(path)))
    cmd = ["tshark", "-r", path, "-o", "tcp.relative_sequence_numbers:FALSE",
           "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
           "-T", "fields", "-E", "occurrence=f"]
    for f in FIELDS:
        cmd += ["-e", f]
    r = subprocess.run(cmd, capture_output=True, text=True)
    err = [l for l in r.stderr.splitlines() if "Running as user" not in l]
    rows = [l.split("\t") for l in r.stdout.splitlines()]
    col = {f: i for i, f in enumerate(FIELDS)}

    def n(field, value=None):
        i = col[field]
        return sum(1 for row in rows if row[i] != "" and (value is None or row[i] == value))

    streams = {row[col["tcp.stream"]] for row in rows if row[col["tcp.stream"]] != ""}
    truncated = sum(1 for row in rows if row[col["frame.cap_len"]] != row[col["frame.len"]])
    print("   packets %d, tcp streams %d, SYN %d, FIN %d, RST %d, cut by snaplen %d"
          % (len(rows), len(streams), n("tcp.flags.syn", "1"), n("tcp.flags.fin", "1"),
             n("tcp.flags.reset", "1"), truncated))
    ev = ["%s %d" % (e, n("tcp.analysis." + e)) for e in EVENTS if n("tcp.analysis." + e)]
    print("   events: " + (", ".join(ev) if ev else "none"))
    print("   checksums: ip good %d bad %d, tcp good %d bad %d"
          % (n("ip.checksum.status", "1"), n("ip.checksum.status", "0"),
             n("tcp.checksum.status", "1"), n("tcp.checksum.status", "0")))
    for l in err:
        print("   tshark: " + l)


def main():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    files = sys.argv[1:] or sorted(
        f for f in glob.glob(os.path.join(here, "*"))
        if os.path.isfile(f) and not f.endswith((".sh", ".py", ".md")))
    for f in files:
        summarise(f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
