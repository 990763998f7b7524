"""The pull-latest-records strategy (SPEC 6.4): a high-water mark the host stores.

`pullLatestRecords({cursor})` returns records newest first; the mark is the newest record
time seen plus the ids seen at exactly that time (`_change_detection.py`). At subscribe the
mark is taken from the newest records, so nothing that existed before produces an event; a
pull emits the records above the mark, oldest first, and moves the mark past them.
Without pullLatestRecords, `list` is walked whole (no ordering assumed).

Records sharing a timestamp can straddle pages, so a newest-first walk stops only at the
first record strictly older than the mark (at subscribe: once a page ends below the newest
time), never at the first record it has already seen.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from runtime._elements._change_detection import TIME_KEYS, advance_high_water_mark, is_newer, record_time
from runtime._elements._collections import DataCollection
from runtime._elements._errors import InvalidOutputError
from runtime._elements._pagination import iterate_pages
from runtime._elements._records import normalize_page
from runtime._errors import NotSupportedError

__all__ = ["LatestRecords"]

class LatestRecords:
    """pull-latest-records for one collection: `baseline` at subscribe, `pull` afterwards."""

    def __init__(self, collection: DataCollection, where: Callable[[str], str]) -> None:
        self.collection = collection
        self.model = collection.model
        self._where = where

    def _source(self, event_type: str) -> tuple[Any, bool]:
        """(handle, ordered): pullLatestRecords (newest first) or list (no order assumed)."""
        methods = self.model.event(event_type).methods
        handle = methods.get("pullLatestRecords") or self.model.methods.get("pullLatestRecords")
        if handle is not None:
            return handle, True
        handle = self.model.methods.get("list")
        if handle is None:
            raise NotSupportedError(self._where(f"{event_type} uses pull-latest-records but there is no pullLatestRecords or list"))
        return handle, False

    def _pages(self, event_type: str, params: dict[str, Any]) -> tuple[bool, AsyncIterator[dict[str, Any]]]:
        handle, ordered = self._source(event_type)
        where = self.collection.where("pullLatestRecords" if ordered else "list")

        async def fetch(cursor: Any) -> dict[str, Any]:
            raw = await self.collection._run(handle, {"cursor": cursor, "parameters": params}, params)
            page = normalize_page(raw, where=where)
            page["records"] = await self.collection.from_api(page["records"], params)
            self._check_times(page["records"], event_type)
            return page

        return ordered, iterate_pages(fetch, where=where)

    def _check_times(self, records: list[dict[str, Any]], event_type: str) -> None:
        for record in records:
            if record_time(record, event_type)[1] is None:
                keys = " or ".join(TIME_KEYS[event_type])
                raise InvalidOutputError(self._where(
                    f"{event_type} pull-latest-records: record {record['id']!r} has no readable {keys}; the strategy needs it"
                ))

    def _seconds(self, record: dict[str, Any], event_type: str) -> float:
        return record_time(record, event_type)[1] or 0.0

    async def baseline(self, event_type: str, params: dict[str, Any]) -> dict[str, Any] | None:
        """The mark at subscribe: past every record that exists now."""
        ordered, pages = self._pages(event_type, params)
        mark = None
        async for page in pages:
            mark = advance_high_water_mark(mark, page["records"], event_type)
            records = page["records"]
            if ordered and mark is not None and records and self._seconds(records[-1], event_type) < mark["seconds"]:
                break  # newest first: the rest is older than the newest time
        return mark

    async def pull(
        self, event_type: str, mark: dict[str, Any] | None, params: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """(`{type, record}` events above `mark`, oldest first; the moved mark)."""
        ordered, pages = self._pages(event_type, params)
        fresh: dict[tuple[str, float], dict[str, Any]] = {}
        async for page in pages:
            below = False
            for record in page["records"]:
                if is_newer(record, mark, event_type):
                    fresh.setdefault((record["id"], self._seconds(record, event_type)), record)
                elif mark is not None and self._seconds(record, event_type) < mark["seconds"]:
                    below = True
            if ordered and below:
                break
        found = sorted(fresh.values(), key=lambda r: self._seconds(r, event_type))
        return [{"type": event_type, "record": r} for r in found], advance_high_water_mark(mark, found, event_type)
