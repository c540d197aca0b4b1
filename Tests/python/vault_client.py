"""A minimal client for the vault's Unix-socket HTTP API, used by the end-to-end tests."""
import http.client
import json
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
