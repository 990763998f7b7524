"""client-credentials connect flow (SPEC 3.1) and auth options (SPEC 3.4)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from runtime import BadRequestError, InvalidInputError
from tests.core.conftest import load, run


def test_connect_validates_makes_credentials_tests_and_notifies(apikey: Any, fake_api: Any) -> None:
    seen: list[dict[str, Any]] = []

    async def on_change(creds: dict[str, Any]) -> None:
        seen.append(creds)

    async def main() -> dict[str, Any]:
        async with apikey.connect(connector_parameters={"baseUri": fake_api.url}, on_credentials_changed=on_change) as conn:
            creds = await conn.connect_client_credentials({"apiKey": fake_api.api_key})
            assert await conn.test() is True
            return creds

    creds = run(main())
    assert creds == {"apiKey": fake_api.api_key}  # no getCredentialsFromConnectionParameters: input is the credentials
    assert seen == [creds]
    assert [r.path for r in fake_api.requests] == ["/api/key-header", "/api/key-header"]


def test_connect_rejects_invalid_input_without_echoing_it(apikey: Any, fake_api: Any) -> None:
    async def main() -> None:
        async with apikey.connect(connector_parameters={"baseUri": fake_api.url}) as conn:
            with pytest.raises(InvalidInputError) as missing:
                await conn.connect_client_credentials({})
            assert "apiKey" in missing.value.message
            with pytest.raises(InvalidInputError) as short:
                await conn.connect_client_credentials({"apiKey": "s3c"})
            assert "s3c" not in short.value.message and "minLength" in short.value.message

    run(main())
    assert fake_api.requests == []


def test_connect_with_a_wrong_key_fails_the_test_and_keeps_nothing(apikey: Any, fake_api: Any) -> None:
    seen: list[Any] = []

    async def main() -> Any:
        async with apikey.connect(connector_parameters={"baseUri": fake_api.url}, on_credentials_changed=seen.append) as conn:
            with pytest.raises(BadRequestError) as info:
                await conn.connect_client_credentials({"apiKey": "wrong-key-123"})
            return info.value, conn.credentials

    error, creds = run(main())
    assert error.key == "not_authenticated"
    assert "wrong-key-123" not in json.dumps(error.to_dict())
    assert seen == [] and creds == {}


def test_auth_test_returns_false_for_bad_credentials(apikey: Any, fake_api: Any) -> None:
    async def main() -> Any:
        async with apikey.connect(connector_parameters={"baseUri": fake_api.url}, credentials={"apiKey": "nope-nope"}) as conn:
            result = await conn.call("auth/test")
            return result, conn.last_test_error

    result, reason = run(main())
    assert result.output is False
    assert reason is not None and reason.key == "access_token_expired"
    assert any("connection test failed" in e["message"] for e in result.logs)


@pytest.mark.parametrize(
    ("option", "params", "endpoint"),
    [
        ("header", "key", "/api/key-header"),
        ("query", "key", "/api/key-query"),
        ("basic", "basic", "/api/basic"),
    ],
)
def test_auth_options_pick_their_files_and_fall_back(fake_api: Any, option: str, params: str, endpoint: str) -> None:
    connector = load("options")
    conn_params = (
        {"apiKey": fake_api.api_key}
        if params == "key"
        else {"username": fake_api.basic_user, "password": fake_api.basic_password}
    )

    async def main() -> tuple[dict[str, Any], Any]:
        async with connector.connect(connector_parameters={"baseUri": fake_api.url}, auth_option_key=option) as conn:
            creds = await conn.connect_client_credentials(conn_params)
            who = await conn.call("operations/whoami/run", {"input": {"path": endpoint}})
            return creds, who

    creds, who = run(main())
    assert who.output["ok"] is True
    if option == "basic":
        assert creds["madeBy"] == "getCredentialsFromConnectionParameters"
        assert fake_api.requests[-1].headers["authorization"].startswith("Basic ")
    elif option == "query":
        assert fake_api.requests[-1].query == {"api_key": fake_api.api_key}
        # the key is in the URL: the request log must not show it
        assert all(fake_api.api_key not in e.url for e in who.requests)
    else:
        assert fake_api.requests[-1].headers["x-api-key"] == fake_api.api_key


def test_basic_option_validates_its_own_schema(fake_api: Any) -> None:
    connector = load("options")

    async def main() -> None:
        async with connector.connect(connector_parameters={"baseUri": fake_api.url}, auth_option_key="basic") as conn:
            await conn.connect_client_credentials({"apiKey": "x" * 10})

    with pytest.raises(InvalidInputError) as info:
        run(main())
    assert "username" in info.value.message
