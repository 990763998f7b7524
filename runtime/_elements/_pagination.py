"""Walking every page of `list` or `search` (SPEC 6.1: a page has `cursor` unless it is the last).

A broken connector that keeps returning the same cursor (or cycles through a few) would make a
naive loop run forever and hammer the API, so every cursor is remembered and a repeat raises
RepeatingCursorError. Empty pages are fine: an API may return an empty page with a cursor
(e.g. a filtered page); the walk goes on until a page has no cursor. The other classic bug,
a connector that computes the next cursor (`offset + limit`) from an API that ignores it,
hands out endless distinct cursors with empty pages or the same records again: after
`max_stalled_pages` pages in a row that bring no record not seen in this walk, the walk stops
with StalledPagingError. `max_pages` bounds the walk outright.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from runtime._elements._errors import RepeatingCursorError, StalledPagingError

__all__ = ["MAX_STALLED_PAGES", "FetchPage", "iterate_pages", "iterate_records"]

#: Pages in a row without a new record (each with a next cursor) before a walk is called stuck.
MAX_STALLED_PAGES = 50

#: Fetches one page: takes the cursor (None for the first page), returns a normalised page.
FetchPage = Callable[[Any], Awaitable[dict[str, Any]]]


def _cursor_key(cursor: Any) -> str:
    return json.dumps(cursor, sort_keys=True, default=str)


async def iterate_pages(
    fetch_page: FetchPage,
    *,
    cursor: Any = None,
    max_pages: int | None = None,
    max_stalled_pages: int = MAX_STALLED_PAGES,
    where: str = "list",
) -> AsyncIterator[dict[str, Any]]:
    """Yield each page from `cursor` (None: the first page) to the last one.

    Raises RepeatingCursorError (before fetching again) when a page returns a cursor seen
    before in this walk, including the starting one; StalledPagingError after
    `max_stalled_pages` pages in a row without a new record id.
    """
    seen: set[str] = set()
    if cursor is not None:
        seen.add(_cursor_key(cursor))
    ids: set[str] = set()
    stalled = 0
    pages = 0
    while True:
        page = await fetch_page(cursor)
        pages += 1
        yield page
        next_cursor = page.get("cursor")
        if next_cursor is None:
            return
        new_ids = {r["id"] for r in page["records"]} - ids
        ids |= new_ids
        stalled = 0 if new_ids else stalled + 1
        if stalled >= max_stalled_pages:
            raise StalledPagingError(
                f"{where}: {stalled} pages in a row brought no new record but a next cursor; "
                "stopping instead of paging forever (does the connector pass the cursor to the API?)",
                data={"page": pages},
            )
        key = _cursor_key(next_cursor)
        if key in seen:
            raise RepeatingCursorError(
                f"{where}: page {pages} returned a cursor that was already used; "
                "stopping instead of looping forever",
                data={"page": pages},  # not the cursor itself: some APIs put tokens in them
            )
        if max_pages is not None and pages >= max_pages:
            return
        seen.add(key)
        cursor = next_cursor


async def iterate_records(
    fetch_page: FetchPage,
    *,
    cursor: Any = None,
    max_pages: int | None = None,
    where: str = "list",
) -> AsyncIterator[dict[str, Any]]:
    """Yield every record of every page (see iterate_pages)."""
    async for page in iterate_pages(fetch_page, cursor=cursor, max_pages=max_pages, where=where):
        for record in page["records"]:
            yield record

