"""`httpx` transports (sync and async) that send requests through the vault's proxy."""
import httpx

from ._socket import forwarded_headers, proxy_target, socket_path


def _to_vault(request, credential):
    url = request.url
    target = proxy_target(url.path, url.query.decode() if url.query else "")
    return httpx.Request(request.method, "http://vobiz-vault" + target,
                         headers=forwarded_headers(request.headers.items(), credential), content=request.content)


class VaultProxyTransport(httpx.BaseTransport):
    def __init__(self, socket=None, credential=None):
        self._inner = httpx.HTTPTransport(uds=socket_path(socket))
        self._credential = credential

    def handle_request(self, request):
        request.read()
        answer = self._inner.handle_request(_to_vault(request, self._credential))
        answer.read()
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content, request=request)

    def close(self):
        self._inner.close()


class AsyncVaultProxyTransport(httpx.AsyncBaseTransport):
    def __init__(self, socket=None, credential=None):
        self._inner = httpx.AsyncHTTPTransport(uds=socket_path(socket))
        self._credential = credential

    async def handle_async_request(self, request):
        await request.aread()
        answer = await self._inner.handle_async_request(_to_vault(request, self._credential))
        content = await answer.aread()
        return httpx.Response(answer.status_code, headers=answer.headers, content=content, request=request)

    async def aclose(self):
        await self._inner.aclose()
