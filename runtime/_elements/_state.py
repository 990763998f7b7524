"""The shape of host-held state: change-event states and event subscriptions.

Hosts store these dicts (in a database, a file, a queue message) and hand them back, maybe
much later, maybe from an older version of the host, maybe damaged. Anything that is not what
`subscribe` made must fail with one InvalidStateError naming the bad path (`state.fullScan.
snapshot`), before any connector method runs, never with a KeyError deep in the element code.
The shapes are JSON Schemas checked by the same checker as every other schema here.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from runtime._elements._errors import InvalidStateError
from runtime._elements._model import CHANGE_TYPES
from runtime._elements._schema import schema_problems

__all__ = ["CHANGE_STATE_SCHEMA", "STATE_VERSION", "SUBSCRIPTION_SCHEMA", "checked_state"]

#: Version of both state shapes; bump it (and keep reading the old one) when a shape changes.
STATE_VERSION = 1

_TYPES = {"type": "array", "minItems": 1, "items": {"enum": list(CHANGE_TYPES)}}
_TIME = {"type": ["number", "string", "null"]}
_MARK = {
    "oneOf": [
        {"type": "null"},
        {
            "type": "object",
            "required": ["seconds", "ids"],
            "properties": {"seconds": {"type": "number"}, "ids": {"type": "array", "items": {"type": "string"}}},
        },
    ]
}

#: A collection's change-event state (see _change_events.py).
CHANGE_STATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "collection", "parameters", "types"],
    "properties": {
        "version": {"const": STATE_VERSION},
        "collection": {"type": "string"},
        "parameters": {"type": "object"},
        "types": {"type": "array", "items": {"enum": list(CHANGE_TYPES)}},
        "webhookUri": {"type": ["string", "null"]},
        "nextRefreshTimestamp": _TIME,
        "webhooks": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["types"],
                "properties": {"types": _TYPES, "webhookUri": {"type": ["string", "null"]}, "nextRefreshTimestamp": _TIME},
            },
        },
        "pullLatest": {
            "type": "object",
            "propertyNames": {"enum": list(CHANGE_TYPES)},
            "additionalProperties": {"type": "object", "required": ["mark"], "properties": {"mark": _MARK}},
        },
        "customPull": {
            "type": "object",
            "additionalProperties": {"type": "object", "required": ["types"], "properties": {"types": _TYPES}},
        },
        "fullScan": {
            "type": "object",
            "required": ["types", "snapshot"],
            "properties": {"types": _TYPES, "snapshot": {"type": "object", "additionalProperties": {"type": "string"}}},
        },
    },
}

#: A connector-level event subscription (see _events.py).
SUBSCRIPTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "kind", "event", "parameters"],
    "properties": {
        "version": {"const": STATE_VERSION},
        "kind": {"const": "event"},
        "event": {"type": "string"},
        "implementationType": {"type": "string"},
        "parameters": {"type": "object"},
        "webhookUri": {"type": ["string", "null"]},
        "nextRefreshTimestamp": _TIME,
        "globalWebhookKey": {"type": "string"},
    },
}


def checked_state(state: Any, schema: Mapping[str, Any], *, what: str, where: str) -> dict[str, Any]:
    """A deep copy of `state` if it has the shape of `schema`; InvalidStateError otherwise.

    The copy is what the element code changes and returns, so the host's stored dict is never
    touched: a failed call leaves the host holding exactly what it had.
    """
    if not isinstance(state, Mapping):
        raise InvalidStateError(f"{where}: {what} must be an object made by subscribe")
    problems = schema_problems(dict(schema), dict(state), root="state")
    if problems:
        raise InvalidStateError(
            f"{where}: not a {what} made by subscribe: " + "; ".join(str(p) for p in problems),
            data={"errors": [{"path": p.path, "message": p.message} for p in problems]},
        )
    return copy.deepcopy(dict(state))
