"""`connect(transport=...)` routes every request (hosts, replay servers, the test-suite runner);
without one the runtime's own sockets carry them, on asyncio's loop and on uvloop."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest

from runtime import SandboxLimitError
from sandbox import Limits
from tests.core.conftest import load, run


def test_transport_receives_api_client_fetch_and_axios_requests() -> None:
    seen: list[tuple[str, str]] = []

    def parsed(content: bytes) -> Any:
        try:
            return json.loads(content or b"null")
        except ValueError:
            return None

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, str(request.url)))
        if request.url.path == "/api/key-header":
            assert request.headers["x-api-key"] == "mock-key-1"
            return httpx.Response(200, json={"ok": True, "via": "mock"})
        return httpx.Response(
            200,
            json={"method": request.method, "query": [list(p) for p in request.url.params.multi_items()],
                  "headers": dict(request.headers), "json": parsed(request.content), "body": request.content.decode()},
        )

    connector = load("apikey")

    async def main() -> tuple[Any, Any, Any]:
        async with connector.connect(
            connector_parameters={"baseUri": "https://api.example.test"},
            credentials={"apiKey": "mock-key-1"},
            transport=httpx.MockTransport(handler),
        ) as conn:
            return (
                await conn.call("auth/test"),
                await conn.call("operations/fetch-raw/run"),
                await conn.call("operations/axios-get/run"),
            )

    tested, fetched, axios = run(main())
    assert tested.output is True
    assert fetched.output["json"] == {"hello": "fetch"}
    assert axios.output["status"] == 200 and axios.output["putBody"] == "raw text"
    assert all(url.startswith("https://api.example.test/") for _, url in seen)
    assert len(seen) == 1 + 1 + 4


def test_rate_limited_requests_are_retried_within_the_deadline(apikey: Any, fake_api: Any) -> None:
    async def main() -> Any:
        async with apikey.connect(connector_parameters={"baseUri": fake_api.url}, credentials={"apiKey": fake_api.api_key}) as conn:
            fake_api.rate_limit(2, retry_after="0.05", path_prefix="/api/key-header")
            return await conn.call("operations/get-one/run")

    result = run(main())
    assert result.output == {"ok": True, "via": "header"}
    assert [e.status for e in result.requests] == [429, 429, 200]


def test_cookies_a_response_sets_are_sent_on_the_connections_next_requests() -> None:
    """The connection's client keeps cookies as httpx does (it only skips looking for them in
    responses that set none)."""
    cookies_seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        cookies_seen.append(request.headers.get("cookie"))
        if len(cookies_seen) == 2:
            return httpx.Response(200, json={"ok": True}, headers={"Set-Cookie": "session=abc123; Path=/"})
        return httpx.Response(200, json={"ok": True})

    connector = load("apikey")

    async def main() -> None:
        async with connector.connect(
            connector_parameters={"baseUri": "https://api.example.test"},
            credentials={"apiKey": "mock-key-1"},
            transport=httpx.MockTransport(handler),
        ) as conn:
            for _ in range(4):
                await conn.call("operations/get-one/run")

    run(main())
    assert cookies_seen == [None, None, "session=abc123", "session=abc123"]


def test_the_runtime_runs_on_uvloop(apikey: Any, fake_api: Any) -> None:
    """Hosts served by uvicorn run on uvloop: apiClient, REST mapping, axios, fetch, Promise.all
    and the wall-time limit through the runtime's own sockets there."""
    uvloop = pytest.importorskip("uvloop", reason="uvloop does not support this platform")  # a dev dependency elsewhere
    async def main() -> tuple[Any, ...]:
        assert type(asyncio.get_running_loop()).__module__.startswith("uvloop")
        async with apikey.connect(connector_parameters={"baseUri": fake_api.url}, credentials={"apiKey": fake_api.api_key}) as conn:
            js = await conn.call("operations/get-one/run")
            rest = await conn.call("operations/get-one-rest/run")
            axios = await conn.call("operations/axios-get/run")
            fetched = await conn.call("operations/fetch-raw/run")
            started = time.monotonic()
            parallel = await conn.call("operations/slow-all/run", {"input": {"count": 5, "ms": 100}})
            took = time.monotonic() - started
            with pytest.raises(SandboxLimitError) as limit:
                await conn.call("operations/slow-all/run", {"input": {"count": 2, "ms": 3000}}, limits=Limits(wall_time=0.3))
            return js.output, rest.output, axios.output, fetched.output, parallel.output, took, limit.value.key

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        js, rest, axios, fetched, parallel, took, key = runner.run(main())
    assert js == rest == {"ok": True, "via": "header"}
    assert axios["status"] == 200 and axios["putBody"] == "raw text"
    assert fetched["json"] == {"hello": "fetch"}
    assert parallel == {"count": 5, "slept": [100] * 5} and took < 0.45  # concurrently, not 0.5 s
    assert key == "wall_time_limit"
