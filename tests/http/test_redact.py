"""No secret appears in logs, errors or reprs."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from runtime._errors import ApiError
from runtime._http import REDACTED, ApiClient, CallbackAuthSession, Redactor
from tests.http._helpers import async_http, config

SECRETS = {
    "access_token": "ya29.A0secretTOKENvalue",
    "apiKey": "key-live-5f6e7d8c",
    "password": "p@ss w0rd/+?",
}


def test_text_replaces_every_known_secret_and_its_url_encodings() -> None:
    r = Redactor(SECRETS)
    text = "tok=ya29.A0secretTOKENvalue pw=p%40ss%20w0rd%2F%2B%3F pw2=p%40ss+w0rd%2F%2B%3F raw=p@ss w0rd/+?"
    out = r.text(text)
    assert out == f"tok={REDACTED} pw={REDACTED} pw2={REDACTED} raw={REDACTED}"


def test_short_values_are_not_treated_as_secrets() -> None:
    r = Redactor({"region": "eu", "flag": True, "n": 3})
    assert r.text("region eu has 3 flags True") == "region eu has 3 flags True"


def test_add_registers_new_secrets_later() -> None:
    r = Redactor()
    assert r.text("abc-123-xyz") == "abc-123-xyz"
    r.add({"refresh_token": "abc-123-xyz"})
    assert r.text("abc-123-xyz") == REDACTED


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example.com/x?api_key=unknown123&page=2", f"https://a.example.com/x?api_key={REDACTED}&page=2"),
        ("https://a.example.com/cb?code=abcdef&state=s1", f"https://a.example.com/cb?code={REDACTED}&state=s1"),
        ("https://a.example.com/x?access_token=t&client_secret=s&X-Amz-Signature=sig&sort=name",
         f"https://a.example.com/x?access_token={REDACTED}&client_secret={REDACTED}&X-Amz-Signature={REDACTED}&sort=name"),
        ("https://bob:hunter22@a.example.com/x", f"https://bob:{REDACTED}@a.example.com/x"),
        ("https://a.example.com/users/key-live-5f6e7d8c/x", f"https://a.example.com/users/{REDACTED}/x"),
        ("https://a.example.com/x?zipcode=12345&author=ann", "https://a.example.com/x?zipcode=12345&author=ann"),
    ],
)
def test_urls(url: str, expected: str) -> None:
    assert Redactor(SECRETS).url(url) == expected


def test_headers_by_name_and_by_value() -> None:
    r = Redactor(SECRETS)
    out = r.headers({"Authorization": "Basic Ym9iOmh1bnRlcg==", "Cookie": "sid=1", "X-Api-Key": "anything",
                     "X-Custom": "Bearer ya29.A0secretTOKENvalue", "Accept": "application/json"})
    assert out == {"Authorization": REDACTED, "Cookie": REDACTED, "X-Api-Key": REDACTED,
                   "X-Custom": f"Bearer {REDACTED}", "Accept": "application/json"}


def test_values_redact_sensitive_keys_but_keep_error_codes() -> None:
    r = Redactor(SECRETS)
    out = r.value({"client_secret": "zzz-unknown", "code": 17, "key": "not_found", "nested": [{"msg": "ya29.A0secretTOKENvalue"}]})
    assert out == {"client_secret": REDACTED, "code": 17, "key": "not_found", "nested": [{"msg": REDACTED}]}


def test_redactor_repr_has_no_secret() -> None:
    assert "ya29" not in repr(Redactor(SECRETS))


def test_client_logs_errors_and_reprs_carry_no_secret() -> None:
    """Secrets in the URL path, query, headers and echoed in the error body never leak."""

    def handler(request: httpx.Request) -> httpx.Response:
        # a hostile API echoing everything it got, including the credentials
        return httpx.Response(400, json={"echo": str(request.url), "auth": request.headers.get("authorization")})

    session = CallbackAuthSession(
        SECRETS,
        lambda creds: config({"baseUri": "https://api.example.com",
                              "headers": {"Authorization": f"Bearer {creds['access_token']}"},
                              "query": {"api_key": creds["apiKey"]},
                              "auth": None}),
    )

    async def main() -> tuple[ApiClient, ApiError]:
        async with async_http(transport=httpx.MockTransport(handler)) as http:
            client = ApiClient(session, http=http, redactor=Redactor(SECRETS))
            with pytest.raises(ApiError) as info:
                await client.get(f"/users/{SECRETS['password']}", {"token": "fresh-unknown-token"})
            return client, info.value

    client, error = asyncio.run(main())
    surfaces: list[Any] = [
        error.message, str(error), repr(error), error.to_dict(), error.url, error.body_excerpt,
        [e.to_dict() for e in client.log], repr(client.log), repr(client), repr(session), repr(session.api_config),
    ]
    blob = repr(surfaces)
    for secret in [*SECRETS.values(), "fresh-unknown-token"]:
        assert secret not in blob
    assert "/users/" in error.url and REDACTED in error.url and REDACTED in error.message
