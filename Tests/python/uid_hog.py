"""Holds connections open as one user, the way a hostile user would take every connection.

usage:
  uid_hog.py hold unix:PATH|tcp:PORT COUNT SECONDS READY_FILE
      opens COUNT connections, touches READY_FILE, holds them SECONDS; prints how many the
      daemon refused at once (429) and how many it kept.
  uid_hog.py health unix:PATH SECONDS
      one connection sending GET /v1/health every 0.5 s for SECONDS; prints the answers it got
      and whether the daemon closed it.
  uid_hog.py stream unix:PATH PROXY_PATH ASK_PATH
      starts a large proxied answer on one connection and stops reading it after its head, then
      asks ASK_PATH on a second connection; prints both statuses.
"""
import json
import select
import socket
import sys
import time


def connect(target):
    kind, _, where = target.partition(":")
    if kind == "unix":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(where)
    else:
        s = socket.create_connection(("127.0.0.1", int(where)))
    return s


mode = sys.argv[1]
if mode == "hold":
    target, count, seconds, ready = sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
    socks, failed = [], 0
    for _ in range(count):
        try:
            socks.append(connect(target))
        except OSError:
            failed += 1
    time.sleep(0.5)
    refused = 0
    for s in list(socks):
        r, _, _ = select.select([s], [], [], 0)
        if r and b" 429 " in s.recv(4096):
            refused += 1
            socks.remove(s)
            s.close()
    open(ready, "w").close()
    time.sleep(seconds)
    print(json.dumps({"kept": len(socks), "refused": refused, "failed": failed}))
elif mode == "stream":
    target, proxied, ask = sys.argv[2], sys.argv[3], sys.argv[4]
    held = connect(target)
    held.sendall(b"GET " + proxied.encode() + b" HTTP/1.1\r\nHost: v\r\n\r\n")
    head = held.recv(4096)
    time.sleep(0.5)
    other = connect(target)
    other.sendall(b"GET " + ask.encode() + b" HTTP/1.1\r\nHost: v\r\n\r\n")
    answer = other.recv(4096)
    print(json.dumps({"held": int(head.split(b" ")[1]), "other": int(answer.split(b" ")[1])}))
else:
    target, seconds = sys.argv[2], float(sys.argv[3])
    s = connect(target)
    answers, closed = 0, False
    end = time.time() + seconds
    while time.time() < end:
        try:
            s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: v\r\n\r\n")
            data = s.recv(4096)
        except OSError:
            closed = True
            break
        if not data:
            closed = True
            break
        answers += 1
        time.sleep(0.5)
    print(json.dumps({"answers": answers, "closed": closed}))
