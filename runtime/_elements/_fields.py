"""The fields schema of a collection (SPEC 6.3) and checking field values before a write.

`customFields` (per connection) adds properties to the collection's `fieldsSchema`; the
authored schema wins on a clash, since the connector's code relies on its own definitions.

Writes (create/update) are checked before any request goes out:
- a `readOnly` field (at any depth of nested objects) is refused;
- values must match their schema's types (JSON Schema), except that `null` is accepted for
  any top-level field: it is how a host clears a field (a null required field on create
  still counts as missing);
- `required` applies to create only (an update sends just the fields that change).
Every problem names the field (`fields.address.city`) and all problems are reported at once.
Formulas inside the schema are evaluated against the fields being written first (SPEC 6.3,
`_schema_formulas.py`), so a computed `readOnly` or `enum` counts like a literal one.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from runtime._elements._errors import InvalidFieldsError
from runtime._elements._schema import SchemaProblem, schema_problems
from runtime._elements._schema_formulas import resolve_schema

__all__ = ["merge_custom_fields", "read_only_paths", "validate_write_fields"]


def merge_custom_fields(fields_schema: Any, custom: Any) -> dict[str, Any]:
    """`fields_schema` with the properties of `custom` (a schema or a bare properties map) added."""
    base: dict[str, Any] = copy.deepcopy(fields_schema) if isinstance(fields_schema, dict) else {}
    base.setdefault("type", "object")
    if not isinstance(custom, dict) or not custom:
        return base
    if isinstance(custom.get("properties"), dict) or custom.get("type") == "object":
        extra_props = custom.get("properties") or {}
        extra_required = custom.get("required") or []
    else:
        extra_props, extra_required = custom, []
    props = base.setdefault("properties", {})
    for name, prop in extra_props.items():
        props.setdefault(name, prop)
    if extra_required:
        required = list(base.get("required") or [])
        required += [r for r in extra_required if r not in required]
        base["required"] = required
    return base


def read_only_paths(schema: Any, value: Any, *, prefix: str = "fields") -> list[str]:
    """Paths of the values in `value` that the schema marks `readOnly`."""
    out: list[str] = []
    if not isinstance(schema, dict):
        return out
    if isinstance(value, dict):
        props = schema.get("properties")
        if isinstance(props, dict):
            for name, sub in value.items():
                prop = props.get(name)
                if not isinstance(prop, dict):
                    continue
                path = f"{prefix}.{name}"
                if prop.get("readOnly") is True:
                    out.append(path)
                else:
                    out += read_only_paths(prop, sub, prefix=path)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            out += read_only_paths(schema["items"], item, prefix=f"{prefix}[{i}]")
    return out


def validate_write_fields(
    fields_schema: Any,
    fields: Any,
    *,
    creating: bool,
    where: str,
    resolvers: Any = None,
) -> None:
    """Raise InvalidFieldsError naming every field of a create/update that breaks the schema."""
    if not isinstance(fields, Mapping):
        raise InvalidFieldsError(f"{where}: fields must be an object")
    fields_schema = resolve_schema(fields_schema, dict(fields), resolvers=resolvers)
    problems = [SchemaProblem(p, "is read-only") for p in read_only_paths(fields_schema, fields)]
    if isinstance(fields_schema, dict) and fields_schema:
        schema = dict(fields_schema)
        checked = {k: v for k, v in fields.items() if v is not None}
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        if not creating:
            schema.pop("required", None)
        elif isinstance(schema.get("required"), list):
            # A read-only field (an id, a timestamp) cannot be required of a writer.
            schema["required"] = [
                r for r in schema["required"] if not (isinstance(props.get(r), dict) and props[r].get("readOnly") is True)
            ]
        bad_paths = {p.path for p in problems}
        problems += [p for p in schema_problems(schema, checked, root="fields") if p.path not in bad_paths]
    if problems:
        raise InvalidFieldsError(
            f"{where}: invalid fields: " + "; ".join(str(p) for p in problems),
            data={"errors": [{"field": p.path.removeprefix("fields."), "message": p.message} for p in problems]},
        )
