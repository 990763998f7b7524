"""`ApiClient.request(json_text=True)`: what the sandbox's `http` operation asks for. A JSON
object or array body returned as it came goes to JavaScript as its own text (`RawJSON`);
anything else as the decoded value, exactly as without it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from sandbox import RawJSON
from tests.http._helpers import mock_client

HANDLERS = {
    "baseUri": "https://api.example.com",
    "responseHandlers": [
        {"match": {"$eval": {"$var": "response.statusCode"}, "is": 202}, "data": {"$var": "response.data.result"}},
    ],
}


def fetch(response: httpx.Response, options: Any = None, cfg: Any = None) -> tuple[Any, Any]:
    """(with json_text, without) for one response."""

    async def main() -> tuple[Any, Any]:
        client, http = mock_client(lambda request: response, cfg)
        async with http:
            return (
                await client.request("GET", "/x", options=options, json_text=True),
                await client.request("GET", "/x", options=options),
            )

    return asyncio.run(main())


@pytest.mark.parametrize(
    "body",
    [b'{"records": [{"id": "1", "name": "Ada \\u00e9"}], "next": null}', "[1, 2, 3]".encode(), '{"name": "Zoë"}'.encode("utf-8")],
)
def test_a_json_body_goes_as_its_text(body: bytes) -> None:
    raw, plain = fetch(httpx.Response(200, content=body, headers={"Content-Type": "application/json; charset=utf-8"}))
    assert type(raw) is RawJSON and raw == body.decode("utf-8")
    assert json.loads(raw) == plain


@pytest.mark.parametrize(
    "response, options, cfg",
    [
        (httpx.Response(200, json={"a": 1}), {"returnFullResponse": True}, None),  # a new object around it
        (httpx.Response(202, json={"result": {"id": 7}}), None, HANDLERS),  # a responseHandler's data
        (httpx.Response(200, content=b'{"a": 1}', headers={"Content-Type": "text/plain"}), None, None),  # read leniently
        (httpx.Response(200, content='{"a": "é"}'.encode("utf-16"), headers={"Content-Type": "application/json"}), None, None),
        (httpx.Response(200, content=b'"a string"', headers={"Content-Type": "application/json"}), None, None),
        (httpx.Response(200, content=b"", headers={"Content-Type": "application/json"}), None, None),
        (httpx.Response(200, content=b'{"a": 1}', headers={"Content-Type": "application/json"}), {"responseType": "text"}, None),
    ],
    ids=["full response", "handler data", "not a JSON content type", "utf-16", "a JSON string", "empty", "responseType text"],
)
def test_anything_else_goes_as_the_decoded_value(response: httpx.Response, options: Any, cfg: Any) -> None:
    raw, plain = fetch(response, options, cfg)
    assert type(raw) is not RawJSON
    assert raw == plain


def test_a_js_method_sees_the_same_values_either_way() -> None:
    """Through a connection: the JS method's result is the body, with its non-ASCII text, and
    a body JavaScript cannot parse (NaN, which Python's json reads) rejects inside JS."""
    from runtime import Connector
    from tests.connectors import path as connector_path

    bodies = iter([b'{"ok": true, "via": "header", "text": "\xc3\xa9\xe2\x82\xac"}', b'{"ok": NaN}'])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=next(bodies), headers={"Content-Type": "application/json"})

    async def main() -> list[Any]:
        connector = Connector.load(connector_path("apikey"))
        async with connector.connect(
            connector_parameters={"baseUri": "https://api.example.test"}, credentials={"apiKey": "k-1"}, transport=httpx.MockTransport(handler)
        ) as conn:
            out: list[Any] = [(await conn.call("operations/get-one/run")).output]
            try:
                await conn.call("operations/get-one/run")
            except Exception as exc:  # noqa: BLE001 - the test looks at it
                out.append((type(exc).__name__, str(exc)))
            return out

    first, second = asyncio.run(main())
    assert first == {"ok": True, "via": "header", "text": "é€"}
    assert second[0] == "CustomCodeError" and "not JSON" in second[1]
