"""Record normalisation and the page iterator (pure)."""

from __future__ import annotations

from typing import Any

import pytest

from runtime._elements import (
    InvalidOutputError,
    RepeatingCursorError,
    StalledPagingError,
    iterate_pages,
    normalize_id_output,
    normalize_page,
    normalize_record,
    normalize_record_output,
)
from tests.elements._fakes import run


def test_ids_become_strings_and_known_keys_are_kept() -> None:
    rec = normalize_record(
        {"id": 42, "name": "Ada", "uri": "https://x/42", "createdTime": "2024-01-01T00:00:00Z", "fields": {"a": 1}},
        where="t",
    )
    assert rec == {"id": "42", "name": "Ada", "uri": "https://x/42", "createdTime": "2024-01-01T00:00:00Z", "fields": {"a": 1}}
    assert normalize_record({"id": 7.0, "fields": None}, where="t") == {"id": "7", "fields": {}}


def test_a_bare_api_object_is_kept_as_it_is_with_a_string_id() -> None:
    rec = normalize_record({"id": 1, "name": 5, "email": "a@x", "gone": None}, where="t")
    assert rec == {"id": "1", "name": "5", "email": "a@x"}
    kept = normalize_page({"records": [], "total": 3, "cursor": 2}, where="t")
    assert kept == {"records": [], "total": 3, "cursor": 2}  # normalise, never project


@pytest.mark.parametrize("raw", [{"name": "no id"}, {"id": None}, {"id": ""}, {"id": True}, {"id": [1]}, "x"])
def test_unusable_records_are_errors_naming_the_position(raw: Any) -> None:
    with pytest.raises(InvalidOutputError) as info:
        normalize_page({"records": [{"id": 1}, raw]}, where="data/contacts/list")
    assert "data/contacts/list: records[1]" in str(info.value)


def test_page_shapes() -> None:
    assert normalize_page([{"id": 1}], where="w") == {"records": [{"id": "1"}]}
    assert normalize_page({"records": [], "cursor": ""}, where="w") == {"records": []}
    assert normalize_page(None, where="w") == {"records": []}  # a mapping over an empty answer
    assert normalize_page({"records": None, "cursor": 10}, where="w") == {"records": [], "cursor": 10}
    with pytest.raises(InvalidOutputError):
        normalize_page({"records": {"id": 1}}, where="w")


def test_record_and_id_outputs() -> None:
    assert normalize_record_output({"record": {"id": 3, "fields": {}}}, where="w", required=True) == {
        "record": {"id": "3", "fields": {}}
    }
    assert normalize_record_output({"record": None}, where="w", required=False) == {}
    assert normalize_record_output(None, where="w", required=False) == {}
    assert normalize_id_output({"id": 5, "extra": 1}, where="w") == {"id": "5", "extra": 1}
    assert normalize_id_output(None, where="w", fallback_id="9") == {"id": "9"}
    with pytest.raises(InvalidOutputError):
        normalize_id_output({}, where="w")


def _pages(pages: dict[Any, dict[str, Any]]) -> Any:
    seen: list[Any] = []

    async def fetch(cursor: Any) -> dict[str, Any]:
        seen.append(cursor)
        return normalize_page(pages[cursor], where="w")

    return fetch, seen


async def _collect(fetch: Any, **kw: Any) -> list[dict[str, Any]]:
    return [p async for p in iterate_pages(fetch, **kw)]


def test_walks_to_the_last_page_through_empty_pages() -> None:
    fetch, seen = _pages({
        None: {"records": [{"id": 1}], "cursor": "a"},
        "a": {"records": [], "cursor": "b"},
        "b": {"records": [{"id": 2}]},
    })
    pages = run(_collect(fetch))
    assert [len(p["records"]) for p in pages] == [1, 0, 1]
    assert seen == [None, "a", "b"]


def test_a_repeating_cursor_stops_the_walk_with_a_typed_error() -> None:
    fetch, seen = _pages({None: {"records": [{"id": 1}], "cursor": "a"}, "a": {"records": [{"id": 2}], "cursor": "a"}})
    with pytest.raises(RepeatingCursorError) as info:
        run(_collect(fetch))
    assert seen == [None, "a"]  # never fetched "a" a second time
    assert info.value.key == "repeating_cursor" and info.value.type == "custom_code"


def test_a_cycle_back_to_the_starting_cursor_is_refused() -> None:
    fetch, seen = _pages({"s": {"records": [], "cursor": "t"}, "t": {"records": [], "cursor": "s"}})
    with pytest.raises(RepeatingCursorError):
        run(_collect(fetch, cursor="s"))
    assert seen == ["s", "t"]


def test_max_pages_bounds_endless_distinct_cursors() -> None:
    async def fetch(cursor: Any) -> dict[str, Any]:
        return {"records": [], "cursor": (cursor or 0) + 1}

    assert len(run(_collect(fetch, max_pages=5))) == 5


def test_a_cursor_that_comes_back_after_three_pages_is_refused() -> None:
    fetch, seen = _pages({
        None: {"records": [{"id": 1}], "cursor": "c1"},
        "c1": {"records": [{"id": 2}], "cursor": "c2"},
        "c2": {"records": [{"id": 3}], "cursor": "c3"},
        "c3": {"records": [{"id": 4}], "cursor": "c1"},
    })
    with pytest.raises(RepeatingCursorError, match="page 4"):
        run(_collect(fetch))
    assert seen == [None, "c1", "c2", "c3"]


@pytest.mark.parametrize("records", [[], [{"id": 1}, {"id": 2}]], ids=["empty pages", "the same page again"])
def test_fresh_cursors_without_new_records_stop_the_walk(records: list[Any]) -> None:
    """A connector computing `offset + limit` against an API that ignores the offset."""
    fetched: list[Any] = []

    async def fetch(cursor: Any) -> dict[str, Any]:
        fetched.append(cursor)
        return normalize_page({"records": records, "cursor": (cursor or 0) + 2}, where="w")

    with pytest.raises(StalledPagingError) as info:
        run(_collect(fetch, max_stalled_pages=10))
    assert info.value.key == "stalled_paging" and "list: 10 pages in a row" in str(info.value)
    assert len(fetched) == 10 + (1 if records else 0)  # the first page of records was progress
