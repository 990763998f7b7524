"""Blocking `*_sync` twins of the element API (scripts), on the connection's own event loop."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest

from runtime._elements import (
    ChangeEvents,
    ConnectorEvent,
    DataCollection,
    GlobalWebhook,
    Operation,
    handle_webhook_request_sync,
)
from runtime._elements._sync import sync_twins
from tests.elements._crm import Crm
from tests.elements._fakes import Store
from tests.elements._fakes import collection as fake_collection

HOST_METHODS = {
    DataCollection: ("list", "search", "find_by_id", "match", "create", "update", "delete", "custom_fields",
                     "fields_schema", "pages", "records", "call"),
    ChangeEvents: ("subscribe", "pull", "handle_webhook", "refresh", "unsubscribe"),
    Operation: ("run",),
    ConnectorEvent: ("subscribe", "handle", "deliver", "refresh", "unsubscribe"),
    GlobalWebhook: ("handle",),
}


def test_every_host_method_has_a_generated_twin() -> None:
    for cls, names in HOST_METHODS.items():
        for name in names:
            twin = getattr(cls, f"{name}_sync")
            assert twin.__name__ == f"{name}_sync" and f"`{name}`" in (twin.__doc__ or "")
            assert not inspect.iscoroutinefunction(twin)
    with pytest.raises(TypeError, match="not an async method"):
        sync_twins("where")(DataCollection)


def test_connection_element_objects_and_their_twins_share_the_connection_loop(crm: Crm, connect: Any) -> None:
    for i in range(5):
        crm.add("contacts", first_name=f"F{i}", email=f"{i}@x")
    with connect() as conn:  # the sync facade: no event loop in this test
        contacts = conn.collection("contacts")
        first = contacts.list_sync()
        assert len(first["records"]) == 2 and first["cursor"] == "c2"
        assert [r["fields"]["email"] for r in contacts.records_sync()] == [f"{i}@x" for i in range(5)]
        pages = contacts.pages_sync()
        assert len(next(pages)["records"]) == 2
        pages.close()  # leaving early closes the async walk; the loop stays usable
        created = contacts.create_sync({"email": "new@x"})
        assert contacts.find_by_id_sync(created["id"])["record"]["fields"]["email"] == "new@x"

        state = conn.change_events("companies").subscribe_sync(types=["created"])
        b = crm.add("companies", name="B")
        out = conn.change_events("companies").pull_sync(state)
        assert [e["record"]["id"] for e in out["events"]] == [str(b["id"])]
        assert conn.operation("create-contact").run_sync({"email": "op@x"})["contactId"]

        sub = conn.event("contact-created").subscribe_sync(webhook_uri=f"{crm.url}/host/events")
        bad = handle_webhook_request_sync(conn, "garbage", method="POST", url="/h", body=b"{}")
        assert bad.response.status == 400 and bad.error is not None and bad.subscription is None
        assert conn.event("contact-created").refresh_sync(sub, force=True)["state"]["renewed"] is True


def test_twins_refuse_to_block_inside_an_event_loop(crm: Crm, connect: Any) -> None:
    async def inside() -> None:
        async with connect() as conn:
            with pytest.raises(RuntimeError, match="inside an event loop"):
                conn.collection("contacts").list_sync()

    asyncio.run(inside())


def test_twins_without_a_connection_run_on_a_private_loop() -> None:
    store = Store(page_size=2)
    for i in range(3):
        store.put(f"r{i}")
    fakes = fake_collection({"list": store.list})
    assert [r["id"] for r in fakes.records_sync()] == ["r0", "r1", "r2"]
    assert fakes.list_sync()["cursor"] == "2"
