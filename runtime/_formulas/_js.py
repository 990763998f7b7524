"""JavaScript value semantics the formulas depend on, for JSON-shaped Python values.

The reference engine is JavaScript, and its formulas use `==`, truthiness, `String(x)`,
`parseFloat`, `Array.prototype.includes` and `fast-deep-equal`. Python's own operators differ in
ways real mappings hit (`True == 1`, `"1" != 1`, `str(1.0) == "1.0"`, `str(None) == "None"`),
so every formula goes through these helpers instead. Values are JSON values plus `UNDEFINED`;
lists are JS arrays, dicts are plain objects.
"""

from __future__ import annotations

import math
import re
from typing import Any

from runtime._formulas._undefined import UNDEFINED

__all__ = [
    "deep_equal",
    "is_array_index",
    "js_type",
    "loose_equal",
    "parse_float",
    "prop_any",
    "prop_object",
    "same_value_zero",
    "strict_equal",
    "strict_includes",
    "to_number",
    "to_string",
    "truthy",
]

_NUMBER_TYPES = (int, float)


def js_type(value: Any) -> str:
    """The JavaScript type of a value: undefined, null, boolean, number, string or object."""
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    t = type(value)
    if t is bool:
        return "boolean"
    if t is int or t is float:
        return "number"
    if t is str:
        return "string"
    if t is dict or t is list or isinstance(value, (dict, list, tuple)):
        return "object"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, _NUMBER_TYPES):
        return "number"
    return "string"  # anything else (dates from YAML, ...) behaves as its string form


def truthy(value: Any) -> bool:
    """JavaScript truthiness: undefined, null, false, 0, NaN and '' are false; [] and {} are true."""
    if value is UNDEFINED or value is None or value is False:
        return False
    t = type(value)
    if t is str:
        return value != ""
    if t is int:
        return value != 0
    if t is float:
        return value != 0.0 and value == value
    return True


def _number_to_string(n: float | int) -> str:
    """Number.prototype.toString() for a JSON number (shortest round-trip digits, JS exponents)."""
    if type(n) is int:
        if -(10**21) < n < 10**21:
            return str(n)
        n = float(n)
    if n != n:
        return "NaN"
    if n in (math.inf, -math.inf):
        return "Infinity" if n > 0 else "-Infinity"
    if n == 0:
        return "0"
    sign = "-" if n < 0 else ""
    text = repr(abs(n))
    m = re.fullmatch(r"(\d+)(?:\.(\d+))?(?:e([+-]\d+))?", text)
    if m is None:  # pragma: no cover - repr() of a finite float always matches
        return text
    int_part, frac_part, exp = m.group(1), m.group(2) or "", int(m.group(3) or 0)
    digits = (int_part + frac_part).lstrip("0")
    # value = 0.digits * 10**point
    point = len(int_part) + exp - (len(int_part + frac_part) - len((int_part + frac_part).lstrip("0")))
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    if k <= point <= 21:
        return sign + digits + "0" * (point - k)
    if 0 < point <= 21:
        return sign + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return sign + "0." + "0" * (-point) + digits
    e = point - 1
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{sign}{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"


def to_string(value: Any) -> str:
    """`String(value)` in JavaScript."""
    t = type(value)
    if t is str:
        return value
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if t is bool:
        return "true" if value else "false"
    if t is int or t is float:
        return _number_to_string(value)
    if isinstance(value, (list, tuple)):
        return ",".join("" if (x is None or x is UNDEFINED) else to_string(x) for x in value)
    if isinstance(value, dict):
        return "[object Object]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _NUMBER_TYPES):
        return _number_to_string(value)
    iso = getattr(value, "isoformat", None)
    return iso() if callable(iso) else str(value)


_WS = " \t\n\r\x0b\x0c\xa0\ufeff\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_DECIMAL_LITERAL = re.compile(r"[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\Z")
_PARSE_FLOAT_PREFIX = re.compile(r"[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
_RADIX_LITERAL = re.compile(r"0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)\Z")


def _float_literal(text: str) -> float:
    if text.endswith("Infinity"):
        return -math.inf if text.startswith("-") else math.inf
    return float(text)


def to_number(value: Any) -> float | int:
    """`Number(value)` (ToNumber) in JavaScript; NaN is float('nan')."""
    t = type(value)
    if t is int or t is float:
        return value
    if t is bool:
        return 1 if value else 0
    if value is None:
        return 0
    if value is UNDEFINED:
        return math.nan
    if t is not str:
        if isinstance(value, (dict, list, tuple)):
            return to_number(to_string(value))
        if isinstance(value, bool):
            return 1 if value else 0
        if isinstance(value, _NUMBER_TYPES):
            return value
        value = to_string(value)
    text = value.strip(_WS)
    if text == "":
        return 0
    if _DECIMAL_LITERAL.match(text):
        return _float_literal(text)
    if _RADIX_LITERAL.match(text):
        return int(text, 0)
    return math.nan


def parse_float(value: Any) -> float:
    """`parseFloat(value)` in JavaScript: the longest decimal prefix of String(value), else NaN."""
    t = type(value)
    if (t is int or t is float) and t is not bool:
        return float(value)
    text = to_string(value).lstrip(_WS)
    m = _PARSE_FLOAT_PREFIX.match(text)
    if m is None:
        return math.nan
    return _float_literal(m.group(0))


def _to_primitive(value: Any) -> Any:
    return to_string(value) if isinstance(value, (dict, list, tuple)) else value


def loose_equal(x: Any, y: Any) -> bool:
    """`x == y` in JavaScript (IsLooselyEqual)."""
    if type(x) is str and type(y) is str:
        return x == y
    tx, ty = js_type(x), js_type(y)
    if tx == ty:
        if tx == "object":
            return x is y
        if tx == "number":
            return x == y  # NaN != NaN holds in Python too
        if tx in ("undefined", "null"):
            return True
        if tx == "string":
            return to_string(x) == to_string(y)
        return x == y
    if tx in ("undefined", "null") or ty in ("undefined", "null"):
        return tx in ("undefined", "null") and ty in ("undefined", "null")
    if tx == "number" and ty == "string":
        return x == to_number(y)
    if tx == "string" and ty == "number":
        return to_number(x) == y
    if tx == "boolean":
        return loose_equal(to_number(x), y)
    if ty == "boolean":
        return loose_equal(x, to_number(y))
    if tx == "object":
        return loose_equal(_to_primitive(x), y)
    if ty == "object":
        return loose_equal(x, _to_primitive(y))
    return False


def strict_equal(x: Any, y: Any) -> bool:
    """`x === y` in JavaScript (objects by identity, NaN unequal to itself)."""
    tx = js_type(x)
    if tx != js_type(y):
        return False
    if tx == "object":
        return x is y
    if tx == "string":
        return to_string(x) == to_string(y)
    return x == y or tx in ("undefined", "null")


def same_value_zero(x: Any, y: Any) -> bool:
    """SameValueZero (used by `Array.prototype.includes`): `===` except that NaN equals NaN."""
    if strict_equal(x, y):
        return True
    return js_type(x) == "number" and js_type(y) == "number" and x != x and y != y


def strict_includes(items: Any, value: Any) -> bool:
    """`Array.isArray(items) && items.includes(value)`."""
    if not isinstance(items, list):
        return False
    return any(same_value_zero(item, value) for item in items)


def deep_equal(a: Any, b: Any) -> bool:
    """`fast-deep-equal`: structural equality of arrays/objects, `===` for primitives, NaN == NaN."""
    if a is b:
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(deep_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        if len(a) != len(b):
            return False
        return all(k in b and deep_equal(v, b[k]) for k, v in a.items())
    if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
        return False
    return same_value_zero(a, b)


def is_array_index(name: str) -> int | None:
    """The array index a property name denotes in JavaScript (`"0"`, `"12"`; not `"01"`), else None."""
    if name.isdigit() and name.isascii() and (name == "0" or name[0] != "0"):
        return int(name)
    return None


def prop_object(value: Any, name: str) -> Any:
    """`typeof value == 'object' && value !== null ? value[name] : undefined` for JSON values.

    Objects give their own key; arrays give an element for a canonical index name and their
    `length`; primitives (strings included) give undefined. Prototype members are not emulated.
    """
    if type(value) is dict:
        return value.get(name, UNDEFINED)
    if isinstance(value, dict):
        return value.get(name, UNDEFINED)
    if isinstance(value, list):
        if name == "length":
            return len(value)
        index = is_array_index(name)
        if index is not None and index < len(value):
            return value[index]
    return UNDEFINED


def prop_any(value: Any, name: str) -> Any:
    """`value[name]` for any non-null value, strings included (`"ab".length`, `"ab"[0]`)."""
    if isinstance(value, str):
        if name == "length":
            return len(value)
        index = is_array_index(name)
        if index is not None and index < len(value):
            return value[index]
        return UNDEFINED
    return prop_object(value, name)
