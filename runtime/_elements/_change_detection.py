"""Change detection for pull strategies (SPEC 6.4), as pure functions over plain records.

- full-scan: a record's fingerprint is a short hash of what it says (without `rawFields` and
  the `ignoredFields`); comparing {id: fingerprint} snapshots gives created/updated/deleted.
- pull-latest-records: a high-water mark is the newest record time seen plus the ids seen at
  exactly that time, so records sharing a timestamp are neither lost nor repeated.
Both are JSON (strings and numbers only), so the host can store them as they are.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from runtime._elements._model import CHANGE_TYPES
from runtime._elements._times import parse_time

__all__ = [
    "TIME_KEYS",
    "advance_high_water_mark",
    "diff_snapshot",
    "high_water_mark",
    "is_newer",
    "record_fingerprint",
    "record_time",
]

#: Which record time drives the high-water mark of each event type (first one present wins).
TIME_KEYS = {
    "created": ("createdTime",),
    "updated": ("updatedTime", "createdTime"),
    "deleted": ("deletedTime", "updatedTime"),
}


def record_fingerprint(record: Mapping[str, Any], ignored_fields: Iterable[str] = ()) -> str:
    """A short stable hash of what a record says, without `rawFields` and the ignored fields.

    Ignored names apply to `fields` keys and to record-level keys (e.g. `updatedTime`).
    """
    ignored = set(ignored_fields)
    fields = {k: v for k, v in (record.get("fields") or {}).items() if k not in ignored}
    top = {k: v for k, v in record.items() if k not in ignored and k not in ("fields", "rawFields")}
    top["fields"] = fields
    text = json.dumps(top, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def diff_snapshot(
    previous: Mapping[str, str],
    records: Iterable[Mapping[str, Any]],
    *,
    ignored_fields: Iterable[str] = (),
    types: Iterable[str] = CHANGE_TYPES,
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Compare a full listing with the previous snapshot ({id: fingerprint}).

    Returns the events of the wanted `types` (created and updated in listing order, then
    deleted) and the new snapshot. A record listed twice counts once (its last version).
    """
    wanted = set(types)
    ignored = tuple(ignored_fields)
    current: dict[str, str] = {}
    latest: dict[str, Mapping[str, Any]] = {}
    for record in records:
        current[record["id"]] = record_fingerprint(record, ignored)
        latest[record["id"]] = record
    events: list[dict[str, Any]] = []
    for rid, fp in current.items():
        if rid not in previous:
            if "created" in wanted:
                events.append({"type": "created", "record": latest[rid]})
        elif previous[rid] != fp and "updated" in wanted:
            events.append({"type": "updated", "record": latest[rid]})
    if "deleted" in wanted:
        events += [{"type": "deleted", "record": {"id": rid}} for rid in previous if rid not in current]
    return events, current


def record_time(record: Mapping[str, Any], event_type: str) -> tuple[Any, float | None]:
    """(raw value, epoch seconds) of the time that orders `event_type` events of a record."""
    for key in TIME_KEYS.get(event_type, ("updatedTime", "createdTime")):
        raw = record.get(key)
        if raw is not None:
            return raw, parse_time(raw)
    return None, None


def high_water_mark(records: Iterable[Mapping[str, Any]], event_type: str) -> dict[str, Any] | None:
    """The newest time among `records` and the ids at exactly that time (None without records)."""
    return advance_high_water_mark(None, records, event_type)


def is_newer(record: Mapping[str, Any], mark: Mapping[str, Any] | None, event_type: str) -> bool:
    """True when `record` is past the high-water mark (same time but an unseen id counts)."""
    if mark is None:
        return True
    _, seconds = record_time(record, event_type)
    if seconds is None:
        return False
    if seconds > mark["seconds"]:
        return True
    return seconds == mark["seconds"] and record["id"] not in mark["ids"]


def advance_high_water_mark(
    mark: Mapping[str, Any] | None, records: Iterable[Mapping[str, Any]], event_type: str
) -> dict[str, Any] | None:
    """The mark moved past `records`: the newest time, and every id seen at that time."""
    out = None if mark is None else {"time": mark["time"], "seconds": mark["seconds"], "ids": list(mark["ids"])}
    for record in records:
        raw, seconds = record_time(record, event_type)
        if seconds is None:
            continue
        if out is None or seconds > out["seconds"]:
            out = {"time": raw, "seconds": seconds, "ids": [record["id"]]}
        elif seconds == out["seconds"] and record["id"] not in out["ids"]:
            out["ids"].append(record["id"])
    return out
