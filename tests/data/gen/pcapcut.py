#!/usr/bin/env python3
"""Print a byte count N such that `head -c N FILE` ends in the middle of the
data of a record (the record at about --fraction of the file; the cut falls
halfway through its captured bytes). Classic pcap only."""
import argparse
import struct
import sys


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("file")
    p.add_argument("--fraction", type=float, default=0.5)
    a = p.parse_args()
    data = open(a.file, "rb").read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        sys.exit("pcapcut: not a classic pcap")
    off, recs = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack_from(e + "I", data, off + 8)[0]
        recs.append((off, incl))
        off += 16 + incl
    # first record at/after the wanted fraction that has > 100 data bytes
    start = int(len(recs) * a.fraction)
    for off, incl in recs[start:]:
        if incl > 100:
            print(off + 16 + incl // 2)
            return 0
    sys.exit("pcapcut: no suitable record")


if __name__ == "__main__":
    sys.exit(main())
