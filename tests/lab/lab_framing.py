#!/usr/bin/env python3
"""The lab's A-PDU functions (practica 4, v3), for interoperability tests.

`encapsula` and `readmsg` are the lab's code, ported from Python 2 strings to
Python 3 bytes; the only addition is the end-of-stream check marked below,
without which the lab's loop spins forever when the peer closes.

Usage:
  lab_framing.py encode MSG...        print each encapsula(MSG) as hex
  lab_framing.py client HOST PORT MSG...  send each MSG, print each reply
  lab_framing.py server               framed echo server on 127.0.0.1, port 0:
                                      prints "listening on ADDR", serves one
                                      client, exits when it closes
"""
import socket
import sys


def encapsula(mensaje):
    tam = len(mensaje)
    apdu = '{:0>6n}'.format(tam).encode() + b':' + mensaje
    return apdu


def readmsg(conn):
    data = conn.recv(8)
    if not data:  # added: the peer closed
        raise EOFError
    c = data.split(b':')
    tamano = int(c[0])
    msg = c[1]
    pending = tamano - len(c[1])
    while pending > 0:
        data = conn.recv(pending)
        if not data:  # added: the peer closed mid-message
            raise EOFError
        msg = msg + data
        pending = pending - len(data)
    return msg


def client(host, port, messages):
    s = socket.create_connection((host, int(port)), timeout=10)
    for m in messages:
        s.sendall(encapsula(m.encode()))
        print(readmsg(s).decode(), flush=True)
    s.close()


def server():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', 0))
    s.listen(10)
    s.settimeout(10)
    host, port = s.getsockname()
    print('listening on %s:%d' % (host, port), flush=True)
    conn, addr = s.accept()
    conn.settimeout(10)
    try:
        while True:
            msg = readmsg(conn)
            print('received %r' % msg, file=sys.stderr, flush=True)
            conn.sendall(encapsula(msg))
    except EOFError:
        pass
    conn.close()
    s.close()


if __name__ == '__main__':
    command = sys.argv[1]
    if command == 'encode':
        for m in sys.argv[2:]:
            print(encapsula(m.encode()).hex())
    elif command == 'client':
        client(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif command == 'server':
        server()
    else:
        sys.exit('unknown command ' + command)
