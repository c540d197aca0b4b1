"""Attempts to borrow a granted caller's identity on the vault's client socket.

usage:
  borrow_identity.py ask SOCKET
      one request for revealed headers of MA_BETA on a fresh connection; prints the answer.
  borrow_identity.py forkexec SOCKET GRANTED_EXE MARKER [parent-asks]
      connects, forks; the parent execs GRANTED_EXE (this script, stage "hold"), the child waits
      until the parent runs it, writes a request on the shared connection, touches MARKER and
      prints the answer. With "parent-asks" the parent (now the granted program) writes the
      request itself on the connection it inherited, and the child only waits.

Prints JSON: {"status", "type", "mode", "token_seen"}; never a header value.
"""
import http.client
import json
import os
import socket
import sys
import time

REQUEST = {"method": "GET", "url": "https://api.vobiz.ai/api/v1/Account/MA_BETA/Call/"}


def send(sock):
    body = json.dumps(REQUEST).encode()
    sock.sendall(b"POST /v1/headers HTTP/1.1\r\nHost: vobiz-vault\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n" % len(body) + body)


def answer(sock):
    try:
        resp = http.client.HTTPResponse(sock)
        resp.begin()
        data = json.loads(resp.read() or b"{}")
        headers = data.get("headers") or {}
        return {"status": resp.status, "type": (data.get("type") or "").rsplit(":", 1)[-1] or None,
                "mode": data.get("mode"), "token_seen": "X-Auth-Token" in headers}
    except (OSError, http.client.HTTPException, ValueError) as e:
        return {"error": type(e).__name__}


stage = sys.argv[1]
if stage == "ask":
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[2])
    send(s)
    print(json.dumps(answer(s)))
elif stage == "forkexec":
    path, granted, marker = sys.argv[2:5]
    parent_asks = len(sys.argv) > 5
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    parent = os.getpid()
    if os.fork() == 0:
        # The child: wait for the parent to become the granted program, then use the connection.
        want = os.path.realpath(granted)
        for _ in range(500):
            try:
                if os.readlink("/proc/%d/exe" % parent) == want:
                    break
            except OSError:
                pass
            time.sleep(0.01)
        if parent_asks:
            open(marker, "w").close()
            os._exit(0)
        send(s)
        open(marker, "w").close()
        print(json.dumps(answer(s)), flush=True)
        os._exit(0)
    fd = s.detach()
    os.set_inheritable(fd, True)
    os.execv(granted, [granted, os.path.abspath(__file__), "hold", str(fd), marker, "ask" if parent_asks else "wait"])
elif stage == "hold":
    # The granted program, with the connection inherited at fd.
    fd, marker, what = int(sys.argv[2]), sys.argv[3], sys.argv[4]
    s = socket.socket(fileno=fd)
    if what == "ask":
        send(s)
        print(json.dumps(answer(s)), flush=True)
    else:
        time.sleep(3)
