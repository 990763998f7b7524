"""Host-held state that is garbage, foreign or old: a typed error or the same answer, never a lost state."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from runtime._elements import ChangeEvents, ConnectorEvent, EventModel, EventTypeModel, InvalidStateError
from runtime._elements._errors import InvalidOutputError
from tests.elements._fakes import Store, collection, roundtrip, run, run_fake

ALL_SCAN = {t: EventTypeModel(t, "full-scan") for t in ("created", "updated", "deleted")}


def changes(store: Store, events: dict[str, EventTypeModel] = ALL_SCAN, **methods: Any) -> ChangeEvents:
    return ChangeEvents(collection({"list": store.list, **methods}, events=events))


def valid_state() -> dict[str, Any]:
    store = Store()
    store.put("a")
    return roundtrip(run(changes(store).subscribe()))


def broken(path: str, value: Any) -> dict[str, Any]:
    state = valid_state()
    *parents, last = path.split(".")
    target = state
    for key in parents:
        target = target[key]
    target[last] = value
    return state


@pytest.mark.parametrize(
    ("state", "where"),
    [
        (None, "must be an object"),
        ("garbage", "must be an object"),
        ([1, 2], "must be an object"),
        ({}, "state.version: is required"),
        (broken("version", 2), "state.version"),
        (broken("parameters", "x"), "state.parameters: is a string, expected object"),
        (broken("types", "created"), "state.types: is a string, expected array"),
        (broken("fullScan.snapshot", ["a"]), "state.fullScan.snapshot: is an array, expected object"),
        (broken("fullScan.snapshot", {"a": 1}), "state.fullScan.snapshot.a: is an integer, expected string"),
        (broken("fullScan.types", []), "state.fullScan.types"),
        (broken("pullLatest", {"created": {"mark": {"seconds": "soon", "ids": []}}}), "state.pullLatest.created.mark"),
        (broken("webhooks", {"x": {"types": ["nope"]}}), "state.webhooks.x.types[0]"),
        (broken("customPull", {"x": {}}), "state.customPull.x.types: is required"),
    ],
)
def test_garbage_state_is_a_typed_error_naming_the_path_and_runs_nothing(state: Any, where: str) -> None:
    store = Store()
    held = copy.deepcopy(state)
    for call in (lambda c: c.pull(state), lambda c: c.refresh(state, force=True), lambda c: c.unsubscribe(state)):
        with pytest.raises(InvalidStateError) as info:
            run(call(changes(store)))
        assert where in str(info.value)
        assert info.value.to_dict()["type"] == "configuration" and info.value.key == "invalid_state"
    assert store.calls == []  # no connector method ran
    assert state == held  # the host's copy is untouched


def test_state_is_never_mutated_and_an_older_state_gives_the_same_answer() -> None:
    store = Store(page_size=2)
    for i in range(3):
        store.put(f"r{i}")
    old = roundtrip(run(changes(store).subscribe()))
    held = copy.deepcopy(old)
    store.put("r9")
    del store.records["r0"]
    first = run(changes(store).pull(old))
    assert old == held  # pull worked on a copy
    again = run(changes(store).pull(old))  # the host crashed before storing `first["state"]`
    assert again["events"] == first["events"] and again["state"] == first["state"]
    assert run(changes(store).pull(roundtrip(first["state"])))["events"] == []


def test_a_pull_that_fails_half_way_keeps_every_event_for_the_next_try() -> None:
    store = Store(page_size=1)
    for i in range(3):
        store.put(f"r{i}")
    state = roundtrip(run(changes(store).subscribe()))
    store.put("new")
    calls = {"n": 0}

    async def flaky_list(inputs: Any, params: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            return {"records": [{"name": "no id"}], "cursor": "9"}  # a broken page mid-walk
        return await store.list(inputs, params)

    with pytest.raises(InvalidOutputError, match="records\\[0\\]"):
        run(ChangeEvents(collection({"list": flaky_list}, events=ALL_SCAN)).pull(state))
    out = run(changes(store).pull(state))
    assert [(e["type"], e["record"]["id"]) for e in out["events"]] == [("created", "new")]


@pytest.mark.parametrize(
    "subscription",
    [None, "x", {}, {"version": 1, "kind": "event", "event": "e"}, {"version": 1, "kind": "event", "event": "e", "parameters": []}],
)
def test_garbage_event_subscription_is_a_typed_error(subscription: Any) -> None:
    ran: list[str] = []

    async def handle(inputs: Any, params: Any) -> Any:
        ran.append("handle")
        return {"events": []}

    ev = ConnectorEvent(EventModel("e", methods={"handle": handle, "refresh": handle, "unsubscribe": handle}), run_fake)
    for call in (lambda: ev.handle(subscription, {}), lambda: ev.refresh(subscription, force=True), lambda: ev.unsubscribe(subscription)):
        with pytest.raises(InvalidStateError):
            run(call())
    assert ran == []


@pytest.mark.parametrize("request_", ["raw text", {"query": "a=1"}, {"headers": [["a", "b"]]}, {"rawBody": b"bytes"}])
def test_a_malformed_webhook_request_is_a_typed_error_before_any_method_runs(request_: Any) -> None:
    from runtime._errors import InvalidInputError

    ran: list[str] = []

    async def handle(inputs: Any, params: Any) -> Any:
        ran.append("handle")
        return {"events": []}

    hook = {"subscribe": handle, "handle": handle}
    events = {"created": EventTypeModel("created", "webhook", methods=hook)}
    state = roundtrip(run(changes(Store(), events).subscribe(types=["created"], webhook_uri="https://h/")))
    ran.clear()
    with pytest.raises(InvalidInputError, match="webhook request"):
        run(changes(Store(), events).handle_webhook(state, request_))
    ev = ConnectorEvent(EventModel("e", methods=hook), run_fake)
    sub = roundtrip(run(ev.subscribe(webhook_uri="https://h/")))
    ran.clear()
    with pytest.raises(InvalidInputError, match="webhook request"):
        run(ev.handle(sub, request_))
    assert ran == []
