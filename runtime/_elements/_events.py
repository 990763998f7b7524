"""Connector-level events (SPEC 8): webhook and global-webhook subscriptions.

A subscription is a plain JSON dict the host stores (one per connection and event) and hands
back to every later call:

    {"version": 1, "kind": "event", "event": <key>, "implementationType": "webhook",
     "parameters": {...}, "webhookUri": ..., "state": <connector's state>,
     "nextRefreshTimestamp": <epoch ms> | absent,
     "globalWebhookKey": ..., "globalWebhookEventSelector": ...}   # global-webhook events

`handle` and `refresh` return the next version of it. For global-webhook events the runtime
asks `getEventSelector` at subscribe time; `deliver` then turns one routed payload into events
(through the event's own `handle` when it has one, else the payload is the event).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from runtime._elements._errors import InvalidOutputError, InvalidStateError
from runtime._elements._model import EventModel, Runner
from runtime._elements._parameters import prepare_parameters
from runtime._elements._state import STATE_VERSION, SUBSCRIPTION_SCHEMA, checked_state
from runtime._elements._sync import Blocking, sync_twins
from runtime._elements._webhooks import IncomingRequest, handle_inputs
from runtime._elements._times import parse_time
from runtime._errors import InvalidInputError, NotSupportedError

__all__ = ["SUBSCRIPTION_VERSION", "ConnectorEvent", "next_refresh_at", "refresh_due"]

SUBSCRIPTION_VERSION = STATE_VERSION


def next_refresh_at(subscription: Mapping[str, Any]) -> float | None:
    """Epoch seconds when `refresh` is due (None: never), for any subscription or change state."""
    return parse_time(subscription.get("nextRefreshTimestamp"))


def refresh_due(subscription: Mapping[str, Any], now: float | None = None) -> bool:
    """True once the subscription's nextRefreshTimestamp has passed."""
    due = next_refresh_at(subscription)
    return due is not None and due <= (time.time() if now is None else now)


def _refresh_ms(value: Any) -> int | None:
    seconds = parse_time(value)
    return None if seconds is None else int(round(seconds * 1000))


@sync_twins("subscribe", "handle", "deliver", "refresh", "unsubscribe")
class ConnectorEvent:
    """One connector-level event of one connection; each method has a blocking `<name>_sync` twin."""

    blocking: Blocking | None = None

    def __init__(self, model: EventModel, run: Runner) -> None:
        self.model = model
        self.key = model.key
        self._run_handle = run

    def where(self, method: str) -> str:
        """`events/<key>/<method>` for errors."""
        return f"events/{self.key}/{method}"

    def parameters(self, call_parameters: Mapping[str, Any] | None, method: str) -> dict[str, Any]:
        """Call parameters merged with the event's own (event wins), validated."""
        return prepare_parameters(
            self.model.parameters_schema,
            call_parameters,
            self.model.parameters,
            where=self.where(method),
            resolvers=self.model.resolvers,
        )

    async def _run(self, method: str, inputs: dict[str, Any], params: dict[str, Any]) -> Any:
        handle = self.model.methods.get(method)
        if handle is None:
            raise NotSupportedError(f"{self.where(method)}: the connector does not implement this method")
        return await self._run_handle(handle, inputs, params)

    def _subscription(self, subscription: Any) -> dict[str, Any]:
        sub = checked_state(subscription, SUBSCRIPTION_SCHEMA, what="event subscription", where=f"events/{self.key}")
        if sub["event"] != self.key:
            raise InvalidStateError(f"events/{self.key}: subscription belongs to event {sub['event']!r}")
        return sub

    @property
    def is_global(self) -> bool:
        """True for events delivered through a global webhook."""
        return self.model.implementation_type == "global-webhook"

    async def subscribe(self, *, webhook_uri: str | None = None, parameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Subscribe; the subscription for the host to store."""
        params = self.parameters(parameters, "subscribe")
        sub: dict[str, Any] = {
            "version": SUBSCRIPTION_VERSION,
            "kind": "event",
            "event": self.key,
            "implementationType": self.model.implementation_type,
            "parameters": params,
            "state": None,
        }
        if self.is_global:
            out = await self._run("getEventSelector", {"parameters": params}, params)
            if not isinstance(out, Mapping) or not out.get("globalWebhookKey"):
                raise InvalidOutputError(
                    f"{self.where('getEventSelector')}: must return {{globalWebhookKey, globalWebhookEventSelector}}"
                )
            sub["globalWebhookKey"] = out["globalWebhookKey"]
            sub["globalWebhookEventSelector"] = out.get("globalWebhookEventSelector")
            if "subscribe" not in self.model.methods:
                return sub
        elif not webhook_uri:
            raise InvalidInputError(f"{self.where('subscribe')}: webhookUri is required")
        if webhook_uri:
            sub["webhookUri"] = webhook_uri
        out = await self._run("subscribe", {"webhookUri": webhook_uri, "parameters": params}, params)
        out = out if isinstance(out, Mapping) else {}
        sub["state"] = out.get("state")
        due = _refresh_ms(out.get("nextRefreshTimestamp"))
        if due is not None:
            sub["nextRefreshTimestamp"] = due
        return sub

    async def handle(self, subscription: Mapping[str, Any], request: IncomingRequest | Mapping[str, Any]) -> dict[str, Any]:
        """One incoming call (`{query, data, headers, rawBody}`): `{events, response?, state}`.

        `state` is the next version of the whole subscription (store it).
        """
        sub = self._subscription(subscription)
        params = sub["parameters"]
        inputs = {**handle_inputs(request), "state": sub.get("state"), "parameters": params}
        out = await self._run("handle", inputs, params)
        out = out if isinstance(out, Mapping) else {}
        events = out.get("events") or []
        if not isinstance(events, list):
            raise InvalidOutputError(f"{self.where('handle')}: events must be a list")
        result: dict[str, Any] = {"events": events}
        if out.get("response") is not None:
            result["response"] = out["response"]
        if "state" in out:
            sub["state"] = out["state"]
        result["state"] = sub
        return result

    async def deliver(self, subscription: Mapping[str, Any], payload: Any) -> dict[str, Any]:
        """A payload routed from a global webhook: `{events, state}`."""
        sub = self._subscription(subscription)
        if "handle" not in self.model.methods:
            return {"events": [payload], "state": sub}
        return await self.handle(sub, {"data": payload})

    async def unsubscribe(self, subscription: Mapping[str, Any]) -> None:
        """Remove the subscription on the connector's side (no-op without an unsubscribe method)."""
        sub = self._subscription(subscription)
        if "unsubscribe" in self.model.methods:
            params = sub["parameters"]
            await self._run("unsubscribe", {"state": sub.get("state"), "parameters": params}, params)

    async def refresh(
        self,
        subscription: Mapping[str, Any],
        *,
        webhook_uri: str | None = None,
        now: float | None = None,
        force: bool = False,
    ) -> dict[str, Any]:
        """Run `refresh` if it is due (or forced); the next subscription with its next due time."""
        sub = self._subscription(subscription)
        if "refresh" not in self.model.methods or not (force or refresh_due(sub, now)):
            return sub
        uri = webhook_uri or sub.get("webhookUri")
        params = sub["parameters"]
        out = await self._run("refresh", {"state": sub.get("state"), "webhookUri": uri, "parameters": params}, params)
        out = out if isinstance(out, Mapping) else {}
        if "state" in out:
            sub["state"] = out["state"]
        if uri:
            sub["webhookUri"] = uri
        due = _refresh_ms(out.get("nextRefreshTimestamp"))
        if due is None:
            sub.pop("nextRefreshTimestamp", None)
        else:
            sub["nextRefreshTimestamp"] = due
        return sub
