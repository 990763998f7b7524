"""OAuth2 pieces: PKCE, authorize URL, token requests against the fake API, credentials, expiry."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from runtime._auth import oauth2
from runtime._errors import ConnectionProblem, SpecError
from tests.fakeapi import FakeApi
from tests.http._helpers import async_http

REDIRECT = "https://host.example.com/oauth/callback"


def test_pkce_pair_is_s256_of_the_verifier() -> None:
    pair = oauth2.make_pkce_pair()
    assert 43 <= len(pair.verifier) <= 128 and pair.method == "S256"
    expected = base64.urlsafe_b64encode(hashlib.sha256(pair.verifier.encode()).digest()).rstrip(b"=").decode()
    assert pair.challenge == expected
    assert pair.verifier not in repr(pair)
    assert oauth2.make_pkce_pair().verifier != pair.verifier
    # RFC 7636 appendix B test vector
    assert oauth2.pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def config(**over: Any) -> oauth2.OAuth2Config:
    value = {"clientId": "cid", "clientSecret": "csecret-123", "authorizeUri": "https://auth.example.com/authorize?prompt=consent",
             "tokenUri": "https://auth.example.com/token", "scopes": ["read", "write"], **over}
    return oauth2.OAuth2Config.from_output(value, source="auth/get-oauth-config.map.yml")


def test_authorize_url_has_every_standard_parameter() -> None:
    start = oauth2.start_authorization(config(extra={"access_type": "offline", "include": True}), redirect_uri=REDIRECT, state="s-1:custom")
    parts = urlsplit(start.url)
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert parts.netloc == "auth.example.com" and parts.path == "/authorize"
    assert q == {
        "prompt": "consent", "response_type": "code", "client_id": "cid", "redirect_uri": REDIRECT, "scope": "read write",
        "state": "s-1:custom", "code_challenge": oauth2.pkce_challenge(start.code_verifier or ""), "code_challenge_method": "S256",
        "access_type": "offline", "include": "true",
    }
    assert start.state == "s-1:custom"


def test_skip_pkce_and_generated_state() -> None:
    start = oauth2.start_authorization(config(skipPkce=True, scopes=[]), redirect_uri=REDIRECT)
    q = parse_qs(urlsplit(start.url).query)
    assert start.code_verifier is None and "code_challenge" not in q and "scope" not in q
    assert q["state"] == [start.state] and len(start.state) >= 20


@pytest.mark.parametrize(
    ("value", "field"),
    [({}, "clientId"), ({"clientId": 5}, "clientId"), ({"clientId": "c", "scopes": [1]}, "scopes"),
     ({"clientId": "c", "clientAuthLocation": "query"}, "clientAuthLocation"), ({"clientId": "c", "extra": "x=1"}, "extra")],
)
def test_config_errors_name_the_field(value: dict[str, Any], field: str) -> None:
    with pytest.raises(SpecError) as info:
        oauth2.OAuth2Config.from_output(value, source="auth/get-oauth-config.map.yml")
    assert (info.value.file, info.value.field) == ("auth/get-oauth-config.map.yml", field)


def test_config_repr_hides_the_secret() -> None:
    assert "csecret-123" not in repr(config())


NOW = datetime(2026, 11, 29, 5, 0, 0, tzinfo=timezone.utc)


def test_credentials_from_token_response_absolute_expiry() -> None:
    creds = oauth2.credentials_from_token_response({"access_token": "a1", "refresh_token": "r1", "expires_in": 3600}, now=NOW)
    assert creds == {"access_token": "a1", "refresh_token": "r1", "expires_in": 3600, "expires_at": "2026-11-29T06:00:00Z"}


def test_refresh_response_without_refresh_token_keeps_the_old_one() -> None:
    previous = {"access_token": "a1", "refresh_token": "r1", "expires_at": "2026-11-29T05:00:00Z", "instance_url": "https://x"}
    creds = oauth2.credentials_from_token_response({"access_token": "a2", "expires_in": "120"}, previous=previous, now=NOW)
    assert creds == {"access_token": "a2", "refresh_token": "r1", "expires_in": "120", "expires_at": "2026-11-29T05:02:00Z",
                     "instance_url": "https://x"}
    rotated = oauth2.credentials_from_token_response({"access_token": "a3", "refresh_token": "r2"}, previous=previous, now=NOW)
    assert rotated["refresh_token"] == "r2" and "expires_at" not in rotated


@pytest.mark.parametrize(
    ("expiry", "margin", "expected"),
    [
        ("2026-11-29T05:00:30Z", 60, True),
        ("2026-11-29T05:05:00Z", 60, False),
        ("2026-11-29T05:05:00+00:00", 600, True),
        (NOW.timestamp() + 30, 60, True),           # epoch seconds
        ((NOW.timestamp() + 3600) * 1000, 60, False),  # epoch milliseconds
        ("2026-11-29T04:00:00Z", 0, True),          # already expired
        (None, 60, False),
        ("whenever", 60, False),
    ],
)
def test_needs_refresh(expiry: Any, margin: float, expected: bool) -> None:
    assert oauth2.needs_refresh({"access_token": "a", "expires_at": expiry}, now=NOW, margin=margin) is expected
    assert oauth2.needs_refresh({"expiresAt": expiry}, now=NOW, margin=margin) is expected


def test_needs_refresh_without_credentials() -> None:
    assert oauth2.needs_refresh(None) is False and oauth2.needs_refresh({"access_token": "a"}) is False


# --- against the fake API ----------------------------------------------------------------------


def fake_config(api: FakeApi, **over: Any) -> oauth2.OAuth2Config:
    return oauth2.OAuth2Config.from_output(
        {"clientId": api.client_id, "clientSecret": api.client_secret, "authorizeUri": api.url + "/oauth2/authorize",
         "tokenUri": api.url + "/oauth2/token", "scopes": ["contacts.read"], **over},
        source="auth/get-oauth-config.map.yml",
    )


async def authorize(http: httpx.AsyncClient, start: oauth2.AuthorizationStart) -> dict[str, str]:
    """Plays the user's browser: follow the authorize URL to the redirect with ?code&state."""
    response = await http.get(start.url)
    assert response.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


@pytest.mark.parametrize("location", ["headers", "body", "both"])
def test_code_pkce_exchange_and_rotating_refresh(fake_api: FakeApi, location: str) -> None:
    fake_api.state.required_client_auth = location
    cfg = fake_config(fake_api, clientAuthLocation=location)

    async def main() -> tuple[dict[str, Any], dict[str, Any]]:
        async with async_http() as http:
            start = oauth2.start_authorization(cfg, redirect_uri=REDIRECT)
            callback = await authorize(http, start)
            assert callback["state"] == start.state
            token = await oauth2.exchange_code(http, cfg, code=callback["code"], redirect_uri=REDIRECT, code_verifier=start.code_verifier)
            creds = oauth2.credentials_from_token_response(token)
            refreshed = oauth2.credentials_from_token_response(
                await oauth2.refresh_access_token(http, cfg, refresh_token=creds["refresh_token"]), previous=creds)
            return creds, refreshed

    creds, refreshed = asyncio.run(main())
    assert fake_api.access_token_valid(creds["access_token"]) and creds["scope"] == "contacts.read"
    assert refreshed["refresh_token"] != creds["refresh_token"]
    assert refreshed["refresh_token"] in fake_api.refresh_tokens and creds["refresh_token"] not in fake_api.refresh_tokens
    token_calls = fake_api.requests_to("/oauth2/token")
    forms = [r.form() for r in token_calls]
    assert [f["grant_type"] for f in forms] == ["authorization_code", "refresh_token"]
    assert ("client_secret" in forms[0]) is (location != "headers")
    assert ("authorization" in token_calls[0].headers) is (location != "body")
    assert "code_verifier" in forms[0]


def test_wrong_verifier_and_reused_code_are_rejected(fake_api: FakeApi) -> None:
    cfg = fake_config(fake_api)

    async def main() -> list[str]:
        keys = []
        async with async_http() as http:
            start = oauth2.start_authorization(cfg, redirect_uri=REDIRECT)
            code = (await authorize(http, start))["code"]
            with pytest.raises(ConnectionProblem) as info:
                await oauth2.exchange_code(http, cfg, code=code, redirect_uri=REDIRECT, code_verifier="x" * 50)
            keys.append(info.value.key + ":" + info.value.message.split(": ", 1)[1])
            with pytest.raises(ConnectionProblem) as info:  # the code was consumed by the failed attempt
                await oauth2.exchange_code(http, cfg, code=code, redirect_uri=REDIRECT, code_verifier=start.code_verifier)
            keys.append(info.value.key)
        return keys

    first, second = asyncio.run(main())
    assert first == "token_request_failed:invalid_grant: PKCE verification failed"
    assert second == "token_request_failed"


def test_skip_pkce_flow_and_refresh_without_new_refresh_token(fake_api: FakeApi) -> None:
    fake_api.state.refresh_returns_refresh_token = False
    fake_api.state.rotate_refresh_tokens = False
    cfg = fake_config(fake_api, skipPkce=True)

    async def main() -> tuple[dict[str, Any], dict[str, Any]]:
        async with async_http() as http:
            start = oauth2.start_authorization(cfg, redirect_uri=REDIRECT)
            code = (await authorize(http, start))["code"]
            creds = oauth2.credentials_from_token_response(await oauth2.exchange_code(http, cfg, code=code, redirect_uri=REDIRECT))
            raw = await oauth2.refresh_access_token(http, cfg, refresh_token=creds["refresh_token"])
            assert "refresh_token" not in raw
            return creds, oauth2.credentials_from_token_response(raw, previous=creds)

    creds, refreshed = asyncio.run(main())
    assert refreshed["refresh_token"] == creds["refresh_token"] and refreshed["access_token"] != creds["access_token"]
    assert "code_verifier" not in fake_api.requests_to("/oauth2/token")[0].form()


def test_token_errors_do_not_leak_secrets(fake_api: FakeApi) -> None:
    cfg = oauth2.OAuth2Config.from_output(
        {"clientId": fake_api.client_id, "clientSecret": "wrong-secret-xyz", "tokenUri": fake_api.url + "/oauth2/token"}, source="x")

    async def main() -> None:
        async with async_http() as http:
            await oauth2.refresh_access_token(http, cfg, refresh_token="rt-some-refresh-token")

    with pytest.raises(ConnectionProblem) as info:
        asyncio.run(main())
    assert info.value.key == "token_request_failed" and info.value.status == 401
    blob = repr((info.value.message, info.value.to_dict()))
    assert "wrong-secret-xyz" not in blob and "rt-some-refresh-token" not in blob
