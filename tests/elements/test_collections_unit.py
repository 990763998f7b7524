"""DataCollection semantics with methods as Python fakes (no sandbox, no HTTP)."""

from __future__ import annotations

from typing import Any

import pytest

from runtime._elements import InvalidFieldsError, InvalidParametersError, RepeatingCursorError
from runtime._errors import BadRequestError, NotSupportedError
from tests.elements._fakes import collection, run


def recorder() -> tuple[list[tuple[str, dict[str, Any], Any]], Any]:
    calls: list[tuple[str, dict[str, Any], Any]] = []

    def method(name: str, result: Any) -> Any:
        async def impl(inputs: dict[str, Any], params: Any) -> Any:
            calls.append((name, inputs, params))
            return result(inputs) if callable(result) else result

        return impl

    return calls, method


def test_list_applies_fields_from_api_to_every_record_and_keeps_raw_fields() -> None:
    calls, m = recorder()
    col = collection({
        "list": m("list", {"records": [{"id": 1, "fields": {"first_name": "Ada"}}, {"id": "2", "fields": {"first_name": "Bo"}}], "cursor": "n"}),
        "fieldsFromApi": m("fieldsFromApi", lambda i: {"firstName": i["fields"]["first_name"]}),
    })
    page = run(col.list(cursor="c", filter={"q": 1}, parameters={"p": 1}))
    assert page == {
        "records": [
            {"id": "1", "fields": {"firstName": "Ada"}, "rawFields": {"first_name": "Ada"}},
            {"id": "2", "fields": {"firstName": "Bo"}, "rawFields": {"first_name": "Bo"}},
        ],
        "cursor": "n",
    }
    assert calls[0] == ("list", {"cursor": "c", "filter": {"q": 1}}, {"p": 1})
    assert [c[0] for c in calls].count("fieldsFromApi") == 2


def test_create_validates_then_applies_fields_to_api() -> None:
    calls, m = recorder()
    col = collection(
        {"create": m("create", {"id": 10}), "fieldsToApi": m("fieldsToApi", lambda i: {"first_name": i["fields"]["firstName"]})},
        fields_schema={"type": "object", "properties": {"firstName": {"type": "string"}, "id": {"type": "string", "readOnly": True}}},
    )
    assert run(col.create({"firstName": "Ada"})) == {"id": "10"}
    assert calls[-1] == ("create", {"fields": {"first_name": "Ada"}}, {})
    with pytest.raises(InvalidFieldsError, match="fields.id: is read-only"):
        run(col.create({"firstName": "Ada", "id": "x"}))
    assert len(calls) == 2  # nothing ran for the refused write


def test_update_keeps_the_given_id_when_the_connector_returns_nothing() -> None:
    calls, m = recorder()
    col = collection({"update": m("update", None)})
    assert run(col.update(5, {"a": 1})) == {"id": "5"}
    assert calls == [("update", {"id": 5, "fields": {"a": 1}}, {})]


def test_custom_fields_are_merged_per_parameters_and_cached() -> None:
    calls, m = recorder()
    col = collection(
        {"customFields": m("customFields", {"properties": {"cf_score": {"type": "integer"}}}), "create": m("create", {"id": 1})},
        fields_schema={"type": "object", "properties": {"name": {"type": "string"}}},
    )
    with pytest.raises(InvalidFieldsError, match="fields.cf_score"):
        run(col.create({"cf_score": "high"}))
    run(col.create({"cf_score": 3}))
    assert [c[0] for c in calls].count("customFields") == 1
    schema = run(col.call("fieldsSchema", {"refresh": True}))
    assert sorted(schema["properties"]) == ["cf_score", "name"]
    assert [c[0] for c in calls].count("customFields") == 2


def test_match_accepts_query_or_fields_and_may_find_nothing() -> None:
    calls, m = recorder()
    col = collection({"match": m("match", lambda i: {"record": {"id": 1}} if i["query"].get("email") == "a@x" else {})})
    assert run(col.call("match", {"fields": {"email": "a@x"}}))["record"]["id"] == "1"
    assert run(col.call("match", {"query": {"email": "b@x"}})) == {}


def test_find_by_id_without_a_record_is_not_found() -> None:
    _, m = recorder()
    col = collection({"findById": m("findById", {"record": None})})
    with pytest.raises(BadRequestError) as info:
        run(col.find_by_id("9"))
    assert (info.value.type, info.value.key) == ("bad_request", "not_found")


def test_absent_methods_are_not_supported() -> None:
    with pytest.raises(NotSupportedError, match="data/contacts/delete"):
        run(collection({}).delete("1"))
    # a missing method is reported as such, before its input is checked
    for method, input in [("delete", {}), ("update", {}), ("findById", {}), ("create", {"fields": "x"}), ("match", {"query": 1})]:
        with pytest.raises(NotSupportedError, match=f"data/contacts/{method}"):
            run(collection({}).call(method, input))


def test_parameters_are_validated_before_anything_runs() -> None:
    calls, m = recorder()
    col = collection(
        {"list": m("list", [])},
        parameters_schema={"type": "object", "required": ["path"], "properties": {"path": {"type": "string"}}},
        parameters={"path": "contacts"},
    )
    run(col.list(parameters={"path": "ignored", "extra": 1}))
    assert calls[-1][2] == {"path": "contacts", "extra": 1}
    bad = collection({"list": m("list", [])}, parameters_schema={"type": "object", "required": ["path"]})
    with pytest.raises(InvalidParametersError, match="parameters.path"):
        run(bad.list())


def test_records_iterator_follows_cursors_and_refuses_repeats() -> None:
    pages = {None: {"records": [{"id": 1}], "cursor": 2}, 2: {"records": [], "cursor": 3}, 3: {"records": [{"id": 3}]}}
    _, m = recorder()
    col = collection({"list": m("list", lambda i: pages[i["cursor"]])})

    async def ids() -> list[str]:
        return [r["id"] async for r in col.records()]

    assert run(ids()) == ["1", "3"]
    looping = collection({"search": m("search", lambda i: {"records": [{"id": 1}], "cursor": "same"})})

    async def walk() -> None:
        async for _ in looping.pages(search="q"):
            pass

    with pytest.raises(RepeatingCursorError, match="data/contacts/search"):
        run(walk())


@pytest.mark.parametrize("fields", [[], "", 0, False, ["a"]])
def test_fields_that_are_not_an_object_are_refused_not_emptied(fields: Any) -> None:
    calls, m = recorder()
    col = collection({"create": m("create", {"id": 1}), "update": m("update", {"id": 1})})
    for method, extra in (("create", {}), ("update", {"id": "1"})):
        with pytest.raises(InvalidFieldsError, match="fields must be an object"):
            run(col.call(method, {"fields": fields, **extra}))
    assert calls == []
