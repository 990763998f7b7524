"""Change-event strategies with an in-memory API; state goes through JSON between calls."""

from __future__ import annotations

from typing import Any

import pytest

from runtime._elements import (
    ChangeEvents,
    EventTypeModel,
    advance_high_water_mark,
    diff_snapshot,
    is_newer,
    record_fingerprint,
)
from runtime._elements._errors import InvalidOutputError
from runtime._errors import InvalidInputError
from tests.elements._fakes import Store, collection, roundtrip, run


def fresh(store: Store, events: dict[str, EventTypeModel], **methods: Any) -> ChangeEvents:
    """A new subscription object each time: nothing survives but the JSON state."""
    return ChangeEvents(collection({"list": store.list, **methods}, events=events))


def kinds(out: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["type"], e["record"]["id"]) for e in out["events"]]


def test_diff_snapshot_and_fingerprints() -> None:
    a = {"id": "1", "fields": {"n": 1, "seen": 5}, "rawFields": {"x": 1}}
    b = {"id": "1", "fields": {"n": 1, "seen": 6}, "rawFields": {"x": 2}}
    assert record_fingerprint(a, ["seen"]) == record_fingerprint(b, ["seen"])
    assert record_fingerprint(a) != record_fingerprint(b)
    _, snap = diff_snapshot({}, [a, {"id": "2", "fields": {}}])
    events, _ = diff_snapshot(snap, [{"id": "1", "fields": {"n": 2}}, {"id": "3", "fields": {}}])
    assert [(e["type"], e["record"]["id"]) for e in events] == [("updated", "1"), ("created", "3"), ("deleted", "2")]


def test_high_water_mark_counts_unseen_ids_at_the_same_time() -> None:
    r1 = {"id": "1", "updatedTime": "2024-01-01T00:00:00Z"}
    r2 = {"id": "2", "updatedTime": "2024-01-01T00:00:00.000+00:00"}
    mark = advance_high_water_mark(None, [r1], "updated")
    assert not is_newer(r1, mark, "updated") and is_newer(r2, mark, "updated")
    assert advance_high_water_mark(mark, [r2], "updated")["ids"] == ["1", "2"]
    assert is_newer({"id": "1", "updatedTime": 1704067201000}, mark, "updated")  # epoch ms, 1 s later


def test_full_scan_across_restarts_with_ignored_fields_and_deletions() -> None:
    store = Store(page_size=2)
    for i in range(5):
        store.put(f"r{i}", n=i, lastViewedAt=0)
    events = {t: EventTypeModel(t, "full-scan", ("lastViewedAt",)) for t in ("created", "updated", "deleted")}
    state = roundtrip(run(fresh(store, events).subscribe()))
    assert run(fresh(store, events).pull(state))["events"] == []  # baseline: nothing new

    store.records["r1"]["fields"]["lastViewedAt"] = 99  # an ignored field changes
    store.put("r2", n=20)
    del store.records["r3"]
    store.put("r9", n=9)
    out = run(fresh(store, events).pull(roundtrip(state)))
    assert sorted(kinds(out)) == [("created", "r9"), ("deleted", "r3"), ("updated", "r2")]
    state = roundtrip(out["state"])
    assert run(fresh(store, events).pull(state))["events"] == []  # no duplicates after the restart


def test_full_scan_of_deleted_only_emits_only_deletions() -> None:
    store = Store()
    store.put("a")
    store.put("b")
    events = {"deleted": EventTypeModel("deleted", "full-scan")}
    state = roundtrip(run(fresh(store, events).subscribe(types=["deleted"])))
    store.put("c")
    del store.records["a"]
    assert kinds(run(fresh(store, events).pull(state))) == [("deleted", "a")]


def test_pull_latest_records_keeps_a_high_water_mark_across_restarts() -> None:
    store = Store(page_size=2)
    for i in range(3):
        store.put(f"old{i}")
    events = {"updated": EventTypeModel("updated", "pull-latest-records")}
    methods = {"pullLatestRecords": store.latest}
    state = roundtrip(run(fresh(store, events, **methods).subscribe(types=["updated"])))
    assert store.calls == [("pullLatestRecords", None)]  # baseline: the newest page only

    for i in range(5):
        store.put(f"new{i}")
    store.calls.clear()
    out = run(fresh(store, events, **methods).pull(state))
    assert kinds(out) == [("updated", f"new{i}") for i in range(5)]  # oldest first
    # newest first, so the walk stops at the first page holding a record OLDER than the mark
    # (page "4" ends with old2, exactly at the mark: a same-time record may still follow)
    assert store.calls == [("pullLatestRecords", None), ("pullLatestRecords", "2"), ("pullLatestRecords", "4"),
                           ("pullLatestRecords", "6")]

    state = roundtrip(out["state"])
    assert run(fresh(store, events, **methods).pull(state))["events"] == []
    store.put("old1", touched=True)
    out = run(fresh(store, events, **methods).pull(roundtrip(state)))
    assert kinds(out) == [("updated", "old1")]


def test_pull_latest_records_without_the_method_walks_list_whole() -> None:
    store = Store(page_size=2)
    store.put("a")
    events = {"created": EventTypeModel("created", "pull-latest-records")}
    state = roundtrip(run(fresh(store, events).subscribe(types=["created"])))
    store.put("b")
    store.put("c")
    out = run(fresh(store, events).pull(state))
    assert kinds(out) == [("created", "b"), ("created", "c")]


def test_pull_latest_records_needs_times() -> None:
    async def no_times(inputs: Any, params: Any) -> Any:
        return {"records": [{"id": 1}]}

    events = {"created": EventTypeModel("created", "pull-latest-records")}
    with pytest.raises(InvalidOutputError, match="createdTime"):
        run(fresh(Store(), events, pullLatestRecords=no_times).subscribe(types=["created"]))


def test_custom_pull_passes_state_through_json() -> None:
    feed = [{"type": "created", "record": {"id": i, "fields": {"n": i}}} for i in range(5)]
    seen_states: list[Any] = []

    async def subscribe(inputs: Any, params: Any) -> Any:
        return {"state": {"offset": 2}}

    async def pull(inputs: Any, params: Any) -> Any:
        seen_states.append(inputs["state"])
        offset = inputs["state"]["offset"]
        return {"events": feed[offset : offset + 2], "state": {"offset": min(offset + 2, len(feed))}}

    methods = {"subscribe": subscribe, "pull": pull}
    events = {"created": EventTypeModel("created", "custom-pull", methods=methods)}
    state = roundtrip(run(fresh(Store(), events).subscribe(types=["created"])))
    out1 = run(fresh(Store(), events).pull(state))
    out2 = run(fresh(Store(), events).pull(roundtrip(out1["state"])))
    out3 = run(fresh(Store(), events).pull(roundtrip(out2["state"])))
    assert kinds(out1) + kinds(out2) + kinds(out3) == [("created", "2"), ("created", "3"), ("created", "4")]
    assert seen_states == [{"offset": 2}, {"offset": 4}, {"offset": 5}]


def test_webhook_groups_subscribe_once_per_shared_method_and_route_by_url() -> None:
    subscribed: list[str] = []

    def hook(name: str) -> dict[str, Any]:
        async def subscribe(inputs: Any, params: Any) -> Any:
            subscribed.append(inputs["webhookUri"])
            return {"state": {"hook": name}, "nextRefreshTimestamp": 1_000_000}

        async def handle(inputs: Any, params: Any) -> Any:
            return {"events": inputs["data"]["events"], "state": {"hook": name, "seen": True}, "response": {"status": 202}}

        return {"subscribe": subscribe, "handle": handle}

    shared, other = hook("shared"), hook("del")
    events = {
        "created": EventTypeModel("created", "webhook", methods=shared),
        "updated": EventTypeModel("updated", "webhook", methods=shared),
        "deleted": EventTypeModel("deleted", "webhook", methods=other),
    }
    ce = fresh(Store(), events)
    state = roundtrip(run(ce.subscribe(webhook_uri="https://host/hooks/1?x=1")))
    assert subscribed == ["https://host/hooks/1?x=1&changeWebhook=created%2Cupdated", "https://host/hooks/1?x=1&changeWebhook=deleted"]
    assert state["nextRefreshTimestamp"] == 1_000_000_000
    body = {"events": [{"type": "created", "record": {"id": 1}}, {"type": "deleted", "record": {"id": 2}}]}
    out = run(fresh(Store(), events).handle_webhook(state, {"query": {"changeWebhook": "created,updated"}, "data": body}))
    assert kinds(out) == [("created", "1")]  # a deleted event on the created/updated hook is not its to give
    assert out["response"] == {"status": 202}
    assert out["state"]["webhooks"]["created,updated"]["state"] == {"hook": "shared", "seen": True}
    with pytest.raises(InvalidInputError):
        run(fresh(Store(), events).handle_webhook(state, {"query": {}, "data": body}))


def test_state_of_another_collection_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="belongs to collection"):
        run(fresh(Store(), {}).pull({"version": 1, "collection": "deals", "parameters": {}, "types": []}))


def test_a_failed_subscribe_unregisters_the_webhooks_it_already_made() -> None:
    log: list[str] = []

    async def ok_subscribe(inputs: Any, params: Any) -> Any:
        log.append("subscribe created")
        return {"state": {"hook": 1}}

    async def failing_subscribe(inputs: Any, params: Any) -> Any:
        raise InvalidInputError("the API refused the second hook")

    async def unsubscribe(inputs: Any, params: Any) -> Any:
        log.append(f"unsubscribe {inputs['state']}")

    async def handle(inputs: Any, params: Any) -> Any:
        return {}

    events = {
        "created": EventTypeModel("created", "webhook", methods={"subscribe": ok_subscribe, "handle": handle, "unsubscribe": unsubscribe}),
        "deleted": EventTypeModel("deleted", "webhook", methods={"subscribe": failing_subscribe, "handle": handle}),
    }
    with pytest.raises(InvalidInputError, match="second hook"):
        run(fresh(Store(), events).subscribe(types=["created", "deleted"], webhook_uri="https://h/"))
    assert log == ["subscribe created", "unsubscribe {'hook': 1}"]


def test_pull_latest_baseline_skips_leading_empty_pages() -> None:
    """An API whose newest-first feed opens with an empty page must not make every old record "new"."""
    store = Store(page_size=2)
    for i in range(3):
        store.put(f"old{i}")

    async def latest(inputs: Any, params: Any) -> Any:
        if inputs.get("cursor") is None:
            return {"records": [], "cursor": "0"}
        return await store.latest({"cursor": None if inputs["cursor"] == "0" else inputs["cursor"]}, params)

    events = {"updated": EventTypeModel("updated", "pull-latest-records")}
    state = roundtrip(run(fresh(store, events, pullLatestRecords=latest).subscribe(types=["updated"])))
    assert state["pullLatest"]["updated"]["mark"] is not None
    store.put("new")
    assert kinds(run(fresh(store, events, pullLatestRecords=latest).pull(state))) == [("updated", "new")]


def test_pull_latest_records_sharing_a_timestamp_across_pages_are_not_new() -> None:
    """Three records at the same second, two per page: the baseline must see all three."""
    same = "2024-01-01T00:00:00Z"
    records = [{"id": rid, "updatedTime": same} for rid in ("c", "b", "a")]
    pages = {None: {"records": records[:2], "cursor": "2"}, "2": {"records": records[2:]}}

    async def latest(inputs: Any, params: Any) -> Any:
        return pages[inputs.get("cursor")]

    events = {"updated": EventTypeModel("updated", "pull-latest-records")}
    state = roundtrip(run(fresh(Store(), events, pullLatestRecords=latest).subscribe(types=["updated"])))
    assert sorted(state["pullLatest"]["updated"]["mark"]["ids"]) == ["a", "b", "c"]
    assert run(fresh(Store(), events, pullLatestRecords=latest).pull(state))["events"] == []
    # a fourth record at that same second, listed after one already seen, is still found
    pages[None] = {"records": [records[0], {"id": "d", "updatedTime": same}], "cursor": "2"}
    pages["2"] = {"records": records[1:]}
    out = run(fresh(Store(), events, pullLatestRecords=latest).pull(state))
    assert kinds(out) == [("updated", "d")]


def test_subscribe_types_one_name_or_a_list_and_unknown_names_refused() -> None:
    from runtime._errors import InvalidInputError

    store = Store()
    assert run(fresh(store, {}).subscribe(types="deleted"))["types"] == ["deleted"]
    with pytest.raises(InvalidInputError, match="unknown event type 'archived'"):
        run(fresh(store, {}).subscribe(types=["created", "archived"]))
