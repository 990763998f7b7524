"""Change events through method paths, so `Connection.call` and the CLI reach them (SPEC 6.4).

    data/<collection>/changes-subscribe    {types?, webhookUri?, parameters?}      -> {state}
                                           (types: created/updated/deleted; default all three)
    data/<collection>/changes-pull         {state}                                 -> {events, state}
    data/<collection>/changes-handle       {state, request: {method, url, headers, body}}
                                           or {state, query?, data?, headers?, rawBody?}
                                                                                   -> {events, response?, state}
    data/<collection>/changes-refresh      {state, webhookUri?, force?, now?}       -> {state}
    data/<collection>/changes-unsubscribe  {state}                                 -> {}

(camelCase `changesPull` works too.) Every output that continues a subscription carries the
next `state` under the same key, so a script can always do `state = out["state"]`. The
`changes-` prefix keeps the three-part path shape every other method has; connector methods of
a collection never start with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runtime._elements._change_events import ChangeEvents
from runtime._elements._webhooks import IncomingRequest, handle_inputs, parse_request
from runtime._errors import InvalidInputError, NotSupportedError

__all__ = ["CHANGE_METHODS", "PREFIX", "call_change_events", "is_change_method"]

PREFIX = "changes"
#: camelCase method keys of the paths above.
CHANGE_METHODS = ("changesSubscribe", "changesPull", "changesHandle", "changesRefresh", "changesUnsubscribe")


def is_change_method(method: str) -> bool:
    """True for `changesPull` & co. (the parsed, camelCase method key of a data path)."""
    return method.startswith(PREFIX) and method[len(PREFIX) : len(PREFIX) + 1].isupper()


def _optional(input: Mapping[str, Any], key: str, kind: type | tuple[type, ...], what: str, where: str) -> Any:
    """`input[key]` if absent/null or of `kind` (a bool is not a number here); else InvalidInputError."""
    value = input.get(key)
    if value is None:
        return None
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise InvalidInputError(f"{where}: input `{key}` must be {what}")
    return value


def _request(input: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The handle inputs from a raw HTTP request (`request`) or already parsed parts."""
    raw = input.get("request")
    if raw is not None:
        if not isinstance(raw, Mapping):
            raise InvalidInputError(f"{where}: input `request` must be an object {{method, url, headers, body}}")
        headers = _optional(raw, "headers", Mapping, "an object", f"{where}: request")
        body = _optional(raw, "body", str, "the body as text", f"{where}: request")
        return parse_request(
            IncomingRequest(
                method=str(raw.get("method") or "POST"),
                url=str(raw.get("url") or "/"),
                headers=headers or {},
                body=(body or "").encode(),
            )
        )
    return handle_inputs({k: v for k, v in input.items() if k != "state"})


async def call_change_events(changes: ChangeEvents, method: str, input: Mapping[str, Any]) -> dict[str, Any]:
    """Run change-event method `method` (a CHANGE_METHODS key) with a host's input dict."""
    where = f"data/{changes.model.key}/{method}"
    if method == "changesSubscribe":
        types = _optional(input, "types", (list, str), "an event type or a list of them", where)
        uri = _optional(input, "webhookUri", str, "a string", where)
        params = _optional(input, "parameters", Mapping, "an object", where)
        return {"state": await changes.subscribe(types=types, webhook_uri=uri, parameters=params)}
    if method not in CHANGE_METHODS:
        raise NotSupportedError(f"{where}: unknown change-event method (expected one of {', '.join(CHANGE_METHODS)})")
    if "state" not in input:
        raise InvalidInputError(f"{where}: input `state` is required (what changes-subscribe returned)")
    state = input["state"]
    if method == "changesPull":
        return await changes.pull(state)
    if method == "changesHandle":
        return await changes.handle_webhook(state, _request(input, where))
    if method == "changesRefresh":
        uri = _optional(input, "webhookUri", str, "a string", where)
        now = _optional(input, "now", (int, float), "epoch seconds", where)
        force = _optional(input, "force", bool, "a boolean", where)
        return {"state": await changes.refresh(state, webhook_uri=uri, now=now, force=bool(force))}
    await changes.unsubscribe(state)
    return {}
