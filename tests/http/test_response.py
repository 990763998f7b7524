"""Response handling over httpx.MockTransport: bodies, handlers, typed errors, 401 and 429 flows."""

from __future__ import annotations

import asyncio
import base64
import random
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from runtime._errors import ApiError, BadRequestError, ConfigurationError, ConnectionProblem
from runtime._http import ApiClient, CallbackAuthSession, Redactor, RetryPolicy, parse_retry_after
from tests.http._helpers import async_http, config, mock_client

Handler = Callable[[httpx.Request], httpx.Response]


def call(handler: Handler, fn: Callable[[ApiClient], Any], cfg: dict[str, Any] | None = None, **kw: Any) -> Any:
    async def main() -> Any:
        client, http = mock_client(handler, cfg, **kw)
        async with http:
            return await fn(client)

    return asyncio.run(main())


def respond(*args: Any, **kwargs: Any) -> Handler:
    return lambda request: httpx.Response(*args, **kwargs)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (httpx.Response(200, json={"a": [1, 2]}), {"a": [1, 2]}),
        (httpx.Response(200, content=b'{"a":1}', headers={"Content-Type": "application/vnd.api+json"}), {"a": 1}),
        (httpx.Response(200, content=b'[1,2]', headers={"Content-Type": "text/plain"}), [1, 2]),  # axios-style sniffing
        (httpx.Response(200, text="plain words"), "plain words"),
        (httpx.Response(200, content=b"{not json", headers={"Content-Type": "text/plain"}), "{not json"),
        (httpx.Response(200, content=b""), None),
        (httpx.Response(204), None),
        (httpx.Response(200, content=b"  \n", headers={"Content-Type": "application/json"}), None),
    ],
)
def test_success_bodies(response: httpx.Response, expected: Any) -> None:
    assert call(lambda r: response, lambda c: c.get("/x")) == expected


def test_response_types_and_full_response() -> None:
    raw = b"\x89PNG\x00\x01"
    handler = respond(200, content=raw, headers={"Content-Type": "image/png", "X-Rate": "10"})
    assert call(handler, lambda c: c.get("/img", None, {"responseType": "arraybuffer"})) == base64.b64encode(raw).decode()
    assert call(handler, lambda c: c.get("/img", None, {"responseType": "stream"})) == base64.b64encode(raw).decode()
    text_handler = respond(200, json={"a": 1})
    assert call(text_handler, lambda c: c.get("/t", None, {"responseType": "text"})) == '{"a":1}'
    full = call(text_handler, lambda c: c.get("/t", None, {"returnFullResponse": True}))
    assert full["data"] == {"a": 1} and full["statusCode"] == 200
    assert full["headers"]["content-type"] == "application/json"


def test_unknown_response_type_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match="responseType"):
        call(respond(200), lambda c: c.get("/x", None, {"responseType": "blob"}))


@pytest.mark.parametrize(
    ("status", "cls", "key"),
    [
        (400, BadRequestError, "bad_request"),
        (422, BadRequestError, "bad_request"),
        (403, BadRequestError, "access_denied"),
        (404, BadRequestError, "not_found"),
        (409, BadRequestError, "already_exists"),
        (500, ConnectionProblem, "http_error"),
        (503, ConnectionProblem, "http_error"),
        (302, ConnectionProblem, "http_error"),
    ],
)
def test_statuses_map_to_typed_errors(status: int, cls: type[ApiError], key: str) -> None:
    handler = respond(status, json={"error": "nope", "detail": "x" * 1000})
    with pytest.raises(cls) as info:
        call(handler, lambda c: c.post("/contacts?x=1", {"a": 1}))
    err = info.value
    assert type(err) is cls and err.key == key and err.status == status
    assert err.method == "POST" and err.url == "https://api.example.com/v1/contacts?x=1"
    assert err.message.startswith(f"POST https://api.example.com/v1/contacts?x=1 failed with HTTP {status}")
    assert err.body_excerpt is not None and err.body_excerpt.startswith('{"error":"nope"') and len(err.body_excerpt) <= 300
    assert err.to_dict()["data"]["status"] == status


def test_malformed_json_is_a_typed_error_naming_method_and_url() -> None:
    handler = respond(200, content=b'{"a": [1,', headers={"Content-Type": "application/json"})
    with pytest.raises(ConnectionProblem) as info:
        call(handler, lambda c: c.get("/broken"))
    assert info.value.key == "invalid_response"
    assert "GET https://api.example.com/v1/broken" in info.value.message and "malformed JSON" in info.value.message


def test_malformed_json_on_an_error_status_keeps_the_status_error() -> None:
    handler = respond(502, content=b"<html>Bad gateway</html>", headers={"Content-Type": "application/json"})
    with pytest.raises(ConnectionProblem) as info:
        call(handler, lambda c: c.get("/x"))
    assert (info.value.key, info.value.status) == ("http_error", 502)
    assert "Bad gateway" in info.value.message


@pytest.mark.parametrize(
    ("exc", "key"),
    [
        (httpx.ConnectError("refused"), "connection_failed"),
        (httpx.ReadTimeout("slow"), "timeout"),
        (httpx.RemoteProtocolError("garbage"), "network_error"),
    ],
)
def test_network_errors_become_connection_problems(exc: Exception, key: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    async def main() -> ApiClient:
        client, http = mock_client(handler)
        async with http:
            with pytest.raises(ConnectionProblem) as info:
                await client.get("/x")
            assert info.value.key == key and info.value.status is None
            assert info.value.__cause__ is exc
            return client

    client = asyncio.run(main())
    assert [(e.status, e.error) for e in client.log] == [(None, key)]


# --- response handlers (formula stand-in; the real engine is in test_handlers_real.py) --------

HANDLERS = {
    "baseUri": "https://api.example.com",
    "responseHandlers": [
        {  # an API that answers 200 with {"ok": false}
            "match": {"$eval": {"$var": "response.data.ok"}, "is": False},
            "isSuccess": False,
            "error": {"key": "not_found", "message": {"$var": "response.data.reason"}, "data": {"code": {"$var": "response.data.code"}}},
        },
        {"match": {"$eval": {"$var": "response.statusCode"}, "is": 202}, "data": {"$var": "response.data.result"}},
        {"match": {"$eval": {"$var": "response.data.error"}, "is": "slow_down"}, "isSuccess": False, "error": {"key": "rate_limit_exceeded"}},
        {"match": {"$eval": {"$var": "response.data.error"}, "is": "token_expired"}, "isSuccess": False, "error": {"key": "access_token_expired"}},
    ],
}


def test_handler_error_on_a_200() -> None:
    handler = respond(200, json={"ok": False, "reason": "no such deal", "code": 17})
    with pytest.raises(BadRequestError) as info:
        call(handler, lambda c: c.get("/deals/1"), HANDLERS)
    assert (info.value.key, info.value.message, info.value.data) == ("not_found", "no such deal", {"code": 17})


def test_handler_error_without_message_says_a_handler_decided() -> None:
    only_rate_limit = {**HANDLERS, "responseHandlers": HANDLERS["responseHandlers"][2:3]}
    with pytest.raises(ConnectionProblem) as info:
        call(respond(200, json={"error": "slow_down"}), lambda c: c.get("/x"), only_rate_limit, retry=RetryPolicy(max_attempts=0))
    assert info.value.key == "rate_limit_exceeded"
    assert info.value.message.startswith("GET https://api.example.com/x returned HTTP 200, which a responseHandler marks as an error")


def test_handler_success_with_data_formula_and_full_response() -> None:
    handler = respond(202, json={"result": {"id": 9}})
    assert call(handler, lambda c: c.get("/x"), HANDLERS) == {"id": 9}
    full = call(handler, lambda c: c.get("/x", None, {"returnFullResponse": True}), HANDLERS)
    assert (full["data"], full["statusCode"]) == ({"id": 9}, 202)


def test_no_handler_matches_falls_through_to_status_rules() -> None:
    assert call(respond(200, json={"ok": True}), lambda c: c.get("/x"), HANDLERS) == {"ok": True}
    with pytest.raises(BadRequestError):
        call(respond(404, json={"ok": True}), lambda c: c.get("/x"), HANDLERS)


class Recorder:
    """A clock and a sleep that only pretend: backoff tests take no wall time."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_handler_rate_limit_key_is_retried_like_a_429() -> None:
    answers = iter([httpx.Response(200, json={"error": "slow_down"}), httpx.Response(200, json={"fine": 1})])
    rec = Recorder()
    result = call(lambda r: next(answers), lambda c: c.get("/x"), HANDLERS, clock=rec.clock, sleep=rec.sleep, rng=random.Random(1))
    assert result == {"fine": 1} and len(rec.sleeps) == 1


# --- 401 -> refresh -> retry once --------------------------------------------------------------


def refreshing_client(handler: Handler, *, can_refresh: bool = True) -> tuple[ApiClient, httpx.AsyncClient, CallbackAuthSession]:
    changes: list[dict[str, Any]] = []

    async def refresher(creds: Any) -> dict[str, Any] | None:
        return {"access_token": f"token-{len(changes) + 2}"} if can_refresh else None

    session = CallbackAuthSession(
        {"access_token": "token-1"},
        lambda creds: config({"baseUri": "https://api.example.com", "headers": {"Authorization": f"Bearer {creds['access_token']}"}}),
        refresher=refresher,
        on_change=changes.append,
    )
    http = async_http(transport=httpx.MockTransport(handler))
    return ApiClient(session, http=http, redactor=Redactor()), http, session


def test_401_refreshes_once_and_retries_with_new_credentials() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        ok = request.headers["authorization"] == "Bearer token-2"
        return httpx.Response(200 if ok else 401, json={"ok": ok})

    async def main() -> None:
        client, http, session = refreshing_client(handler)
        async with http:
            assert await client.get("/me") == {"ok": True}
        assert session.credentials == {"access_token": "token-2"} and session.generation == 1
        assert [e.status for e in client.log] == [401, 200]

    asyncio.run(main())
    assert seen == ["Bearer token-1", "Bearer token-2"]


def test_401_after_the_retry_is_access_token_expired() -> None:
    async def main() -> None:
        client, http, session = refreshing_client(respond(401, json={"error": "invalid_token"}))
        async with http:
            with pytest.raises(ConnectionProblem) as info:
                await client.get("/me")
        assert info.value.key == "access_token_expired" and "still rejected after refreshing" in info.value.message
        assert session.refresh_count == 1 and len(client.log) == 2

    asyncio.run(main())


def test_401_without_refresh_is_access_token_expired_at_once() -> None:
    async def main() -> None:
        client, http, session = refreshing_client(respond(401), can_refresh=False)
        async with http:
            with pytest.raises(ConnectionProblem, match="cannot be refreshed") as info:
                await client.get("/me")
        assert info.value.key == "access_token_expired" and len(client.log) == 1

    asyncio.run(main())


def test_handler_access_token_expired_key_triggers_refresh() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.headers["authorization"] == "Bearer token-1":
            return httpx.Response(200, json={"error": "token_expired"})
        return httpx.Response(200, json={"me": 1})

    async def main() -> None:
        session = CallbackAuthSession(
            {"access_token": "token-1"},
            lambda creds: config({**HANDLERS, "headers": {"Authorization": f"Bearer {creds['access_token']}"}}),
            refresher=lambda creds: asyncio.sleep(0, {"access_token": "token-2"}),
        )
        async with async_http(transport=httpx.MockTransport(handler)) as http:
            client = ApiClient(session, http=http, redactor=Redactor())
            assert await client.get("/me") == {"me": 1}

    asyncio.run(main())


# --- 429 backoff ------------------------------------------------------------------------------


def test_retry_after_seconds_is_honoured_then_success() -> None:
    answers = iter([httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(429, headers={"Retry-After": "1"}),
                    httpx.Response(200, json={"ok": 1})])
    rec = Recorder()
    result = call(lambda r: next(answers), lambda c: c.get("/x"), clock=rec.clock, sleep=rec.sleep,
                  deadline=rec.now + 10, rng=random.Random(7))
    assert result == {"ok": 1}
    assert len(rec.sleeps) == 2
    assert 2.0 <= rec.sleeps[0] <= 2.2 and 1.0 <= rec.sleeps[1] <= 1.1


def test_backoff_without_retry_after_grows_with_jitter() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0)
    rng = random.Random(3)
    delays = [policy.delay(i, None, rng) for i in range(6)]
    for i, d in enumerate(delays):
        ceiling = min(4.0, 0.5 * 2**i)
        assert ceiling / 2 <= d <= ceiling
    assert len({round(d, 6) for d in delays}) == 6  # jittered, not fixed steps


def test_429_gives_up_when_the_wait_would_pass_the_deadline() -> None:
    rec = Recorder()
    with pytest.raises(ConnectionProblem) as info:
        call(respond(429, headers={"Retry-After": "30"}), lambda c: c.get("/x"), clock=rec.clock, sleep=rec.sleep,
             deadline=rec.now + 5)
    assert info.value.key == "rate_limit_exceeded" and info.value.status == 429
    assert "would pass the deadline" in info.value.message
    assert rec.sleeps == []


def test_429_without_deadline_stops_after_max_attempts() -> None:
    rec = Recorder()
    with pytest.raises(ConnectionProblem, match="gave up after 3 retries") as info:
        call(respond(429), lambda c: c.get("/x"), clock=rec.clock, sleep=rec.sleep, retry=RetryPolicy(base_delay=0.01, max_attempts=3))
    assert info.value.key == "rate_limit_exceeded" and len(rec.sleeps) == 3


def test_no_request_starts_after_the_deadline() -> None:
    rec = Recorder()
    with pytest.raises(ConnectionProblem, match="deadline has passed") as info:
        call(respond(200), lambda c: c.get("/x"), clock=rec.clock, sleep=rec.sleep, deadline=rec.now - 1)
    assert info.value.key == "timeout"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3", 3.0), ("0.25", 0.25), ("-4", 0.0), ("", None), (None, None), ("soon", None), ("nan", None),
     ("Sun, 29 Nov 2026 05:00:10 GMT", 10.0), ("Sun, 29 Nov 2026 04:00:00 GMT", 0.0)],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    now = 1795928400.0  # Sun, 29 Nov 2026 05:00:00 GMT
    assert parse_retry_after(value, now=now) == expected
