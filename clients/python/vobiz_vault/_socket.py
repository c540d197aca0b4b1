"""HTTP/1.1 over the vault's Unix socket, with the standard library only."""
import http.client
import json
import os
import socket

DEFAULT_SOCKET = "/run/vobiz-vault/vault.sock"

# Never sent to the vault by these clients: the vault attaches the credential itself, and drops
# these again on its side.
DROPPED = frozenset({"x-auth-id", "x-auth-token", "authorization", "cookie", "host", "connection",
                     "content-length", "transfer-encoding", "accept-encoding", "x-vault-credential"})


def socket_path(path=None):
    """`path`, else `$VOBIZ_VAULT_SOCKET`, else the packaged default."""
    return path or os.environ.get("VOBIZ_VAULT_SOCKET") or DEFAULT_SOCKET


class VaultError(Exception):
    """A refusal of the vault (a problem+json answer), or a vault that cannot be reached."""

    def __init__(self, status, type_, detail):
        super().__init__(f"vobiz-vault: {type_} ({status}): {detail}")
        self.status = status
        self.type = type_
        self.detail = detail


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("vobiz-vault", timeout=timeout)
        self._path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self._path)
        self.sock = s


def exchange(path, method, target, body=None, headers=None, timeout=30):
    """One request on a new connection: (status, reason, header pairs, body bytes)."""
    conn = UnixConnection(path, timeout)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, answer.reason, answer.getheaders(), answer.read()
    except OSError as e:
        raise VaultError(0, "unreachable", f"{path}: {e}") from None
    finally:
        conn.close()


def call_json(path, method, target, payload, timeout=30):
    """A JSON request to the vault's own API; the decoded answer, or VaultError."""
    body = json.dumps(payload).encode()
    status, _, _, data = exchange(path, method, target, body, {"Content-Type": "application/json"}, timeout)
    try:
        answer = json.loads(data)
    except ValueError:
        raise VaultError(status, "malformed", "the vault's answer is not JSON") from None
    if status != 200:
        kind = str(answer.get("type", "")).rsplit(":", 1)[-1] or "error"
        raise VaultError(status, kind, answer.get("detail", ""))
    return answer


def proxy_target(path, query):
    """The vault's proxy route for an upstream path and query."""
    return "/v1/proxy" + (path or "/") + ("?" + query if query else "")


def forwarded_headers(pairs, credential):
    """What is passed on to the vault's proxy: no credential the program set."""
    out = {k: v for k, v in pairs if k.lower() not in DROPPED}
    # Plain bodies over the local socket: these transports do not decompress.
    out["Accept-Encoding"] = "identity"
    if credential:
        out["X-Vault-Credential"] = credential
    return out
