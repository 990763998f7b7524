"""Binding the element layer to a live Connection: models from the loader, runners, dispatch.

Everything connection-specific lives here, so the rest of the package stays plain Python:
- `*_model(...)` turn the loader's resolved elements into the element layer's models;
- `connection_runner(...)` runs a method handle (a loader MethodImpl) with
  `Connection.run_method`, naming it `<prefix>/<method>` in errors;
- `dispatch_*` have the core's dispatcher shape `(connection, method_path, input, call)` and
  give `connection.call("data/...")`, `operations/...`, `events/...`, `global-webhooks/...`
  the element semantics; the core's DISPATCH table holds them.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, TypeVar

from runtime._elements._change_calls import call_change_events, is_change_method
from runtime._elements._change_events import ChangeEvents
from runtime._elements._collections import DataCollection
from runtime._elements._events import ConnectorEvent
from runtime._elements._global_webhooks import GlobalWebhook
from runtime._elements._model import (
    CHANGE_TYPES,
    CollectionModel,
    EventModel,
    EventTypeModel,
    OperationModel,
    Runner,
)
from runtime._elements._operations import Operation
from runtime._elements._errors import InvalidOutputError
from runtime._errors import InvalidInputError, NotSupportedError, SpecError
from runtime._paths import kebab_case

if TYPE_CHECKING:
    from runtime._connection import Connection
    from runtime._execute import CallContext
    from runtime._paths import MethodPath

__all__ = [
    "bind_collection",
    "bind_event",
    "bind_global_webhook",
    "bind_operation",
    "collection_model",
    "connection_runner",
    "dispatch_data",
    "dispatch_events",
    "dispatch_global_webhooks",
    "dispatch_operations",
    "event_model",
    "operation_model",
]

# customFields results per connection (SPEC 6.1: merged "for that connection"); weak so a
# closed, dropped connection takes its cache with it.
_schema_caches: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def _supported(methods: Mapping[str, Any]) -> dict[str, Any]:
    return {k: impl for k, impl in methods.items() if getattr(impl, "kind", None) != "not-supported"}


def connection_runner(connection: Connection, call: CallContext | None, prefix: str, logs: list[Any] | None = None) -> Runner:
    """A Runner over `connection.run_method`; without `call`, each run gets a fresh CallContext
    whose logs are appended to `logs`."""

    async def run(impl: Any, inputs: dict[str, Any], parameters: dict[str, Any] | None) -> Any:
        ctx = call if call is not None else connection.new_call()
        try:
            return await connection.run_method(
                impl, inputs, ctx, parameters, method_path=f"{prefix}/{kebab_case(impl.key)}"
            )
        finally:
            if call is None and logs is not None:
                logs.extend(ctx.logs)

    return run


# -- models -----------------------------------------------------------------------------------


def collection_model(connection: Connection, key: str) -> CollectionModel:
    """The element layer's model of collection `key` (mixins already merged by the loader)."""
    resolved = connection.collection_spec(key)
    events: dict[str, EventTypeModel] = {}
    for type_ in CHANGE_TYPES:
        ev = resolved.events.get(type_)
        if ev is None:
            continue
        raw = ev.raw if isinstance(ev.raw, Mapping) else {}
        events[type_] = EventTypeModel(
            type=type_,
            strategy=ev.implementation_type,
            ignored_fields=tuple(raw.get("ignoredFields") or ()),
            methods=_supported(ev.methods),
        )
    programs = tuple(getattr(resolved, "extends_parameters", ()) or ())

    def extend(params: dict[str, Any]) -> dict[str, Any]:
        added: dict[str, Any] = {}
        current = dict(params)
        for program in programs:
            out = connection.evaluate(program, {"parameters": current})
            if isinstance(out, Mapping):
                current = {**current, **out}
                added.update(out)
        return added

    return CollectionModel(
        key=key,
        methods=_supported(resolved.methods),
        parameters_schema=resolved.parameters_schema,
        fields_schema=resolved.fields_schema,
        events=events,
        extend_parameters=extend if programs else None,
        resolvers=getattr(connection, "resolvers", None),
    )


def _element(connection: Connection, group: str, key: str) -> Any:
    table = {"operations": connection.loaded.operations, "events": connection.loaded.events,
             "global-webhooks": connection.loaded.global_webhooks}[group]
    found = table.get(key)
    if found is None:
        known = ", ".join(sorted(table)) or "none"
        raise SpecError(f"{group}/{key}", None, f"no such element (known: {known})")
    return found


def operation_model(connection: Connection, key: str) -> OperationModel:
    """The element layer's model of operation `key` (built once per connection: it comes from
    the loaded connector and the connection's resolvers, the same for every call)."""
    models = connection.operation_models
    model = models.get(key)
    if model is None or model.resolvers is not getattr(connection, "resolvers", None):
        model = models[key] = _operation_model(connection, key)
    return model


def _operation_model(connection: Connection, key: str) -> OperationModel:
    op = _element(connection, "operations", key)
    run = op.methods.get("run")
    if run is None:
        raise NotSupportedError(f"operations/{key}/run: the connector does not implement this method")
    return OperationModel(
        key=key,
        run=run,
        input_schema=getattr(op.spec, "input_schema", None),
        output_schema=getattr(op.spec, "output_schema", None),
        parameters_schema=getattr(op.spec, "parameters_schema", None),
        resolvers=getattr(connection, "resolvers", None),
    )


def event_model(connection: Connection, key: str) -> EventModel:
    """The element layer's model of connector-level event `key`."""
    ev = _element(connection, "events", key)
    return EventModel(
        key=key,
        implementation_type=getattr(ev.spec, "implementation_type", None) or "webhook",
        methods=_supported(ev.methods),
        parameters_schema=getattr(ev.spec, "parameters_schema", None),
        resolvers=getattr(connection, "resolvers", None),
    )


# -- bound elements ---------------------------------------------------------------------------

E = TypeVar("E")


def _blocking(element: E, connection: Connection) -> E:
    """`element` with its `*_sync` twins running on the connection's own event loop."""
    element.blocking = connection._sync  # type: ignore[attr-defined]
    return element


def bind_collection(
    connection: Connection,
    key: str,
    *,
    call: CallContext | None = None,
    parameters: Mapping[str, Any] | None = None,
    logs: list[Any] | None = None,
) -> DataCollection:
    """Collection `key` of `connection`, running its methods in `call` (or a fresh one each)."""
    cache: MutableMapping[str, Any] = _schema_caches.setdefault(connection, {})
    collection = DataCollection(
        collection_model(connection, key),
        connection_runner(connection, call, f"data/{key}", logs),
        parameters=parameters,
        schema_cache=cache,
    )
    return _blocking(collection, connection)


def bind_operation(
    connection: Connection, key: str, *, call: CallContext | None = None, strict: bool | None = None
) -> Operation:
    """Operation `key` of `connection`; output mismatches go to `call.logs` (or raise if strict)."""
    ctx = call if call is not None else connection.new_call()

    def log(level: str, message: str) -> None:
        ctx.logs.append({"level": level, "message": message})

    if strict is None:
        strict = bool(getattr(connection, "strict", False))
    run = connection_runner(connection, ctx, f"operations/{key}")
    return _blocking(Operation(operation_model(connection, key), run, log=log, strict=strict), connection)


def bind_event(connection: Connection, key: str, *, call: CallContext | None = None, logs: list[Any] | None = None) -> ConnectorEvent:
    """Connector-level event `key` of `connection`."""
    run = connection_runner(connection, call, f"events/{key}", logs)
    return _blocking(ConnectorEvent(event_model(connection, key), run), connection)


def bind_global_webhook(
    connection: Connection, key: str, *, call: CallContext | None = None, logs: list[Any] | None = None
) -> GlobalWebhook:
    """Global webhook `key`, run with `connection` (one made with connector parameters is enough)."""
    gw = _element(connection, "global-webhooks", key)
    handle = _supported(gw.methods).get("handle")
    return _blocking(GlobalWebhook(key, handle, connection_runner(connection, call, f"global-webhooks/{key}", logs)), connection)


# -- the core's dispatch ----------------------------------------------------------------------


def _params(input: Mapping[str, Any]) -> dict[str, Any] | None:
    value = input.get("parameters")
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidInputError("parameters must be an object")
    return dict(value)


async def dispatch_data(connection: Connection, mp: MethodPath, input: dict[str, Any], call: CallContext) -> Any:
    """`data/<collection>/<method>` with the semantics of SPEC 6.1; `changes-*` methods: SPEC 6.4."""
    collection = bind_collection(connection, mp.element or "", call=call)
    if is_change_method(mp.method):
        return await call_change_events(ChangeEvents(collection), mp.method, input)
    return await collection.call(mp.method, input)


async def dispatch_operations(connection: Connection, mp: MethodPath, input: dict[str, Any], call: CallContext) -> Any:
    """`operations/<key>/run` with input validation and output checks (SPEC 7)."""
    if mp.method != "run":
        raise NotSupportedError(f"{mp}: operations have only a `run` method")
    operation = bind_operation(connection, mp.element or "", call=call)
    return await operation.run(input.get("input"), _params(input))


async def dispatch_events(connection: Connection, mp: MethodPath, input: dict[str, Any], call: CallContext) -> Any:
    """`events/<key>/<method>` with SPEC 8 inputs and outputs (parameters validated)."""
    event = bind_event(connection, mp.element or "", call=call)
    params = event.parameters(_params(input), mp.method)
    inputs = {k: v for k, v in input.items() if k != "parameters"}
    handle = event.model.methods.get(mp.method)
    if handle is None:
        raise NotSupportedError(f"{mp}: the connector does not implement this method")
    out = await event._run_handle(handle, inputs, params or None)
    if mp.method == "handle" and isinstance(out, Mapping) and out.get("events") is not None and not isinstance(out["events"], list):
        raise InvalidOutputError(f"{mp}: handle must return events as a list")
    return out


async def dispatch_global_webhooks(connection: Connection, mp: MethodPath, input: dict[str, Any], call: CallContext) -> Any:
    """`global-webhooks/<key>/handle`: `{events: [{selector, payload}], response?}`."""
    if mp.method != "handle":
        raise NotSupportedError(f"{mp}: global webhooks have only a `handle` method")
    webhook = bind_global_webhook(connection, mp.element or "", call=call)
    return await webhook.handle(input, parameters=_params(input))
