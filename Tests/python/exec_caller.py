"""A caller that connects, asks, then exec's on the same connection (DESIGN §5).

Stage "first" connects to the client socket and makes a request, then exec's the program it
already runs (its /proc/self/exe) with the connection's fd kept open; stage "same" makes a request on that
fd and exec's OTHER_EXE (another program); stage "other" makes a last request on the fd and prints
every answer as JSON. With LAST_PATH, stage "other" asks `GET LAST_PATH` instead (another route).

usage: exec_caller.py first SOCKET OTHER_EXE [LAST_PATH]
"""
import http.client
import json
import os
import socket
import sys

REQUEST = {"method": "GET", "url": "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/"}


def ask(sock, stage, path=None):
    body = json.dumps(REQUEST).encode()
    try:
        if path:
            sock.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: vobiz-vault\r\n\r\n")
        else:
            sock.sendall(b"POST /v1/headers HTTP/1.1\r\nHost: vobiz-vault\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(body) + body)
        # Read with a response object of our own, so nothing closes the socket behind our back.
        resp = http.client.HTTPResponse(sock)
        resp.begin()
        answer = json.loads(resp.read())
        return {"stage": stage, "pid": os.getpid(), "exe": os.readlink("/proc/self/exe"), "status": resp.status,
                "type": answer.get("type", "").rsplit(":", 1)[-1] or None, "mode": answer.get("mode"),
                "detail": answer.get("detail"), "connection": resp.getheader("Connection")}
    except (OSError, http.client.HTTPException, ValueError) as e:
        return {"stage": stage, "pid": os.getpid(), "error": repr(e)}


def hand_on(fd, exe, stage, results, rest):
    os.set_inheritable(fd, True)
    os.execv(exe, [exe, os.path.abspath(__file__), stage, str(fd), json.dumps(results)] + rest)


stage = sys.argv[1]
if stage == "first":
    path, other_exe, last = sys.argv[2], sys.argv[3], sys.argv[4:5]
    same_exe = os.readlink("/proc/self/exe")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    results = [ask(s, "first")]
    fd = s.detach()
    hand_on(fd, same_exe, "same", results, [other_exe] + last)
fd, results = int(sys.argv[2]), json.loads(sys.argv[3])
s = socket.socket(fileno=fd)
results.append(ask(s, stage, sys.argv[4] if stage == "other" and len(sys.argv) > 4 else None))
if stage == "same":
    hand_on(s.detach(), sys.argv[4], "other", results, sys.argv[5:6])
print(json.dumps(results))
