"""membrane-token and proxy auth, and the JS transports that bypass apiClient (fetch, axios)."""

from __future__ import annotations

import json
from typing import Any

import jwt
import pytest

from runtime import ConfigurationError, Connection
from tests.core.conftest import load, run


def test_membrane_token_signs_every_request(fake_api: Any) -> None:
    connector = load("membrane")
    token_config = {"secret": fake_api.membrane_secret, "iss": "workspace-1", "sub": "user-42", "fields": {"plan": "pro"}}

    async def main() -> Any:
        async with connector.connect(connector_parameters={"baseUri": fake_api.url}, membrane_token=token_config) as conn:
            return await conn.call("operations/claims/run")

    result = run(main())
    assert result.output["iss"] == "workspace-1" and result.output["sub"] == "user-42"
    assert result.output["fields"] == {"plan": "pro"}
    sent = fake_api.requests[-1].headers["x-integration-app-token"]
    assert jwt.decode(sent, fake_api.membrane_secret, algorithms=["HS256"])["sub"] == "user-42"


def test_membrane_token_without_a_secret_is_a_configuration_error(fake_api: Any) -> None:
    connector = load("membrane")

    async def main() -> None:
        async with connector.connect(connector_parameters={"baseUri": fake_api.url}) as conn:
            await conn.call("operations/claims/run")

    with pytest.raises(ConfigurationError) as info:
        run(main())
    assert info.value.key == "missing_token_secret"
    assert fake_api.requests == []


@pytest.mark.parametrize("resolver_returns", ["settings", "connection"])
def test_proxy_credentials_come_from_the_host_and_stay_hidden(fake_api: Any, resolver_returns: str) -> None:
    connector = load("proxy")
    asked: list[str] = []

    async def main() -> tuple[Any, Any]:
        other: Connection | None = None
        if resolver_returns == "connection":
            other = load("apikey").connect(
                connector_parameters={"baseUri": fake_api.url}, credentials={"apiKey": fake_api.api_key}
            )

        async def resolver(proxy_key: str) -> Any:
            asked.append(proxy_key)
            return other if other is not None else {"headers": {"X-Api-Key": fake_api.api_key}}

        try:
            async with connector.connect(connector_parameters={"baseUri": fake_api.url}, proxy_resolver=resolver) as conn:
                return await conn.call("operations/call/run"), await conn.call("operations/peek/run")
        finally:
            if other is not None:
                await other.aclose()

    called, peek = run(main())
    assert called.output == {"ok": True, "via": "header"}
    assert asked == ["apikey"]  # resolved once, cached with the client configuration
    assert fake_api.api_key not in peek.output["ctx"]
    assert peek.output["keys"] == ["apiClient", "connectionInput", "connectionParameters", "connectorParameters", "credentials"]
    assert fake_api.requests[-1].headers["x-api-key"] == fake_api.api_key


def test_fetch_goes_out_raw_and_logged(apikey: Any, fake_api: Any) -> None:
    async def main() -> Any:
        async with apikey.connect(
            connector_parameters={"baseUri": fake_api.url}, credentials={"apiKey": fake_api.api_key}
        ) as conn:
            return await conn.call("operations/fetch-raw/run")

    result = run(main())
    assert result.output == {"status": 200, "ok": True, "json": {"hello": "fetch"}, "apiKeyHeader": None, "custom": "1"}
    assert [(e.method, e.status) for e in result.requests] == [("POST", 200)]
    assert result.requests[0].url == f"{fake_api.url}/echo?via=fetch"


def test_axios_module(apikey: Any, fake_api: Any) -> None:
    async def main() -> Any:
        async with apikey.connect(connector_parameters={"baseUri": fake_api.url}, credentials={"apiKey": "k-123456"}) as conn:
            return await conn.call("operations/axios-get/run"), await conn.call("operations/axios-error/run")

    got, failed = run(main())
    out = got.output
    assert out["status"] == 200
    assert out["query"] == [["a", "1"], ["list[]", "1"], ["list[]", "2"]]
    assert out["fromHeader"] == "axios"
    assert out["contentType"] == "application/json"
    assert out["postedJson"] == {"b": 2}
    assert out["form"] == {"grant_type": "x", "c": "3"}
    assert out["putMethod"] == "PUT" and out["putBody"] == "raw text"
    assert failed.output["thrown"] is True and failed.output["isAxiosError"] is True
    assert failed.output["status"] == 404
    assert failed.output["data"] == {"error": "status_404", "message": "fake status 404"}
    assert failed.output["message"] == "Request failed with status code 404"
    assert len(got.requests) == 4
    assert json.dumps([e.to_dict() for e in got.requests]).count("k-123456") == 0
