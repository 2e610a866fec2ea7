#!/usr/bin/env python3
"""Half-close.

client: sends --request bytes, shutdown(SHUT_WR) (client FIN), then keeps
        reading the server's answer until EOF, then close().
server: reads until EOF (client FIN), waits a little, then sends
        --response bytes on the half-closed connection, then close()
        (server FIN).
"""
import argparse
import socket
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
    req = common.recv_all(conn)
    time.sleep(0.05)  # data clearly after the client's FIN
    conn.sendall(common.payload(a.response, "answer"))
    time.sleep(0.02)
    conn.close()
    print("halfclose server: got %d, sent %d after client FIN" % (len(req), a.response))
    return 0 if req == common.payload(len(req), "request") else 1


def do_client(a):
    common.hard_timeout(a.timeout)
    s = common.connect(a.connect, a.port, a.bind_port)
    s.sendall(common.payload(a.request, "request"))
    s.shutdown(socket.SHUT_WR)
    ans = common.recv_all(s)
    s.close()
    print("halfclose client: received %d bytes after SHUT_WR" % len(ans))
    return 0 if len(ans) == a.response else 1


def main():
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("server")
    s.add_argument("--bind", default="127.0.0.1")
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--response", type=int, default=20000)
    s.add_argument("--ready")
    s.add_argument("--timeout", type=float, default=20)
    c = sub.add_parser("client")
    c.add_argument("--connect", default="127.0.0.1")
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--bind-port", type=int, default=0)
    c.add_argument("--request", type=int, default=3000)
    c.add_argument("--response", type=int, default=20000)
    c.add_argument("--timeout", type=float, default=20)
    a = p.parse_args()
    return do_server(a) if a.mode == "server" else do_client(a)


if __name__ == "__main__":
    sys.exit(main())
