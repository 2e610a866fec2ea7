#!/usr/bin/env python3
"""Seeds the dissect_packet corpus from capture files.

Usage: fuzz/seed_dissect.py OUT_DIR CAPTURE...

Writes the first packets of each classic pcap or pcapng capture as
dissect_packet inputs: one selector byte (the link type, numbered as in
fuzz_targets/dissect_packet.rs) followed by the packet's captured bytes.
Files it cannot read are skipped. Standard library only.
"""

import hashlib
import os
import struct
import sys

PER_FILE = 16
# LINKTYPE number -> selector byte (index in LINKS, shifted left by one).
SELECTOR = {1: 0, 113: 2, 276: 4, 0: 6, 108: 8, 101: 10, 12: 10, 14: 10, 228: 12, 229: 14}


def pcap_packets(data):
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        return
    if len(data) < 24:
        return
    link = struct.unpack(end + "I", data[20:24])[0] & 0x0FFFFFFF
    at = 24
    while at + 16 <= len(data):
        caplen = struct.unpack(end + "I", data[at + 8 : at + 12])[0]
        packet = data[at + 16 : at + 16 + caplen]
        if len(packet) < caplen:
            return
        yield link, packet
        at += 16 + caplen


def pcapng_packets(data):
    end, links, at = "<", [], 0
    while at + 12 <= len(data):
        if data[at : at + 4] == b"\x0a\x0d\x0d\x0a":
            end = "<" if data[at + 8 : at + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        btype, total = struct.unpack(end + "II", data[at : at + 8])
        if total < 12 or at + total > len(data):
            return
        body = data[at + 8 : at + total - 4]
        if btype == 1 and len(body) >= 2:
            links.append(struct.unpack(end + "H", body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            iface, _, _, caplen = struct.unpack(end + "IIII", body[:16])
            if iface < len(links):
                yield links[iface], body[20 : 20 + caplen]
        at += total


def main():
    out, files = sys.argv[1], sys.argv[2:]
    os.makedirs(out, exist_ok=True)
    written = 0
    for path in files:
        with open(path, "rb") as f:
            data = f.read()
        packets = pcapng_packets(data) if data[:4] == b"\x0a\x0d\x0d\x0a" else pcap_packets(data)
        for i, (link, packet) in enumerate(packets):
            if i == PER_FILE:
                break
            if link not in SELECTOR:
                continue
            seed = bytes([SELECTOR[link]]) + packet
            name = hashlib.sha1(seed).hexdigest()
            with open(os.path.join(out, name), "wb") as f:
                f.write(seed)
            written += 1
    print(f"{written} seeds written to {out}")


if __name__ == "__main__":
    main()
