"""Request building (SPEC 4) over httpx.MockTransport: URLs, headers, query, auth, bodies."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import httpx
import pytest

from runtime._errors import ConfigurationError, SpecError
from runtime._http import ApiClientConfig
from tests.http._helpers import config, mock_client


def capture(cfg: dict[str, Any] | None, call: Any) -> list[httpx.Request]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    async def main() -> None:
        client, http = mock_client(handler, cfg)
        async with http:
            await call(client)

    asyncio.run(main())
    return seen


@pytest.mark.parametrize(
    ("base", "path", "expected"),
    [
        ("https://api.example.com/v1", "/contacts", "https://api.example.com/v1/contacts"),
        ("https://api.example.com/v1/", "contacts", "https://api.example.com/v1/contacts"),
        ("https://api.example.com/v1/", "/contacts", "https://api.example.com/v1/contacts"),
        ("https://api.example.com/v1", "", "https://api.example.com/v1"),
        ("https://api.example.com/v1", "https://other.example.org/x?y=1", "https://other.example.org/x?y=1"),
    ],
)
def test_relative_paths_join_base_uri_and_absolute_urls_stay(base: str, path: str, expected: str) -> None:
    seen = capture({"baseUri": base}, lambda c: c.get(path))
    assert str(seen[0].url) == expected


def test_base_url_alias_and_option_override() -> None:
    seen = capture(
        {"baseUrl": "https://a.example.com"},
        lambda c: asyncio.gather(c.get("/x"), c.get("/y", None, {"baseUri": "https://b.example.com/api"})),
    )
    assert sorted(str(r.url) for r in seen) == ["https://a.example.com/x", "https://b.example.com/api/y"]


def test_headers_and_query_merge_with_later_layers_winning_case_insensitively() -> None:
    cfg = {
        "baseUri": "https://api.example.com",
        "headers": {"X-Tenant": "t1", "Accept": "application/json", "X-Dropped": None},
        "defaultQueryParameters": {"api_version": "2", "locale": "en"},
    }

    async def call(c: Any) -> None:
        await c.request(
            "get", "/items?existing=1", query={"locale": "de", "skip": None, "ids": [1, 2], "flag": True, "n": 2.0},
            headers={"x-tenant": "t2"}, options={"headers": {"X-Opt": 5}, "query": {"page": 3}},
        )

    (req,) = capture(cfg, call)
    assert req.method == "GET"
    assert req.headers["x-tenant"] == "t2"
    assert req.headers["x-opt"] == "5"
    assert "x-dropped" not in req.headers
    assert req.url.params.multi_items() == [
        ("existing", "1"), ("api_version", "2"), ("locale", "de"), ("page", "3"),
        ("ids", "1"), ("ids", "2"), ("flag", "true"), ("n", "2"),
    ]


def test_nested_query_objects_use_bracket_names() -> None:
    (req,) = capture(None, lambda c: c.get("/x", {"filter": {"status": "open", "tags": ["a", "b"]}}))
    assert req.url.params.multi_items() == [("filter[status]", "open"), ("filter[tags]", "a"), ("filter[tags]", "b")]


def test_basic_auth_from_config_and_per_request_override() -> None:
    cfg = {"baseUri": "https://api.example.com", "auth": {"username": "u", "password": "p"}, "headers": {"Authorization": "Bearer x"}}
    seen = capture(cfg, lambda c: asyncio.gather(c.get("/a"), c.get("/b", None, {"auth": {"username": "o", "password": "q"}})))
    by_path = {r.url.path: r.headers["authorization"] for r in seen}
    assert by_path == {
        "/a": "Basic " + base64.b64encode(b"u:p").decode(),
        "/b": "Basic " + base64.b64encode(b"o:q").decode(),
    }


def test_objects_are_sent_as_json() -> None:
    (req,) = capture(None, lambda c: c.post("/contacts", {"name": "Ann", "tags": ["x"], "n": 1}))
    assert req.headers["content-type"] == "application/json"
    assert json.loads(req.content) == {"name": "Ann", "tags": ["x"], "n": 1}


def test_form_marker_and_form_content_type_are_form_encoded() -> None:
    async def call(c: Any) -> None:
        await c.post("/a", {"__form__": {"grant_type": "x", "scope": "a b"}})
        await c.post("/b", {"__form__": [["k", "1"], ["k", "2"]]})
        await c.post("/c", {"q": "a&b"}, {"headers": {"Content-Type": "application/x-www-form-urlencoded"}})

    seen = capture(None, call)
    assert [(r.headers["content-type"], r.content) for r in seen] == [
        ("application/x-www-form-urlencoded", b"grant_type=x&scope=a+b"),
        ("application/x-www-form-urlencoded", b"k=1&k=2"),
        ("application/x-www-form-urlencoded", b"q=a%26b"),
    ]


def test_strings_and_base64_bodies_are_sent_verbatim() -> None:
    async def call(c: Any) -> None:
        await c.put("/text", "<xml/>", {"headers": {"Content-Type": "application/xml"}})
        await c.patch("/bin", {"__base64__": base64.b64encode(b"\x00\xffdata").decode()})
        await c.delete("/gone")

    text, binary, deleted = capture(None, call)
    assert (text.method, text.content, text.headers["content-type"]) == ("PUT", b"<xml/>", "application/xml")
    assert (binary.method, binary.content, binary.headers["content-type"]) == ("PATCH", b"\x00\xffdata", "application/octet-stream")
    assert (deleted.method, deleted.content, "content-type" in deleted.headers) == ("DELETE", b"", False)


def test_relative_path_without_base_uri_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="needs a baseUri"):
        capture({}, lambda c: c.get("/x"))


@pytest.mark.parametrize(
    ("output", "field"),
    [
        ({"baseUri": 5}, "baseUri"),
        ({"baseUri": "api.example.com"}, "baseUri"),
        ({"headers": ["a"]}, "headers"),
        ({"headers": {"X-A": {"nested": 1}}}, "headers.X-A"),
        ({"query": "a=1"}, "query"),
        ({"auth": "user:pass"}, "auth"),
        ({"responseHandlers": {"match": True}}, "responseHandlers"),
        ({"responseHandlers": [{"isSuccess": True}]}, "responseHandlers[0].match"),
    ],
)
def test_config_errors_name_the_field(output: dict[str, Any], field: str) -> None:
    with pytest.raises(SpecError) as info:
        config(output)
    assert info.value.file == "auth/make-api-client.map.yml"
    assert info.value.field == field
    assert str(info.value).startswith(f"auth/make-api-client.map.yml: {field}: ")


def test_config_rejects_non_objects_and_accepts_none() -> None:
    with pytest.raises(SpecError, match="must return an object, got list"):
        ApiClientConfig.from_output([], source="auth/make-api-client.js")
    assert ApiClientConfig.from_output(None, source="x") == ApiClientConfig()


def test_config_repr_shows_no_header_values_or_passwords() -> None:
    cfg = config({"baseUri": "https://a.example.com", "headers": {"Authorization": "Bearer sk-live-123456"},
                  "query": {"api_key": "qk-998877"}, "auth": {"username": "bob", "password": "hunter2-pw"}})
    text = repr(cfg)
    assert "Authorization" in text and "api_key" in text
    for secret in ("sk-live-123456", "qk-998877", "hunter2-pw", "bob"):
        assert secret not in text


def test_non_ascii_header_is_a_typed_error_naming_the_header_not_the_value() -> None:
    async def api_client_call(client: Any) -> None:
        await client.get("/x")

    async def fetch_call(client: Any) -> None:
        await client.fetch("https://api.example.com/x", headers={"X-Token": "ключ-секрет"})

    for cfg, call in (({"baseUri": "https://api.example.com", "headers": {"X-Api-Key": "ключ-секрет"}}, api_client_call),
                      ({}, fetch_call)):
        with pytest.raises(ConfigurationError) as info:
            capture(cfg, call)
        assert info.value.key == "invalid_request"
        assert "non-ASCII" in info.value.message and "ключ" not in info.value.message
        assert ("X-Api-Key" if cfg else "X-Token") in info.value.message


def test_fetch_needs_an_absolute_url_and_follows_redirects() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(302, headers={"Location": "https://api.example.com/new"})
        return httpx.Response(200, content=b"\x00\x01moved")

    async def main() -> tuple[dict[str, Any], Any]:
        client, http = mock_client(handler, {})
        async with http:
            out = await client.fetch("https://api.example.com/old", response_encoding="base64")
            with pytest.raises(ConfigurationError) as info:
                await client.fetch("/relative")
            return out, info.value

    out, error = asyncio.run(main())
    assert out["status"] == 200 and base64.b64decode(out["body"]) == b"\x00\x01moved"
    assert error.key == "invalid_request" and "absolute" in error.message
