"""Record normalisation (SPEC 6.1): what every collection method hands back to the host.

A record is `{id, name, uri, createdTime, updatedTime, deletedTime, createdById, updatedById,
fields}`. Connectors return all sorts of shapes; the host gets `id` always present and a
string, `name` a string when present, `fields` an object when present, and nothing else
changed: the rule is "normalise, never project", every other key a connector returns (in a
record, a page, a create result) is kept as given, and nothing is invented (a bare API object
without `fields` stays as it is; fieldsFromApi then reads the whole object, see
DataCollection.from_api). Anything unusable (no id, a list where a record belongs) is an
InvalidOutputError naming the method and the position, never a silent drop.
"""

from __future__ import annotations

import math
from typing import Any

from runtime._elements._errors import InvalidOutputError

__all__ = [
    "RECORD_KEYS",
    "normalize_cursor",
    "normalize_id",
    "normalize_id_output",
    "normalize_page",
    "normalize_record",
    "normalize_record_output",
]

#: Record-level keys of the platform's DataRecord; everything else belongs in `fields`.
RECORD_KEYS = (
    "id",
    "name",
    "uri",
    "iconUri",
    "createdTime",
    "updatedTime",
    "deletedTime",
    "createdById",
    "updatedById",
    "fields",
    "rawFields",
    "unifiedFields",
)


def normalize_id(value: Any, *, where: str) -> str:
    """An id as a string: 42 -> "42", 42.0 -> "42", "abc" -> "abc"; anything else is an error."""
    if isinstance(value, bool) or value is None:
        raise InvalidOutputError(f"{where}: id is missing" if value is None else f"{where}: id must be a string or a number")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        if math.isfinite(value):
            return repr(value)
        raise InvalidOutputError(f"{where}: id must be a finite number")
    if isinstance(value, str):
        if value == "":
            raise InvalidOutputError(f"{where}: id is empty")
        return value
    raise InvalidOutputError(f"{where}: id must be a string or a number, got {_kind(value)}")


def normalize_record(raw: Any, *, where: str) -> dict[str, Any]:
    """One record in the host's shape (see module docstring)."""
    if not isinstance(raw, dict):
        raise InvalidOutputError(f"{where}: a record must be an object, got {_kind(raw)}")
    out = {k: v for k, v in raw.items() if v is not None}
    if "fields" in raw:
        fields = raw["fields"]
        if fields is None:
            fields = {}
        if not isinstance(fields, dict):
            raise InvalidOutputError(f"{where}.fields: must be an object, got {_kind(fields)}")
        out["fields"] = fields
    out["id"] = normalize_id(raw.get("id"), where=where)
    if "name" in out and not isinstance(out["name"], str):
        out["name"] = str(out["name"])
    return out


def normalize_cursor(value: Any) -> Any:
    """The next-page cursor, or None on the last page ("", null and a missing cursor all mean last).

    Cursors are kept as the connector returned them (a number stays a number): the same value
    goes back to the connector, whose code may do arithmetic on it.
    """
    if value is None or value == "" or value is False:
        return None
    return value


def normalize_page(output: Any, *, where: str) -> dict[str, Any]:
    """A list/search result as `{records: [...], cursor?}`; a bare list is taken as the records.

    Nothing at all (None) is an empty last page: a mapping over an empty API answer evaluates
    to nothing (SPEC 5.2 drops empty objects and lists), and that must not be an error.
    """
    if output is None:
        return {"records": []}
    if isinstance(output, list):
        output = {"records": output}
    if not isinstance(output, dict):
        raise InvalidOutputError(f"{where}: must return {{records, cursor}}, got {_kind(output)}")
    records = output.get("records")
    if records is None:
        records = []
    if not isinstance(records, list):
        raise InvalidOutputError(f"{where}: records must be a list, got {_kind(records)}")
    page: dict[str, Any] = {k: v for k, v in output.items() if k not in ("records", "cursor")}
    page["records"] = [normalize_record(r, where=f"{where}: records[{i}]") for i, r in enumerate(records)]
    cursor = normalize_cursor(output.get("cursor"))
    if cursor is not None:
        page["cursor"] = cursor
    return page


def normalize_record_output(output: Any, *, where: str, required: bool) -> dict[str, Any]:
    """findById/match output as `{record}`; `{}` when match found nothing (required=False)."""
    if output is None or output == {} or (isinstance(output, dict) and output.get("record") is None and "record" in output):
        if required:
            raise InvalidOutputError(f"{where}: returned no record")
        return {}
    if not isinstance(output, dict):
        raise InvalidOutputError(f"{where}: must return {{record}}, got {_kind(output)}")
    if "record" not in output:
        return {"record": normalize_record(output, where=f"{where}: record")}
    out = dict(output)
    out["record"] = normalize_record(output["record"], where=f"{where}: record")
    return out


def normalize_id_output(output: Any, *, where: str, fallback_id: str | None = None) -> dict[str, Any]:
    """create/update output as `{id}`; update may return nothing, then the given id is kept."""
    if isinstance(output, dict) and output.get("id") is not None:
        return {**output, "id": normalize_id(output["id"], where=where)}
    if isinstance(output, (str, int)) and not isinstance(output, bool):
        return {"id": normalize_id(output, where=where)}
    if isinstance(output, dict) and isinstance(output.get("record"), dict) and output["record"].get("id") is not None:
        return {"id": normalize_id(output["record"]["id"], where=where)}
    if fallback_id is not None:
        return {"id": fallback_id}
    raise InvalidOutputError(f"{where}: must return {{id}}")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )
