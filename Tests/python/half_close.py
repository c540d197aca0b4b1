"""Clients that send a request and then shut down their sending side (as `nc -N` does) get the
whole answer, then EOF. The daemon is stopped while the requests go out, so it finds them all in
one turn of its event loop (the answers of one turn are flushed together).

usage: half_close.py CLIENT_SOCKET ADMIN_SOCKET DAEMON_PID N
       half_close.py big CLIENT_SOCKET PATH DELAY   one GET of PATH, then SHUT_WR, then a pause
                                                    before reading (the answer fills the socket)
Prints JSON: the status of each answer and whether each connection then ended (big: the body's
length too)."""
import json
import os
import signal
import socket
import sys

import time

if sys.argv[1] == "big":
    sock_path, path, delay = sys.argv[2], sys.argv[3], float(sys.argv[4])
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(sock_path)
    s.sendall(b"GET %s HTTP/1.1\r\nHost: v\r\n\r\n" % path.encode())
    s.shutdown(socket.SHUT_WR)
    time.sleep(delay)
    data = b""
    while True:
        c = s.recv(65536)
        if not c:
            break
        data += c
    head, _, body = data.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" in head.lower():
        plain, rest = b"", body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                break
            plain, rest = plain + rest[:size], rest[size + 2:]
        body = plain
    print(json.dumps({"status": int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1 ") else None,
                      "length": len(body), "ended": True}))
    sys.exit(0)

client_path, admin_path, pid, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
BODY = json.dumps({"method": "GET", "url": "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/"}).encode()
HEADERS = (b"POST /v1/headers HTTP/1.1\r\nHost: v\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
           % len(BODY)) + BODY
HEALTH = b"GET /v1/health HTTP/1.1\r\nHost: v\r\n\r\n"


def read_all(s):
    data = b""
    while True:
        c = s.recv(65536)
        if not c:
            return data, True
        data += c


def status(answer):
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else None


conns = []
os.kill(pid, signal.SIGSTOP)
try:
    for path, request in [(client_path, HEADERS)] * n + [(admin_path, HEALTH)] * 2:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(path)
        s.sendall(request)
        s.shutdown(socket.SHUT_WR)
        conns.append((path, s))
finally:
    os.kill(pid, signal.SIGCONT)
out = {"client": [], "admin": [], "ended": []}
for path, s in conns:
    try:
        answer, ended = read_all(s)
    except OSError as e:
        answer, ended = b"", type(e).__name__
    out["client" if path == client_path else "admin"].append(status(answer))
    out["ended"].append(ended)
    s.close()
print(json.dumps(out))
