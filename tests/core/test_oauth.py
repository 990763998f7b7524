"""OAuth2 (standard and custom steps) and OAuth1 flows end to end against the fake API."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from runtime import BadRequestError, ConnectionProblem
from tests.core.conftest import load, run

REDIRECT = "http://127.0.0.1:9/callback"


async def follow_authorize(url: str) -> dict[str, str]:
    """What a browser does: open the authorize URL, get redirected to the callback."""
    async with httpx.AsyncClient() as http:
        response = await http.get(url)
    assert response.status_code == 302, response.text
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


def oauth2_params(fake_api: Any, **extra: Any) -> dict[str, Any]:
    return {"baseUri": fake_api.url, "clientId": fake_api.client_id, "clientSecret": fake_api.client_secret, **extra}


def test_oauth2_code_flow_with_pkce_then_refresh_rotation_on_401(fake_api: Any) -> None:
    connector = load("oauth2")
    stored_creds: list[dict[str, Any]] = []

    async def main() -> None:
        async with connector.connect(connector_parameters=oauth2_params(fake_api), on_credentials_changed=stored_creds.append) as conn:
            start = await conn.start_oauth(REDIRECT, state_suffix="tenant-1")
            query = urlsplit(start.url).query
            params = parse_qs(query)
            assert params["response_type"] == ["code"]
            assert params["scope"] == ["read write"]
            assert params["code_challenge_method"] == ["S256"]
            assert params["access_type"] == ["offline"]
            assert start.state and start.state.endswith(":tenant-1")
            assert start.code_verifier and start.code_verifier not in start.url

            callback = await follow_authorize(start.url)
            creds = await conn.complete_oauth(callback, start.stored)
            assert creds["access_token"].startswith("at-") and creds["refresh_token"].startswith("rt-")
            assert "expires_at" in creds
            assert stored_creds == [creds]
            assert (await conn.call("auth/test")).output is True

            # the token expires: 401 -> refresh (rotated refresh token) -> retry, host told first
            fake_api.expire_access_tokens()
            result = await conn.call("operations/me/run")
            assert result.output == {"id": "user-1", "name": "Fake User"}
            assert result.credentials is not None
            assert result.credentials["refresh_token"] != creds["refresh_token"]
            assert stored_creds[-1] == result.credentials == conn.credentials
            # the refresh's token request is part of the call's request log, between the two tries
            assert [(e.method, e.status) for e in result.requests] == [("GET", 401), ("POST", 200), ("GET", 200)]
            assert result.requests[1].url.endswith("/oauth2/token")

    run(main())
    token_calls = fake_api.requests_to("/oauth2/token")
    assert [r.form()["grant_type"] for r in token_calls] == ["authorization_code", "refresh_token"]
    assert token_calls[0].form()["code_verifier"]
    assert fake_api.refresh_count == 1


def test_concurrent_401s_refresh_once(fake_api: Any) -> None:
    connector = load("oauth2")
    refresh = fake_api.state.issue_refresh_token()
    expired = fake_api.state.issue_access_token(ttl=-1)
    changes: list[Any] = []

    async def main() -> Any:
        async with connector.connect(
            connector_parameters=oauth2_params(fake_api),
            credentials={"access_token": expired, "refresh_token": refresh},
            on_credentials_changed=changes.append,
        ) as conn:
            inside = await conn.call("operations/me-many/run")
            assert fake_api.refresh_count == 1
            # and three host calls at once, all hitting 401 together
            fake_api.expire_access_tokens()
            both = await asyncio.gather(*(conn.call("operations/me/run") for _ in range(3)))
            return inside, both

    inside, both = run(main())
    assert inside.output == ["user-1"] * 5
    assert inside.credentials == changes[0]
    assert fake_api.refresh_count == 2
    assert len(changes) == 2
    assert all(r.output["id"] == "user-1" and r.credentials == changes[1] for r in both)


def test_proactive_refresh_before_expiry(fake_api: Any) -> None:
    connector = load("oauth2")
    refresh = fake_api.state.issue_refresh_token()
    token = fake_api.state.issue_access_token(ttl=30)  # valid, but inside the refresh margin

    async def main() -> Any:
        async with connector.connect(
            connector_parameters=oauth2_params(fake_api),
            credentials={"access_token": token, "refresh_token": refresh,
                         "expires_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 30))},
        ) as conn:
            return await conn.call("operations/me/run")

    result = run(main())
    assert result.credentials is not None and result.credentials["access_token"] != token
    assert [r.path for r in fake_api.requests] == ["/oauth2/token", "/api/me"]  # refreshed first, no 401


def test_no_refresh_token_means_the_401_surfaces(fake_api: Any) -> None:
    connector = load("oauth2")
    expired = fake_api.state.issue_access_token(ttl=-1)

    async def main() -> None:
        async with connector.connect(connector_parameters=oauth2_params(fake_api), credentials={"access_token": expired}) as conn:
            await conn.call("operations/me/run")

    with pytest.raises(ConnectionProblem) as info:
        run(main())
    assert info.value.key == "access_token_expired"
    assert "cannot be refreshed" in info.value.message
    assert expired not in str(info.value.to_dict())
    assert fake_api.requests_to("/oauth2/token") == []


def test_revoked_refresh_token_is_connection_defunct(fake_api: Any) -> None:
    connector = load("oauth2")
    expired = fake_api.state.issue_access_token(ttl=-1)

    async def main() -> None:
        async with connector.connect(
            connector_parameters=oauth2_params(fake_api), credentials={"access_token": expired, "refresh_token": "rt-revoked"}
        ) as conn:
            await conn.call("operations/me/run")

    with pytest.raises(ConnectionProblem) as info:
        run(main())
    assert info.value.key in ("connection_is_defunct", "token_request_failed")
    assert "rt-revoked" not in str(info.value.to_dict())


def test_state_mismatch_and_denied_authorization(fake_api: Any) -> None:
    connector = load("oauth2")

    async def main() -> None:
        async with connector.connect(connector_parameters=oauth2_params(fake_api)) as conn:
            start = await conn.start_oauth(REDIRECT)
            callback = await follow_authorize(start.url)
            with pytest.raises(BadRequestError) as mismatch:
                await conn.complete_oauth({**callback, "state": "forged"}, start.stored)
            assert mismatch.value.key == "invalid_state"
            with pytest.raises(BadRequestError) as denied:
                await conn.complete_oauth({"error": "access_denied", "state": start.state}, start.stored)
            assert denied.value.key == "access_denied"

    run(main())
    assert fake_api.requests_to("/oauth2/token") == []


def test_client_auth_location_body_only(fake_api: Any) -> None:
    connector = load("oauth2")
    fake_api.state.required_client_auth = "body"

    async def main() -> None:
        async with connector.connect(connector_parameters=oauth2_params(fake_api, clientAuthLocation="body")) as conn:
            start = await conn.start_oauth(REDIRECT)
            await conn.complete_oauth(await follow_authorize(start.url), start.stored)

    run(main())
    sent = fake_api.requests_to("/oauth2/token")[0]
    assert "authorization" not in sent.headers and sent.form()["client_secret"] == fake_api.client_secret


def test_oauth2_custom_steps(fake_api: Any) -> None:
    connector = load("oauth2_custom")
    changes: list[Any] = []

    async def main() -> None:
        async with connector.connect(connector_parameters=oauth2_params(fake_api), on_credentials_changed=changes.append) as conn:
            start = await conn.start_oauth(REDIRECT)
            assert "code_challenge" not in start.url  # skipPkce
            creds = await conn.complete_oauth(await follow_authorize(start.url), start.stored)
            # getTokenData ran before a connection existed: no credentials, no apiClient
            assert creds["custom"] is True and creds["sawCredentials"] is False and creds["sawApiClient"] is False
            assert (await conn.call("auth/test")).output is True  # `test` mapping with path/method = REST

            fake_api.expire_access_tokens()
            result = await conn.call("operations/me/run")
            assert result.output["id"] == "user-1"
            new = result.credentials
            assert new is not None
            # refreshCredentials' result is MERGED: keys it did not return are kept
            assert new["custom"] is True and new["refreshedAt"] == "now" and new["token"] != creds["token"]
            assert any("had apiClient: false" in e["message"] for e in result.logs)
            assert changes[-1] == new

    run(main())
    assert [r.form()["grant_type"] for r in fake_api.requests_to("/oauth2/token")] == ["authorization_code", "refresh_token"]


def test_oauth1_flow_and_signed_requests(fake_api: Any) -> None:
    connector = load("oauth1")

    async def main() -> None:
        params = {"baseUri": fake_api.url, "consumerKey": fake_api.consumer_key, "consumerSecret": fake_api.consumer_secret}
        async with connector.connect(connector_parameters=params) as conn:
            start = await conn.start_oauth(REDIRECT)
            assert "oauth_token=" in start.url
            callback = await follow_authorize(start.url)
            creds = await conn.complete_oauth(callback, start.stored)
            assert creds["oauth_token"].startswith("ac-") and creds["oauth_token_secret"].startswith("acs-")
            assert (await conn.call("auth/test")).output is True
            result = await conn.call("operations/resource/run")
            assert result.output["get"]["query"] == {"q": "a b", "n": "1"}
            assert result.output["post"]["form"] == {"status": "hello world"}

    run(main())
    assert all(r.headers["authorization"].startswith("OAuth ") for r in fake_api.requests_to("/oauth1/resource"))


def test_disconnect_runs_the_connector_method(fake_api: Any) -> None:
    connector = load("oauth2")
    token = fake_api.state.issue_access_token()

    async def main() -> None:
        async with connector.connect(
            connector_parameters=oauth2_params(fake_api), credentials={"access_token": token, "refresh_token": "rt-x"}
        ) as conn:
            await conn.disconnect()

    run(main())
    sent = fake_api.requests_to("/echo")
    assert len(sent) == 1 and sent[0].json() == {"revoke": "refresh"}
    assert sent[0].headers["authorization"] == f"Bearer {token}"


def test_auth_refresh_credentials_path_refreshes_for_real(fake_api: Any) -> None:
    connector = load("oauth2")
    refresh = fake_api.state.issue_refresh_token()
    seen: list[Any] = []

    async def main() -> Any:
        async with connector.connect(
            connector_parameters=oauth2_params(fake_api),
            credentials={"access_token": "at-old", "refresh_token": refresh, "extra": "kept"},
            on_credentials_changed=seen.append,
        ) as conn:
            return await conn.call("auth/refresh-credentials")

    result = run(main())
    assert result.output == result.credentials == seen[0]
    assert result.output["extra"] == "kept" and result.output["access_token"] != "at-old"
    assert result.output["refresh_token"] != refresh
