"""Attempts to borrow an `exec --proxy` session, the way a local attacker would, over the real
client socket. usage: exec_session_attack.py CLIENT_SOCKET
Prints one JSON object: the status (and problem type) of each attempt."""
import json
import os
import signal
import socket
import sys
import time

from vault_client import call, problem_type

sock = sys.argv[1]
out = {}


def attempt(name, method, path, body=None):
    status, answer, _ = call(sock, method, path, body)
    out[name] = [status, problem_type(answer)]
    return status, answer


def child(uid=None):
    """A child that sleeps; with `uid`, one that first becomes another user (as a set-uid
    program would run as its owner). Returns once the child is ready."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        if uid is not None:
            os.setgid(uid)
            os.setuid(uid)
        os.write(w, b"1")
        time.sleep(30)
        os._exit(0)
    os.close(w)
    os.read(r, 1)
    os.close(r)
    return pid


status, opened = attempt("open", "POST", "/v1/exec", {"credential": "MA_ACME"})
sid = opened.get("session", "none") if isinstance(opened, dict) else "none"
handoff = opened.get("handoff", "none") if isinstance(opened, dict) else "none"


def take_listener():
    """Connects to the session's handoff address: the listener's descriptor, or None."""
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    u.settimeout(5)
    try:
        u.connect("\0" + handoff)
        _, fds, _, _ = socket.recv_fds(u, 1, 1)
        return fds[0] if fds else None
    except OSError:
        return None
    finally:
        u.close()


# Another process (a child of ours) asking for the listener first: it gets nothing.
r, w = os.pipe()
taker = os.fork()
if taker == 0:
    os.close(r)
    os.write(w, b"got" if take_listener() is not None else b"none")
    os._exit(0)
os.close(w)
out["handoff_other_process"] = os.read(r, 16).decode()
os.waitpid(taker, 0)
# The opener itself: a listening TCP socket on 127.0.0.1.
mine_fd = take_listener()
if mine_fd is None:
    out["handoff_opener"] = "none"
else:
    held = socket.socket(fileno=mine_fd)
    out["handoff_opener"] = "%s %d" % (held.getsockname()[0], held.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN))
    # What the opener does with what it holds does not reach the daemon's listener: made
    # blocking (shared with the daemon's, its next accept would stall the event loop) and shut
    # down, then a connection to the port, and the daemon still answers.
    held.setblocking(True)
    try:
        held.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    port = int(opened["base_url"].rsplit(":", 1)[1])
    socket.create_connection(("127.0.0.1", port), timeout=5).close()
    started = time.time()
    status, _, _ = call(sock, "GET", "/v1/health")
    out["health_after_handoff"] = [status, round(time.time() - started, 1)]
    held.close()
# Not a child of this process: pid 1, and this process itself.
attempt("init_pid", "POST", f"/v1/exec/{sid}/child", {"pid": 1})
attempt("own_pid", "POST", f"/v1/exec/{sid}/child", {"pid": os.getpid()})
# A child that runs as another uid.
other = child(uid=65534)
attempt("other_uid_child", "POST", f"/v1/exec/{sid}/child", {"pid": other})
os.kill(other, signal.SIGKILL)
os.waitpid(other, 0)
# Malformed bodies change nothing.
attempt("bad_pid", "POST", f"/v1/exec/{sid}/child", {"pid": "1; rm -rf /"})
attempt("extra_field", "POST", f"/v1/exec/{sid}/child", {"pid": 5, "uid": 0})
# Another process (a fresh child of ours, with its own connection) naming a program for this session.
r, w = os.pipe()
thief = os.fork()
if thief == 0:
    os.close(r)
    victim = child()
    s, answer, _ = call(sock, "POST", f"/v1/exec/{sid}/child", {"pid": victim})
    os.write(w, json.dumps([s, problem_type(answer)]).encode())
    os.kill(victim, signal.SIGKILL)
    os._exit(0)
os.close(w)
out["other_process"] = json.loads(os.read(r, 4096) or b"[0, null]")
os.waitpid(thief, 0)
# The opener's own child: accepted once, not twice.
mine = child()
attempt("own_child", "POST", f"/v1/exec/{sid}/child", {"pid": mine})
attempt("again", "POST", f"/v1/exec/{sid}/child", {"pid": mine})
attempt("unknown_session", "DELETE", "/v1/exec/0123456789abcdef01234567")
attempt("close", "DELETE", f"/v1/exec/{sid}")
os.kill(mine, signal.SIGKILL)
os.waitpid(mine, 0)
print(json.dumps(out))
