"""Formulas inside schemas (SPEC 6.3), evaluated against the value the schema describes.

A fields schema may compute parts of itself from the record's own fields: an `enum` that
depends on the record's `type`, a `referenceCollection` whose parameters name another field.
As the platform does (`resolveFormulas(schema, {variables: value})`), the variables are the
value being checked, so `{$var: $.type}` reads the sibling field `type`.

Only formula positions change; a literal `{}` or `[]` in the schema stays as written (so
`properties: {x: {}}` keeps meaning "x allowed"). A formula that evaluates to nothing drops
its key, and so does one that cannot be evaluated here (it needs a host resolver that was not
given, or it fails): dropping only ever makes the schema accept more, and a schema guards
the host's input, it must not block a write over a UI hint such as `referenceRecords`.
Which `$`-keys are formulas is the formula engine's list (SPEC 5: `$ref`, `$top` are not).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from runtime._errors import ConnectorError

__all__ = ["has_formulas", "resolve_schema"]

_CACHE_SIZE = 512
_programs: OrderedDict[str, Any] = OrderedDict()
_DROP = object()


def _formula_names() -> frozenset[str]:
    from runtime._formulas import FORMULA_NAMES  # lazy: plain schemas never need the engine

    return frozenset(FORMULA_NAMES)


def _is_formula(node: Any, names: frozenset[str]) -> bool:
    return isinstance(node, dict) and bool(node) and next(iter(node)) in names


def has_formulas(schema: Any, names: frozenset[str] | None = None) -> bool:
    """True when some object inside `schema` is a formula."""
    names = _formula_names() if names is None else names
    if _is_formula(schema, names):
        return True
    if isinstance(schema, dict):
        return any(has_formulas(v, names) for v in schema.values())
    if isinstance(schema, list):
        return any(has_formulas(v, names) for v in schema)
    return False


def _program(formula: dict[str, Any]) -> Any:
    from runtime._formulas import compile_mapping

    key = json.dumps(formula, sort_keys=True, default=str)
    found = _programs.get(key)
    if found is None:
        found = compile_mapping(formula, source="<fields schema>")
        _programs[key] = found
        if len(_programs) > _CACHE_SIZE:
            _programs.popitem(last=False)
    else:
        _programs.move_to_end(key)
    return found


def _resolve(node: Any, variables: dict[str, Any], resolvers: Any, names: frozenset[str]) -> Any:
    if _is_formula(node, names):
        try:
            program = _program(node)
            out = program.evaluate(variables, resolvers=resolvers) if resolvers is not None else program.evaluate(variables)
        except ConnectorError:  # FormulaError & co.: this formula cannot be evaluated here
            return _DROP
        return _DROP if out is None else out
    if isinstance(node, dict):
        out_dict = {}
        for key, sub in node.items():
            value = _resolve(sub, variables, resolvers, names)
            if value is not _DROP:
                out_dict[key] = value
        return out_dict
    if isinstance(node, list):
        return [v for v in (_resolve(s, variables, resolvers, names) for s in node) if v is not _DROP]
    return node


def resolve_schema(schema: Any, value: Any, *, resolvers: Any = None) -> Any:
    """`schema` with every formula evaluated against `value` (see module docstring)."""
    names = _formula_names()
    if not has_formulas(schema, names):
        return schema
    variables = dict(value) if isinstance(value, dict) else {}
    resolved = _resolve(schema, variables, resolvers, names)
    return {} if resolved is _DROP else resolved
