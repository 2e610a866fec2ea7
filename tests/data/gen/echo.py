#!/usr/bin/env python3
"""Echo server + two concurrent clients.

server:  selectors-based echo server; serves exactly --clients connections,
         closes each one when it reads EOF (graceful FIN teardown), exits
         when all are done or after --timeout.
clients: opens two connections at once and interleaves 3 short messages on
         each (A1 B1 A2 B2 A3 B3), waiting for every echo, then closes
         A and B (client FIN first, server FIN after).
"""
import argparse
import selectors
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in tests/data/gen
import common  # noqa: E402


def do_server(a):
    common.hard_timeout(a.timeout)
    ls = common.listen(a.bind, a.port)
    ls.setblocking(False)
    common.write_ready(a.ready, ls.getsockname()[1])
    sel = selectors.DefaultSelector()
    sel.register(ls, selectors.EVENT_READ, None)
    accepted = done = 0
    deadline = time.monotonic() + a.timeout
    while done < a.clients and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.5):
            if key.data is None:
                c, _ = ls.accept()
                c.setblocking(True)
                sel.register(c, selectors.EVENT_READ, "c")
                accepted += 1
                if accepted == a.clients:
                    sel.unregister(ls)
                    ls.close()
            else:
                c = key.fileobj
                d = c.recv(4096)
                if d:
                    c.sendall(d)
                else:
                    sel.unregister(c)
                    c.close()
                    done += 1
    print("echo server: %d clients served" % done)
    return 0 if done == a.clients else 1


def do_clients(a):
    common.hard_timeout(a.timeout)
    ports = [a.bind_port, a.bind_port + 1] if a.bind_port else [0, 0]
    socks = [common.connect(a.connect, a.port, bp) for bp in ports]
    for i in range(3):
        for name, s in zip("AB", socks):
            msg = ("hello from client %s, message %d of 3\n" % (name, i + 1)).encode()
            s.sendall(msg)
            got = b""
            while len(got) < len(msg):
                d = s.recv(4096)
                if not d:
                    raise SystemExit("echo client: early EOF")
                got += d
            assert got == msg, (got, msg)
            time.sleep(0.005)
    for s in socks:
        s.shutdown(1)
    for s in socks:
        common.recv_all(s)
        s.close()
    print("echo clients: done")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("server")
    s.add_argument("--bind", default="127.0.0.1")
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--clients", type=int, default=2)
    s.add_argument("--ready")
    s.add_argument("--timeout", type=float, default=20)
    c = sub.add_parser("clients")
    c.add_argument("--connect", default="127.0.0.1")
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--bind-port", type=int, default=0,
                   help="client A binds this port, client B port+1")
    c.add_argument("--timeout", type=float, default=20)
    a = p.parse_args()
    return do_server(a) if a.mode == "server" else do_clients(a)


if __name__ == "__main__":
    sys.exit(main())
