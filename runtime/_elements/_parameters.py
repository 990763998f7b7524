"""Element parameters (SPEC 6.2): merge the call's and the element's, fill defaults, validate.

The host may pass `parameters` with a call; a collection carries its own (from `extends`
mixins, or set when the host binds a collection). On a clash the collection's value wins,
because those parameters define what the collection *is* (e.g. the API path of a mixin).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runtime._elements._errors import InvalidParametersError
from runtime._elements._schema import schema_problems

__all__ = ["merge_parameters", "prepare_parameters", "validate_parameters"]


def merge_parameters(*layers: Mapping[str, Any] | None) -> dict[str, Any]:
    """Shallow merge, later layers win: merge_parameters(call_params, collection_params)."""
    out: dict[str, Any] = {}
    for layer in layers:
        if layer:
            out.update(layer)
    return out


def _with_defaults(schema: Any, params: dict[str, Any]) -> dict[str, Any]:
    props = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(props, dict):
        return params
    out = dict(params)
    for name, prop in props.items():
        if name not in out and isinstance(prop, dict) and "default" in prop:
            out[name] = prop["default"]
    return out


def validate_parameters(schema: Any, parameters: Mapping[str, Any], *, where: str, resolvers: Any = None) -> None:
    """Raise InvalidParametersError listing every parameter that breaks `schema`."""
    problems = schema_problems(schema, dict(parameters), root="parameters", resolvers=resolvers)
    if problems:
        raise InvalidParametersError(
            f"{where}: invalid parameters: " + "; ".join(str(p) for p in problems),
            data={"errors": [{"path": p.path, "message": p.message} for p in problems]},
        )


def prepare_parameters(
    schema: Any,
    *layers: Mapping[str, Any] | None,
    where: str,
    resolvers: Any = None,
) -> dict[str, Any]:
    """Merge the layers (later wins), fill top-level schema defaults, validate; the result."""
    merged = _with_defaults(schema, merge_parameters(*layers))
    validate_parameters(schema, merged, where=where, resolvers=resolvers)
    return merged
