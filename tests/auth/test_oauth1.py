"""OAuth1 against the fake API, whose signature check is its own RFC 5849 code (not oauthlib)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from runtime._auth import oauth1
from runtime._errors import BadRequestError, ConnectionProblem, SpecError
from runtime._http import ApiClient, ApiClientConfig, CallbackAuthSession, Redactor
from tests.fakeapi import FakeApi
from tests.http._helpers import async_http

CALLBACK = "https://host.example.com/oauth1/callback?flow=7"


def fake_config(api: FakeApi, secret: str | None = None) -> oauth1.OAuth1Config:
    return oauth1.OAuth1Config.from_output(
        {"consumerKey": api.consumer_key, "consumerSecret": secret or api.consumer_secret,
         "requestTokenUri": api.url + "/oauth1/request_token", "authorizeUri": api.url + "/oauth1/authorize",
         "tokenUri": api.url + "/oauth1/access_token", "extra": {"name": "My App"}},
        source="auth/get-oauth-config.map.yml",
    )


async def full_flow(http: httpx.AsyncClient, api: FakeApi) -> dict[str, str]:
    cfg = fake_config(api)
    request_token = await oauth1.fetch_request_token(http, cfg, callback_uri=CALLBACK)
    assert request_token["oauth_callback_confirmed"] == "true"
    url = oauth1.build_authorize_url(cfg, oauth_token=request_token["oauth_token"])
    assert parse_qs(urlsplit(url).query) == {"oauth_token": [request_token["oauth_token"]], "name": ["My App"]}
    redirect = await http.get(url)  # the user approves
    location = redirect.headers["location"]
    assert location.startswith(CALLBACK + "&")
    verifier = parse_qs(urlsplit(location).query)["oauth_verifier"][0]
    return await oauth1.fetch_access_token(http, cfg, oauth_token=request_token["oauth_token"],
                                           oauth_token_secret=request_token["oauth_token_secret"], verifier=verifier)


def signed_client(http: httpx.AsyncClient, api: FakeApi, creds: dict[str, str], consumer_secret: str | None = None) -> ApiClient:
    def signer(request: httpx.Request, c: Any) -> None:
        oauth1.sign_request(request, consumer_key=api.consumer_key, consumer_secret=consumer_secret or api.consumer_secret,
                            token=c["oauth_token"], token_secret=c["oauth_token_secret"])

    built = ApiClientConfig(base_uri=api.url)
    session = CallbackAuthSession(creds, lambda c: built, signer=signer)
    return ApiClient(session, http=http, redactor=Redactor(creds))


def test_full_flow_then_signed_requests_verified_by_the_server(fake_api: FakeApi) -> None:
    async def main() -> list[Any]:
        async with async_http() as http:
            creds = await full_flow(http, fake_api)
            client = signed_client(http, fake_api, creds)
            return [
                creds,
                await client.get("/oauth1/resource", {"q": "a b&c", "ids": [1, 2], "emoji": "é"}),
                await client.post("/oauth1/resource", {"__form__": {"status": "hello world!", "n": "1"}}),
                await client.put("/oauth1/resource", {"json": "not signed"}),
            ]

    creds, got, posted, put = asyncio.run(main())
    assert creds["oauth_token"] in fake_api.oauth1_access_tokens and creds["user_id"] == "user-1"
    assert got == {"ok": True, "method": "GET", "query": {"q": "a b&c", "ids": "2", "emoji": "é"}, "form": {}}
    assert posted["form"] == {"status": "hello world!", "n": "1"}
    assert put["method"] == "PUT"
    header = fake_api.requests_to("/oauth1/resource")[0].headers["authorization"]
    assert header.startswith("OAuth ") and 'oauth_signature_method="HMAC-SHA1"' in header


def test_wrong_secret_is_rejected_by_the_server(fake_api: FakeApi) -> None:
    async def main() -> None:
        async with async_http() as http:
            creds = await full_flow(http, fake_api)
            client = signed_client(http, fake_api, creds, consumer_secret="not-the-secret")
            await client.get("/oauth1/resource")

    with pytest.raises(ConnectionProblem) as info:
        asyncio.run(main())
    assert info.value.status == 401 and "signature mismatch" in info.value.message


def test_request_token_failure_is_typed(fake_api: FakeApi) -> None:
    async def main() -> None:
        async with async_http() as http:
            await oauth1.fetch_request_token(http, fake_config(fake_api, secret="bad-consumer-secret"), callback_uri=CALLBACK)

    with pytest.raises(ConnectionProblem) as info:
        asyncio.run(main())
    assert info.value.key == "token_request_failed" and "signature" in (info.value.body_excerpt or "")
    assert "bad-consumer-secret" not in repr(info.value.to_dict())


def test_config_validation_and_repr() -> None:
    with pytest.raises(SpecError) as info:
        oauth1.OAuth1Config.from_output({"consumerKey": "k"}, source="auth/get-oauth-config.map.yml")
    assert info.value.field == "consumerSecret"
    assert "s3cr3t-value" not in repr(oauth1.OAuth1Config("k", "s3cr3t-value"))
    assert not issubclass(SpecError, BadRequestError)
