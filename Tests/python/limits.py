"""The connection cap and the idle keep-alive timeout of the client socket (DESIGN §7).

usage: limits.py SOCKET ADMIN_SOCKET cap CAP     connections up to CAP, then one more
       limits.py SOCKET ADMIN_SOCKET idle SECONDS  keep-alive connections idle and busy
       limits.py SOCKET ADMIN_SOCKET burst N PID    N connects while the daemon (PID) is stopped
Prints JSON of what it saw.
"""
import json
import socket
import sys
import time

from vault_client import call, problem_type

sock_path, admin_path, mode, arg = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
BODY = json.dumps({"method": "GET", "url": "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/"}).encode()
REQUEST = (b"POST /v1/headers HTTP/1.1\r\nHost: v\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
           % len(BODY)) + BODY
out = {}


def connect(path=sock_path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    return s


def read_answer(s):
    """One HTTP answer (head and Content-Length body); b"" when the peer closed first."""
    data = b""
    while b"\r\n\r\n" not in data:
        c = s.recv(65536)
        if not c:
            return data
        data += c
    head, body = data.split(b"\r\n\r\n", 1)
    length = next((int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        c = s.recv(65536)
        if not c:
            break
        body += c
    return head + b"\r\n\r\n" + body


def ask(s):
    s.sendall(REQUEST)
    return read_answer(s)


def status(answer):
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else None


def closed_by_peer(s, wait):
    """Whether the daemon closes `s` within `wait` seconds (EOF or reset)."""
    s.settimeout(wait)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True


if mode == "cap":
    cap = int(arg)
    held = [connect() for _ in range(cap)]
    # Each held connection is served: they count against the cap.
    out["held_answered"] = [status(ask(s)) for s in held]
    extra = connect()
    answer = read_answer(extra)
    out["over_cap_status"] = status(answer)
    body = answer.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in answer else b""
    out["over_cap_type"] = problem_type(json.loads(body)) if body else None
    out["over_cap_closed"] = closed_by_peer(extra, 2)
    # The admin socket has its own budget: still reachable.
    out["admin_while_full"] = call(admin_path, "GET", "/v1/health")[0]
    # Held connections keep working; once one closes, a new connection is served.
    out["held_still_answered"] = status(ask(held[0]))
    held.pop().close()
    time.sleep(0.2)
    fresh = connect()
    out["after_one_closed"] = status(ask(fresh))
elif mode == "burst":
    # While the daemon accepts nothing, N connects must queue in its listen backlog; a full
    # backlog fails a connect with a timeout at once (BlockingIOError), as it would a real client.
    import os
    import signal
    import resource
    n, pid = int(arg), int(sys.argv[5])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, n + 256)), hard))
    queued, refused = [], {}
    os.kill(pid, signal.SIGSTOP)
    try:
        for _ in range(n):
            try:
                queued.append(connect())
            except OSError as e:
                refused[type(e).__name__] = refused.get(type(e).__name__, 0) + 1
    finally:
        os.kill(pid, signal.SIGCONT)
    out["queued"], out["refused"] = len(queued), refused
    out["first_answered"] = status(ask(queued[0])) if queued else None
    out["last_answered"] = status(ask(queued[-1])) if queued else None
    for s in queued:
        s.close()
else:
    idle = arg
    # A connection that says nothing at all is closed after the idle timeout.
    silent = connect()
    start = time.time()
    out["silent_closed"] = closed_by_peer(silent, idle + 3)
    out["silent_seconds"] = round(time.time() - start, 2)
    # A keep-alive connection answered, then idle: closed after the timeout, not before.
    s = connect()
    out["first"] = status(ask(s))
    out["open_at_half"] = not closed_by_peer(s, idle / 2)
    out["second_within_timeout"] = status(ask(s))
    start = time.time()
    out["idle_closed"] = closed_by_peer(s, idle + 3)
    out["idle_seconds"] = round(time.time() - start, 2)
    # A connection in use (a request every half timeout) outlives several timeouts.
    busy = connect()
    statuses = []
    end = time.time() + idle * 3
    while time.time() < end:
        statuses.append(status(ask(busy)))
        time.sleep(idle / 2)
    out["busy_statuses"] = statuses
    out["good_after"] = call(sock_path, "POST", "/v1/headers", json.loads(BODY))[0]
print(json.dumps(out))
