"""Global webhooks (SPEC 8): one URL per connector, events routed to subscriptions by selector.

`GlobalWebhook.handle` runs the connector's handle on an incoming request and returns
`{events: [{selector, payload}], response?}`. `route_global_events` pairs each event with the
stored subscriptions (of any connection) whose `getEventSelector` gave the same webhook key and
selector; the host then delivers each payload with the subscription's own connection.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from runtime._elements._errors import InvalidOutputError
from runtime._elements._model import Runner
from runtime._elements._sync import Blocking, sync_twins
from runtime._elements._webhooks import IncomingRequest, handle_inputs
from runtime._errors import NotSupportedError

__all__ = ["GlobalWebhook", "route_global_events", "selector_key"]

S = TypeVar("S")


def selector_key(selector: Any) -> str:
    """Selectors compare as JSON values (a selector may be a string, a number or an object)."""
    return json.dumps(selector, sort_keys=True, separators=(",", ":"), default=str)


@sync_twins("handle")
class GlobalWebhook:
    """The connector's global webhook `key` (`handle`, and its blocking twin `handle_sync`)."""

    blocking: Blocking | None = None

    def __init__(self, key: str, handle: Any, run: Runner) -> None:
        self.key = key
        self._handle = handle
        self._run = run

    async def handle(
        self, request: IncomingRequest | Mapping[str, Any], *, parameters: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """`{events: [{selector, payload}], response?}` for one incoming request."""
        where = f"global-webhooks/{self.key}/handle"
        if self._handle is None:
            raise NotSupportedError(f"{where}: the connector does not implement this method")
        inputs = handle_inputs(request)
        out = await self._run(self._handle, inputs, dict(parameters) if parameters else None)
        out = out if isinstance(out, Mapping) else {}
        raw = out.get("events") or []
        if not isinstance(raw, list):
            raise InvalidOutputError(f"{where}: events must be a list of {{selector, payload}}")
        events = []
        for i, event in enumerate(raw):
            if not isinstance(event, Mapping) or "selector" not in event:
                raise InvalidOutputError(f"{where}: events[{i}] must be an object with `selector` and `payload`")
            events.append({"selector": event["selector"], "payload": event.get("payload")})
        result: dict[str, Any] = {"events": events}
        if out.get("response") is not None:
            result["response"] = out["response"]
        return result


def route_global_events(
    webhook_key: str,
    events: Iterable[Mapping[str, Any]],
    subscriptions: Iterable[tuple[S, Mapping[str, Any]]],
) -> list[tuple[S, Mapping[str, Any], Any]]:
    """`(owner, subscription, payload)` for every event and every matching subscription.

    `subscriptions` pairs anything the host uses to find the connection (the connection
    itself, an id) with the stored subscription dict. Order follows the events.
    """
    index: dict[str, list[tuple[S, Mapping[str, Any]]]] = {}
    for owner, sub in subscriptions:
        if sub.get("globalWebhookKey") != webhook_key:
            continue
        index.setdefault(selector_key(sub.get("globalWebhookEventSelector")), []).append((owner, sub))
    out: list[tuple[S, Mapping[str, Any], Any]] = []
    for event in events:
        for owner, sub in index.get(selector_key(event.get("selector")), []):
            out.append((owner, sub, event.get("payload")))
    return out
