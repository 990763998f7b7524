"""Webhook request parsing, responses, connector events, global routing, operations (pure)."""

from __future__ import annotations

from typing import Any

import pytest

from runtime._elements import (
    ConnectorEvent,
    EventModel,
    IncomingRequest,
    Operation,
    OperationModel,
    OutputSchemaError,
    build_response,
    parse_request,
    refresh_due,
    route_global_events,
)
from runtime._errors import InvalidInputError
from tests.elements._fakes import roundtrip, run, run_fake


def test_json_form_and_text_bodies_are_parsed_by_content_type() -> None:
    req = parse_request(IncomingRequest("POST", "/hook?a=1&a=2&b=", [("X-Sig", "abc"), ("Content-Type", "application/json; charset=utf-8")], b'{"x": 1}'))
    assert req == {"query": {"a": ["1", "2"], "b": ""}, "headers": {"x-sig": "abc", "content-type": "application/json; charset=utf-8"},
                   "rawBody": '{"x": 1}', "data": {"x": 1}}
    form = parse_request(IncomingRequest("POST", "/h", {"content-type": "application/x-www-form-urlencoded"}, b"a=1&b=%C3%A9&a=3"))
    assert form["data"] == {"a": ["1", "3"], "b": "é"} and form["rawBody"] == "a=1&b=%C3%A9&a=3"
    text = parse_request(IncomingRequest("POST", "/h", {"content-type": "text/plain"}, "héllo".encode()))
    assert text["data"] == "héllo"
    broken = parse_request(IncomingRequest("POST", "/h", {"content-type": "application/json"}, b"{nope"))
    assert broken["data"] == "{nope"
    binary = parse_request(IncomingRequest("POST", "/h", {"content-type": "application/octet-stream"}, b"\xff\x00"))
    assert binary["rawBody"] == "/wA=" and binary["rawBodyEncoding"] == "base64"
    assert parse_request(IncomingRequest("GET", "/h?challenge=c"))["data"] is None


def test_responses() -> None:
    assert build_response(None).status == 200 and build_response(None).body == b""
    r = build_response({"status": 201, "data": {"ok": True}})
    assert (r.status, r.headers, r.json()) == (201, {"Content-Type": "application/json"}, {"ok": True})
    t = build_response({"status": "200", "headers": {"content-type": "text/html"}, "data": "<b>hi</b>"})
    assert t.headers == {"content-type": "text/html"} and t.body == b"<b>hi</b>"


def make_event(**methods: Any) -> ConnectorEvent:
    return ConnectorEvent(EventModel("new-message", "webhook", methods, {"type": "object", "properties": {"channel": {"type": "string"}}}), run_fake)


def test_response_headers_cannot_split_the_hosts_response() -> None:
    resp = build_response({"status": 200, "headers": {
        "X-Ok": "1", "X-Evil": "a\r\nSet-Cookie: s=1", "Bad Name": "x", "X-Nul": "a\x00b", "": "x",
    }, "data": "ok"})
    assert resp.headers == {"X-Ok": "1", "Content-Type": "text/plain; charset=utf-8"}
    assert build_response({"headers": ["not", "a", "map"]}).headers == {}


def test_event_subscription_lifecycle_through_json() -> None:
    calls: list[tuple[str, Any]] = []

    async def subscribe(i: Any, p: Any) -> Any:
        calls.append(("subscribe", i["webhookUri"]))
        return {"state": {"hookId": "h1"}, "nextRefreshTimestamp": "2030-01-01T00:00:00Z"}

    async def handle(i: Any, p: Any) -> Any:
        calls.append(("handle", i["state"]))
        return {"events": [i["data"]], "state": {**i["state"], "count": 1}}

    async def refresh(i: Any, p: Any) -> Any:
        calls.append(("refresh", i["state"]))
        return {"nextRefreshTimestamp": 1_900_000_000_000}

    async def unsubscribe(i: Any, p: Any) -> Any:
        calls.append(("unsubscribe", i["state"]))

    ev = make_event(subscribe=subscribe, handle=handle, refresh=refresh, unsubscribe=unsubscribe)
    sub = roundtrip(run(ev.subscribe(webhook_uri="https://host/h", parameters={"channel": "c1"})))
    assert sub["nextRefreshTimestamp"] == 1893456000000 and sub["parameters"] == {"channel": "c1"}
    out = run(make_event(subscribe=subscribe, handle=handle).handle(sub, {"data": {"text": "hi"}}))
    assert out["events"] == [{"text": "hi"}]
    sub = roundtrip(out["state"])
    assert not refresh_due(sub, now=1_800_000_000)
    assert run(ev.refresh(sub, now=1_800_000_000)) == sub  # not due: nothing ran
    sub = run(ev.refresh(sub, now=1_900_000_000))
    assert sub["nextRefreshTimestamp"] == 1_900_000_000_000 and sub["state"] == {"hookId": "h1", "count": 1}
    run(ev.unsubscribe(sub))
    assert [c[0] for c in calls] == ["subscribe", "handle", "refresh", "unsubscribe"]
    with pytest.raises(InvalidInputError, match="parameters.channel"):
        run(ev.subscribe(webhook_uri="https://h", parameters={"channel": 5}))


def test_global_routing_matches_key_and_selector() -> None:
    subs = [("conn-a", {"globalWebhookKey": "app", "globalWebhookEventSelector": "team-a"}),
            ("conn-b", {"globalWebhookKey": "app", "globalWebhookEventSelector": {"team": "b"}}),
            ("conn-c", {"globalWebhookKey": "other", "globalWebhookEventSelector": "team-a"})]
    events = [{"selector": "team-a", "payload": 1}, {"selector": {"team": "b"}, "payload": 2}, {"selector": "team-z", "payload": 3}]
    assert [(o, p) for o, _, p in route_global_events("app", events, subs)] == [("conn-a", 1), ("conn-b", 2)]


def test_operation_input_errors_and_output_warnings_or_strict_errors() -> None:
    async def impl(i: Any, p: Any) -> Any:
        return {"items": [{"id": 1}, {"name": "no id"}]}

    model = OperationModel(
        "find", impl,
        input_schema={"type": "object", "required": ["q"], "properties": {"q": {"type": "string"}}},
        output_schema={"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "required": ["id"]}}}},
    )
    logs: list[tuple[str, str]] = []
    op = Operation(model, run_fake, log=lambda lvl, msg: logs.append((lvl, msg)))
    with pytest.raises(InvalidInputError, match="input.q: is required"):
        run(op.run({}))
    assert run(op.run({"q": "x"}))["items"][0] == {"id": 1}
    assert logs == [("warn", "operations/find/run: output does not match outputSchema: output.items[1].id: is required")]
    with pytest.raises(OutputSchemaError, match=r"output.items\[1\].id"):
        run(Operation(model, run_fake, strict=True).run({"q": "x"}))
