"""responseHandlers compiled by the real formula engine (runtime._formulas), against the fake API."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from runtime._errors import BadRequestError, ConnectionProblem, FormulaError
from runtime._http import ApiClient, ApiClientConfig, CallbackAuthSession, Redactor
from tests.fakeapi import FakeApi, Reply
from tests.http._helpers import async_http

pytest.importorskip("runtime._formulas")

SOURCE = "auth/make-api-client.map.yml"


def make_config(base: str) -> ApiClientConfig:
    return ApiClientConfig.from_output(
        {
            "baseUri": base,
            "responseHandlers": [
                {   # 200 with {"success": false}: an error with the API's own message
                    "match": {"$eval": {"$var": "response.data.success"}, "is": False},
                    "isSuccess": False,
                    "error": {
                        "key": {"$case": {"cases": [{"filter": {"$eval": {"$var": "response.data.code"}, "is": "NOT_FOUND"}, "value": "not_found"}],
                                          "default": "bad_request"}},
                        "message": {"$concat": {"values": ["API said: ", {"$var": "response.data.message"}], "delimiter": ""}},
                        "data": {"code": {"$var": "response.data.code"}},
                    },
                },
                {   # unwrap {"success": true, "result": ...}
                    "match": {"$eval": {"$var": "response.data.success"}, "is": True},
                    "data": {"$var": "response.data.result"},
                },
                {   # a 400 that really means "token expired"
                    "match": {"$and": [{"$eval": {"$var": "response.statusCode"}, "is": 400},
                                       {"$eval": {"$var": "response.data.error"}, "is": "expired"}]},
                    "isSuccess": False,
                    "error": {"key": "access_token_expired"},
                },
            ],
        },
        source=SOURCE,
    )


def call(api: FakeApi, path: str, session: CallbackAuthSession | None = None) -> Any:
    cfg = make_config(api.url)

    async def main() -> Any:
        async with async_http() as http:
            s = session or CallbackAuthSession({}, lambda c: cfg)
            return await ApiClient(s, http=http, redactor=Redactor()).get(path)

    return asyncio.run(main())


def test_handlers_unwrap_and_raise_with_real_formulas(fake_api: FakeApi) -> None:
    fake_api.add_route("GET", "/wrapped", lambda req, api: Reply.json({"success": True, "result": {"id": 5}}))
    fake_api.add_route("GET", "/missing", lambda req, api: Reply.json({"success": False, "code": "NOT_FOUND", "message": "no deal 5"}))
    fake_api.add_route("GET", "/invalid", lambda req, api: Reply.json({"success": False, "code": "BAD", "message": "bad field"}))
    assert call(fake_api, "/wrapped") == {"id": 5}
    with pytest.raises(BadRequestError) as info:
        call(fake_api, "/missing")
    assert (info.value.key, info.value.message, info.value.data) == ("not_found", "API said: no deal 5", {"code": "NOT_FOUND"})
    with pytest.raises(BadRequestError) as info:
        call(fake_api, "/invalid")
    assert info.value.key == "bad_request"


def test_handler_access_token_expired_refreshes(fake_api: FakeApi) -> None:
    def expiring(req: Any, api: FakeApi) -> Reply:
        if req.headers.get("x-token") == "new":
            return Reply.json({"success": True, "result": "fresh"})
        return Reply.json({"error": "expired"}, 400)

    fake_api.add_route("GET", "/guarded", expiring)
    cfg = make_config(fake_api.url)

    async def refresher(creds: Any) -> dict[str, str]:
        return {"token": "new"}

    def build(creds: Any) -> ApiClientConfig:
        return ApiClientConfig(base_uri=cfg.base_uri, headers={"X-Token": creds["token"]}, response_handlers=cfg.response_handlers)

    session = CallbackAuthSession({"token": "old"}, build, refresher=refresher)
    assert call(fake_api, "/guarded", session) == "fresh"
    assert session.refresh_count == 1
    with pytest.raises(ConnectionProblem) as info:
        call(fake_api, "/guarded", CallbackAuthSession({"token": "old"}, build))
    assert info.value.key == "access_token_expired"


def test_bad_handler_formula_fails_at_config_time_naming_the_path() -> None:
    with pytest.raises(FormulaError) as info:
        ApiClientConfig.from_output({"responseHandlers": [{"match": {"$var": "response.data[["}}]}, source=SOURCE)
    assert "responseHandlers[0].match" in str(info.value)
