"""`lint_mapping`: warnings for mappings that compile but probably do not mean what they say.

The engine silently accepts these, so they are warnings (for `validate`), not errors:
- a `$`-key that is not a formula but looks like one (`$Var`, `$concatt`, `$ifEmpty`): it is
  sent as a literal key (fine for OData's `$top`/`$filter`/`$select`/..., which are not reported);
- a formula name that is not the first key of its object: the object is then plain data;
- extra keys beside a formula (`{$var: a, $jsonata: b}`): the engine ignores them;
- an `$eval` without a known operator (the engine then returns true);
- a `$case` condition with an unknown operator (the engine skips the condition);
- a `$var` locator with a JMESPath-style quoted segment (`headers."x-rate"`): locators read
  names literally, so the quotes become part of the key and the value is never found.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from runtime._formulas._builtins import EVAL_OPERATORS, FILTER_OPERATORS, FORMULAS
from runtime._formulas._compiler import Path, format_path

__all__ = ["lint_mapping"]

#: `$`-keys that real APIs use as literal keys (OData system query options, Mongo-style operators)
LITERAL_DOLLAR_KEYS = frozenset(
    "$top $skip $filter $select $expand $orderby $count $search $format $skiptoken $apply $compute "
    "$levels $batch $metadata $value $ref $id $schema $type $in $nin $eq $ne $gt $gte $lt $lte $and "
    "$or $not $exists $regex $set $unset $push $each $elemMatch".split()
)
_QUOTED_SEGMENT = re.compile(r'(?:^|\.)"[^"]*"(?:$|[.\[])')
_LOWER_NAMES = {name.lower(): name for name in FORMULAS}


def _suggest(key: str) -> str | None:
    if key.lower() in _LOWER_NAMES:
        return _LOWER_NAMES[key.lower()]
    close = difflib.get_close_matches(key, list(FORMULAS), n=1, cutoff=0.8)
    return close[0] if close else None


def lint_mapping(value: Any, *, source: str = "<mapping>") -> list[str]:
    """Warnings (`file: path: text`) about likely mistakes; an empty list when none."""
    warnings: list[str] = []

    def warn(path: Path, text: str) -> None:
        warnings.append(f"{source}: {format_path(path)}: {text}")

    def walk(node: Any, path: Path) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, path + (i,))
            return
        if not isinstance(node, dict):
            return
        keys = list(node)
        first = keys[0] if keys else None
        if isinstance(first, str) and first in FORMULAS:
            _lint_formula(node, first, path, warn, walk)
            return
        for key in keys:
            if isinstance(key, str) and key.startswith("$"):
                if key in FORMULAS:
                    warn(path + (key,), f"{key} is a formula only as the first key of its object; here it is data")
                elif key not in LITERAL_DOLLAR_KEYS:
                    hint = _suggest(key)
                    if hint is not None:
                        warn(path + (key,), f"{key} is not a formula and is kept as a literal key; did you mean {hint}?")
            walk(node[key], path + (str(key),))

    walk(value, ())
    return warnings


def _lint_formula(node: dict[str, Any], name: str, path: Path, warn: Any, walk: Any) -> None:
    args = node[name]
    extra = [k for k in list(node)[1:]]
    if name == "$eval":
        operator = extra[0] if extra else None
        if operator is None:
            warn(path, "$eval without an operator is always true")
        elif operator not in EVAL_OPERATORS:
            warn(path + (str(operator),), f"unknown $eval operator {operator!r} (the $eval is always true); "
                 f"known: {', '.join(sorted(EVAL_OPERATORS))}")
        for key in extra:
            walk(node[key], path + (str(key),))
        extra = extra[1:]
    for key in extra:
        warn(path + (str(key),), f"{key!s} beside {name} is ignored")
    if name == "$var" and isinstance(args, str) and _QUOTED_SEGMENT.search(args):
        warn(path + (name,), f"locator {args!r} has a quoted segment; locators read names literally "
             "(write it without quotes, escaping dots as \\., or use $jmespath)")
    if name == "$case":
        cases = args if isinstance(args, list) else args.get("cases") if isinstance(args, dict) else None
        base = path + (name,) if isinstance(args, list) else path + (name, "cases")
        for i, case in enumerate(cases if isinstance(cases, list) else []):
            conditions = case.get("filter") if isinstance(case, dict) else None
            if isinstance(conditions, list):
                for j, condition in enumerate(conditions):
                    op = condition.get("operator") if isinstance(condition, dict) else None
                    if op not in FILTER_OPERATORS:
                        warn(base + (i, "filter", j), f"unknown condition operator {op!r}: the condition is skipped")
    if name != "$plain":
        walk(args, path + (name,))
