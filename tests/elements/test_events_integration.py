"""Change events (each strategy across restarts), webhooks with HMAC, global webhooks, operations.

"Restart" means: the state goes through JSON text and the next call runs on a brand-new
Connection (and new element objects), so nothing survives but what the host stored.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from runtime._elements import (
    InvalidParametersError,
    OutputSchemaError,
    change_events,
    event,
    handle_global_webhook_request,
    handle_webhook_request,
    operation,
    refresh_due,
)
from runtime._errors import InvalidInputError
from tests.elements._crm import Crm


def arun(coro: Any) -> Any:
    return asyncio.run(coro)


def stored(state: Any) -> Any:
    return json.loads(json.dumps(state))


def kinds(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["type"], e["record"]["id"]) for e in events]


def on_new_connection(connect: Any, fn: Any) -> Any:
    async def go() -> Any:
        async with connect() as conn:
            return await fn(conn)

    return arun(go())


def last_delivery(crm: Crm, path: str) -> dict[str, Any]:
    req = crm.requests_to(path)[-1]
    return {"method": req.method, "url": crm.url + req.raw_path, "headers": dict(req.headers), "body": req.body}


def test_pull_strategies_continue_exactly_where_they_stopped(crm: Crm, connect: Any) -> None:
    a = crm.add("companies", name="A")
    b = crm.add("companies", name="B")
    crm.add("companies", name="C")
    state = stored(on_new_connection(connect, lambda c: change_events(c, "companies").subscribe()))
    assert set(state) >= {"pullLatest", "customPull", "fullScan"}

    d = crm.add("companies", name="D")
    crm.change("companies", b["id"], name="B2")
    crm.remove("companies", a["id"])
    e = crm.add("companies", name="E")

    out1 = on_new_connection(connect, lambda c: change_events(c, "companies").pull(state))
    # custom-pull reads the feed 3 entries at a time (D created, B updated, A deleted): E waits
    assert sorted(kinds(out1["events"])) == sorted([
        ("created", str(d["id"])),
        ("updated", str(d["id"])), ("updated", str(b["id"])), ("updated", str(e["id"])),
        ("deleted", str(a["id"])),
    ])
    updated = [ev["record"]["name"] for ev in out1["events"] if ev["type"] == "updated"]
    assert updated == ["D", "B2", "E"]  # oldest first
    out2 = on_new_connection(connect, lambda c: change_events(c, "companies").pull(stored(out1["state"])))
    assert kinds(out2["events"]) == [("created", str(e["id"]))]
    out3 = on_new_connection(connect, lambda c: change_events(c, "companies").pull(stored(out2["state"])))
    assert out3["events"] == []
    # the same stored state handed back twice gives the same events (the host decides what it keeps)
    again = on_new_connection(connect, lambda c: change_events(c, "companies").pull(stored(out1["state"])))
    assert kinds(again["events"]) == kinds(out2["events"])


def test_full_scan_ignores_ignored_fields_and_reports_deletions(crm: Crm, connect: Any) -> None:
    contacts = [crm.add("contacts", first_name=f"F{i}", last_name="L", email=f"{i}@x") for i in range(3)]
    state = stored(on_new_connection(connect, lambda c: change_events(c, "contacts").subscribe(types=["deleted"])))
    crm.change("contacts", contacts[0]["id"], touch=False, last_viewed_at="2024-05-01")  # ignored field
    crm.remove("contacts", contacts[1]["id"])
    out = on_new_connection(connect, lambda c: change_events(c, "contacts").pull(state))
    assert out["events"] == [{"type": "deleted", "record": {"id": str(contacts[1]["id"])}}]
    out = on_new_connection(connect, lambda c: change_events(c, "contacts").pull(stored(out["state"])))
    assert out["events"] == []


def test_collection_webhooks_with_signatures_refresh_and_unsubscribe(crm: Crm, connect: Any) -> None:
    hook_url = f"{crm.url}/host/hooks/contacts?sub=1"
    state = stored(on_new_connection(connect, lambda c: change_events(c, "contacts").subscribe(
        types=["created", "updated"], webhook_uri=hook_url)))
    assert list(crm.webhooks.values()) == [{"url": hook_url, "resource": "contacts", "secret": "secret-wh1"}]  # one shared hook
    assert state["nextRefreshTimestamp"] == state["webhooks"]["created,updated"]["nextRefreshTimestamp"]

    ada = crm.add("contacts", first_name="Ada", last_name="L", email="ada@x")
    assert crm.send_webhook("contacts", [{"type": "created", "record": ada}]) == [200]
    got = on_new_connection(connect, lambda c: handle_webhook_request(c, state, **last_delivery(crm, "/host/hooks/contacts")))
    assert got.error is None and got.response.status == 200 and got.response.json() == {"received": 1}
    assert kinds(got.events) == [("created", str(ada["id"]))]
    assert got.events[0]["record"]["fields"]["firstName"] == "Ada"  # fieldsFromApi on webhook records
    state = stored(got.subscription)
    assert state["webhooks"]["created,updated"]["state"]["delivered"] == 1

    crm.send_webhook("contacts", [{"type": "created", "record": ada}], tamper=True)
    bad = on_new_connection(connect, lambda c: handle_webhook_request(c, state, **last_delivery(crm, "/host/hooks/contacts")))
    assert bad.events == [] and bad.response.status == 401 and bad.response.json() == {"error": "invalid signature"}
    assert any(log["level"] == "warn" for log in bad.logs)

    due_at = state["nextRefreshTimestamp"] / 1000
    assert not refresh_due(state, now=due_at - 1) and refresh_due(state, now=due_at)
    state2 = on_new_connection(connect, lambda c: change_events(c, "contacts").refresh(state, now=due_at - 1))
    assert state2 == state and crm.requests_to("/crm/webhooks/wh1/renew") == []
    state3 = stored(on_new_connection(connect, lambda c: change_events(c, "contacts").refresh(state, now=due_at)))
    assert state3["nextRefreshTimestamp"] == state["nextRefreshTimestamp"] + 86_400_000
    on_new_connection(connect, lambda c: change_events(c, "contacts").unsubscribe(state3))
    assert crm.webhooks == {}


def test_connector_event_webhook_lifecycle(crm: Crm, connect: Any) -> None:
    async def subscribe(conn: Any) -> Any:
        raw = (await conn.call("events/contact-created/subscribe", {"webhookUri": f"{crm.url}/host/raw"})).output
        sub = await event(conn, "contact-created").subscribe(webhook_uri=f"{crm.url}/host/events?via=hook")
        return raw, sub

    raw, sub = on_new_connection(connect, subscribe)
    assert raw == {"state": {"webhookId": "wh1", "secret": "secret-wh1"}, "nextRefreshTimestamp": raw["nextRefreshTimestamp"]}
    sub = stored(sub)
    assert sub["parameters"] == {"resource": "contacts"} and sub["state"]["webhookId"] == "wh2"

    ada = crm.add("contacts", first_name="Ada", email="ada@x")
    crm.send_webhook("contacts", [{"type": "created", "record": ada}, {"type": "updated", "record": ada}])
    delivery = last_delivery(crm, "/host/events")
    good = on_new_connection(connect, lambda c: handle_webhook_request(c, sub, **delivery))
    assert good.events == [{"contactId": ada["id"], "email": "ada@x", "via": "hook"}]
    assert good.response.status == 200 and good.response.body == b""
    assert good.subscription["state"]["lastDelivery"] == 2

    tampered = dict(delivery, body=delivery["body"].replace(b"ada@x", b"eve@x"))
    bad = on_new_connection(connect, lambda c: handle_webhook_request(c, sub, **tampered))
    assert bad.events == [] and bad.response.status == 401

    wrong = on_new_connection(connect, lambda c: handle_webhook_request(c, {"kind": "nope"}, **delivery))
    assert isinstance(wrong.error, InvalidInputError) and wrong.response.status == 400
    assert wrong.response.json() == {"error": {"type": "configuration", "key": "invalid_state"}}

    refreshed = on_new_connection(connect, lambda c: event(c, "contact-created").refresh(sub, force=True))
    assert refreshed["state"]["renewed"] is True and refreshed["nextRefreshTimestamp"] > sub["nextRefreshTimestamp"]
    on_new_connection(connect, lambda c: event(c, "contact-created").unsubscribe(refreshed))
    assert list(crm.webhooks) == ["wh1"]

    with pytest.raises(InvalidParametersError, match="parameters.resource"):
        on_new_connection(connect, lambda c: c.call("events/contact-created/subscribe", {"webhookUri": "u", "parameters": {"resource": "x"}}))


def test_global_webhook_routes_events_to_two_connections(crm: Crm, connect: Any) -> None:
    async def scenario() -> Any:
        async with connect(teamId="team-a") as conn_a, connect(teamId="team-b") as conn_b, connect() as app:
            sub_a = stored(await event(conn_a, "team-message").subscribe())
            sub_b = stored(await event(conn_b, "team-message").subscribe())
            damaged = {k: v for k, v in sub_b.items() if k != "parameters"}  # a third, broken stored row
            body = {"messages": [{"teamId": "team-a", "text": "hi a"}, {"teamId": "team-b", "text": "hi b"},
                                 {"teamId": "team-z", "text": "nobody"}, {"teamId": "team-a", "text": "again"}]}
            httpx.post(f"{crm.url}/host/global", json=body)
            delivery = last_delivery(crm, "/host/global")
            pairs = [(conn_a, sub_a), (conn_b, damaged), (conn_b, sub_b), (conn_b, "garbage")]
            result = await handle_global_webhook_request(app, "app-events", pairs, **delivery)
            challenge = (await app.call("global-webhooks/app-events/handle", {"query": {"challenge": "xyz"}})).output
            return sub_a, sub_b, result, (conn_a, conn_b), challenge

    sub_a, sub_b, result, (conn_a, conn_b), challenge = arun(scenario())
    assert (sub_a["globalWebhookKey"], sub_a["globalWebhookEventSelector"]) == ("app-events", "team-a")
    assert sub_b["globalWebhookEventSelector"] == "team-b"
    assert result.error is None and result.response.json() == {"accepted": 4}
    got = [(d.owner, d.events, (d.subscription or {}).get("state"), d.error and d.error.key) for d in result.deliveries]
    assert got == [
        # both payloads for team-a in one delivery, the state threaded through them (not two rival states)
        (conn_a, [{"text": "hi a", "team": "team-a"}, {"text": "again", "team": "team-a"}], {"received": 2}, None),
        (conn_b, [], None, "invalid_state"),  # the damaged row fails alone...
        (conn_b, [{"text": "hi b", "team": "team-b"}], {"received": 1}, None),  # ...the good one still gets its event
        (conn_b, [], None, "invalid_state"),
    ]
    assert result.unrouted == [{"selector": "team-z", "payload": {"teamId": "team-z", "text": "nobody"}}]
    assert challenge == {"events": [], "response": {"status": 200, "data": "xyz"}}


def test_operations_validate_input_and_check_output(crm: Crm, connect: Any) -> None:
    crm.add("tasks", title="t1")

    async def scenario() -> Any:
        async with connect() as conn:
            created = (await conn.call("operations/create-contact/run", {"input": {"email": "op@x", "firstName": "Op"}})).output
            with pytest.raises(InvalidInputError) as bad_input:
                await conn.call("operations/create-contact/run", {"input": {"firstName": 5}})
            sloppy = await conn.call("operations/sloppy/run", {})
            notes = (await conn.call("operations/list-notes/run", {"input": {"cursor": None}})).output
            with pytest.raises(OutputSchemaError) as strict:
                await operation(conn, "sloppy", strict=True).run()
            return created, bad_input.value, sloppy, notes, strict.value

    created, bad_input, sloppy, notes, strict = arun(scenario())
    assert crm.data["contacts"][str(created["contactId"])]["email"] == "op@x"
    assert "input.email: is required" in str(bad_input) and "input.firstName: is an integer, expected string" in str(bad_input)
    assert sloppy.output == {"count": "three", "items": ["a", 2]}
    assert [log["message"] for log in sloppy.logs] == [
        "operations/sloppy/run: output does not match outputSchema: output.count: is a string, expected integer",
        "operations/sloppy/run: output does not match outputSchema: output.items[1]: is an integer, expected string",
    ]
    assert all(log["level"] == "warn" for log in sloppy.logs)
    assert notes["items"][0]["name"] == "t1"
    assert strict.key == "output_schema_mismatch" and "output.count" in str(strict)
