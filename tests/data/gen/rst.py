#!/usr/bin/env python3
"""RST scenarios.

server: accepts ONE connection, answers each message with 'ok <n>\\n' and
        stops at EOF/RST (bounded by --timeout).
client: connects, exchanges 3 messages, then aborts with SO_LINGER {1,0}
        (close() sends RST instead of FIN); then, if --closed-port is given,
        tries to connect to that port where nothing listens (SYN -> RST/ACK).
"""
import argparse
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in tests/data/gen
import common  # noqa: E402


def do_server(a):
    common.hard_timeout(a.timeout)
    ls = common.listen(a.bind, a.port)
    ls.settimeout(a.timeout)
    common.write_ready(a.ready, ls.getsockname()[1])
    conn, _ = ls.accept()
    ls.close()
    conn.settimeout(a.timeout)
    n = 0
    try:
        while True:
            d = conn.recv(4096)
            if not d:
                break
            n += 1
            conn.sendall(b"ok %d\n" % n)
    except ConnectionResetError:
        print("rst server: connection reset by peer after %d messages" % n)
    conn.close()
    return 0


def do_client(a):
    common.hard_timeout(a.timeout)
    s = common.connect(a.connect, a.port, a.bind_port)
    for i in range(3):
        s.sendall(common.payload(200, "rst%d" % i))
        s.recv(4096)
        time.sleep(0.01)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()  # -> RST
    if a.closed_port:
        time.sleep(0.05)
        try:
            common.connect(a.connect, a.closed_port, timeout=2)
            print("rst client: unexpected connect success on closed port")
            return 1
        except ConnectionRefusedError:
            print("rst client: closed port refused (SYN -> RST/ACK)")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("server")
    s.add_argument("--bind", default="127.0.0.1")
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--ready")
    s.add_argument("--timeout", type=float, default=20)
    c = sub.add_parser("client")
    c.add_argument("--connect", default="127.0.0.1")
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--bind-port", type=int, default=0)
    c.add_argument("--closed-port", type=int)
    c.add_argument("--timeout", type=float, default=20)
    a = p.parse_args()
    return do_server(a) if a.mode == "server" else do_client(a)


if __name__ == "__main__":
    sys.exit(main())
