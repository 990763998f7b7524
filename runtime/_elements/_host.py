"""What a host application calls: bound elements and framework-free webhook endpoints.

    contacts = collection(connection, "contacts")
    page = await contacts.list()                       # {records, cursor?}
    async for record in contacts.records(): ...        # every page, loop-safe
    changes = change_events(connection, "contacts")
    state = await changes.subscribe(types=["created", "deleted"], webhook_uri=url)
    out = await changes.pull(state)                    # {events, state}: store out["state"]

    # in any web framework, for a request on a subscription's webhook URL:
    result = await handle_webhook_request(connection, stored_subscription,
                                          method=..., url=..., headers=..., body=raw_bytes)
    store(result.subscription); deliver(result.events)
    return result.response.status, result.response.headers, result.response.body

    # scripts: every async method of these objects (and both request handlers) has a `*_sync` twin
    with connector.connect(...) as connection:
        for record in collection(connection, "contacts").records_sync(): ...
        out = change_events(connection, "contacts").pull_sync(state)

`handle_webhook_request` serves both connector-level event subscriptions (from
`event(...).subscribe`) and collection change-event states with webhook types. Errors never
escape as exceptions into the web framework: they become a 4xx/5xx response carrying only the
error's type and key, and `result.error` for the host's logs.

State discipline for hosts: handle the calls of ONE subscription one at a time and store the
returned state together with the events (one transaction); a call that raises leaves the
stored state valid. Without a `call`, each method run gets its own CallContext (its own
deadline, so a long full scan is not cut short); pass `logs=[]` to collect their logs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from runtime._elements._bind import bind_collection, bind_event, bind_global_webhook, bind_operation
from runtime._elements._change_events import ChangeEvents
from runtime._elements._collections import DataCollection
from runtime._elements._errors import InvalidStateError
from runtime._elements._events import ConnectorEvent
from runtime._elements._global_webhooks import GlobalWebhook, route_global_events, selector_key
from runtime._elements._operations import Operation
from runtime._elements._sync import sync_function
from runtime._elements._webhooks import HttpResponse, IncomingRequest, build_response, parse_request
from runtime._errors import ConnectorError, InternalError, InvalidInputError

if TYPE_CHECKING:
    from runtime._connection import Connection
    from runtime._execute import CallContext

__all__ = [
    "GlobalDelivery",
    "GlobalWebhookResult",
    "WebhookResult",
    "change_events",
    "collection",
    "event",
    "global_webhook",
    "handle_global_webhook_request",
    "handle_global_webhook_request_sync",
    "handle_webhook_request",
    "handle_webhook_request_sync",
    "operation",
]


def collection(
    connection: Connection,
    key: str,
    *,
    parameters: Mapping[str, Any] | None = None,
    call: CallContext | None = None,
    logs: list[Any] | None = None,
) -> DataCollection:
    """Data collection `key` of `connection` (methods: list, find_by_id, ..., pages, records)."""
    return bind_collection(connection, key, call=call, parameters=parameters, logs=logs)


def change_events(
    connection: Connection,
    key: str,
    *,
    parameters: Mapping[str, Any] | None = None,
    call: CallContext | None = None,
    logs: list[Any] | None = None,
) -> ChangeEvents:
    """Change events of collection `key`: subscribe / pull / handle_webhook / refresh / unsubscribe."""
    return ChangeEvents(bind_collection(connection, key, call=call, parameters=parameters, logs=logs))


def operation(connection: Connection, key: str, *, strict: bool | None = None, call: CallContext | None = None) -> Operation:
    """Operation `key` of `connection` (`await op.run(input)`)."""
    return bind_operation(connection, key, call=call, strict=strict)


def event(connection: Connection, key: str, *, call: CallContext | None = None, logs: list[Any] | None = None) -> ConnectorEvent:
    """Connector-level event `key`: subscribe / handle / deliver / refresh / unsubscribe."""
    return bind_event(connection, key, call=call, logs=logs)


def global_webhook(connection: Connection, key: str, *, call: CallContext | None = None) -> GlobalWebhook:
    """Global webhook `key` of the connector (`connection` may hold connector parameters only)."""
    return bind_global_webhook(connection, key, call=call)


@dataclass
class WebhookResult:
    """Outcome of one webhook request: events to deliver, the response, the state to store.

    `subscription` is the next version of the stored subscription (store it even when there are
    no events: the connector may have changed its state). On failure `error` is set,
    `subscription` is the unchanged input and `response` a 4xx/5xx.
    """

    events: list[Any]
    response: HttpResponse
    subscription: dict[str, Any] | None
    logs: list[dict[str, Any]] = field(default_factory=list)
    error: ConnectorError | None = None


def _connector_error(exc: Exception) -> ConnectorError:
    """The error as the runtime's type; a bug below us becomes an InternalError (never re-raised)."""
    if isinstance(exc, ConnectorError):
        return exc
    error = InternalError(f"webhook handling failed: {type(exc).__name__}")
    error.__cause__ = exc
    return error


def _error_response(exc: ConnectorError) -> HttpResponse:
    status = 400 if isinstance(exc, InvalidInputError) else 500
    return build_response({"status": status, "data": {"error": {"type": exc.type, "key": exc.key}}})


def _request(method: str, url: str, headers: Any, body: bytes | str | None) -> dict[str, Any]:
    raw = body.encode() if isinstance(body, str) else (body or b"")
    return parse_request(IncomingRequest(method=method, url=url, headers=headers or {}, body=raw))


async def handle_webhook_request(
    connection: Connection,
    subscription: Mapping[str, Any],
    *,
    method: str,
    url: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    body: bytes | str | None = b"",
) -> WebhookResult:
    """Handle one incoming HTTP request for a stored subscription; never raises ConnectorError."""
    logs: list[dict[str, Any]] = []
    call = connection.new_call()
    try:
        request = _request(method, url, headers, body)
        if not isinstance(subscription, Mapping):
            raise InvalidStateError("the stored subscription must be an object made by subscribe")
        if subscription.get("kind") == "event":
            bound = bind_event(connection, str(subscription.get("event")), call=call)
            out = await bound.handle(subscription, request)
        elif "collection" in subscription:
            changes = ChangeEvents(bind_collection(connection, str(subscription["collection"]), call=call))
            out = await changes.handle_webhook(subscription, request)
        else:
            raise InvalidStateError("not a subscription made by event(...).subscribe or change_events(...).subscribe")
    except Exception as exc:  # noqa: BLE001 - a web framework gets a response, never an exception
        error = _connector_error(exc)
        kept = dict(subscription) if isinstance(subscription, Mapping) else None
        return WebhookResult([], _error_response(error), kept, call.logs, error)
    logs = call.logs
    return WebhookResult(out["events"], build_response(out.get("response")), out["state"], logs)


@dataclass
class GlobalDelivery:
    """Everything one global-webhook request brought one subscription of one connection.

    Payloads for the same subscription are delivered one after another, each with the state
    the previous one left, so `subscription` is the one version to store. A delivery that fails
    has `error` set, its `subscription` unchanged and no events; the others are not affected.
    """

    owner: Any
    subscription: dict[str, Any] | None
    events: list[Any]
    logs: list[dict[str, Any]] = field(default_factory=list)
    error: ConnectorError | None = None


@dataclass
class GlobalWebhookResult:
    """Outcome of one request on a connector's global webhook URL."""

    response: HttpResponse
    deliveries: list[GlobalDelivery] = field(default_factory=list)
    unrouted: list[dict[str, Any]] = field(default_factory=list)
    logs: list[dict[str, Any]] = field(default_factory=list)
    error: ConnectorError | None = None


async def handle_global_webhook_request(
    connection: Connection,
    key: str,
    subscriptions: Iterable[tuple[Connection, Mapping[str, Any]]],
    *,
    method: str,
    url: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    body: bytes | str | None = b"",
    parameters: Mapping[str, Any] | None = None,
) -> GlobalWebhookResult:
    """Run global webhook `key` on a request, route its events, deliver each with its connection.

    `connection` runs the global handle (any connection of the connector); `subscriptions`
    pairs each subscribed connection with its stored global-webhook event subscription.
    Events whose selector no subscription wants are returned in `unrouted`. Never raises: a
    failed handle is `error` with a 4xx/5xx response, a failed delivery is that delivery's `error`.
    """
    call = connection.new_call()
    try:
        request = _request(method, url, headers, body)
        out = await bind_global_webhook(connection, key, call=call).handle(request, parameters=parameters)
    except Exception as exc:  # noqa: BLE001 - a web framework gets a response, never an exception
        error = _connector_error(exc)
        return GlobalWebhookResult(_error_response(error), logs=call.logs, error=error)
    result = GlobalWebhookResult(build_response(out.get("response")), logs=call.logs)
    subs = [(owner, sub) for owner, sub in subscriptions]
    usable = [(owner, sub) for owner, sub in subs if isinstance(sub, Mapping)]
    routed = route_global_events(key, out["events"], usable)
    wanted = {id(e) for e in out["events"] if any(_same(e, s) for _, s in usable if s.get("globalWebhookKey") == key)}
    result.unrouted = [e for e in out["events"] if id(e) not in wanted]
    grouped: dict[int, tuple[Any, Mapping[str, Any], list[Any]]] = {}
    for owner, sub, payload in routed:
        grouped.setdefault(id(sub), (owner, sub, []))[2].append(payload)
    for owner, sub, payloads in grouped.values():
        result.deliveries.append(await _deliver(owner, sub, payloads))
    for owner, sub in subs:
        if not isinstance(sub, Mapping):
            error = InvalidStateError("a stored global-webhook subscription is not an object made by subscribe")
            result.deliveries.append(GlobalDelivery(owner, None, [], error=error))
    return result


async def _deliver(owner: Any, subscription: Mapping[str, Any], payloads: list[Any]) -> GlobalDelivery:
    """Deliver `payloads` in order to one subscription, threading its state; all or nothing."""
    call = owner.new_call()
    try:
        bound = bind_event(owner, str(subscription.get("event")), call=call)
        state: Mapping[str, Any] = subscription
        events: list[Any] = []
        for payload in payloads:
            out = await bound.deliver(state, payload)
            events += out["events"]
            state = out["state"]
    except Exception as exc:  # noqa: BLE001 - one connection's failure must not cost the others theirs
        return GlobalDelivery(owner, dict(subscription), [], call.logs, _connector_error(exc))
    return GlobalDelivery(owner, dict(state), events, call.logs)


handle_webhook_request_sync = sync_function(handle_webhook_request)
handle_global_webhook_request_sync = sync_function(handle_global_webhook_request)


def _same(event: Mapping[str, Any], sub: Mapping[str, Any]) -> bool:
    return selector_key(event.get("selector")) == selector_key(sub.get("globalWebhookEventSelector"))
