"""Fakes for unit tests of the element layer: methods as Python functions, an in-memory API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from runtime._elements import CollectionModel, DataCollection, EventTypeModel

Method = Callable[[dict[str, Any], "dict[str, Any] | None"], Awaitable[Any]]


async def run_fake(handle: Method, inputs: dict[str, Any], parameters: dict[str, Any] | None) -> Any:
    """The Runner for fakes: a handle is an async function (inputs, parameters)."""
    return await handle(inputs, parameters)


def run(coro: Awaitable[Any]) -> Any:
    return asyncio.run(coro)  # type: ignore[arg-type]


def roundtrip(state: Any) -> Any:
    """What a host does between calls: store as JSON text, read it back."""
    return json.loads(json.dumps(state))


class Store:
    """A tiny API: records with ids and times, paged lists, a change log newest first."""

    def __init__(self, page_size: int = 2) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.page_size = page_size
        self.clock = 1_700_000_000
        self.calls: list[tuple[str, Any]] = []

    def tick(self) -> str:
        self.clock += 1
        return f"2023-11-14T22:{(self.clock // 60) % 60:02d}:{self.clock % 60:02d}Z"

    def put(self, rid: str, **fields: Any) -> None:
        now = self.tick()
        old = self.records.get(rid)
        created = old["createdTime"] if old else now
        self.records[rid] = {"id": rid, "name": fields.get("name", rid), "createdTime": created, "updatedTime": now,
                             "fields": {**(old["fields"] if old else {}), **fields}}

    def ordered(self, newest_first: bool = False) -> list[dict[str, Any]]:
        recs = sorted(self.records.values(), key=lambda r: (r["updatedTime"], r["id"]), reverse=newest_first)
        return [json.loads(json.dumps(r)) for r in recs]

    def page(self, records: list[dict[str, Any]], cursor: Any) -> dict[str, Any]:
        start = int(cursor or 0)
        chunk = records[start : start + self.page_size]
        out: dict[str, Any] = {"records": chunk}
        if start + self.page_size < len(records):
            out["cursor"] = str(start + self.page_size)
        return out

    async def list(self, inputs: dict[str, Any], params: Any) -> dict[str, Any]:
        self.calls.append(("list", inputs.get("cursor")))
        return self.page(self.ordered(), inputs.get("cursor"))

    async def latest(self, inputs: dict[str, Any], params: Any) -> dict[str, Any]:
        self.calls.append(("pullLatestRecords", inputs.get("cursor")))
        return self.page(self.ordered(newest_first=True), inputs.get("cursor"))


def collection(methods: dict[str, Any], *, events: dict[str, EventTypeModel] | None = None, **kw: Any) -> DataCollection:
    model = CollectionModel(key=kw.pop("key", "contacts"), methods=methods, events=events or {}, **kw)
    return DataCollection(model, run_fake)
