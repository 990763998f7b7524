"""How every request the runtime makes reaches the network: `build` and `send` on the
connection's `httpx.AsyncClient`, through the transport httpx would use, without the client's
per-request layers the runtime has no use for.

Why not `client.build_request` + `client.send`: for one request they cost ~100 µs + ~120 µs of
Python (mocked transport; `benchmarks/RESULTS.md`), as much as the sandbox call of a JS method
that makes it. build_request parses the URL text again for every request (most of its cost)
and merges a base URL and client params the runtime never sets; send runs an auth flow, event
hooks, a redirect loop and a timer, all unused here, and reads every response for cookies. So:

- a URL text is parsed once per client (a bounded cache per client: a URL may hold a
  credential, so the parsed URLs live and die with the connection's client, never shared);
- the request carries the client's default headers and cookies and its timeout, as
  build_request would give it, and Basic auth for credentials in the URL, as send would;
- the transport is the one httpx picks for the URL (`mounts`, proxies from the environment);
  redirects, when followed (fetch), follow httpx's own rules and limit; cookies are taken from
  responses that set some;
- httpx's INFO log line (`HTTP Request: GET <whole URL>`) is not written: URLs carry API keys
  in their query, and the host's logs must never see them.

Two private methods of httpx's client are used (`_transport_for_url`, `_build_redirect_request`),
checked at import: if this httpx lacks them, `send` hands every request to `client.send`
(slower, same requests on the wire).
"""

from __future__ import annotations

import base64
import weakref
from collections.abc import Mapping
from typing import Any

import httpx

__all__ = ["build", "send"]

_LEAN = callable(getattr(httpx.AsyncClient, "_transport_for_url", None)) and callable(
    getattr(httpx.AsyncClient, "_build_redirect_request", None)
)

#: parsed URLs per client; cleared when full (a connection's requests reuse a few URLs)
_URLS: weakref.WeakKeyDictionary[httpx.AsyncClient, dict[str, httpx.URL]] = weakref.WeakKeyDictionary()
_URLS_PER_CLIENT = 256


def _url(http: httpx.AsyncClient, text: str) -> httpx.URL:
    urls = _URLS.get(http)
    if urls is None:
        urls = _URLS[http] = {}
    url = urls.get(text)
    if url is None:
        url = httpx.URL(text)  # raises httpx.InvalidURL: nothing is cached then
        if len(urls) >= _URLS_PER_CLIENT:
            urls.clear()
        urls[text] = url
    return url


def build(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    params: list[tuple[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
    timeout: httpx.Timeout | None = None,
) -> httpx.Request:
    """The request `http.build_request` would make (the runtime's clients have no base URL or
    default params): client headers under `headers`, client cookies, the client's timeout
    unless `timeout`. Raises httpx.InvalidURL, and UnicodeEncodeError for a non-ASCII header."""
    parsed = _url(http, url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise httpx.InvalidURL("the URL needs http:// or https:// and a host")
    # as Headers.update merges them, into one list: httpx's Headers objects are costly to build
    merged: list[tuple[Any, Any]] = http.headers.raw
    if headers:
        merged = _without(merged, {str(name).lower() for name in headers})
        merged.extend(headers.items())
    if parsed.username or parsed.password:
        # what httpx's send does with credentials in the URL (`https://user:pass@host/`): they
        # become the Authorization header, in place of any other
        userpass = f"{parsed.username}:{parsed.password}".encode()
        merged = _without(merged, {"authorization"})
        merged.append(("Authorization", "Basic " + base64.b64encode(userpass).decode("ascii")))
    jar = http.cookies
    return httpx.Request(
        method,
        parsed,
        params=params or None,
        headers=merged,
        content=content,
        cookies=jar if len(jar.jar) else None,
        extensions={"timeout": (timeout if timeout is not None else http.timeout).as_dict()},
    )


def _without(headers: list[tuple[Any, Any]], names: set[str]) -> list[tuple[Any, Any]]:
    """`headers` (names as bytes or text) less those whose lower-cased name is in `names`."""
    return [(k, v) for k, v in headers if (k.decode("latin-1") if isinstance(k, bytes) else k).lower() not in names]


async def send(http: httpx.AsyncClient, request: httpx.Request, *, follow_redirects: bool = False) -> httpx.Response:
    """Send `request` and read the whole response body; redirects only when `follow_redirects`.
    Network failures raise httpx.HTTPError (TransportError, TooManyRedirects) as client.send does."""
    if not _LEAN:
        return await http.send(request, follow_redirects=follow_redirects)
    if http.is_closed:
        raise RuntimeError("Cannot send a request, as the client has been closed.")
    history: list[httpx.Response] = []
    while True:
        response = await _send_one(http, request)
        if not follow_redirects or not response.has_redirect_location:
            response.history = history
            return response
        history.append(response)
        if len(history) > http.max_redirects:
            raise httpx.TooManyRedirects("Exceeded maximum allowed redirects.", request=request)
        request = http._build_redirect_request(request, response)


async def _send_one(http: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
    transport: Any = http._transport_for_url(request.url)
    try:
        response = await transport.handle_async_request(request)
    except httpx.RequestError as exc:
        exc.request = request  # as httpx's own request_context does
        raise
    response.request = request
    try:
        await response.aread()
    except BaseException:
        await response.aclose()
        raise
    if "set-cookie" in response.headers:
        http.cookies.extract_cookies(response)
    return response
