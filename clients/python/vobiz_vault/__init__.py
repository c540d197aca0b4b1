"""Use Vobiz API credentials held by vobiz-vault without holding them.

    from vobiz_vault import Vault
    vault = Vault()                       # $VOBIZ_VAULT_SOCKET or /run/vobiz-vault/vault.sock
    vault.headers("GET", "https://api.vobiz.ai/api/v1/Account/MA_X/Call/")
    vault.requests_session().get("https://api.vobiz.ai/api/v1/Account/MA_X/Call/")
    vault.vobiz_client("MA_X").calls.list()

Under `vobiz-vault exec --proxy`, which holds the token back from the program:

    from vobiz_vault import sdk_client_from_env
    sdk_client_from_env().calls.list()    # VOBIZ_AUTH_ID, the stand-in token, VOBIZ_BASE_URL
"""
import hashlib

from ._socket import DEFAULT_SOCKET, VaultError, call_json, socket_path

__all__ = ["Vault", "VaultError", "DEFAULT_SOCKET", "socket_path", "mount_proxy", "sdk_client_from_env"]
__version__ = "0.9.0"

VOBIZ_API = "https://api.vobiz.ai/"
# The SDK sends both on every call; the proxy attaches the real token, so this one never leaves.
PLACEHOLDER_TOKEN = "held-by-vobiz-vault"


class Vault:
    """The vault's client socket. Every call is a request of this process: the vault decides
    by who is asking (uid, executable, unit) and its grants."""

    def __init__(self, socket=None, timeout=30):
        self.socket_path = socket_path(socket)
        self.timeout = timeout

    def headers(self, method, url, body=None, credential=None):
        """The headers of one upstream request (`POST /v1/headers`): the answer's `headers`.
        A body is bound to sealed headers by its SHA-256: send exactly these bytes."""
        payload = {"method": method.upper(), "url": url}
        if body is not None:
            payload["body_sha256"] = hashlib.sha256(body.encode() if isinstance(body, str) else body).hexdigest()
        if credential:
            payload["credential"] = credential
        return call_json(self.socket_path, "POST", "/v1/headers", payload, self.timeout)["headers"]

    def verify_callback(self, credential, method, url, headers, params=None):
        """Checks a callback's signature with the token the vault holds (`POST
        /v1/callbacks/verify`); the answer: `valid`, `scheme`, `signed_by`, `reason`."""
        payload = {"credential": credential, "method": method.upper(), "url": url, "headers": dict(headers)}
        if params is not None:
            payload["params"] = dict(params)
        return call_json(self.socket_path, "POST", "/v1/callbacks/verify", payload, self.timeout)

    def requests_session(self, base_url=VOBIZ_API, credential=None, session=None):
        """A `requests.Session` whose requests under `base_url` go through the vault's proxy."""
        import requests
        from ._requests import mount_proxy
        return mount_proxy(session or requests.Session(), self.socket_path, base_url, credential)

    def httpx_client(self, credential=None, **kwargs):
        """An `httpx.Client` whose every request goes through the vault's proxy."""
        import httpx
        from ._httpx import VaultProxyTransport
        return httpx.Client(transport=VaultProxyTransport(self.socket_path, credential), **kwargs)

    def httpx_async_client(self, credential=None, **kwargs):
        """An `httpx.AsyncClient` whose every request goes through the vault's proxy."""
        import httpx
        from ._httpx import AsyncVaultProxyTransport
        return httpx.AsyncClient(transport=AsyncVaultProxyTransport(self.socket_path, credential), **kwargs)

    def vobiz_client(self, auth_id, **kwargs):
        """The official Vobiz SDK's client for `auth_id`, every call through the vault's proxy
        (both of its sessions), holding no token."""
        import vobiz
        from ._requests import mount_proxy
        client = vobiz.RestClient(auth_id, PLACEHOLDER_TOKEN, **kwargs)
        for session in (client.session, client.multipart_session):
            mount_proxy(session, self.socket_path, VOBIZ_API)
        return client


def mount_proxy(session, socket=None, base_url=VOBIZ_API, credential=None):
    """Routes every request `session` makes under `base_url` through the vault; returns it."""
    from ._requests import mount_proxy as mount
    return mount(session, socket, base_url, credential)


def sdk_client_from_env(**kwargs):
    """The official Vobiz SDK's client as `vobiz-vault exec --proxy` sets up its program: the
    auth id and the stand-in token from `VOBIZ_AUTH_ID`/`VOBIZ_AUTH_TOKEN` (the SDK reads them
    itself), and every call sent to `VOBIZ_BASE_URL`, the listener that attaches the real token.
    The SDK has no setting for its base URL, so its sessions are pointed there."""
    import os
    import vobiz
    from ._requests import mount_base_url
    base_url = os.environ.get("VOBIZ_BASE_URL")
    if not base_url:
        raise VaultError("VOBIZ_BASE_URL is not set: run this program under `vobiz-vault exec --proxy`")
    client = vobiz.RestClient(**kwargs)
    for session in (client.session, client.multipart_session):
        mount_base_url(session, base_url, VOBIZ_API)
    return client
