#!/usr/bin/env python3
"""Final exercise 2 as a student writes it, for interoperability tests.

Line by line: the client reads the file a line at a time and sends each
line as it is; the server writes whatever arrives until the client closes.
Whole file: the client puts the file in one message behind the framing
exercise's header (the length in N decimal digits, 6 in the lab, then ':')
and sends it with one sendall(); the server reads the header, then exactly
that many bytes, and stores them. Written for these tests in the spirit of
the lab's Python 2 programs, with bytes instead of str.

Usage:
  lab_file_copy.py lines-client HOST PORT FILE
  lab_file_copy.py whole-client HOST PORT FILE [DIGITS]
  lab_file_copy.py lines-server OUT
  lab_file_copy.py whole-server OUT [DIGITS]
Servers listen on 127.0.0.1, port 0, print "listening on ADDR", serve one
client and exit.
"""
import socket
import sys


def frame(data, digits=6):
    """The framing exercise's A-PDU: zero-padded length, ':', the data."""
    return str(len(data)).rjust(digits, '0').encode() + b':' + data


def read_frame(conn, digits=6):
    """Reads one A-PDU: the header (however the bytes arrive), then the body."""
    header = b''
    while len(header) < digits + 1:
        piece = conn.recv(digits + 1 - len(header))
        if not piece:
            raise EOFError('closed inside the header')
        header += piece
    size = int(header[:digits])
    assert header[digits:] == b':', header
    body = b''
    while len(body) < size:
        piece = conn.recv(min(65536, size - len(body)))
        if not piece:
            raise EOFError('closed after %d of %d bytes' % (len(body), size))
        body += piece
    return body


def lines_client(host, port, path):
    s = socket.create_connection((host, int(port)), timeout=10)
    with open(path, 'rb') as f:
        for line in f:
            s.sendall(line)
    s.close()


def whole_client(host, port, path, digits=6):
    s = socket.create_connection((host, int(port)), timeout=10)
    with open(path, 'rb') as f:
        data = f.read()
    s.sendall(frame(data, digits))
    s.close()


def listen():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', 0))
    s.listen(10)
    s.settimeout(10)
    print('listening on %s:%d' % s.getsockname(), flush=True)
    conn, addr = s.accept()
    conn.settimeout(10)
    return s, conn


def lines_server(out):
    s, conn = listen()
    with open(out, 'wb') as f:
        while True:
            data = conn.recv(1024)
            if not data:
                break
            f.write(data)
    conn.close()
    s.close()


def whole_server(out, digits=6):
    s, conn = listen()
    data = read_frame(conn, digits)
    with open(out, 'wb') as f:
        f.write(data)
    conn.close()
    s.close()


if __name__ == '__main__':
    command, args = sys.argv[1], sys.argv[2:]
    if command == 'lines-client':
        lines_client(*args)
    elif command == 'whole-client':
        whole_client(*args[:3], *[int(d) for d in args[3:]])
    elif command == 'lines-server':
        lines_server(*args)
    elif command == 'whole-server':
        whole_server(args[0], *[int(d) for d in args[1:]])
    else:
        sys.exit('unknown command ' + command)
