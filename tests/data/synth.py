#!/usr/bin/env python3
"""Write the SYNTHETIC test captures of tests/data/ byte by byte.

python3 stdlib only, fully deterministic (same bytes on every run, no clock,
no real randomness).  Every IPv4 header checksum and every TCP checksum is
computed (except in the deliberately broken bad-input files).  Timestamps
are realistic: microsecond gaps between back-to-back segments, RTTs of a
few milliseconds, RTOs of ~200 ms.  SYNs carry the usual options (MSS,
SACK-permitted, timestamps, window scale); later segments carry timestamps
and, where the receiver holds out-of-order data, SACK blocks.

usage: python3 tests/data/synth.py [--out DIR] [--list] [NAME ...]
  NAME = output file name (e.g. wraparound.pcap); default: all of them
"""
import argparse
import hashlib
import os
import socket
import struct
import sys

# 2024-03-01T12:00:00Z, in nanoseconds
T0 = 1709294400 * 10**9
US = 1000
MS = 1000 * US
S = 1000 * MS

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_USER0 = 147
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229

MAC_CLIENT = bytes.fromhex("020000000001")
MAC_SERVER = bytes.fromhex("020000000002")


# ---------------------------------------------------------------- helpers
def det_bytes(seed, n):
    """n deterministic pseudo-random bytes (sha256 in counter mode)."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"%s/%d" % (seed.encode(), i)).digest()
        i += 1
    return bytes(out[:n])


def text_payload(tag, offset, n):
    """Readable deterministic payload: 64-byte lines, like gen/common.py."""
    first = offset // 64
    out = bytearray()
    line = first
    while len(out) < (offset - first * 64) + n:
        head = "synth %s %010d " % (tag, line * 64)
        out += ((head + "abcdefghijklmnopqrstuvwxyz0123456789" * 2)[:63] + "\n").encode()
        line += 1
    skip = offset - first * 64
    return bytes(out[skip:skip + n])


def csum16(data):
    """Internet checksum (RFC 1071) of data, as an int."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip_bytes(addr):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    return socket.inet_pton(fam, addr)


# ---------------------------------------------------------------- writers
class Pcap:
    """Classic libpcap file (little-endian), micro- or nanosecond magic."""

    def __init__(self, linktype, nanos=False, snaplen=262144):
        self.nanos = nanos
        magic = 0xA1B23C4D if nanos else 0xA1B2C3D4
        self.buf = bytearray(struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype))

    def add(self, t_ns, frame, orig_len=None):
        sec, frac = divmod(t_ns, S)
        if not self.nanos:
            frac //= US
        self.buf += struct.pack("<IIII", sec, frac, len(frame),
                                len(frame) if orig_len is None else orig_len)
        self.buf += frame

    def raw(self, data):
        self.buf += data

    def bytes(self):
        return bytes(self.buf)


def _opts(options):
    """pcapng options: list of (code, bytes) -> bytes incl. opt_endofopt."""
    if not options:
        return b""
    out = b""
    for code, val in options:
        out += struct.pack("<HH", code, len(val)) + val + b"\0" * (-len(val) % 4)
    return out + struct.pack("<HH", 0, 0)


def _block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


class Pcapng:
    """Minimal pcapng writer: one section, N interfaces, Enhanced Packet
    Blocks.  tsresol per interface as the if_tsresol option byte (power of
    ten when the high bit is clear; default 6 = microseconds)."""

    def __init__(self, shb_options=()):
        body = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + _opts(list(shb_options))
        self.buf = bytearray(_block(0x0A0D0D0A, body))
        self.tsres = []

    def add_interface(self, linktype, snaplen=262144, name=None, tsresol=None, extra=()):
        opts = []
        if name:
            opts.append((2, name.encode()))
        if tsresol is not None:
            opts.append((9, bytes([tsresol])))
        opts += list(extra)
        self.buf += _block(1, struct.pack("<HHI", linktype, 0, snaplen) + _opts(opts))
        self.tsres.append(6 if tsresol is None else tsresol)
        return len(self.tsres) - 1

    def add(self, if_id, t_ns, frame, options=()):
        res = self.tsres[if_id]
        units = t_ns * 10**res // S if res >= 9 else t_ns // 10**(9 - res)
        body = struct.pack("<IIIII", if_id, units >> 32, units & 0xFFFFFFFF,
                           len(frame), len(frame))
        body += frame + b"\0" * (-len(frame) % 4) + _opts(list(options))
        self.buf += _block(6, body)

    def bytes(self):
        return bytes(self.buf)


# ------------------------------------------------------------- IP and TCP
def ipv4(src, dst, payload, ident, proto=6, ttl=64, df=True, tos=0):
    hdr = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(payload), ident,
                                0x4000 if df else 0, ttl, proto, 0,
                                ip_bytes(src), ip_bytes(dst)))
    struct.pack_into("!H", hdr, 10, csum16(bytes(hdr)))
    return bytes(hdr) + payload


def ipv6(src, dst, payload, nh=6, hlim=64, flow=0, ext=()):
    """ext: list of (type, body-without-nh-and-len) extension headers, in
    order; body length + 2 must be a multiple of 8."""
    chain = b""
    types = [t for t, _ in ext] + [nh]
    for i, (t, body) in enumerate(ext):
        assert (len(body) + 2) % 8 == 0, "bad extension header length"
        chain += struct.pack("!BB", types[i + 1], (len(body) + 2) // 8 - 1) + body
    first = types[0]
    hdr = struct.pack("!IHBB16s16s", (6 << 28) | flow, len(chain) + len(payload), first, hlim,
                      ip_bytes(src), ip_bytes(dst))
    return hdr + chain + payload


def tcp(src, dst, sport, dport, seq, ack, flags, win, options=b"", data=b""):
    """TCP segment with a correct checksum (pseudo-header of IPv4 or IPv6)."""
    assert len(options) % 4 == 0 and len(options) <= 40
    off = (20 + len(options)) // 4
    bits = 0
    for ch, b in (("F", 0x01), ("S", 0x02), ("R", 0x04), ("P", 0x08), ("A", 0x10),
                  ("U", 0x20), ("E", 0x40), ("C", 0x80)):
        if ch in flags:
            bits |= b
    seg = bytearray(struct.pack("!HHIIBBHHH", sport, dport, seq % 2**32, ack % 2**32,
                                off << 4, bits, win, 0, 0) + options + data)
    s, d = ip_bytes(src), ip_bytes(dst)
    if len(s) == 4:
        pseudo = s + d + struct.pack("!BBH", 0, 6, len(seg))
    else:
        pseudo = s + d + struct.pack("!IxxxB", len(seg), 6)
    struct.pack_into("!H", seg, 16, csum16(pseudo + bytes(seg)))
    return bytes(seg)


def opt_mss(mss):
    return struct.pack("!BBH", 2, 4, mss)


def opt_ts(val, ecr):
    return struct.pack("!BBII", 8, 10, val % 2**32, ecr % 2**32)


def opt_sack(blocks):
    return struct.pack("!BB", 5, 2 + 8 * len(blocks)) + b"".join(
        struct.pack("!II", l % 2**32, r % 2**32) for l, r in blocks)


NOP = b"\x01"


# ------------------------------------------------------------ link layers
def l2_ether(tags=()):
    """Ethernet II, optional VLAN tags: list of (tpid, vid, pcp)."""
    def build(src_side, dst_side, ippkt, v6):
        hdr = dst_side.mac + src_side.mac
        for tpid, vid, pcp in tags:
            hdr += struct.pack("!HH", tpid, (pcp << 13) | vid)
        return hdr + struct.pack("!H", 0x86DD if v6 else 0x0800) + ippkt
    return build


def l2_null(af6=30, af4=2):
    """DLT_NULL: 4-byte address family in the capturing host's byte order
    (little-endian here, as written by an x86/arm64 BSD or macOS)."""
    def build(src_side, dst_side, ippkt, v6):
        return struct.pack("<I", af6 if v6 else af4) + ippkt
    return build


def l2_raw():
    def build(src_side, dst_side, ippkt, v6):
        return ippkt
    return build


# ------------------------------------------------------ a TCP conversation
class Side:
    def __init__(self, ip, port, isn, mac=MAC_CLIENT, wscale=7, mss=1460,
                 rcv_wnd=64256, syn_win=64240, ts_base=1000000, ip_id=1000, flow=0):
        self.ip, self.port, self.isn, self.mac = ip, port, isn, mac
        self.wscale, self.mss, self.rcv_wnd, self.syn_win = wscale, mss, rcv_wnd, syn_win
        self.ts_base, self.ip_id, self.flow = ts_base, ip_id, flow
        self.snd_nxt = 0      # relative to own ISN (the SYN is byte 0)
        self.rcv_nxt = 0      # relative to the peer's ISN
        self.ooo = []         # out-of-order ranges held [start, end), newest first
        self.dsack = None     # duplicate range to report once in a D-SACK
        self.ts_recent = 0
        self.peer = None


class Conn:
    """Emits the segments of one TCP connection.  seq/ack arguments are
    relative (0 = the ISN); everything on the wire is absolute mod 2^32.
    The receiver model tracks rcv_nxt, out-of-order data (for SACK blocks)
    and duplicates (for D-SACK), so default ack numbers are what a real
    receiver would send."""

    def __init__(self, sink, link, a, b, v6=False, ts=True, sack=True, t=T0,
                 ext=(), ts_hz=1000):
        self.sink, self.link, self.a, self.b = sink, link, a, b
        a.peer, b.peer = b, a
        self.v6, self.ts, self.sack, self.t, self.ext = v6, ts, sack, t, ext
        self.t_start = t
        self.ts_hz = ts_hz

    # ------------------------------------------------------------------
    def tsval(self, side):
        return side.ts_base + (self.t - self.t_start) * self.ts_hz // S

    def seg(self, src, dt, flags="A", data=b"", seq=None, ack=None, win=None,
            sack=None, deliver=True, ecr=None):
        """Advance the clock by dt (ns) and emit one segment from src."""
        dst = src.peer
        self.t += dt
        syn, fin = "S" in flags, "F" in flags
        if seq is None:
            seq = src.snd_nxt
        end = seq + len(data) + syn + fin
        src.snd_nxt = max(src.snd_nxt, end)
        if ack is None:
            ack = src.rcv_nxt
        opts = b""
        tsv = self.tsval(src)
        if syn:
            if self.ts:   # Linux order: mss, sackOK, TS, nop, wscale
                opts = (opt_mss(src.mss) + (b"\x04\x02" if self.sack else NOP + NOP)
                        + opt_ts(tsv, 0 if "A" not in flags else src.ts_recent)
                        + NOP + struct.pack("!BBB", 3, 3, src.wscale))
            else:         # Windows order: mss, nop, wscale, nop, nop, sackOK
                opts = (opt_mss(src.mss) + NOP + struct.pack("!BBB", 3, 3, src.wscale)
                        + NOP + NOP + (b"\x04\x02" if self.sack else NOP + NOP))
            window = src.syn_win if win is None else win
        else:
            if self.ts:
                opts = NOP + NOP + opt_ts(tsv, src.ts_recent if ecr is None else ecr)
            blocks = sack
            if blocks is None and self.sack and "A" in flags:
                blocks = ([src.dsack] if src.dsack else []) + src.ooo
                src.dsack = None
            if blocks:
                blocks = blocks[:3 if self.ts else 4]
                opts += NOP + NOP + opt_sack([(dst.isn + l, dst.isn + r) for l, r in blocks])
            window = (min(65535, src.rcv_wnd >> src.wscale) if win is None else win)
        hdr = tcp(src.ip, dst.ip, src.port, dst.port, src.isn + seq,
                  (dst.isn + ack) if "A" in flags else 0, flags, window, opts, data)
        if self.v6:
            pkt = ipv6(src.ip, dst.ip, hdr, flow=src.flow, ext=self.ext)
        else:
            pkt = ipv4(src.ip, dst.ip, hdr, src.ip_id)
            src.ip_id = (src.ip_id + 1) & 0xFFFF
        self.sink(self.t, self.link(src, dst, pkt, self.v6))
        if deliver:
            self._deliver(dst, seq, end, syn, tsv)
        return seq

    def _deliver(self, dst, start, end, syn, tsv):
        if self.ts:
            dst.ts_recent = tsv
        if syn:
            dst.rcv_nxt = max(dst.rcv_nxt, 1)
            return
        if end <= start:
            return
        if end <= dst.rcv_nxt:            # all old: duplicate -> D-SACK
            dst.dsack = (start, end)
            return
        if start <= dst.rcv_nxt:
            dst.rcv_nxt = end
            # pull in out-of-order data that is now contiguous
            changed = True
            while changed:
                changed = False
                for r in list(dst.ooo):
                    if r[0] <= dst.rcv_nxt:
                        dst.rcv_nxt = max(dst.rcv_nxt, r[1])
                        dst.ooo.remove(r)
                        changed = True
        else:                              # hole before it: hold out of order
            lo, hi = start, end
            keep = []
            for r in dst.ooo:
                if r[1] >= lo and r[0] <= hi:
                    lo, hi = min(lo, r[0]), max(hi, r[1])
                else:
                    keep.append(r)
            dst.ooo = [(lo, hi)] + keep

    # ------------------------------------------------------------------
    def handshake(self, rtt, dt=0, vantage="client"):
        """SYN, SYN/ACK, ACK.  vantage client: the SYN/ACK comes one RTT
        after the SYN; vantage server: the ACK comes one RTT after."""
        self.seg(self.a, dt, "S")
        if vantage == "client":
            self.seg(self.b, rtt, "SA")
            self.seg(self.a, 31 * US, "A")
        else:
            self.seg(self.b, 25 * US, "SA")
            self.seg(self.a, rtt, "A")

    def send(self, src, data, rtt, vantage="src", cwnd=10, dt=None, gap=None,
             push=True, ack_every=2):
        """Send data from src in slow-start-like rounds; the peer ACKs every
        `ack_every` segments.  vantage src: a round leaves back to back
        (gap ~12 us), the ACKs come one RTT later; vantage dst: segments
        arrive ~120 us apart (100 Mbit/s) and are ACKed at once, the next
        round arrives one RTT after the first ACK."""
        dst = src.peer
        mss = min(src.peer.mss, src.mss) - (12 if self.ts else 0)
        off = 0
        first = True
        while off < len(data):
            ends = []
            n = 0
            while n < cwnd and off < len(data):
                chunk = data[off:off + mss]
                off += len(chunk)
                last = off >= len(data) or n == cwnd - 1
                if vantage == "src":
                    d = (dt if dt is not None else 20 * US) if first else \
                        (gap or 12 * US) if n else 8 * US
                else:
                    d = (dt if dt is not None else 200 * US) if first else \
                        (gap or 120 * US) if n else rtt
                first = False
                self.seg(src, d, "PA" if (last and push) else "A", chunk)
                ends.append(src.snd_nxt)
                n += 1
                if vantage == "dst" and (n % ack_every == 0 or off >= len(data) or n == cwnd):
                    self.seg(dst, 18 * US, "A", ack=ends[-1])
            if vantage == "src":
                for i in range(ack_every - 1, n + ack_every - 1, ack_every):
                    idx = min(i, n - 1)
                    self.seg(dst, rtt if i == ack_every - 1 else (gap or 12 * US), "A",
                             ack=ends[idx])
            cwnd *= 2

    def close(self, first, rtt, vantage="first", combined=False, dt=200 * US):
        """FIN from `first`, FIN from the other side, last ACK."""
        other = first.peer
        self.seg(first, dt, "FA")
        near = vantage == "first"
        if combined:
            self.seg(other, rtt if near else 40 * US, "FA")
        else:
            self.seg(other, rtt if near else 40 * US, "A")
            self.seg(other, 150 * US, "FA")
        self.seg(first, 30 * US if near else rtt, "A")


# -------------------------------------------------------- common fixtures
def v4_pair(cport=51234, sport=5001, cisn=1000000, sisn=2000000,
            cip="192.0.2.10", sip="198.51.100.20", **kw):
    a = Side(cip, cport, cisn, MAC_CLIENT, ts_base=3000000 + cisn % 1000000, ip_id=0x1c46)
    b = Side(sip, sport, sisn, MAC_SERVER, syn_win=65160, rcv_wnd=65280,
             ts_base=7000000 + sisn % 1000000, ip_id=0x5a10)
    for k, v in kw.items():
        setattr(a, k, v)
    return a, b


def v6_pair(cport=51235, sport=5001, cisn=3000000, sisn=4000000,
            cip="2001:db8::10", sip="2001:db8:1::20"):
    a = Side(cip, cport, cisn, MAC_CLIENT, ts_base=5100000, flow=0x3a2b1, mss=1440)
    b = Side(sip, sport, sisn, MAC_SERVER, syn_win=64800, rcv_wnd=64896, ts_base=9200000,
             flow=0x71c0d, mss=1440)
    return a, b


def simple_conn(sink, link, a, b, v6=False, t=T0, rtt=3 * MS, req=300, resp=4000,
                tag="x", ts=True, ext=()):
    """Handshake, request, response, client-initiated FIN close
    (captured at the client)."""
    c = Conn(sink, link, a, b, v6=v6, t=t, ts=ts, ext=ext)
    c.handshake(rtt)
    c.send(a, text_payload(tag + "-req", 0, req), rtt, vantage="src", dt=150 * US)
    c.send(b, text_payload(tag + "-resp", 0, resp), rtt, vantage="dst", dt=300 * US)
    c.close(a, rtt, dt=2 * MS)
    return c


def pcap_of(linktype, nanos=False):
    p = Pcap(linktype, nanos=nanos)
    return p, p.add


def merge_sorted(events, writer_add):
    for t, frame in sorted(events, key=lambda e: e[0]):
        writer_add(t, frame)


# -------------------------------------------------------------- captures
CAPTURES = {}


def capture(name):
    def reg(fn):
        CAPTURES[name] = fn
        return fn
    return reg


@capture("wraparound.pcap")
def make_wraparound():
    """ISNs just below 2^32: both sequence spaces (and so both ack spaces)
    wrap during the transfer."""
    p, add = pcap_of(LINKTYPE_ETHERNET)
    a, b = v4_pair(cisn=4294967000, sisn=4294960000)
    rtt = 4 * MS
    c = Conn(add, l2_ether(), a, b)
    c.handshake(rtt)
    c.send(a, text_payload("wrap-up", 0, 3000), rtt, vantage="src", dt=120 * US)
    c.send(b, text_payload("wrap-down", 0, 12000), rtt, vantage="dst", dt=400 * US)
    c.close(a, rtt, dt=3 * MS)
    return p.bytes()


@capture("midstream.pcap")
def make_midstream():
    """No handshake: the capture starts in an established connection
    (data both ways), then FIN teardown."""
    p, add = pcap_of(LINKTYPE_ETHERNET)
    a, b = v4_pair(cport=44012, sport=5001, cisn=1839216542, sisn=3160455210)
    a.snd_nxt, a.rcv_nxt = 52311, 1893004     # already in mid-stream
    b.snd_nxt, b.rcv_nxt = 1893004, 52311
    a.ts_recent, b.ts_recent = 7845120, 3561904
    rtt = 5 * MS
    c = Conn(add, l2_ether(), a, b, t=T0 + 17 * S)
    c.send(b, text_payload("mid-down", 1893003, 9000), rtt, vantage="dst", dt=0, cwnd=6)
    c.send(a, text_payload("mid-up", 52310, 500), rtt, vantage="src", dt=1500 * US)
    c.send(b, text_payload("mid-down", 1902003, 3000), rtt, vantage="dst", dt=600 * US)
    c.close(b, rtt, vantage="other", dt=4 * MS)
    return p.bytes()


@capture("vlan.pcap")
def make_vlan():
    """802.1Q: an IPv4 connection in VLAN 100 and an IPv6 one in VLAN 200
    (priority 5)."""
    p, add = pcap_of(LINKTYPE_ETHERNET)
    ev = []
    sink = lambda t, f: ev.append((t, f))
    a, b = v4_pair()
    simple_conn(sink, l2_ether([(0x8100, 100, 0)]), a, b, tag="vlan4")
    a, b = v6_pair()
    simple_conn(sink, l2_ether([(0x8100, 200, 5)]), a, b, v6=True, t=T0 + 1700 * US,
                tag="vlan6", rtt=2500 * US)
    merge_sorted(ev, add)
    return p.bytes()


@capture("qinq.pcap")
def make_qinq():
    """802.1ad outer tag (TPID 0x88a8, S-VLAN 300) + 802.1Q inner tag
    (C-VLAN 100), IPv4."""
    p, add = pcap_of(LINKTYPE_ETHERNET)
    a, b = v4_pair(cport=51300)
    simple_conn(add, l2_ether([(0x88A8, 300, 0), (0x8100, 100, 0)]), a, b, tag="qinq")
    return p.bytes()


@capture("null-loopback.pcap")
def make_null():
    """DLT_NULL (BSD loopback): 4-byte little-endian address family:
    AF_INET=2 for IPv4; IPv6 once with each of 24 (NetBSD/OpenBSD),
    28 (FreeBSD) and 30 (macOS)."""
    p, add = pcap_of(LINKTYPE_NULL)
    ev = []
    sink = lambda t, f: ev.append((t, f))
    a, b = v4_pair(cport=60001, cip="127.0.0.1", sip="127.0.0.1")
    simple_conn(sink, l2_null(), a, b, rtt=120 * US, tag="null4")
    for i, af in enumerate((24, 28, 30)):
        a, b = v6_pair(cport=60010 + i, cisn=111000 * (i + 3), sisn=222000 * (i + 5),
                       cip="::1", sip="::1")
        a.mss = b.mss = 16324
        simple_conn(sink, l2_null(af6=af), a, b, v6=True, t=T0 + (i + 1) * 50 * MS,
                    rtt=90 * US, tag="null6-%d" % af, resp=2000)
    merge_sorted(ev, add)
    return p.bytes()


@capture("raw-ip.pcap")
def make_raw():
    """LINKTYPE_RAW (101): bare IP packets, IPv4 and IPv6 connections."""
    p, add = pcap_of(LINKTYPE_RAW)
    ev = []
    sink = lambda t, f: ev.append((t, f))
    a, b = v4_pair(cport=51400)
    simple_conn(sink, l2_raw(), a, b, tag="raw4")
    a, b = v6_pair(cport=51401)
    simple_conn(sink, l2_raw(), a, b, v6=True, t=T0 + 2 * MS, tag="raw6")
    merge_sorted(ev, add)
    return p.bytes()


@capture("ipv4-linktype.pcap")
def make_ipv4_lt():
    """LINKTYPE_IPV4 (228): bare IPv4 packets."""
    p, add = pcap_of(LINKTYPE_IPV4)
    a, b = v4_pair(cport=51500)
    simple_conn(add, l2_raw(), a, b, tag="lt228")
    return p.bytes()


@capture("ipv6-linktype.pcap")
def make_ipv6_lt():
    """LINKTYPE_IPV6 (229): bare IPv6 packets."""
    p, add = pcap_of(LINKTYPE_IPV6)
    a, b = v6_pair(cport=51600)
    simple_conn(add, l2_raw(), a, b, v6=True, tag="lt229")
    return p.bytes()


@capture("ipv6-exthdr.pcap")
def make_ipv6_ext():
    """IPv6 with a Hop-by-Hop header (Router Alert + PadN, 8 bytes) and a
    Destination Options header (PadN, 16 bytes) before TCP, every packet."""
    p, add = pcap_of(LINKTYPE_ETHERNET)
    hbh = bytes([5, 2, 0, 0]) + bytes([1, 0])          # router alert, Pad2
    dst = bytes([1, 12]) + bytes(12)                     # PadN(12)
    a, b = v6_pair(cport=51700)
    a.mss = b.mss = 1416
    simple_conn(add, l2_ether(), a, b, v6=True, tag="ext6", ext=[(0, hbh), (60, dst)])
    return p.bytes()


@capture("keepalive.pcap")
def make_keepalive():
    """An idle connection kept alive: Linux-style keep-alives from the
    client (seq = snd_nxt-1, no data) every 10 s, a Windows-style one from
    the server (seq = snd_nxt-1, 1 byte), each ACKed; then FIN close."""
    p, add = pcap_of(LINKTYPE_ETHERNET)
    a, b = v4_pair(cport=51800)
    rtt = 3 * MS
    c = Conn(add, l2_ether(), a, b)
    c.handshake(rtt)
    c.send(a, text_payload("ka-req", 0, 120), rtt, dt=150 * US)
    c.send(b, text_payload("ka-resp", 0, 800), rtt, vantage="dst", dt=250 * US)
    last_b_byte = text_payload("ka-resp", 799, 1)
    for i in range(3):
        # client keep-alive after 10 s idle (TCP_KEEPIDLE=10)
        c.seg(a, 10 * S if i == 0 else 10 * S - rtt, "A", seq=a.snd_nxt - 1)
        c.seg(b, rtt, "A")
        if i == 1:
            # server (Windows-style) keep-alive: 1 byte already sent
            c.seg(b, 3 * S + 217 * MS, "A", data=last_b_byte, seq=b.snd_nxt - 1)
            c.seg(a, 40 * US, "A", sack=[])
            a.dsack = None
    c.send(a, text_payload("ka-req", 120, 120), rtt, dt=4 * S)
    c.send(b, text_payload("ka-resp", 800, 300), rtt, vantage="dst", dt=250 * US)
    c.close(a, rtt, dt=5 * MS)
    return p.bytes()


@capture("out-of-order.pcap")
def make_ooo():
    """Captured at the receiver (the client downloads 8 segments): segment
    3 arrives before segment 2, and later segment 7 before segment 6; each
    time the client sends a dup ACK with a SACK block for the early
    segment, then a cumulative ACK when the late one arrives ~0.1 ms after
    (well within the RTT, so it is reordering, not a retransmission)."""
    p, add = pcap_of(LINKTYPE_ETHERNET)
    a, b = v4_pair(cport=51900)
    rtt = 4 * MS
    c = Conn(add, l2_ether(), a, b)
    c.handshake(rtt)
    c.send(a, text_payload("ooo-req", 0, 200), rtt, dt=150 * US)
    mss = 1448
    data = text_payload("ooo-resp", 0, 8 * mss)
    base = b.snd_nxt
    b.snd_nxt = base + 8 * mss

    def sseg(i, d, flags="A"):
        c.seg(b, d, flags, data=data[i * mss:(i + 1) * mss], seq=base + i * mss)

    sseg(0, 450 * US)
    c.seg(a, 20 * US, "A")                 # ack seg 1
    sseg(2, 118 * US)                      # seg 3 before seg 2
    c.seg(a, 15 * US, "A")                 # dup ack, SACK seg 3
    sseg(1, 97 * US)                       # seg 2 fills the hole
    c.seg(a, 16 * US, "A")                 # cumulative ack through seg 3
    sseg(3, 121 * US)
    sseg(4, 119 * US)
    c.seg(a, 18 * US, "A")                 # ack through seg 5
    sseg(6, 240 * US)                      # seg 7 before seg 6
    c.seg(a, 14 * US, "A")                 # dup ack, SACK seg 7
    sseg(5, 88 * US)                       # seg 6 fills the hole
    c.seg(a, 15 * US, "A")                 # cumulative ack through seg 7
    sseg(7, 118 * US, "PA")
    c.seg(a, 40 * US, "A")
    c.close(a, rtt, dt=3 * MS)
    return p.bytes()


@capture("retrans-synth.pcap")
def make_retrans():
    """Captured at the sender (client uploads): (1) a segment retransmitted
    by timeout 212 ms later; (2) a fast retransmission after 3 dup ACKs
    with SACK; (3) a spurious retransmission of data already ACKed,
    answered with a D-SACK."""
    p, add = pcap_of(LINKTYPE_ETHERNET)
    a, b = v4_pair(cport=52000)
    rtt = 5 * MS
    c = Conn(add, l2_ether(), a, b)
    c.handshake(rtt)
    mss = 1448
    up = text_payload("rtx", 0, 20 * mss)
    o = [0]

    def chunk(n=mss):
        d = up[o[0]:o[0] + n]
        o[0] += n
        return d

    # warm-up: a few segments, ACKed
    c.send(a, chunk(4 * mss), rtt, dt=300 * US)
    # (1) RTO: segment sent, lost after the capture point, resent after RTO
    s1 = a.snd_nxt
    d1 = chunk()
    c.seg(a, 2 * MS, "PA", d1, deliver=False)
    c.seg(a, 212 * MS, "PA", d1, seq=s1)            # retransmission (RTO)
    c.seg(b, rtt, "A")
    # (2) fast retransmit: 5 segments, the first one lost after the capture
    # point; the receiver answers segments 2..5 with 4 dup ACKs carrying
    # SACK blocks, the sender retransmits after the 3rd one
    segs = []
    for i in range(5):
        s = a.snd_nxt
        d = chunk()
        c.seg(a, 1 * MS if i == 0 else 12 * US, "A" if i < 4 else "PA", d, deliver=False)
        segs.append((s, d))
    hole = segs[0][0]
    for i in range(1, 5):
        c.seg(b, rtt if i == 1 else 13 * US, "A", ack=hole,
              sack=[(segs[1][0], segs[i][0] + mss)])
        if i == 3:
            c.seg(a, 25 * US, "A", segs[0][1], seq=hole, deliver=False)  # fast retransmission
    # the retransmission arrives: cumulative ACK for everything
    b.rcv_nxt = a.snd_nxt
    b.ooo = []
    c.seg(b, rtt, "A")
    # (3) spurious retransmission: two segments ACKed, the first one resent
    s3 = a.snd_nxt
    d3 = chunk()
    c.seg(a, 3 * MS, "A", d3)
    c.seg(a, 12 * US, "PA", chunk())
    c.seg(b, rtt, "A")                               # ACKs both
    c.seg(a, 1200 * US, "A", d3, seq=s3)             # spurious retransmission
    c.seg(b, rtt, "A")                               # D-SACK for it
    c.close(a, rtt, dt=20 * MS)
    return p.bytes()


@capture("port-reuse.pcap")
def make_port_reuse():
    """Two consecutive connections on the same 4-tuple: the first closes
    with FIN/FIN/ACK, 2 s later a SYN with another ISN starts the second."""
    p, add = pcap_of(LINKTYPE_ETHERNET)
    a, b = v4_pair(cport=52100, cisn=1500000000, sisn=2500000000)
    c1 = simple_conn(add, l2_ether(), a, b, tag="reuse1", resp=3000)
    a, b = v4_pair(cport=52100, cisn=1500000000 + 98765432, sisn=2700000000)
    a.ip_id, b.ip_id = 0x1d00, 0x6000
    simple_conn(add, l2_ether(), a, b, t=c1.t + 2 * S, tag="reuse2", resp=2000)
    return p.bytes()


@capture("nanosecond.pcap")
def make_nanosecond():
    """Classic pcap with the nanosecond magic (0xa1b23c4d); timestamps
    use the full nanosecond resolution."""
    p, add = pcap_of(LINKTYPE_ETHERNET, nanos=True)
    a, b = v4_pair(cport=52200)
    c = Conn(add, l2_ether(), a, b, t=T0 + 123456789)
    rtt = 2 * MS + 345678
    c.handshake(rtt, dt=987)
    c.send(a, text_payload("ns-req", 0, 100), rtt, dt=120 * US + 321)
    c.send(b, text_payload("ns-resp", 0, 3000), rtt, vantage="dst", dt=250 * US + 77,
           gap=121 * US + 13)
    c.close(a, rtt, dt=1 * MS + 999)
    return p.bytes()


@capture("multi-if.pcapng")
def make_multi_if():
    """pcapng, two interfaces: 0 = eth0 (Ethernet, default microsecond
    resolution), 1 = tun0 (RAW IP, if_tsresol 9 = nanoseconds).  An IPv4
    connection on eth0 and an IPv6 one on tun0, interleaved in time."""
    ng = Pcapng(shb_options=[(4, b"tcplab tests/data/synth.py"),
                             (3, b"Linux 6.1 (synthetic)")])
    eth = ng.add_interface(LINKTYPE_ETHERNET, name="eth0")
    tun = ng.add_interface(LINKTYPE_RAW, name="tun0", tsresol=9,
                           extra=[(3, b"synthetic tunnel")])
    ev = []
    a, b = v4_pair(cport=52300)
    simple_conn(lambda t, f: ev.append((t, eth, f)), l2_ether(), a, b, tag="ng-eth",
                resp=5000)
    a, b = v6_pair(cport=52301)
    simple_conn(lambda t, f: ev.append((t + 777, tun, f)), l2_raw(), a, b, v6=True,
                t=T0 + 1500 * US, tag="ng-tun", rtt=7 * MS, resp=6000)
    first = True
    for t, ifid, f in sorted(ev, key=lambda e: e[0]):
        ng.add(ifid, t, f, options=[(1, b"first packet")] if first else ())
        first = False
    return ng.bytes()


@capture("zero-window-probe.pcap")
def make_zwp():
    """Zero window probes as tshark recognises them (1 byte of new data at
    the next sequence number), which a Linux sender never sends (it probes
    with seq = snd_una-1 and no data, see the real zero-window.pcap).  A
    BSD/Windows-style sender fills the receiver's window, gets a zero
    window, sends 1-byte probes (after 0.2, 0.4, 0.8 s) that are ACKed with
    window 0, then a window update lets the transfer finish.  Captured at
    the sender."""
    p, add = pcap_of(LINKTYPE_ETHERNET)
    a, b = v4_pair(cport=52400)
    b.rcv_wnd = 8192
    b.wscale = 0
    a.wscale = 0
    b.syn_win = 8192
    rtt = 3 * MS
    c = Conn(add, l2_ether(), a, b)
    c.handshake(rtt)
    mss = 1448
    data = text_payload("zwp", 0, 12000)
    # fill the 8192-byte window: 5 full segments + 952 bytes
    off = 0
    for i in range(6):
        n = min(mss, 8192 - off)
        c.seg(a, 400 * US if i == 0 else 12 * US, "A" if i < 5 else "PA", data[off:off + n])
        off += n
    # receiver ACKs everything with a window that shrinks to 0 (app stalled)
    c.seg(b, rtt, "A", ack=a.snd_nxt - 8192 + 2 * mss, win=8192 - 2 * mss)
    c.seg(b, 15 * US, "A", ack=a.snd_nxt, win=0)
    # zero window probes: 1 byte of new data, not accepted (window 0)
    probe_seq = a.snd_nxt
    for k, wait in enumerate((200 * MS, 400 * MS, 800 * MS)):
        c.seg(a, wait, "A", data[off:off + 1], seq=probe_seq, deliver=False)
        c.seg(b, rtt, "A", win=0)
    a.snd_nxt = probe_seq
    # the application reads: window update, the transfer goes on
    c.seg(b, 310 * MS, "A", win=8192)
    rest = data[off:]
    for i in range(0, len(rest), mss):
        last = i + mss >= len(rest)
        c.seg(a, 30 * US if i == 0 else 12 * US, "PA" if last else "A", rest[i:i + mss])
    c.seg(b, rtt, "A", win=8192)
    c.close(a, rtt, dt=2 * MS)
    return p.bytes()


# ------------------------------------- SYN retries, mid-stream data, flags
@capture("syn-refused-retry.pcap")
def make_syn_refused_retry():
    """A client retries a refused connection: SYN, RST/ACK, the same SYN
    (same ISN) 0.5 s later, RST/ACK, again 0.5 s later, RST/ACK, as a
    Windows client does.  tshark 4.0 keeps the three attempts in stream 0
    and flags the two repeated SYNs retransmissions.  Then a connection
    from another client port (stream 1) and one on the refused 4-tuple with
    a new ISN (stream 2, ports reused), both with data and FIN close."""
    p, add = pcap_of(LINKTYPE_ETHERNET)
    a, b = v4_pair(cport=52700, cisn=3011000000, sisn=0)
    c = Conn(add, l2_ether(), a, b)
    rst = Conn(add, l2_ether(), a, b, ts=False)     # a RST carries no options
    for i in range(3):
        c.seg(a, 0 if i == 0 else 500 * MS, "S", seq=0, deliver=False)
        rst.t = c.t
        rst.seg(b, 180 * US, "RA", seq=0, ack=1, win=0)
        c.t = rst.t
    a, b = v4_pair(cport=52701, cisn=3012000000, sisn=2600000000)
    c2 = simple_conn(add, l2_ether(), a, b, t=c.t + 700 * MS, tag="after-retry", resp=2000)
    a, b = v4_pair(cport=52700, cisn=3013000000, sisn=2700000000)
    a.ip_id, b.ip_id = 0x2000, 0x6100
    simple_conn(add, l2_ether(), a, b, t=c2.t + 1 * S, tag="new-isn", resp=1500)
    return p.bytes()


@capture("syn-repeated-fast.pcap")
def make_syn_repeated_fast():
    """The client sends its SYN twice, the second one 0.1 ms after the
    first with the same ISN (a retransmission for tshark 4.0, not out of
    order); then the handshake, a request, a response and FIN close."""
    p, add = pcap_of(LINKTYPE_ETHERNET)
    a, b = v4_pair(cport=52710)
    rtt = 3 * MS
    c = Conn(add, l2_ether(), a, b)
    c.seg(a, 0, "S")
    c.seg(a, 100 * US, "S", seq=0)
    c.seg(b, rtt, "SA")
    c.seg(a, 31 * US, "A")
    c.send(a, text_payload("synfast-req", 0, 300), rtt, dt=150 * US)
    c.send(b, text_payload("synfast-resp", 0, 3000), rtt, vantage="dst", dt=300 * US)
    c.close(a, rtt, dt=2 * MS)
    return p.bytes()


@capture("midstream-bif.pcap")
def make_midstream_bif():
    """Captured at the sender, starting mid-connection (no handshake): the
    first thing in the file is a burst of 6 data segments, before any ACK
    from the receiver (tshark counts their bytes in flight from the first
    one), then the ACKs, a second burst, and FIN close from the sender."""
    p, add = pcap_of(LINKTYPE_ETHERNET)
    a, b = v4_pair(cport=44013, sport=5001, cisn=2914500000, sisn=1172000000)
    a.snd_nxt, a.rcv_nxt = 815001, 2201
    b.snd_nxt, b.rcv_nxt = 2201, 815001
    a.ts_recent, b.ts_recent = 8120544, 4471230
    rtt = 4 * MS
    c = Conn(add, l2_ether(), a, b, t=T0 + 42 * S)
    c.send(a, text_payload("mid-bif", 815000, 6 * 1448 + 700), rtt, dt=0, cwnd=6)
    c.close(a, rtt, dt=3 * MS)
    return p.bytes()


def set_reserved_bits(frame, bits):
    """Sets the 4 reserved bits of the TCP header (byte 12, low nibble:
    0x1 is AE, RFC 9768, Wireshark 4.0's NS; 0xe the still reserved ones)
    of an Ethernet IPv4 frame and recomputes the TCP checksum."""
    f = bytearray(frame)
    ip = 14
    at = ip + (f[ip] & 0x0F) * 4
    f[at + 12] = (f[at + 12] & 0xF0) | bits
    struct.pack_into("!H", f, at + 16, 0)
    seg = bytes(f[at:])
    pseudo = bytes(f[ip + 12:ip + 20]) + struct.pack("!BBH", 0, 6, len(seg))
    struct.pack_into("!H", f, at + 16, csum16(pseudo + seg))
    return bytes(f)


@capture("reserved-flags.pcap")
def make_reserved_flags():
    """Segments with the reserved TCP flag bits set.  Accurate ECN
    negotiation (RFC 9768): the SYN carries AE, CWR and ECE, the SYN/ACK
    AE; two ACKs of the response carry AE as part of their ACE counter;
    one data segment carries the reserved bit 0x800 (as a middlebox test
    sends it).  Then FIN close.  Checksums correct."""
    p, add = pcap_of(LINKTYPE_ETHERNET)
    ev = []
    a, b = v4_pair(cport=52720)
    rtt = 3 * MS
    c = Conn(lambda t, f: ev.append([t, f]), l2_ether(), a, b)
    marks = {}

    def mark(bits):
        marks[len(ev) - 1] = bits

    c.seg(a, 0, "SEC")
    mark(0x1)
    c.seg(b, rtt, "SA")
    mark(0x1)
    c.seg(a, 31 * US, "A")
    c.seg(a, 150 * US, "PA", text_payload("rsv-req", 0, 200))
    mark(0x8)
    c.seg(b, rtt, "A")
    c.send(b, text_payload("rsv-resp", 0, 4 * 1448), rtt, vantage="dst", dt=300 * US)
    for i in (len(ev) - 4, len(ev) - 1):           # the ACKs of the response
        marks[i] = 0x1
    c.close(a, rtt, dt=2 * MS)
    for i, bits in marks.items():
        ev[i][1] = set_reserved_bits(ev[i][1], bits)
    for t, f in ev:
        add(t, f)
    return p.bytes()


# ------------------------------------------------------------ bad inputs
def _good_v4_conn_frames():
    ev = []
    a, b = v4_pair(cport=52500)
    simple_conn(lambda t, f: ev.append((t, f)), l2_ether(), a, b, tag="good", resp=2000)
    return ev


@capture("not-a-capture.txt")
def make_not_a_capture():
    """Plain text, not a capture file."""
    return (b"This is not a packet capture.\n"
            b"tcplab must reject it with a clear error (unknown file format),\n"
            b"not crash and not treat it as an empty capture.\n")


@capture("truncated-header.pcap")
def make_truncated_header():
    """The first 10 bytes of a valid pcap file (the 24-byte global header
    is cut)."""
    p = Pcap(LINKTYPE_ETHERNET)
    return p.bytes()[:10]


@capture("absurd-length.pcap")
def make_absurd():
    """Valid header, 2 good packets, then a record header whose captured
    length is 0xFFFFFFF0, followed by a few bytes."""
    p = Pcap(LINKTYPE_ETHERNET)
    ev = _good_v4_conn_frames()
    for t, f in ev[:2]:
        p.add(t, f)
    t = ev[2][0]
    p.raw(struct.pack("<IIII", t // S, (t % S) // US, 0xFFFFFFF0, 0xFFFFFFF0))
    p.raw(det_bytes("absurd", 40))
    return p.bytes()


@capture("bad-linktype.pcap")
def make_bad_linktype():
    """LINKTYPE_USER0 (147), a link type tcplab cannot decode; the records
    hold Ethernet frames of a TCP handshake."""
    p = Pcap(LINKTYPE_USER0)
    for t, f in _good_v4_conn_frames()[:4]:
        p.add(t, f)
    return p.bytes()


@capture("garbage-inside.pcap")
def make_garbage():
    """Ethernet; a good TCP connection interleaved with frames whose IP/TCP
    headers are garbage: random bytes after an IPv4 or IPv6 ethertype, an
    IPv4 header with a good checksum but a random TCP header, IHL < 5,
    total length beyond the frame, TCP data offset < 5 and beyond the
    segment, a frame shorter than an Ethernet header, an IPv6 payload
    length beyond the frame."""
    p = Pcap(LINKTYPE_ETHERNET)
    good = _good_v4_conn_frames()
    eth4 = MAC_SERVER + MAC_CLIENT + b"\x08\x00"
    eth6 = MAC_SERVER + MAC_CLIENT + b"\x86\xdd"
    bad = []
    r = lambda i, n: det_bytes("garbage-%d" % i, n)
    bad.append(eth4 + r(1, 60))                                   # random IPv4
    bad.append(eth6 + r(2, 90))                                   # random IPv6
    bad.append(eth4 + ipv4("192.0.2.10", "198.51.100.20", r(3, 40), 0x7777))  # random TCP
    h = bytearray(ipv4("192.0.2.10", "198.51.100.20", r(4, 20), 0x7778))
    h[0] = 0x43                                                    # IHL 3 (< 5)
    bad.append(eth4 + bytes(h))
    h = bytearray(ipv4("192.0.2.10", "198.51.100.20", r(5, 20), 0x7779))
    struct.pack_into("!H", h, 2, 1400)                            # total length > frame
    struct.pack_into("!H", h, 10, 0)
    struct.pack_into("!H", h, 10, csum16(bytes(h[:20])))
    bad.append(eth4 + bytes(h))
    seg = bytearray(tcp("192.0.2.10", "198.51.100.20", 52500, 5001, 1, 1, "A", 100))
    seg[12] = 0x30                                                # data offset 3 (< 5)
    bad.append(eth4 + ipv4("192.0.2.10", "198.51.100.20", bytes(seg), 0x777a))
    seg = bytearray(tcp("192.0.2.10", "198.51.100.20", 52500, 5001, 1, 1, "A", 100))
    seg[12] = 0xF0                                                # data offset 15 > segment
    bad.append(eth4 + ipv4("192.0.2.10", "198.51.100.20", bytes(seg), 0x777b))
    bad.append(MAC_SERVER + MAC_CLIENT[:3])                       # 9-byte frame
    v6 = bytearray(ipv6("2001:db8::10", "2001:db8:1::20",
                        tcp("2001:db8::10", "2001:db8:1::20", 52501, 5001, 1, 1, "A", 100)))
    struct.pack_into("!H", v6, 4, 9000)                           # payload length > frame
    bad.append(eth6 + bytes(v6))
    bad.append(eth4 + b"\x45" + r(6, 59))                         # v4/IHL ok, rest random
    out = []
    for i, (t, f) in enumerate(good):
        out.append((t, f))
        if i < len(bad):
            out.append((t + 7 * US, bad[i]))
    for t, f in out:
        p.add(t, f)
    for j in range(len(good), len(bad)):
        p.add(good[-1][0] + (j + 1) * 100 * US, bad[j])
    return p.bytes()


# ------------------------------------------- tunnels and link types (#17)
LINKTYPE_PPP = 9
LINKTYPE_ARCNET_BSD = 7
LINKTYPE_IEEE802_11 = 105
LINKTYPE_RADIOTAP = 127
LINKTYPE_ARCNET_LINUX = 129
LINKTYPE_JUNIPER_ETHER = 178
LINKTYPE_IPOIB = 242

MAC_ROUTER_A = bytes.fromhex("02000000000a")
MAC_ROUTER_B = bytes.fromhex("02000000000b")
TUN_A, TUN_B = "203.0.113.1", "203.0.113.2"          # tunnel endpoints
TUN6_A, TUN6_B = "2001:db8:ff::1", "2001:db8:ff::2"
_outer_ident = [0x3000]


def _next_ident():
    _outer_ident[0] += 1
    return _outer_ident[0]


def _fresh_outer_ident():
    """Each capture numbers its outer IPv4 headers from the same start, so
    that its bytes do not depend on which captures were made before it."""
    _outer_ident[0] = 0x3000


def _ethertype(v6):
    return 0x86DD if v6 else 0x0800


def l2_wrap(wrap):
    """A link builder that wraps each IP packet with wrap(ippkt, v6, fwd),
    fwd being True from the client (side a, MAC_CLIENT) to the server."""
    def build(src_side, dst_side, ippkt, v6):
        return wrap(ippkt, v6, src_side.mac == MAC_CLIENT)
    return build


def outer_v4(payload, proto, fwd, a=TUN_A, b=TUN_B):
    """Ethernet between the two tunnel routers, outer IPv4 a <-> b."""
    src, dst = (a, b) if fwd else (b, a)
    macs = MAC_ROUTER_B + MAC_ROUTER_A if fwd else MAC_ROUTER_A + MAC_ROUTER_B
    return macs + b"\x08\x00" + ipv4(src, dst, payload, _next_ident(), proto=proto, df=False)


def outer_v6(payload, nh, fwd):
    src, dst = (TUN6_A, TUN6_B) if fwd else (TUN6_B, TUN6_A)
    macs = MAC_ROUTER_B + MAC_ROUTER_A if fwd else MAC_ROUTER_A + MAC_ROUTER_B
    return macs + b"\x86\xdd" + ipv6(src, dst, payload, nh=nh)


def udp4(src, dst, sport, dport, data):
    """UDP over IPv4 with its checksum."""
    hdr = struct.pack("!HHHH", sport, dport, 8 + len(data), 0)
    pseudo = ip_bytes(src) + ip_bytes(dst) + struct.pack("!BBH", 0, 17, 8 + len(data))
    c = csum16(pseudo + hdr + data) or 0xFFFF
    return hdr[:6] + struct.pack("!H", c) + data


def inner_ether(ippkt, v6, fwd):
    macs = MAC_SERVER + MAC_CLIENT if fwd else MAC_CLIENT + MAC_SERVER
    return macs + struct.pack("!H", _ethertype(v6)) + ippkt


def gre_header(proto, key=None, seq=None, checksum=False, body=b""):
    flags = (0x8000 if checksum else 0) | (0x2000 if key is not None else 0) \
        | (0x1000 if seq is not None else 0)
    hdr = struct.pack("!HH", flags, proto)
    if checksum:
        hdr += b"\0\0\0\0"
    if key is not None:
        hdr += struct.pack("!I", key)
    if seq is not None:
        hdr += struct.pack("!I", seq)
    if checksum:
        c = csum16(hdr + body)
        hdr = hdr[:4] + struct.pack("!H", c) + hdr[6:]
    return hdr


def l2_gre(key=None, checksum=False, seq=True):
    counter = [0]

    def wrap(ippkt, v6, fwd):
        counter[0] += 1
        g = gre_header(_ethertype(v6), key=key, seq=counter[0] if seq else None,
                       checksum=checksum, body=ippkt)
        return outer_v4(g + ippkt, 47, fwd)
    return l2_wrap(wrap)


def l2_udp_tunnel(port, header, sport_base=49152):
    def wrap(ippkt, v6, fwd):
        src, dst = (TUN_A, TUN_B) if fwd else (TUN_B, TUN_A)
        payload = header + inner_ether(ippkt, v6, fwd)
        sport = sport_base + (7 if fwd else 3)
        return outer_v4(udp4(src, dst, sport, port, payload), 17, fwd)
    return l2_wrap(wrap)


def vxlan_header(vni):
    return struct.pack("!II", 0x08000000, vni << 8)


def conns_merged(linktype, plans):
    """One capture of several connections: plans is a list of
    (link builder, pair, v6, start offset, tag)."""
    p, add = pcap_of(linktype)
    ev = []
    sink = lambda t, f: ev.append((t, f))
    for i, (link, (a, b), v6, dt, tag) in enumerate(plans):
        simple_conn(sink, link, a, b, v6=v6, t=T0 + dt, tag=tag, resp=3000)
    merge_sorted(ev, add)
    return p, add


@capture("gre.pcap")
def make_gre():
    """Ethernet / IPv4 203.0.113.1 <-> 203.0.113.2 / GRE: an IPv4 connection
    in GRE with checksum, key 42 and sequence numbers; an IPv6 connection in
    plain GRE; then 3 GRE packets with the unknown protocol 0x1234."""
    _fresh_outer_ident()
    p, add = conns_merged(LINKTYPE_ETHERNET, [
        (l2_gre(key=42, checksum=True), v4_pair(cport=52001), False, 0, "gre4"),
        (l2_gre(seq=False), v6_pair(cport=52002), True, 1 * MS, "gre6"),
    ])
    for i in range(3):
        body = gre_header(0x1234) + det_bytes("gre-unknown-%d" % i, 40)
        add(T0 + 50 * MS + i * MS, outer_v4(body, 47, True))
    return p.bytes()


def l2_erspan(kind):
    counter = [0]

    def wrap(ippkt, v6, fwd):
        counter[0] += 1
        frame = inner_ether(ippkt, v6, fwd)
        if kind == 1:
            g = gre_header(0x88BE)
        elif kind == 2:
            g = gre_header(0x88BE, seq=counter[0]) + struct.pack("!II", 0x10000000 | 17, 0)
        else:
            g = gre_header(0x22EB, seq=counter[0]) + struct.pack(
                "!III", 0x20000000 | 23, counter[0] * 1000, 0)
        return outer_v4(g + frame, 47, fwd)
    return l2_wrap(wrap)


@capture("erspan.pcap")
def make_erspan():
    """Remote port mirror: ERSPAN type I (GRE 0x88be without sequence
    number), type II (session 17) and type III (session 23, 0x22eb), each
    carrying one mirrored Ethernet/IPv4 connection."""
    _fresh_outer_ident()
    p, add = conns_merged(LINKTYPE_ETHERNET, [
        (l2_erspan(1), v4_pair(cport=52101), False, 0, "erspan1"),
        (l2_erspan(2), v4_pair(cport=52102), False, 1 * MS, "erspan2"),
        (l2_erspan(3), v4_pair(cport=52103), False, 2 * MS, "erspan3"),
    ])
    return p.bytes()


@capture("vxlan.pcap")
def make_vxlan():
    """VXLAN on UDP 4789 (VNI 5001) between 203.0.113.1 and 203.0.113.2:
    an IPv4 and an IPv6 connection inside."""
    _fresh_outer_ident()
    p, add = conns_merged(LINKTYPE_ETHERNET, [
        (l2_udp_tunnel(4789, vxlan_header(5001)), v4_pair(cport=52201), False, 0, "vx4"),
        (l2_udp_tunnel(4789, vxlan_header(5001)), v6_pair(cport=52202), True, 1 * MS, "vx6"),
    ])
    return p.bytes()


@capture("vxlan-8472.pcap")
def make_vxlan_8472():
    """VXLAN on UDP 8472 (Linux's historic default port, VNI 77): neither
    tshark nor tcplab decode it by default; `--decode-as udp:8472=vxlan`
    does."""
    _fresh_outer_ident()
    p, add = conns_merged(LINKTYPE_ETHERNET, [
        (l2_udp_tunnel(8472, vxlan_header(77)), v4_pair(cport=52301), False, 0, "vx8472"),
    ])
    return p.bytes()


@capture("vxlan-two-vni.pcap")
def make_vxlan_two_vni():
    """Two tenants reuse the same private addresses: the same inner 4-tuple
    10.0.0.1:40000 <-> 10.0.0.2:80 in VNI 5001 and VNI 5002 at the same
    time, both already established (no handshake), other ISNs, data then
    FIN close. tshark: one tcp.stream; tcplab --tunnels separate: two."""
    _fresh_outer_ident()
    p, add = pcap_of(LINKTYPE_ETHERNET)
    ev = []
    sink = lambda t, f: ev.append((t, f))
    for i, vni in enumerate((5001, 5002)):
        a, b = v4_pair(cport=40000, sport=80, cisn=10000000 * (i + 1), sisn=20000000 * (i + 1),
                       cip="10.0.0.1", sip="10.0.0.2")
        a.snd_nxt, a.rcv_nxt = 1001, 5001
        b.snd_nxt, b.rcv_nxt = 5001, 1001
        c = Conn(sink, l2_udp_tunnel(4789, vxlan_header(vni)), a, b, t=T0 + i * 700 * US)
        c.send(a, text_payload("vni%d-up" % vni, 1000, 600), 3 * MS, vantage="src", dt=0)
        c.send(b, text_payload("vni%d-down" % vni, 5000, 2000), 3 * MS, vantage="dst",
               dt=300 * US)
        c.close(a, 3 * MS, dt=2 * MS)
    merge_sorted(ev, add)
    return p.bytes()


def geneve_header(vni):
    opt = struct.pack("!HBB", 0x0102, 0x80, 1) + b"\xde\xad\xbe\xef"   # one 8-byte option
    return struct.pack("!BBHI", len(opt) // 4, 0, 0x6558, vni << 8) + opt


@capture("geneve.pcap")
def make_geneve():
    """Geneve on UDP 6081, VNI 10, one 8-byte option, Ethernet inside: an
    IPv4 connection."""
    _fresh_outer_ident()
    p, add = conns_merged(LINKTYPE_ETHERNET, [
        (l2_udp_tunnel(6081, geneve_header(10)), v4_pair(cport=52401), False, 0, "geneve"),
    ])
    return p.bytes()


@capture("ipip.pcap")
def make_ipip():
    """IP tunnels: IPv4 in IPv4 (protocol 4), IPv6 in IPv4 (6in4, protocol
    41), IPv4 in IPv6 (next header 4): one connection each."""
    _fresh_outer_ident()
    def v4in(ippkt, v6, fwd):
        return outer_v4(ippkt, 41 if v6 else 4, fwd)

    def v4in6(ippkt, v6, fwd):
        return outer_v6(ippkt, 4, fwd)
    p, add = conns_merged(LINKTYPE_ETHERNET, [
        (l2_wrap(v4in), v4_pair(cport=52501), False, 0, "ipip"),
        (l2_wrap(v4in), v6_pair(cport=52502), True, 1 * MS, "6in4"),
        (l2_wrap(v4in6), v4_pair(cport=52503), False, 2 * MS, "4in6"),
    ])
    return p.bytes()


def mpls_stack(labels, ttl=64):
    return b"".join(struct.pack("!I", (l << 12) | ((i == len(labels) - 1) << 8) | ttl)
                    for i, l in enumerate(labels))


@capture("mpls.pcap")
def make_mpls():
    """Ethernet / MPLS: an IPv4 connection under labels 16/1000 (the label
    stack differs per direction, as LDP assigns it: 17/1001 back); an
    Ethernet pseudowire with a control word (label 2000) and one without
    (label 2001), each carrying an IPv4 connection; inner MACs 00:1b:21:…
    (Intel): Wireshark's pseudowire heuristic looks for a known
    manufacturer there, and reads a payload whose first nibble is not 0, 4
    or 6 as data."""
    _fresh_outer_ident()
    def l3vpn(ippkt, v6, fwd):
        macs = MAC_ROUTER_B + MAC_ROUTER_A if fwd else MAC_ROUTER_A + MAC_ROUTER_B
        labels = [16, 1000] if fwd else [17, 1001]
        return macs + b"\x88\x47" + mpls_stack(labels) + ippkt

    def pseudowire(label, cw, oui):
        def wrap(ippkt, v6, fwd):
            macs = MAC_ROUTER_B + MAC_ROUTER_A if fwd else MAC_ROUTER_A + MAC_ROUTER_B
            inner = oui + (b"\0\0\x02" + oui + b"\0\0\x01" if fwd else b"\0\0\x01" + oui + b"\0\0\x02")
            return macs + b"\x88\x47" + mpls_stack([label]) + cw + inner \
                + struct.pack("!H", _ethertype(v6)) + ippkt
        return l2_wrap(wrap)
    p, add = conns_merged(LINKTYPE_ETHERNET, [
        (l2_wrap(l3vpn), v4_pair(cport=52601), False, 0, "mpls"),
        (pseudowire(2000, b"\0\0\0\0", bytes.fromhex("001b21")), v4_pair(cport=52602), False,
         1 * MS, "pw-cw"),
        (pseudowire(2001, b"", bytes.fromhex("001b21")), v4_pair(cport=52603), False, 2 * MS,
         "pw-nocw"),
    ])
    return p.bytes()


def ppp_proto(v6):
    return struct.pack("!H", 0x0057 if v6 else 0x0021)


@capture("pppoe.pcap")
def make_pppoe():
    """Ethernet / PPPoE session 0x2a01 / PPP: an IPv4 and an IPv6
    connection, and one LCP echo request (not IP)."""
    _fresh_outer_ident()
    def pppoe(ippkt, v6, fwd):
        macs = MAC_ROUTER_B + MAC_CLIENT if fwd else MAC_CLIENT + MAC_ROUTER_B
        body = ppp_proto(v6) + ippkt
        return macs + b"\x88\x64" + struct.pack("!BBHH", 0x11, 0, 0x2A01, len(body)) + body
    p, add = conns_merged(LINKTYPE_ETHERNET, [
        (l2_wrap(pppoe), v4_pair(cport=52701), False, 0, "pppoe4"),
        (l2_wrap(pppoe), v6_pair(cport=52702), True, 1 * MS, "pppoe6"),
    ])
    lcp = b"\xc0\x21" + struct.pack("!BBHI", 9, 1, 8, 0x12345678)
    add(T0 + 40 * MS, MAC_ROUTER_B + MAC_CLIENT + b"\x88\x64"
        + struct.pack("!BBHH", 0x11, 0, 0x2A01, len(lcp)) + lcp)
    return p.bytes()


@capture("ppp.pcap")
def make_ppp():
    """LINKTYPE_PPP (9) with the HDLC-like address and control bytes
    ff 03: an IPv4 and an IPv6 connection."""
    _fresh_outer_ident()
    def ppp(ippkt, v6, fwd):
        return b"\xff\x03" + ppp_proto(v6) + ippkt
    p, add = conns_merged(LINKTYPE_PPP, [
        (l2_wrap(ppp), v4_pair(cport=52801), False, 0, "ppp4"),
        (l2_wrap(ppp), v6_pair(cport=52802), True, 1 * MS, "ppp6"),
    ])
    return p.bytes()


@capture("juniper-ether.pcap")
def make_juniper():
    """LINKTYPE_JUNIPER_ETHER (178), as a Juniper router captures: "MGC",
    flags (extensions present; in/out), 8 bytes of extension TLVs (the
    interface index), then the Ethernet frame: an IPv4 connection."""
    _fresh_outer_ident()
    def juniper(ippkt, v6, fwd):
        tlvs = struct.pack("!BBI", 4, 4, 0x200 + (1 if fwd else 2)) + b"\x00\x00"
        hdr = b"MGC" + bytes([0x80 | (0 if fwd else 1)]) + struct.pack("!H", len(tlvs)) + tlvs
        return hdr + inner_ether(ippkt, v6, fwd)
    p, add = conns_merged(LINKTYPE_JUNIPER_ETHER, [
        (l2_wrap(juniper), v4_pair(cport=52901), False, 0, "juniper"),
    ])
    return p.bytes()


@capture("ipoib.pcap")
def make_ipoib():
    """LINKTYPE_IPOIB (242): a 40-byte pseudo routing header, then RFC
    4391's type and reserved fields: an IPv4 and an IPv6 connection."""
    _fresh_outer_ident()
    def ipoib(ippkt, v6, fwd):
        return b"\0" * 40 + struct.pack("!HH", _ethertype(v6), 0) + ippkt
    p, add = conns_merged(LINKTYPE_IPOIB, [
        (l2_wrap(ipoib), v4_pair(cport=53001), False, 0, "ipoib4"),
        (l2_wrap(ipoib), v6_pair(cport=53002), True, 1 * MS, "ipoib6"),
    ])
    return p.bytes()


def arcnet(header_offset):
    """ARCNET: source and destination ids (and a 2-byte offset on Linux),
    then RFC 1201 for IPv4 (212: split flag 0, sequence) and IPv6 (196)."""
    seq = [0]

    def wrap(ippkt, v6, fwd):
        seq[0] += 1
        ids = bytes([0x10, 0x20] if fwd else [0x20, 0x10])
        off = b"\0\0" if header_offset else b""
        proto = 196 if v6 else 212
        return ids + off + bytes([proto, 0]) + struct.pack("!H", seq[0]) + ippkt
    return l2_wrap(wrap)


@capture("arcnet.pcap")
def make_arcnet():
    """LINKTYPE_ARCNET_BSD (7): an IPv4 connection in RFC 1201 framing, and
    3 frames of an RFC 1051 (protocol 240) connection's handshake."""
    _fresh_outer_ident()
    p, add = conns_merged(LINKTYPE_ARCNET_BSD, [
        (arcnet(False), v4_pair(cport=53101), False, 0, "arc1201"),
    ])
    a, b = v4_pair(cport=53102, cisn=5550000, sisn=6660000)
    c = Conn(lambda t, f: add(t + 60 * MS, f),
             l2_wrap(lambda ip, v6, fwd: bytes([0x10, 0x20] if fwd else [0x20, 0x10]) + b"\xf0" + ip),
             a, b)
    c.handshake(3 * MS)
    return p.bytes()


@capture("arcnet-linux.pcap")
def make_arcnet_linux():
    """LINKTYPE_ARCNET_LINUX (129): RFC 1201 framing after Linux's 2-byte
    offset field: an IPv4 connection."""
    _fresh_outer_ident()
    p, add = conns_merged(LINKTYPE_ARCNET_LINUX, [
        (arcnet(True), v4_pair(cport=53201), False, 0, "arclinux"),
    ])
    return p.bytes()


BSSID = bytes.fromhex("02000000aaaa")


def wlan_data(ippkt, v6, fwd):
    """802.11 QoS data from the station to the AP (To DS) or back (From
    DS), LLC/SNAP, then the IP packet."""
    fc = bytes([0x88, 0x01 if fwd else 0x02])
    addrs = (BSSID + MAC_CLIENT + MAC_SERVER) if fwd else (MAC_CLIENT + BSSID + MAC_SERVER)
    return fc + b"\x00\x00" + addrs + b"\x10\x00" + b"\x00\x00" \
        + b"\xaa\xaa\x03\x00\x00\x00" + struct.pack("!H", _ethertype(v6)) + ippkt


def wlan_extras(add, t):
    """A beacon, a null data frame and a protected (encrypted) QoS data frame."""
    beacon = b"\x80\x00\x00\x00" + b"\xff" * 6 + BSSID + BSSID + b"\x00\x00" + b"\0" * 12
    null = b"\x48\x01\x00\x00" + BSSID + MAC_CLIENT + BSSID + b"\x00\x00"
    prot = b"\x88\x41\x00\x00" + BSSID + MAC_CLIENT + MAC_SERVER + b"\x20\x00\x00\x00" \
        + det_bytes("ccmp", 8 + 60 + 8)
    return [(t, beacon), (t + MS, null), (t + 2 * MS, prot)]


@capture("wlan.pcap")
def make_wlan():
    """LINKTYPE_IEEE802_11 (105), monitor mode without radio header: an
    IPv4 and an IPv6 connection in QoS data frames with LLC/SNAP; a beacon,
    a null data frame and a protected (CCMP) data frame, not analysed."""
    _fresh_outer_ident()
    p, add = conns_merged(LINKTYPE_IEEE802_11, [
        (l2_wrap(wlan_data), v4_pair(cport=53301), False, 0, "wlan4"),
        (l2_wrap(wlan_data), v6_pair(cport=53302), True, 1 * MS, "wlan6"),
    ])
    for t, f in wlan_extras(add, T0 + 60 * MS):
        add(t, f)
    return p.bytes()


@capture("radiotap.pcap")
def make_radiotap():
    """LINKTYPE_IEEE802_11_RADIOTAP (127): the frames of wlan.pcap's IPv4
    connection after a radiotap header (flags, rate, channel, signal)."""
    _fresh_outer_ident()
    rt = struct.pack("<BBHI", 0, 0, 16, 0x2E) + bytes([0x00, 0x6C]) \
        + struct.pack("<HH", 2437, 0x00A0) + bytes([0xC5, 0x00])
    p, add = conns_merged(LINKTYPE_RADIOTAP, [
        (l2_wrap(lambda ip, v6, fwd: rt + wlan_data(ip, v6, fwd)), v4_pair(cport=53401), False,
         0, "radiotap"),
    ])
    for t, f in wlan_extras(add, T0 + 60 * MS):
        add(t, rt + f)
    return p.bytes()


@capture("bad-subsecond.pcap")
def make_bad_subsecond():
    """Microsecond pcap, one IPv4 connection whose 5th record (the
    server's ACK of the request in frame 4) claims 1,500,000 microseconds:
    an invalid field (tshark shows its time as ".1500000000" and an ACK RTT
    of 0.1497 s; tcplab warns and reports no RTT across it)."""
    p, add = pcap_of(LINKTYPE_ETHERNET)
    a, b = v4_pair(cport=53501)
    simple_conn(add, l2_ether(), a, b, tag="badus")
    data = bytearray(p.bytes())
    off = 24
    for i in range(1, 6):
        caplen = struct.unpack_from("<I", data, off + 8)[0]
        if i == 5:
            struct.pack_into("<I", data, off + 4, 1500000)
        off += 16 + caplen
    return bytes(data)


# ------------------------------------------------------------ IP fragments
def frag_v4(ippkt, mtu, mode="order"):
    """The IPv4 packet (20-byte header) cut into fragments of at most `mtu`
    bytes, as RFC 791 cuts them (DF clear). mode: order, reversed, overlap
    (the second fragment starts 16 bytes early, repeating those bytes),
    missing (the second fragment left out)."""
    hdr, data = ippkt[:20], ippkt[20:]
    step = (mtu - 20) // 8 * 8
    ranges = [(off, min(off + step, len(data))) for off in range(0, len(data), step)]
    if mode == "overlap" and len(ranges) > 1:
        ranges[1] = (ranges[1][0] - 16, ranges[1][1])
    out = []
    for start, end in ranges:
        h = bytearray(hdr)
        more = 0x2000 if end < len(data) else 0
        struct.pack_into("!H", h, 2, 20 + end - start)
        struct.pack_into("!H", h, 6, more | start // 8)
        struct.pack_into("!H", h, 10, 0)
        struct.pack_into("!H", h, 10, csum16(bytes(h)))
        out.append(bytes(h) + data[start:end])
    if mode == "reversed":
        out.reverse()
    if mode == "missing" and len(out) > 1:
        del out[1]
    return out


_frag6_ident = [0x6000]


def frag_v6(ippkt, mtu):
    """The IPv6 packet (no extension headers) cut into fragments of at most
    `mtu` bytes with a Fragment header (RFC 8200 §4.5)."""
    _frag6_ident[0] += 1
    hdr, data = ippkt[:40], ippkt[40:]
    nh = hdr[6]
    step = (mtu - 48) // 8 * 8
    out = []
    for start in range(0, len(data), step):
        end = min(start + step, len(data))
        h = bytearray(hdr)
        h[6] = 44
        struct.pack_into("!H", h, 4, 8 + end - start)
        more = 1 if end < len(data) else 0
        fh = struct.pack("!BBHI", nh, 0, (start // 8) << 3 | more, _frag6_ident[0])
        out.append(bytes(h) + fh + data[start:end])
    return out


def l2_ether_frag(mtu, modes=None):
    """Ethernet whose IP packets longer than `mtu` go as fragments (a list
    of frames); modes: the fragmenting mode of each fragmented packet in
    turn (then "order")."""
    modes = list(modes or [])

    def build(src_side, dst_side, ippkt, v6):
        eth = dst_side.mac + src_side.mac + struct.pack("!H", 0x86DD if v6 else 0x0800)
        if len(ippkt) <= mtu:
            return eth + ippkt
        pieces = frag_v6(ippkt, mtu) if v6 else \
            frag_v4(ippkt, mtu, modes.pop(0) if modes else "order")
        return [eth + f for f in pieces]
    return build


def l2_udp_tunnel_frag(port, header, mtu):
    """A UDP tunnel whose outer IPv4 packets longer than `mtu` go as
    fragments, as Linux sends VXLAN (DF clear)."""
    tunnel = l2_udp_tunnel(port, header)

    def build(src_side, dst_side, ippkt, v6):
        frame = tunnel(src_side, dst_side, ippkt, v6)
        eth, outer = frame[:14], frame[14:]
        if len(outer) <= mtu:
            return frame
        return [eth + f for f in frag_v4(outer, mtu)]
    return build


def fragments_sink(events):
    """A sink taking a frame or a list of fragments (1 µs apart)."""
    def sink(t, frames):
        for i, f in enumerate(frames if isinstance(frames, list) else [frames]):
            events.append((t + i * US, f))
    return sink


def frag_capture(link, v6=False, cport=53901):
    p, add = pcap_of(LINKTYPE_ETHERNET)
    ev = []
    a, b = v6_pair(cport=cport) if v6 else v4_pair(cport=cport)
    simple_conn(fragments_sink(ev), link, a, b, v6=v6, tag="frag%d" % cport)
    merge_sorted(ev, add)
    return p.bytes()


@capture("ipfrag-v4.pcap")
def make_ipfrag_v4():
    """IPv4 over a 576-byte MTU: every full data segment in 3 fragments, in order."""
    return frag_capture(l2_ether_frag(576), cport=53901)


@capture("ipfrag-v4-reversed.pcap")
def make_ipfrag_v4_reversed():
    """As ipfrag-v4, every fragmented datagram's fragments sent last first."""
    return frag_capture(l2_ether_frag(576, ["reversed"] * 3), cport=53902)


@capture("ipfrag-v4-overlap.pcap")
def make_ipfrag_v4_overlap():
    """As ipfrag-v4, the second fragment of each datagram starting 16 bytes
    early (overlapping bytes repeated, equal)."""
    return frag_capture(l2_ether_frag(576, ["overlap"] * 3), cport=53903)


@capture("ipfrag-v4-missing.pcap")
def make_ipfrag_v4_missing():
    """As ipfrag-v4, the second data datagram's middle fragment missing."""
    return frag_capture(l2_ether_frag(576, ["order", "missing"]), cport=53904)


@capture("ipfrag-v6.pcap")
def make_ipfrag_v6():
    """IPv6 over a 1280-byte MTU: every full data segment in 2 fragments (Fragment header)."""
    return frag_capture(l2_ether_frag(1280), v6=True, cport=53905)


@capture("vxlan-frag.pcap")
def make_vxlan_frag():
    """VXLAN (UDP 4789, VNI 5001) over a 1500-byte MTU with DF clear, as
    Linux sends it: each full inner segment's outer packet in 2 fragments."""
    _fresh_outer_ident()
    return frag_capture(l2_udp_tunnel_frag(4789, vxlan_header(5001), 1500), cport=53906)


@capture("ipip-inner-frag.pcap")
def make_ipip_inner_frag():
    """IPv4 in IPv4 (protocol 4) whose inner packets were fragmented before
    the tunnel (inner MTU 576): each fragment in an outer packet of its own,
    reassembled inside the tunnel."""
    _fresh_outer_ident()

    def build(src_side, dst_side, ippkt, v6):
        fwd = src_side.mac == MAC_CLIENT
        pieces = frag_v4(ippkt, 576) if len(ippkt) > 576 else [ippkt]
        frames = [outer_v4(f, 4, fwd) for f in pieces]
        return frames if len(frames) > 1 else frames[0]
    return frag_capture(build, cport=53907)


# ------------------------------------------------------------------ main
def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--list", action="store_true", help="list the files and exit")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    if a.list:
        for n, fn in CAPTURES.items():
            print("%-24s %s" % (n, " ".join((fn.__doc__ or "").split())))
        return 0
    names = a.names or list(CAPTURES)
    for n in names:
        if n not in CAPTURES:
            sys.exit("synth.py: unknown capture %s (see --list)" % n)
    for n in names:
        data = CAPTURES[n]()
        path = os.path.join(a.out, n)
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.replace(path + ".tmp", path)
        print("%-24s %7d bytes" % (n, len(data)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
