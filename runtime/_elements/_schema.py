"""JSON Schema checks with error paths a connector author can read (`fields.email`, `input.items[2]`).

Connector schemas are JSON Schema plus the platform's own keys (readOnly, referenceRecords,
formulas inside). Formulas are evaluated against the value being checked first
(`_schema_formulas.py`), then the result is checked. Validators are cached by the schema's
content because the same few schemas are checked on every call.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from runtime._elements._schema_formulas import resolve_schema

__all__ = ["SchemaProblem", "format_path", "schema_problems"]

_CACHE_SIZE = 256
_validators: OrderedDict[str, Any] = OrderedDict()


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One reason a value breaks a schema: where (`fields.email`) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def format_path(root: str, parts: Any) -> str:
    """`root` plus jsonschema's path parts: ("a", 0, "b") -> `root.a[0].b`."""
    out = root
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out = f"{out}.{part}" if out else str(part)
    return out


def _validator(schema: dict[str, Any]) -> Any:
    from jsonschema.validators import validator_for  # lazy: only element calls need it

    cache_key = json.dumps(schema, sort_keys=True, default=str)
    found = _validators.get(cache_key)
    if found is not None:
        _validators.move_to_end(cache_key)
        return found
    cls = validator_for(schema)
    validator = cls(schema)
    _validators[cache_key] = validator
    if len(_validators) > _CACHE_SIZE:
        _validators.popitem(last=False)
    return validator


def schema_problems(schema: Any, value: Any, *, root: str, resolvers: Any = None) -> list[SchemaProblem]:
    """Every way `value` breaks `schema`, each with a path under `root`; [] when it fits.

    A schema that is not an object (absent, `true`) accepts everything. Formulas inside are
    evaluated against `value` (with the host's `resolvers`, if any). An invalid schema is
    reported as a problem at `root` instead of crashing the call.
    """
    if not isinstance(schema, dict) or not schema:
        return []
    schema = resolve_schema(schema, value, resolvers=resolvers)
    if not isinstance(schema, dict) or not schema:
        return []
    from jsonschema.exceptions import SchemaError

    try:
        validator = _validator(schema)
        errors = sorted(validator.iter_errors(value), key=lambda e: [str(p) for p in e.absolute_path])
    except SchemaError as exc:
        return [SchemaProblem(root, f"the schema itself is invalid: {exc.message}")]
    problems: list[SchemaProblem] = []
    required_done: set[str] = set()  # jsonschema reports `required` once per missing name
    for error in errors:
        parts = list(error.absolute_path)
        message = error.message
        if error.validator == "required" and isinstance(error.instance, dict):
            where = format_path(root, parts)
            if where not in required_done:
                required_done.add(where)
                for name in error.validator_value:
                    if name not in error.instance:
                        problems.append(SchemaProblem(format_path(root, [*parts, name]), "is required"))
            continue
        elif error.validator == "type":
            message = f"is {_json_type(error.instance)}, expected {_expected(error.validator_value)}"
        else:
            # jsonschema opens most messages with repr(value); values may be secrets.
            shown = repr(error.instance)
            if message.startswith(shown):
                message = "value" + message[len(shown):]
        problems.append(SchemaProblem(format_path(root, parts), message))
    return problems


def _json_type(value: Any) -> str:
    """The JSON type of a value, never the value itself (values may be secrets)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _expected(types: Any) -> str:
    if isinstance(types, list):
        return " or ".join(str(t) for t in types)
    return str(types)
