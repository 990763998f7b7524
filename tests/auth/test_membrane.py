"""integration-app-token / membrane-token: HS256 JWT with iss/sub/fields, accepted by the fake API."""

from __future__ import annotations

import asyncio
import time

import jwt
import pytest

from runtime._auth import MEMBRANE_TOKEN_HEADER, make_membrane_token, sign_with_membrane_token
from runtime._errors import ConfigurationError, ConnectionProblem
from runtime._http import ApiClient, ApiClientConfig, CallbackAuthSession, Redactor
from tests.fakeapi import FakeApi
from tests.http._helpers import async_http


def test_claims_and_algorithm() -> None:
    token = make_membrane_token(secret="s" * 32, issuer="workspace-key", subject="user-42", fields={"plan": "pro"}, now=1_800_000_000, ttl=600)
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = jwt.decode(token, "s" * 32, algorithms=["HS256"], options={"verify_exp": False, "verify_iat": False})
    assert claims == {"iss": "workspace-key", "sub": "user-42", "fields": {"plan": "pro"}, "iat": 1_800_000_000, "exp": 1_800_000_600}
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "t" * 32, algorithms=["HS256"], options={"verify_exp": False, "verify_iat": False})


def test_missing_inputs_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="signing secret"):
        make_membrane_token(secret="", issuer="w", subject="u")
    with pytest.raises(ConfigurationError, match="iss"):
        make_membrane_token(secret="x" * 32, issuer="", subject="u")


def run_against(api: FakeApi, secret: str) -> object:
    token = make_membrane_token(secret=secret, issuer="ws-1", subject="user-7", fields={"email": "a@b.c"})
    session = CallbackAuthSession({}, lambda c: ApiClientConfig(base_uri=api.url),
                                  signer=lambda request, c: sign_with_membrane_token(request, token))

    async def main() -> object:
        async with async_http() as http:
            return await ApiClient(session, http=http, redactor=Redactor([token, secret])).get("/api/membrane")

    return asyncio.run(main())


def test_every_request_carries_a_token_the_server_verifies(fake_api: FakeApi) -> None:
    result = run_against(fake_api, fake_api.membrane_secret)
    claims = result["claims"]  # type: ignore[index]
    assert (claims["iss"], claims["sub"], claims["fields"]) == ("ws-1", "user-7", {"email": "a@b.c"})
    assert abs(claims["iat"] - time.time()) < 60
    assert MEMBRANE_TOKEN_HEADER.lower() in fake_api.requests[0].headers


def test_token_signed_with_another_secret_is_refused(fake_api: FakeApi) -> None:
    with pytest.raises(ConnectionProblem) as info:
        run_against(fake_api, "another-secret-that-is-long-enough")
    assert info.value.status == 401 and "InvalidSignatureError" in info.value.message
