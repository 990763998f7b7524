"""What a loaded connector is made of: compiled method implementations and resolved elements.

Everything here is built once at load time (compiled formulas, syntax-checked JS modules) and
is immutable afterwards, so the call path does no YAML parsing, no file I/O and no compiling.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from runtime._spec import MethodKind

if TYPE_CHECKING:  # the real types; the loader only passes them through
    from runtime._formulas import Program
    from runtime._http import ResponseHandler
    from sandbox import Module

__all__ = [
    "GraphqlMapping",
    "MethodImpl",
    "MethodKind",
    "OperationMapping",
    "ResolvedAuth",
    "ResolvedCollection",
    "ResolvedCollectionEvent",
    "ResolvedElement",
    "RestMapping",
]



@dataclass(frozen=True, slots=True)
class RestMapping:
    """A `.rest.yml` request (SPEC 5.4): each formula part compiled, absent parts None.

    `path` keeps its `{placeholders}`; `method` is upper-case (GET when the file omits it).
    """

    path: str
    method: str
    query: Program | None = None
    headers: Program | None = None
    data: Program | None = None
    path_parameters: Program | None = None
    response: Program | None = None


@dataclass(frozen=True, slots=True)
class GraphqlMapping:
    """A `.graphql.yml` request: the query text, a variables mapping, a response mapping."""

    query: str
    variables: Program | None = None
    response: Program | None = None


@dataclass(frozen=True, slots=True)
class OperationMapping:
    """An `.op.yml` method: run operation `operation_key` with input/output mappings."""

    operation_key: str
    input: Program | None = None
    output: Program | None = None


@dataclass(frozen=True, slots=True)
class MethodImpl:
    """One compiled method. Exactly the sub-object matching `kind` is set.

    `file` is relative to the connector root: the implementation file, or the spec file for an
    inline `mapping:`/`code:` and for `not-supported`. `source_kind` says how it was written
    (e.g. `typescript` for a `.ts` file) for `inspect`.
    """

    kind: MethodKind
    key: str
    file: str
    js: Module | None = None
    program: Program | None = None
    rest: RestMapping | None = None
    graphql: GraphqlMapping | None = None
    operation: OperationMapping | None = None
    source_kind: str | None = None
    #: a mapping makeApiClient's `responseHandlers`, compiled but kept out of `program`: they
    #: are evaluated per response (with `response`), not with the method's context
    response_handlers: tuple[ResponseHandler, ...] | None = None

    def describe(self) -> dict[str, Any]:
        """JSON summary for `inspect`."""
        out: dict[str, Any] = {"implementationType": self.kind, "file": self.file}
        if self.source_kind:
            out["source"] = self.source_kind
        if self.rest is not None:
            out["request"] = f"{self.rest.method} {self.rest.path}"
        if self.graphql is not None:
            out["request"] = "graphql"
        if self.operation is not None:
            out["operationKey"] = self.operation.operation_key
        if self.response_handlers:
            out["responseHandlers"] = len(self.response_handlers)
        return out


@dataclass(frozen=True, slots=True)
class ResolvedAuth:
    """The auth spec in force for one auth option (or the common one when `option_key` is None).

    For an option, `raw` is the common auth fields overridden by the option's, and `methods` are
    the option's methods falling back to the common ones (files in `auth/<option>/` first).
    `ui_schema` is `inputSchema` or `ui.schema`, whichever the spec uses.
    """

    type: str | None
    title: str | None
    ui_schema: dict[str, Any] | None
    option_key: str | None
    methods: Mapping[str, MethodImpl]
    raw: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ResolvedCollectionEvent:
    """One change-event type of a collection (SPEC 6.4) with its strategy's methods."""

    type: str
    implementation_type: str
    methods: Mapping[str, MethodImpl]
    raw: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ResolvedCollection:
    """A data collection after mixins: the merged spec, its methods and change events.

    `extends_parameters` are the `extends.parameters` mappings along the mixin chain, nearest
    first, compiled: each is evaluated with `{"parameters": <params so far>}` and its keys are
    added to the parameters (formulas like `$var: $.parameters.path` pass values down).
    `mixins` lists the mixin folders applied, nearest first.
    """

    key: str
    spec: Any
    methods: Mapping[str, MethodImpl]
    parameters_schema: dict[str, Any] | None
    fields_schema: dict[str, Any] | None
    events: Mapping[str, ResolvedCollectionEvent]
    extends_parameters: tuple[Program, ...] = ()
    mixins: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ResolvedElement:
    """An operation, connector-level event or global webhook: key, typed spec, methods."""

    key: str
    spec: Any
    methods: Mapping[str, MethodImpl] = field(default_factory=dict)
