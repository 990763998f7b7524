"""`runtime._http._wire`: the requests it puts on the wire are the ones httpx's own
`build_request` + `send` would, for every way the runtime sends (apiClient, fetch with
redirects, token POSTs), with the lean path and with the fallback through `client.send`."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest

from runtime import Connector
from runtime._errors import ConnectionProblem
from runtime._http import _wire as wire
from tests.fakeapi import FakeApi
from tests.http._helpers import async_http

APIKEY_CONNECTOR = "tests/connectors/apikey"


@pytest.fixture(params=["lean", "client.send"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs over both paths: the lean one, and httpx's client.send (the fallback)."""
    if request.param == "client.send":
        monkeypatch.setattr(wire, "_LEAN", False)
    else:
        assert wire._LEAN, "this httpx lacks the private methods the lean path needs"
    return str(request.param)


def wire_view(request: httpx.Request) -> tuple[Any, ...]:
    """What reaches the server: method, URL, headers in order, body, and the timeout the
    transport applies."""
    return (request.method, str(request.url), request.headers.multi_items(), request.read(), request.extensions.get("timeout"))


def recorder(seen: list[httpx.Request], respond: Any = None) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if respond is not None:
            return respond(request)
        return httpx.Response(200, json={"n": len(seen)})

    return httpx.MockTransport(handler)


CASES: list[dict[str, Any]] = [
    {"method": "GET", "url": "https://api.example.test/v1/items"},
    {"method": "GET", "url": "https://api.example.test/v1/items?a=1", "params": [("b", "2"), ("b", "3")]},
    {"method": "POST", "url": "http://127.0.0.1:9/x", "headers": {"Content-Type": "application/json", "User-Agent": "mine"}, "content": b'{"a":1}'},
    {"method": "PUT", "url": "https://api.example.test/caf%C3%A9/%2F?q=a+b", "headers": {"accept": "text/plain"}, "timeout": httpx.Timeout(1.5)},
    {"method": "GET", "url": "https://al%20ice:s3cr%C3%A9t@api.example.test/in-url"},  # credentials in the URL: Basic auth
    {"method": "GET", "url": "https://alice:s3cret@api.example.test/in-url", "headers": {"Authorization": "Bearer mine"}},
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['method']} {c['url']}" for c in CASES])
def test_a_request_is_what_httpx_build_request_and_send_make(case: dict[str, Any], path: str) -> None:
    ours: list[httpx.Request] = []
    theirs: list[httpx.Request] = []

    async def main() -> None:
        async with httpx.AsyncClient(transport=recorder(ours), timeout=7.0) as a, httpx.AsyncClient(transport=recorder(theirs), timeout=7.0) as b:
            a.cookies.set("sid", "s-1", domain="api.example.test")
            b.cookies.set("sid", "s-1", domain="api.example.test")
            for _ in range(2):  # the second time from the parsed-URL cache
                timeout = case.get("timeout")
                got = await wire.send(a, wire.build(a, case["method"], case["url"], params=case.get("params"), headers=case.get("headers"), content=case.get("content"), timeout=timeout))
                want = await b.send(b.build_request(
                    case["method"], case["url"], params=case.get("params"), headers=case.get("headers"), content=case.get("content"),
                    timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
                ))
                assert (got.status_code, got.json(), got.is_closed) == (want.status_code, want.json(), True)
                assert got.request is ours[-1]

    asyncio.run(main())
    assert [wire_view(r) for r in ours] == [wire_view(r) for r in theirs]
    assert len(ours) == 2


def test_cookies_set_by_a_response_are_sent_on_later_requests(path: str) -> None:
    seen: list[httpx.Request] = []

    def respond(request: httpx.Request) -> httpx.Response:
        if len(seen) == 1:
            return httpx.Response(200, headers={"Set-Cookie": "session=abc; Path=/"})
        return httpx.Response(200)

    async def main() -> None:
        async with httpx.AsyncClient(transport=recorder(seen, respond)) as http:
            for _ in range(3):
                await wire.send(http, wire.build(http, "GET", "https://api.example.test/a"))

    asyncio.run(main())
    assert [r.headers.get("cookie") for r in seen] == [None, "session=abc", "session=abc"]


def redirecting(request: httpx.Request) -> httpx.Response:
    hops = {"/start": "https://api.example.test/middle", "/middle": "https://other.example.test/end"}
    target = hops.get(request.url.path)
    if target:
        return httpx.Response(302, headers={"Location": target})
    return httpx.Response(200, text="arrived")


def test_redirects_are_followed_only_when_asked_and_by_httpx_rules(path: str) -> None:
    seen: list[httpx.Request] = []

    async def main() -> tuple[httpx.Response, httpx.Response]:
        async with httpx.AsyncClient(transport=recorder(seen, redirecting)) as http:
            headers = {"Authorization": "Bearer secret-token-1"}
            not_followed = await wire.send(http, wire.build(http, "GET", "https://api.example.test/start", headers=headers))
            followed = await wire.send(http, wire.build(http, "POST", "https://api.example.test/start", headers=headers, content=b"x"), follow_redirects=True)
            return not_followed, followed

    not_followed, followed = asyncio.run(main())
    assert not_followed.status_code == 302 and not_followed.history == []
    assert followed.status_code == 200 and followed.text == "arrived"
    assert [r.status_code for r in followed.history] == [302, 302]
    # 302 turns a POST into a GET without body; the Authorization header does not leave its origin
    assert [(r.method, str(r.url), r.headers.get("authorization"), r.read()) for r in seen[1:]] == [
        ("POST", "https://api.example.test/start", "Bearer secret-token-1", b"x"),
        ("GET", "https://api.example.test/middle", "Bearer secret-token-1", b""),
        ("GET", "https://other.example.test/end", None, b""),
    ]


def test_a_redirect_loop_ends_with_too_many_redirects(path: str) -> None:
    seen: list[httpx.Request] = []

    async def main() -> None:
        async with httpx.AsyncClient(transport=recorder(seen, lambda r: httpx.Response(302, headers={"Location": "/again"})), max_redirects=3) as http:
            await wire.send(http, wire.build(http, "GET", "https://api.example.test/again"), follow_redirects=True)

    with pytest.raises(httpx.TooManyRedirects):
        asyncio.run(main())
    assert len(seen) == 4  # the request and its 3 allowed redirects, as httpx does


def test_the_transport_httpx_picks_for_the_url_is_used(path: str) -> None:
    """Mounts (what proxies from the environment become) route requests as in httpx."""
    direct: list[httpx.Request] = []
    mounted: list[httpx.Request] = []

    async def main() -> None:
        async with httpx.AsyncClient(transport=recorder(direct), mounts={"https://mounted.example.test": recorder(mounted)}) as http:
            await wire.send(http, wire.build(http, "GET", "https://mounted.example.test/x"))
            await wire.send(http, wire.build(http, "GET", "https://api.example.test/y"))

    asyncio.run(main())
    assert [r.url.path for r in mounted] == ["/x"] and [r.url.path for r in direct] == ["/y"]


def test_a_failure_reading_the_body_closes_the_response_and_names_the_request(path: str) -> None:
    class Broken(httpx.AsyncByteStream):
        closed = False

        async def __aiter__(self):  # type: ignore[override]
            yield b"part"
            raise httpx.ReadError("connection reset")

        async def aclose(self) -> None:
            Broken.closed = True

    async def main() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200, stream=Broken()))) as http:
            request = wire.build(http, "GET", "https://api.example.test/x")
            with pytest.raises(httpx.ReadError) as caught:
                await wire.send(http, request)
            assert caught.value.request is request

    asyncio.run(main())
    assert Broken.closed


def test_an_unparsable_url_raises_invalid_url_and_is_not_cached() -> None:
    async def main() -> None:
        async with httpx.AsyncClient(transport=recorder([])) as http:
            for _ in range(2):
                with pytest.raises(httpx.InvalidURL):
                    wire.build(http, "GET", "http://[::1/")
            assert "http://[::1/" not in wire._URLS.get(http, {})

    asyncio.run(main())


def test_parsed_urls_are_kept_per_client_and_bounded() -> None:
    async def main() -> None:
        async with httpx.AsyncClient(transport=recorder([])) as a, httpx.AsyncClient(transport=recorder([])) as b:
            wire.build(a, "GET", "https://api.example.test/only-a?api_key=k-1")
            assert "https://api.example.test/only-a?api_key=k-1" not in wire._URLS.get(b, {})
            for i in range(wire._URLS_PER_CLIENT + 10):
                wire.build(a, "GET", f"https://api.example.test/{i}")
            assert 0 < len(wire._URLS[a]) <= wire._URLS_PER_CLIENT

    asyncio.run(main())


def test_a_closed_client_sends_nothing(path: str) -> None:
    seen: list[httpx.Request] = []

    async def main() -> None:
        http = httpx.AsyncClient(transport=recorder(seen))
        request = wire.build(http, "GET", "https://api.example.test/x")
        await http.aclose()
        await wire.send(http, request)

    with pytest.raises(RuntimeError, match="closed"):
        asyncio.run(main())
    assert seen == []


def test_no_url_reaches_the_hosts_logs(caplog: pytest.LogCaptureFixture) -> None:
    """httpx logs every request's whole URL at INFO; a connection's requests carry keys in
    their query, so none of them goes through that log (apiClient, fetch, token requests)."""
    api = FakeApi().start()
    try:
        connector = Connector.load(APIKEY_CONNECTOR)

        async def main() -> None:
            async with connector.connect(connector_parameters={"baseUri": api.url}, credentials={"apiKey": api.state.api_key}) as conn:
                await conn.call("operations/get-one/run")
                await conn.call("operations/get-one-rest/run")
            async with async_http() as http:  # the comparison: httpx itself logs the URL
                await http.get(f"{api.url}/api/key-query", params={"api_key": "visible-in-httpx-log"})

        with caplog.at_level(logging.DEBUG):
            asyncio.run(main())
    finally:
        api.stop()
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "visible-in-httpx-log" in text  # the capture works: httpx's own line is there
    assert api.state.api_key not in text
    assert "/api/key-header" not in text


def test_network_failures_are_typed_on_the_lean_path_too(path: str) -> None:
    connector = Connector.load(APIKEY_CONNECTOR)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async def main() -> None:
        async with connector.connect(
            connector_parameters={"baseUri": "https://api.example.test"}, credentials={"apiKey": "mock-key-1"}, transport=httpx.MockTransport(refuse)
        ) as conn:
            await conn.call("operations/get-one-rest/run")

    with pytest.raises(ConnectionProblem) as caught:
        asyncio.run(main())
    assert caught.value.key == "connection_failed"
    assert "mock-key-1" not in str(caught.value)




@pytest.mark.parametrize("url", ["http://", "mailto:someone@example.test", "ftp://files.example.test/x"])
def test_only_http_urls_with_a_host_are_built(url: str) -> None:
    async def main() -> None:
        async with httpx.AsyncClient(transport=recorder([])) as http:
            with pytest.raises(httpx.InvalidURL):
                wire.build(http, "GET", url)

    asyncio.run(main())
