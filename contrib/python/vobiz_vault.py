"""Use the vobiz-vault egress proxy from Python `requests` (and so from the Vobiz Python SDK).

    import requests, vobiz
    from vobiz_vault import mount_proxy

    session = requests.Session()
    mount_proxy(session)                      # https://api.vobiz.ai/... now goes through the vault
    session.get("https://api.vobiz.ai/api/v1/partner/me").json()

    client = vobiz.RestClient("MA_XXXX", "vaulted")   # any non-empty token: the vault attaches the real one
    mount_proxy(client.session)
    client.calls.list()

Requests for the mounted base URL are sent over the vault's Unix socket to
`/v1/proxy/<path and query>`; the vault checks the caller's `proxy` grant, attaches the
credential and forwards to Vobiz. Any X-Auth-Token, Authorization or Cookie the program sets is
dropped here (and again by the vault). Needs only the standard library and `requests`.
"""
import http.client
import socket
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

DEFAULT_SOCKET = "/run/vobiz-vault/vault.sock"
DROPPED = {"x-auth-token", "authorization", "cookie", "host", "connection", "content-length", "accept-encoding"}


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("vobiz-vault", timeout=timeout)
        self._path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self._path)
        self.sock = s


class VaultProxyAdapter(BaseAdapter):
    """A transport adapter that sends each request through the vault's proxy."""

    def __init__(self, socket_path=DEFAULT_SOCKET, credential=None):
        super().__init__()
        self.socket_path = socket_path
        self.credential = credential

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        url = urlsplit(request.url)
        target = "/v1/proxy" + (url.path or "/") + ("?" + url.query if url.query else "")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in DROPPED}
        # Plain bodies over the local socket: this adapter does not decompress.
        headers["Accept-Encoding"] = "identity"
        if self.credential:
            headers["X-Vault-Credential"] = self.credential
        if isinstance(timeout, tuple):
            timeout = timeout[1]
        body = request.body.encode() if isinstance(request.body, str) else request.body
        conn = _UnixConnection(self.socket_path, timeout or 60)
        try:
            conn.request(request.method, target, body=body, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
        except (OSError, http.client.HTTPException) as e:
            raise requests.exceptions.ConnectionError(f"vobiz-vault proxy at {self.socket_path}: {e}", request=request)
        finally:
            conn.close()
        response = requests.Response()
        response.status_code = answer.status
        response.reason = answer.reason
        response.headers = CaseInsensitiveDict(answer.getheaders())
        response._content = data
        response.url = request.url
        response.request = request
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        return response

    def close(self):
        pass


def mount_proxy(session, socket_path=DEFAULT_SOCKET, base_url="https://api.vobiz.ai/", credential=None):
    """Routes every request `session` makes under `base_url` through the vault."""
    session.mount(base_url, VaultProxyAdapter(socket_path, credential))
    return session
