#!/usr/bin/env python3
"""Traffic for the benchmark captures (run inside a private network namespace).

  traffic.py bulk  --streams 8 --bytes 58720256 [--port 5001]
      N parallel one-way TCP transfers of BYTES each to a local sink.
  traffic.py many  --conns 30000 [--port 5002]
      CONNS short connections in sequence: connect, send a few hundred
      bytes, close; the server reads to EOF and closes.

Deterministic where the kernel lets it be: fixed ports (server port, and the
client source port of each connection), fixed sizes and fixed payload bytes.
Timing, ISNs, ACK patterns are the kernel's. Every wait is bounded: the
whole run is abandoned after --deadline seconds (exit status 3).
"""

import argparse
import os
import random
import socket
import sys
import threading
import time

HOST = "127.0.0.1"


def payload_block(size, seed):
    rnd = random.Random(seed)
    return bytes(rnd.getrandbits(8) for _ in range(size))


def watchdog(deadline):
    def fire():
        sys.stderr.write(f"traffic.py: deadline of {deadline}s passed, giving up\n")
        sys.stderr.flush()
        os._exit(3)

    t = threading.Timer(deadline, fire)
    t.daemon = True
    t.start()


def listener(port, backlog):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, port))
    s.listen(backlog)
    return s


def client_socket(sport):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind((HOST, sport))
    return c


def bulk(args):
    srv = listener(args.port, args.streams)
    received = [0] * args.streams
    errors = []

    def sink(conn, i):
        buf = bytearray(1 << 20)
        view = memoryview(buf)
        try:
            while True:
                n = conn.recv_into(view)
                if n == 0:
                    break
                received[i] += n
        except OSError as e:
            errors.append(f"sink {i}: {e}")
        finally:
            conn.close()

    def acceptor():
        for i in range(args.streams):
            conn, _ = srv.accept()
            threading.Thread(target=sink, args=(conn, i), daemon=True).start()

    block = payload_block(1 << 16, 1)
    big = block * 16  # 1 MiB of fixed pseudo-random bytes

    def source(i):
        try:
            c = client_socket(args.client_port + i)
            c.connect((HOST, args.port))
            left = args.bytes
            while left > 0:
                n = min(left, len(big))
                c.sendall(memoryview(big)[:n])
                left -= n
            c.shutdown(socket.SHUT_WR)
            # Wait for the server's FIN so the close is complete in the capture.
            while c.recv(65536):
                pass
            c.close()
        except OSError as e:
            errors.append(f"source {i}: {e}")

    acc = threading.Thread(target=acceptor, daemon=True)
    acc.start()
    started = time.monotonic()
    senders = [threading.Thread(target=source, args=(i,), daemon=True) for i in range(args.streams)]
    for t in senders:
        t.start()
    for t in senders:
        t.join()
    elapsed = time.monotonic() - started
    srv.close()
    total = args.streams * args.bytes
    print(f"bulk: {args.streams} x {args.bytes} bytes in {elapsed:.1f} s "
          f"({total * 8 / elapsed / 1e6:.0f} Mbit/s)")
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    return 0


def many(args):
    srv = listener(args.port, 4096)
    errors = []
    served = [0]

    def server():
        try:
            while served[0] < args.conns:
                conn, _ = srv.accept()
                while conn.recv(4096):
                    pass
                conn.close()
                served[0] += 1
        except OSError as e:
            errors.append(f"server: {e}")

    st = threading.Thread(target=server, daemon=True)
    st.start()
    data = payload_block(1024, 2)
    started = time.monotonic()
    for i in range(args.conns):
        # Distinct source ports: no 4-tuple is reused while in TIME_WAIT.
        c = client_socket(args.client_port + i)
        c.connect((HOST, args.port))
        size = 200 + (i * 37) % 400  # 200..599 bytes
        c.sendall(data[:size])
        c.close()
    st.join(timeout=30)
    elapsed = time.monotonic() - started
    srv.close()
    print(f"many: {served[0]} of {args.conns} connections in {elapsed:.1f} s")
    if errors or served[0] != args.conns:
        print("\n".join(errors) or "server did not see every connection", file=sys.stderr)
        return 1
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bulk")
    b.add_argument("--streams", type=int, default=8)
    b.add_argument("--bytes", type=int, default=56 << 20)
    b.add_argument("--port", type=int, default=5001)
    b.add_argument("--client-port", type=int, default=40001)
    b.add_argument("--deadline", type=float, default=300)
    m = sub.add_parser("many")
    m.add_argument("--conns", type=int, default=30000)
    m.add_argument("--port", type=int, default=5002)
    m.add_argument("--client-port", type=int, default=20000)
    m.add_argument("--deadline", type=float, default=300)
    args = p.parse_args()
    if args.cmd == "many" and args.client_port + args.conns > 65536:
        p.error("--client-port + --conns must stay below 65536")
    watchdog(args.deadline)
    return bulk(args) if args.cmd == "bulk" else many(args)


if __name__ == "__main__":
    sys.exit(main())
