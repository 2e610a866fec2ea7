"""Shared helpers for the tcplab capture generators (python3 stdlib only).

Payloads are deterministic: the byte at offset i of a stream tagged T is
always the same, so a capture of the same transfer always carries the same
bytes (only ports, ISNs, timestamps and loss patterns change between runs).
"""
import os
import signal
import socket
import sys


def payload(nbytes, tag="tcplab"):
    """Deterministic, human-readable payload: 64-byte lines
    'tcplab <tag> <offset> ....\\n' cut to exactly nbytes."""
    out = bytearray()
    line_no = 0
    while len(out) < nbytes:
        head = "%s %s %010d " % ("tcplab", tag, line_no * 64)
        fill = "abcdefghijklmnopqrstuvwxyz0123456789"
        line = (head + fill * 2)[:63] + "\n"
        out += line.encode("ascii")
        line_no += 1
    return bytes(out[:nbytes])


def hard_timeout(seconds):
    """Kill this process (exit 3) after `seconds`, whatever it is doing."""
    def _alarm(signum, frame):
        sys.stderr.write("%s: hard timeout after %ss\n" % (sys.argv[0], seconds))
        os._exit(3)
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(int(seconds))


def write_ready(path, text="ready"):
    """Atomically create the ready file the driver script waits for."""
    if not path:
        return
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(text) + "\n")
    os.rename(tmp, path)


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def listen(addr, port, backlog=8, rcvbuf=None):
    s = socket.socket(family_of(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        # must be set before listen() so that the accepted socket inherits
        # it and the window scale negotiated in the SYN/ACK matches it
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((addr, port))
    s.listen(backlog)
    return s


def connect(addr, port, bind_port=0, cc=None, timeout=10.0):
    s = socket.socket(family_of(addr), socket.SOCK_STREAM)
    if cc:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, cc.encode())
    if bind_port:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::" if ":" in addr else "0.0.0.0", bind_port))
    s.settimeout(timeout)
    s.connect((addr, port))
    return s


def recv_all(sock, chunk=65536):
    """Read until EOF, return the bytes."""
    buf = bytearray()
    while True:
        d = sock.recv(chunk)
        if not d:
            return bytes(buf)
        buf += d
