"""The element layer's view of a connector element: plain data plus opaque method handles.

The element code never runs a method itself: it asks a `Runner` (in production, a closure
over `Connection.run_method` and the call's CallContext; in unit tests, plain Python
functions). A method "handle" is whatever the runner understands (a loader MethodImpl in
production); the models below only say which handle implements which method key.
Building these models from the loader's objects lives in `_bind.py`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CHANGE_TYPES", "CollectionModel", "EventModel", "EventTypeModel", "OperationModel", "Runner", "handle_identity"]

#: Runs one method: (handle, inputs, parameters) -> the method's raw output.
Runner = Callable[[Any, dict[str, Any], "dict[str, Any] | None"], Awaitable[Any]]

#: The change event types of SPEC 6.4, in the order they are reported.
CHANGE_TYPES = ("created", "updated", "deleted")


def handle_identity(handle: Any) -> str:
    """What makes two handles "the same method" (one webhook file serving several event types)."""
    file = getattr(handle, "file", None)
    return str(file) if file else f"id:{id(handle)}"


@dataclass(frozen=True)
class EventTypeModel:
    """One change event type of a collection: its strategy and the methods implementing it."""

    type: str
    strategy: str = "full-scan"  # webhook | pull-latest-records | custom-pull | full-scan
    ignored_fields: tuple[str, ...] = ()
    methods: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CollectionModel:
    """A data collection as the element layer needs it (SPEC 6)."""

    key: str
    methods: Mapping[str, Any] = field(default_factory=dict)
    parameters_schema: Any = None
    fields_schema: Any = None
    parameters: Mapping[str, Any] = field(default_factory=dict)  # fixed collection parameters
    events: Mapping[str, EventTypeModel] = field(default_factory=dict)
    #: Adds the `extends` mixin parameters (formulas over the parameters so far); they win.
    extend_parameters: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    #: The host's formula resolvers ($lookup & co.) for formulas inside the schemas.
    resolvers: Any = None

    def event(self, type_: str) -> EventTypeModel:
        """The configured strategy of `type_`; full-scan when the spec names none (SPEC 6.4)."""
        return self.events.get(type_) or EventTypeModel(type_)


@dataclass(frozen=True)
class OperationModel:
    """An operation (SPEC 7)."""

    key: str
    run: Any
    input_schema: Any = None
    output_schema: Any = None
    parameters_schema: Any = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    resolvers: Any = None


@dataclass(frozen=True)
class EventModel:
    """A connector-level event (SPEC 8): webhook or global-webhook."""

    key: str
    implementation_type: str = "webhook"
    methods: Mapping[str, Any] = field(default_factory=dict)
    parameters_schema: Any = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    resolvers: Any = None
