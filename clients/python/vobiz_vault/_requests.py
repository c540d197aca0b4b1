"""A `requests` transport adapter that sends requests through the vault's proxy."""
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.structures import CaseInsensitiveDict

from ._socket import VaultError, exchange, forwarded_headers, proxy_target, socket_path

VOBIZ_API = "https://api.vobiz.ai/"


class VaultProxyAdapter(BaseAdapter):
    """Mount on a session: each request under the mounted prefix goes over the vault's socket
    to `/v1/proxy/…`, where the vault checks the caller's `proxy` grant and attaches the token."""

    def __init__(self, socket=None, credential=None):
        super().__init__()
        self.socket_path = socket_path(socket)
        self.credential = credential

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        url = urlsplit(request.url)
        if isinstance(timeout, tuple):
            timeout = timeout[1]
        body = request.body.encode() if isinstance(request.body, str) else request.body
        try:
            status, reason, pairs, data = exchange(self.socket_path, request.method, proxy_target(url.path, url.query), body,
                                                   forwarded_headers(request.headers.items(), self.credential), timeout or 60)
        except VaultError as e:
            raise requests.exceptions.ConnectionError(str(e), request=request) from None
        response = requests.Response()
        response.status_code = status
        response.reason = reason
        response.headers = CaseInsensitiveDict(pairs)
        response._content = data
        response.url = request.url
        response.request = request
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        return response

    def close(self):
        pass


def mount_proxy(session, socket=None, base_url=VOBIZ_API, credential=None):
    """Routes every request `session` makes under `base_url` through the vault; returns it."""
    session.mount(base_url, VaultProxyAdapter(socket, credential))
    return session


class BaseURLAdapter(HTTPAdapter):
    """Sends each request under `prefix` to the same path under `base_url` instead (the
    listener of `vobiz-vault exec --proxy`), over plain HTTP/1.1 on loopback."""

    def __init__(self, base_url, prefix):
        super().__init__()
        self.base_url = base_url.rstrip("/") + "/"
        self.prefix = prefix

    def send(self, request, **kwargs):
        if request.url.startswith(self.prefix):
            request.url = self.base_url + request.url[len(self.prefix):]
            # Straight to the listener: an HTTP proxy set in the environment must not see the
            # stand-in or the calls.
            kwargs["proxies"] = {}
        return super().send(request, **kwargs)


def mount_base_url(session, base_url, prefix=VOBIZ_API):
    """Routes every request `session` makes under `prefix` to `base_url`; returns it."""
    session.mount(prefix, BaseURLAdapter(base_url, prefix))
    return session
