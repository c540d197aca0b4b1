"""A minimal client for the vault's Unix-socket HTTP API, used by the end-to-end tests."""
import http.client
import json
import os
import time
import socket


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=30):
        super().__init__("vobiz-vault", timeout=timeout)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


def call(sock_path, method, path, body=None, conn=None):
    """Returns (status, parsed JSON or text, headers)."""
    own = conn is None
    conn = conn or UnixConnection(sock_path)
    data = None if body is None else (body if isinstance(body, (bytes, str)) else json.dumps(body))
    conn.request(method, path, body=data, headers={"Content-Type": "application/json"} if data is not None else {})
    resp = conn.getresponse()
    raw = resp.read()
    if own:
        conn.close()
    ctype = resp.getheader("Content-Type", "")
    parsed = json.loads(raw) if "json" in ctype else raw.decode()
    return resp.status, parsed, dict(resp.getheaders())


def problem_type(answer):
    return answer.get("type", "").rsplit(":", 1)[-1] if isinstance(answer, dict) else None


def stop_wait(pid, seconds=15):
    """Waits for a daemon after SIGTERM; SIGKILL after `seconds` (a daemon that does not stop
    must fail the test, not hang it). Returns the wait status (SIGKILL shows as signal 9)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.05)
    os.kill(pid, 9)
    return os.waitpid(pid, 0)[1]
