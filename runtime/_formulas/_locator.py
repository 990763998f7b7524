"""Locators: the paths `$var`, `$copy`, `$case` conditions and `$iterate` read values with.

Grammar (the platform engine's `locatorToSteps`, which is the reference):

    locator  := '$' step* | name-start ...        (a locator not starting with '$' gets '$.' prepended)
    step     := '.' name | '[' number ']'
    name     := characters up to the next unescaped '.' or '['; '\\x' stands for x
    number   := what JavaScript's Number() accepts; NaN or negative is an error

So `a.b[0]`, `$.a.b[0]`, bare `$` (the root), `first\\.name` (a key with a dot) are locators;
`[0]` alone means `$.""[0]` exactly as in the engine. Steps are parsed once into a tuple and
turned into one closure; plain key paths of one to three steps get unrolled closures (the
common case: `$var: $.name`).

Two evaluators share the parsed steps:
- `Locator.search` is the plain path semantics: object key, array index, missing -> UNDEFINED.
  On the expressions that are both locators and JMESPath (identifiers and non-negative
  indexes) it agrees with the JMESPath compliance suite (tests/formulas/test_conformance.py).
- `Locator.getter(engine_quirks=True)`, used by `$var`, adds the engine's one quirk: an array
  element that is JS-falsy (0, '', false, null) reads as undefined (`value[i] ? value[i] :
  undefined` in the engine's `executeLocatorStepArrayItem`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from runtime._formulas._js import prop_any, prop_object, to_number, truthy
from runtime._formulas._undefined import UNDEFINED

__all__ = ["CURRENT", "Locator", "LocatorSyntaxError", "Step", "parse_locator"]

Getter = Callable[[Any, Any], Any]

PROP = 0  # object property: step.key is the name
INDEX = 1  # array item: step.key is a non-negative int
NEVER = 2  # an index that can never match (fractional or infinite Number): always undefined
CURRENT = 3  # `$current` inside a legacy `$iterate {locator, items}`: step.key is the nesting level


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a locator."""

    kind: int
    key: Any

    def __str__(self) -> str:
        if self.kind == PROP:
            return "." + "".join("\\" + ch if ch in "\\.[]" else ch for ch in str(self.key))
        if self.kind == CURRENT:
            return ".$current"
        return f"[{self.key}]"


class LocatorSyntaxError(ValueError):
    """A locator that the engine's grammar rejects; `str()` shows the locator with a caret."""

    def __init__(self, locator: str, position: int, problem: str) -> None:
        self.locator = locator
        self.position = position
        self.problem = problem
        super().__init__(f"{problem} in locator {locator!r}\n  {locator}\n  {' ' * position}^")


def _find_next(text: str, start: int) -> int:
    escaped = False
    for i in range(start, len(text)):
        ch = text[i]
        if ch == "\\":
            escaped = not escaped
            continue
        if escaped:
            escaped = False
            continue
        if ch == "." or ch == "[":
            return i
    return len(text)


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] not in "\n\r\u2028\u2029":
            out.append(text[i + 1])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def parse_locator(locator: str) -> tuple[Step, ...]:
    """Parse a locator into steps; raises LocatorSyntaxError (with position) on bad syntax."""
    if not isinstance(locator, str):
        raise LocatorSyntaxError(repr(locator), 0, "a locator must be a string")
    if locator == "":
        raise LocatorSyntaxError(locator, 0, "empty locator")
    if locator == "$":
        return ()
    offset = 0
    text = locator
    if not text.startswith("$"):
        text = "$." + text
        offset = 2
    steps: list[Step] = []
    pos = 1
    n = len(text)
    while pos < n:
        ch = text[pos]
        if ch == ".":
            end = _find_next(text, pos + 1)
            steps.append(Step(PROP, _unescape(text[pos + 1 : end])))
            pos = end
        elif ch == "[":
            close = text.find("]", pos)
            if close == -1:
                raise LocatorSyntaxError(locator, max(pos - offset, 0), "no closing bracket for this '['")
            raw = text[pos + 1 : close]
            number = to_number(raw)
            if number != number or number < 0:
                raise LocatorSyntaxError(
                    locator, max(pos + 1 - offset, 0), f"invalid index [{raw}]: an index is a non-negative number"
                )
            if isinstance(number, float) and (math.isinf(number) or not number.is_integer()):
                steps.append(Step(NEVER, raw))
            else:
                steps.append(Step(INDEX, int(number)))
            pos = close + 1
        else:
            raise LocatorSyntaxError(locator, max(pos - offset, 0), f"unexpected {ch!r}: expected '.' or '['")
    return tuple(steps)


def _index_plain(value: Any, index: int) -> Any:
    if isinstance(value, list) and index < len(value):
        return value[index]
    return UNDEFINED


def _index_engine(value: Any, index: int) -> Any:
    if isinstance(value, list) and index < len(value):
        item = value[index]
        return item if truthy(item) else UNDEFINED
    return UNDEFINED


def make_getter(steps: tuple[Step, ...], *, engine_quirks: bool) -> Getter:
    """One closure `(data, ctx) -> value | UNDEFINED` for these steps.

    `ctx.current` (a list of indexes) serves CURRENT steps; other steps ignore ctx.
    """
    if not steps:
        return lambda v, c: v
    index_step = _index_engine if engine_quirks else _index_plain
    if all(s.kind == PROP for s in steps) and len(steps) <= 3:
        keys = [s.key for s in steps]
        if len(keys) == 1:
            (k1,) = keys

            def get1(v: Any, c: Any) -> Any:
                return v.get(k1, UNDEFINED) if type(v) is dict else prop_object(v, k1)

            return get1
        if len(keys) == 2:
            k1, k2 = keys

            def get2(v: Any, c: Any) -> Any:
                v = v.get(k1, UNDEFINED) if type(v) is dict else prop_object(v, k1)
                return v.get(k2, UNDEFINED) if type(v) is dict else prop_object(v, k2)

            return get2
        k1, k2, k3 = keys

        def get3(v: Any, c: Any) -> Any:
            v = v.get(k1, UNDEFINED) if type(v) is dict else prop_object(v, k1)
            v = v.get(k2, UNDEFINED) if type(v) is dict else prop_object(v, k2)
            return v.get(k3, UNDEFINED) if type(v) is dict else prop_object(v, k3)

        return get3
    if all(s.kind == PROP for s in steps):
        names = tuple(s.key for s in steps)

        def get_keys(v: Any, c: Any) -> Any:
            for k in names:  # UNDEFINED propagates through prop_object: no early exit needed
                v = v.get(k, UNDEFINED) if type(v) is dict else prop_object(v, k)
            return v

        return get_keys
    plan = tuple((s.kind, s.key) for s in steps)

    def get_n(v: Any, c: Any) -> Any:
        for kind, key in plan:
            if kind == PROP:
                v = v.get(key, UNDEFINED) if type(v) is dict else prop_object(v, key)
            elif kind == INDEX:
                v = index_step(v, key)
            elif kind == CURRENT:
                v = index_step(v, c.current[key])
            else:
                return UNDEFINED
            if v is UNDEFINED:
                return UNDEFINED
        return v

    return get_n


def filter_values(data: Any, steps: tuple[Step, ...]) -> list[Any]:
    """The engine's `getFilterFieldValuesByLocator`: a path that fans out over arrays.

    A property step applied to an array collects that property from every element; the result
    lists the non-null values found (used by `$case` condition-list filters).
    """
    result: list[Any] = []
    current = data
    for i, step in enumerate(steps):
        if current is None or current is UNDEFINED:
            return []
        if step.kind == INDEX or step.kind == NEVER:
            if isinstance(current, list):
                current = current[step.key] if step.kind == INDEX and step.key < len(current) else UNDEFINED
            else:
                return []
        else:
            if isinstance(current, list):
                rest = steps[i:]
                for item in current:
                    result.extend(filter_values(item, rest))
                return result
            current = prop_any(current, step.key) if step.kind == PROP else UNDEFINED
    if current is not None and current is not UNDEFINED:
        result.append(current)
    return result


class Locator:
    """A parsed locator: `Locator("a.b[0]").search(data)`."""

    __slots__ = ("source", "steps", "_search")

    def __init__(self, source: str) -> None:
        self.source = source
        self.steps = parse_locator(source)
        self._search = make_getter(self.steps, engine_quirks=False)

    def search(self, data: Any) -> Any:
        """The value at this path, or UNDEFINED when the path does not exist."""
        return self._search(data, None)

    def getter(self, *, engine_quirks: bool = True) -> Getter:
        """The `(data, ctx) -> value` closure (`$var` uses the engine's array-item quirk)."""
        return make_getter(self.steps, engine_quirks=engine_quirks)

    def __repr__(self) -> str:
        return f"Locator({self.source!r})"
