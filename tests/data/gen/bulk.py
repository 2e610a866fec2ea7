#!/usr/bin/env python3
"""Bulk transfer: `bulk.py recv ...` accepts ONE connection and reads until
EOF; `bulk.py send ...` connects, sends N deterministic bytes, half-closes
and waits for the receiver's FIN (graceful FIN/FIN teardown).

recv options let the reader be slow (--rcvbuf, --chunk, --interval,
--stall) to provoke zero-window conditions.
"""
import argparse
import socket
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in tests/data/gen
import common  # noqa: E402


def do_recv(a):
    common.hard_timeout(a.timeout)
    ls = common.listen(a.bind, a.port, rcvbuf=a.rcvbuf)
    ls.settimeout(a.timeout)
    common.write_ready(a.ready, ls.getsockname()[1])
    conn, peer = ls.accept()
    ls.close()
    conn.settimeout(a.timeout)
    if a.stall:
        time.sleep(a.stall)
    got = bytearray()
    while True:
        d = conn.recv(a.chunk)
        if not d:
            break
        got += d
        if a.interval:
            time.sleep(a.interval)
    conn.close()
    if a.expect is not None:
        want = common.payload(a.expect, a.tag)
        if bytes(got) != want:
            sys.stderr.write("bulk recv: payload mismatch (%d bytes, want %d)\n"
                             % (len(got), a.expect))
            return 1
    print("bulk recv: %d bytes from %s" % (len(got), peer[:2]))
    return 0


def do_send(a):
    common.hard_timeout(a.timeout)
    s = common.connect(a.connect, a.port, a.bind_port, a.cc, a.timeout)
    if a.sndbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, a.sndbuf)
    s.sendall(common.payload(a.bytes, a.tag))
    s.shutdown(socket.SHUT_WR)
    rest = common.recv_all(s)
    s.close()
    print("bulk send: %d bytes sent, %d received back" % (a.bytes, len(rest)))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest="mode", required=True)
    r = sub.add_parser("recv")
    r.add_argument("--bind", default="127.0.0.1")
    r.add_argument("--port", type=int, default=0, help="0 = kernel picks")
    r.add_argument("--ready", help="file written (with the port) once listening")
    r.add_argument("--rcvbuf", type=int)
    r.add_argument("--chunk", type=int, default=65536, help="bytes per recv()")
    r.add_argument("--interval", type=float, default=0.0, help="sleep after each recv()")
    r.add_argument("--stall", type=float, default=0.0, help="sleep after accept()")
    r.add_argument("--expect", type=int, help="verify this many payload bytes")
    r.add_argument("--tag", default="bulk")
    r.add_argument("--timeout", type=float, default=30)
    s = sub.add_parser("send")
    s.add_argument("--connect", default="127.0.0.1")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--bind-port", type=int, default=0)
    s.add_argument("--bytes", type=int, required=True)
    s.add_argument("--cc", help="TCP congestion control (e.g. cubic)")
    s.add_argument("--sndbuf", type=int)
    s.add_argument("--tag", default="bulk")
    s.add_argument("--timeout", type=float, default=30)
    a = p.parse_args()
    return do_recv(a) if a.mode == "recv" else do_send(a)


if __name__ == "__main__":
    sys.exit(main())
