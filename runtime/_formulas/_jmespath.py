"""`$jmespath: 'expr'`: full JMESPath through the `jmespath` library, plain paths on a fast path.

Most expressions in mappings are plain paths (`a.b[0].c`). Those are recognised with the strict
JMESPath grammar (unquoted or quoted identifiers, `.`, `[int]` with negative indexes) and
evaluated by a small loop; everything else goes to `jmespath.compile(expr).search`. The fast
path is checked against the JMESPath compliance suite together with the library
(tests/formulas/test_conformance.py), so both halves give the suite's answers.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["JmespathSyntaxError", "compile_jmespath", "fast_path_steps"]

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_QUOTED = r'"(?:[^"\\]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"'
_FIELD = f"(?:{_IDENT}|{_QUOTED})"
_INDEX = r"\[-?(?:0|[1-9][0-9]*)\]"
_FAST = re.compile(rf"{_FIELD}(?:\.{_FIELD}|{_INDEX})*\Z")
_TOKEN = re.compile(rf"\.?({_IDENT})|\.?({_QUOTED})|\[(-?\d+)\]")


class JmespathSyntaxError(ValueError):
    """The expression does not parse; `str()` shows it with a caret under the position."""


def fast_path_steps(expression: str) -> tuple[tuple[bool, Any], ...] | None:
    """`((is_index, key_or_index), ...)` when the expression is a plain path, else None."""
    if not _FAST.match(expression):
        return None
    steps: list[tuple[bool, Any]] = []
    pos = 0
    while pos < len(expression):
        m = _TOKEN.match(expression, pos)
        if m is None:  # pragma: no cover - _FAST guarantees the tokens
            return None
        ident, quoted, index = m.groups()
        if ident is not None:
            steps.append((False, ident))
        elif quoted is not None:
            try:
                steps.append((False, json.loads(quoted)))
            except ValueError:
                return None
        else:
            steps.append((True, int(index)))
        pos = m.end()
    return tuple(steps)


def _fast_search(steps: tuple[tuple[bool, Any], ...]) -> Callable[[Any], Any]:
    def search(data: Any) -> Any:
        for is_index, key in steps:
            if is_index:
                if not isinstance(data, list):
                    return None
                try:
                    data = data[key]
                except IndexError:
                    return None
            else:
                if not isinstance(data, dict):
                    return None
                data = data.get(key)
            if data is None:
                return None
        return data

    return search


def compile_jmespath(expression: str) -> Callable[[Any], Any]:
    """A `search(data)` function for the expression; raises JmespathSyntaxError."""
    steps = fast_path_steps(expression)
    if steps is not None:
        return _fast_search(steps)
    import jmespath
    from jmespath import exceptions

    try:
        with warnings.catch_warnings():
            # jmespath warns about the deprecated `foo` literal form (JSON without quotes) and
            # still accepts it; mapping authors get no Python warnings, the expression works
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            parsed = jmespath.compile(expression)
    except exceptions.ParseError as exc:
        column = exc.lex_position if isinstance(exc.lex_position, int) else 0
        problem = getattr(exc, "msg", None) or exc.__class__.__name__
        raise JmespathSyntaxError(
            f"JMESPath syntax error: {problem}\n  {expression}\n  {' ' * max(column, 0)}^"
        ) from None
    except exceptions.JMESPathError as exc:  # e.g. an invalid literal
        raise JmespathSyntaxError(f"JMESPath error: {exc}") from None
    return parsed.search
