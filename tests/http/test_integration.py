"""ApiClient against the real loopback fake API: auth styles, refresh, single flight, 429, faults."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from runtime._auth import oauth2
from runtime._errors import BadRequestError, ConnectionProblem
from runtime._http import ApiClient, CallbackAuthSession, Redactor, RetryPolicy
from tests.fakeapi import FakeApi
from tests.http._helpers import async_http, config


def run(fn: Callable[[httpx.AsyncClient], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with async_http(timeout=5) as http:
            return await fn(http)

    return asyncio.run(main())


def static_client(http: httpx.AsyncClient, cfg: dict[str, Any], secrets: Any = (), **kw: Any) -> ApiClient:
    built = config(cfg)
    return ApiClient(CallbackAuthSession({}, lambda c: built), http=http, redactor=Redactor(secrets), **kw)


def test_api_key_header_query_and_basic_auth(fake_api: FakeApi) -> None:
    async def main(http: httpx.AsyncClient) -> list[Any]:
        by_header = static_client(http, {"baseUri": fake_api.url, "headers": {"X-Api-Key": fake_api.api_key}})
        by_query = static_client(http, {"baseUri": fake_api.url, "query": {"api_key": fake_api.api_key}})
        basic = static_client(http, {"baseUri": fake_api.url, "auth": {"username": fake_api.basic_user, "password": fake_api.basic_password}})
        wrong = static_client(http, {"baseUri": fake_api.url, "headers": {"X-Api-Key": "wrong-key"}})
        results = [await by_header.get("/api/key-header"), await by_query.get("/api/key-query"), await basic.get("/api/basic")]
        with pytest.raises(ConnectionProblem) as info:
            await wrong.get("/api/key-header")
        results.append(info.value.key)
        return results

    assert run(main) == [{"ok": True, "via": "header"}, {"ok": True, "via": "query"}, {"ok": True, "user": "fake-user"},
                         "access_token_expired"]
    assert [r.path for r in fake_api.requests] == ["/api/key-header", "/api/key-query", "/api/basic", "/api/key-header"]


def test_echo_sees_exactly_what_was_built(fake_api: FakeApi) -> None:
    async def main(http: httpx.AsyncClient) -> Any:
        client = static_client(http, {"baseUri": fake_api.url + "/", "headers": {"X-Tenant": "acme"}, "query": {"v": 2}})
        return await client.post("echo?x=1", {"name": "Ann"}, {"query": {"page": 1}})

    echoed = run(main)
    assert echoed["rawPath"] == "/echo?x=1&v=2&page=1"
    assert echoed["json"] == {"name": "Ann"} and echoed["headers"]["x-tenant"] == "acme"
    (recorded,) = fake_api.requests
    assert recorded.method == "POST" and recorded.headers["content-type"] == "application/json"


def oauth_session(fake_api: FakeApi, creds: dict[str, Any], persisted: list[dict[str, Any]], http: httpx.AsyncClient) -> CallbackAuthSession:
    cfg = oauth2.OAuth2Config.from_output(
        {"clientId": fake_api.client_id, "clientSecret": fake_api.client_secret, "tokenUri": fake_api.url + "/oauth2/token"},
        source="auth/get-oauth-config.map.yml",
    )

    async def refresher(current: Any) -> dict[str, Any]:
        response = await oauth2.refresh_access_token(http, cfg, refresh_token=current["refresh_token"])
        return oauth2.credentials_from_token_response(response, previous=current)

    return CallbackAuthSession(
        creds,
        lambda c: config({"baseUri": fake_api.url, "headers": {"Authorization": f"Bearer {c['access_token']}"}}),
        refresher=refresher,
        on_change=persisted.append,
    )


def test_expired_token_refreshes_and_retries_once(fake_api: FakeApi) -> None:
    creds = {"access_token": fake_api.issue_access_token(), "refresh_token": fake_api.issue_refresh_token()}
    old_refresh = creds["refresh_token"]
    fake_api.expire_access_tokens()
    persisted: list[dict[str, Any]] = []

    async def main(http: httpx.AsyncClient) -> Any:
        session = oauth_session(fake_api, creds, persisted, http)
        client = ApiClient(session, http=http, redactor=Redactor(creds))
        me = await client.get("/api/me")
        return me, [(e.method, e.status) for e in client.log]

    me, log = run(main)
    assert me == {"id": "user-1", "name": "Fake User"}
    assert log == [("GET", 401), ("GET", 200)]
    assert fake_api.refresh_count == 1
    (new,) = persisted
    assert new["refresh_token"] != old_refresh and new["refresh_token"] in fake_api.refresh_tokens
    assert old_refresh not in fake_api.refresh_tokens  # rotated
    assert fake_api.access_token_valid(new["access_token"]) and "expires_at" in new
    me_calls = fake_api.requests_to("/api/me")
    assert [r.bearer() for r in me_calls] == [creds["access_token"], new["access_token"]]


def test_ten_concurrent_401s_trigger_one_refresh(fake_api: FakeApi) -> None:
    creds = {"access_token": fake_api.issue_access_token(), "refresh_token": fake_api.issue_refresh_token()}
    fake_api.expire_access_tokens()
    persisted: list[dict[str, Any]] = []

    async def main(http: httpx.AsyncClient) -> list[Any]:
        session = oauth_session(fake_api, creds, persisted, http)
        client = ApiClient(session, http=http, redactor=Redactor(creds))
        return await asyncio.gather(*[client.get("/api/me") for _ in range(10)])

    results = run(main)
    assert results == [{"id": "user-1", "name": "Fake User"}] * 10
    assert fake_api.refresh_count == 1 and len(persisted) == 1
    assert len(fake_api.requests_to("/oauth2/token")) == 1
    assert len(fake_api.requests_to("/api/me")) == 20  # each request: one 401, one retry


def test_refresh_with_revoked_token_is_connection_is_defunct(fake_api: FakeApi) -> None:
    creds = {"access_token": "at-unknown", "refresh_token": "rt-revoked"}

    async def main(http: httpx.AsyncClient) -> None:
        client = ApiClient(oauth_session(fake_api, creds, [], http), http=http, redactor=Redactor(creds))
        await client.get("/api/me")

    with pytest.raises(ConnectionProblem) as info:
        run(main)
    assert info.value.key == "connection_is_defunct" and "invalid_grant" in info.value.message
    assert "rt-revoked" not in repr(info.value.to_dict())


def test_429_with_retry_after_is_retried_within_the_deadline(fake_api: FakeApi) -> None:
    fake_api.rate_limit(2, retry_after="0.05", path_prefix="/api/items")

    async def main(http: httpx.AsyncClient) -> Any:
        client = static_client(http, {"baseUri": fake_api.url}, deadline=time.monotonic() + 5)
        started = time.monotonic()
        page = await client.get("/api/items/cursor", {"limit": 2})
        return page, time.monotonic() - started, [e.status for e in client.log]

    page, elapsed, statuses = run(main)
    assert page == {"items": [{"id": "1", "name": "Item 1"}, {"id": "2", "name": "Item 2"}], "nextCursor": "2"}
    assert statuses == [429, 429, 200]
    assert 0.1 <= elapsed < 1.5  # waited for Retry-After twice


def test_429_beyond_the_deadline_fails_fast(fake_api: FakeApi) -> None:
    async def main(http: httpx.AsyncClient) -> float:
        client = static_client(http, {"baseUri": fake_api.url}, deadline=time.monotonic() + 0.5)
        started = time.monotonic()
        with pytest.raises(ConnectionProblem) as info:
            await client.get("/rate-limited", {"times": 5, "retry_after": "2", "key": "deadline"})
        assert info.value.key == "rate_limit_exceeded" and info.value.status == 429
        return time.monotonic() - started

    assert run(main) < 0.4
    assert len(fake_api.requests_to("/rate-limited")) == 1


def test_429_without_retry_after_backs_off_and_succeeds(fake_api: FakeApi) -> None:
    async def main(http: httpx.AsyncClient) -> Any:
        client = static_client(http, {"baseUri": fake_api.url}, retry=RetryPolicy(base_delay=0.02))
        return await client.get("/rate-limited", {"times": 2, "key": "nora"})

    assert run(main) == {"ok": True, "attempts": 3}


@pytest.mark.parametrize(
    ("path", "cls", "key", "fragment"),
    [
        ("/malformed/json", ConnectionProblem, "invalid_response", "malformed JSON"),
        ("/malformed/html", ConnectionProblem, "http_error", "Bad Gateway"),
        ("/status?code=404", BadRequestError, "not_found", "fake status 404"),
        ("/status?code=409", BadRequestError, "already_exists", "HTTP 409"),
        ("/status?code=403", BadRequestError, "access_denied", "HTTP 403"),
        ("/status?code=422", BadRequestError, "bad_request", "HTTP 422"),
        ("/status?code=503", ConnectionProblem, "http_error", "HTTP 503"),
    ],
)
def test_malformed_and_error_responses(fake_api: FakeApi, path: str, cls: type, key: str, fragment: str) -> None:
    async def main(http: httpx.AsyncClient) -> None:
        await static_client(http, {"baseUri": fake_api.url}).get(path)

    with pytest.raises(cls) as info:
        run(main)
    assert info.value.key == key and fragment in info.value.message
    assert f"GET {fake_api.url}{path.split('?')[0]}" in info.value.message


def test_html_200_is_text_and_empty_bodies_are_none(fake_api: FakeApi) -> None:
    async def main(http: httpx.AsyncClient) -> list[Any]:
        client = static_client(http, {"baseUri": fake_api.url})
        return [await client.get(p) for p in ("/malformed/html-200", "/malformed/empty", "/malformed/empty-json")]

    html, empty, empty_json = run(main)
    assert html.startswith("<!DOCTYPE html>") and empty is None and empty_json is None


def test_timeout_and_refused_connection_are_typed(fake_api: FakeApi) -> None:
    async def main(http: httpx.AsyncClient) -> list[str]:
        keys = []
        client = static_client(http, {"baseUri": fake_api.url}, deadline=time.monotonic() + 0.1)
        with pytest.raises(ConnectionProblem) as info:
            await client.get("/slow", {"ms": 400})
        keys.append(info.value.key)
        closed = static_client(http, {"baseUri": "http://127.0.0.1:9"})  # discard port: nothing listens
        with pytest.raises(ConnectionProblem) as info:
            await closed.get("/x")
        keys.append(info.value.key)
        return keys

    assert run(main) == ["timeout", "connection_failed"]


def test_ten_slow_requests_run_concurrently(fake_api: FakeApi) -> None:
    async def main(http: httpx.AsyncClient) -> float:
        client = static_client(http, {"baseUri": fake_api.url})
        await client.get("/slow", {"ms": 0})
        started = time.monotonic()
        await asyncio.gather(*[client.get("/slow", {"ms": 100}) for _ in range(10)])
        return time.monotonic() - started

    assert run(main) < 0.6  # sequential would be >= 1.0 s


def test_fetch_is_a_raw_exchange_with_log_and_redaction(fake_api: FakeApi) -> None:
    async def main(http: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any], ApiClient]:
        client = static_client(http, {"baseUri": fake_api.url, "headers": {"X-Api-Key": "never-sent-by-fetch"}},
                               secrets=["fetch-secret-token"])
        echoed = await client.fetch(fake_api.url + "/echo?token=fetch-secret-token", method="post",
                                    headers={"Content-Type": "text/plain"}, body="hi")
        missing = await client.fetch(fake_api.url + "/status?code=404")
        return echoed, missing, client

    echoed, missing, client = run(main)
    body = json.loads(echoed["body"])
    assert echoed["status"] == 200 and echoed["statusText"] == "OK" and echoed["headers"]["content-type"] == "application/json"
    assert body["method"] == "POST" and body["body"] == "hi" and "x-api-key" not in body["headers"]
    assert missing["status"] == 404  # fetch does not raise on HTTP errors
    assert [e.url for e in client.log][0] == f"{fake_api.url}/echo?token=[REDACTED]"
