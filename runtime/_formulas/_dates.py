"""`Date.parse` as the engine's `$extractDate` / `$extractTime` use it (with TZ=UTC).

The engine calls JavaScript's `Date.parse(value)` and formats `toISOString()`. V8 accepts the
ISO 8601 forms plus a lenient legacy grammar; this module covers what dates in API payloads
look like: ISO dates and date-times (`T`, `t` or a space; fractions; `Z`, `+hh:mm`, `+hhmm`),
`YYYY`, `YYYY-MM`, `M/D/YYYY` (also with `.` or `-`), `YYYY/MM/DD`, and the month-name forms of RFC 2822 and `Date.toString()`.
Offsets convert to UTC, a time without offset is UTC (the engine forces TZ=UTC), and out-of-range
days roll over like V8's legacy parser (`2020-02-30` is March 1st). Anything else is "not a date";
in particular V8's guesses for bare numbers (`"1"` is 2001-01-01, `"1,2"` 2001-01-02) are not
reproduced: a value like that is not a date a mapping author means.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from runtime._formulas._js import to_string
from runtime._formulas._undefined import UNDEFINED

__all__ = ["parse_js_date"]

_ISO = re.compile(
    r"\s*(?P<y>[+-]\d{6}|\d{4})(?:-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2}))?)?"
    r"(?:[Tt ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d+))?)?)?"
    r"\s*(?P<tz>[Zz]|[+-]\d{2}:?\d{2}|(?:GMT|UTC)(?:[+-]\d{2}:?\d{2})?)?\s*\Z"
)
_SLASH = re.compile(
    r"\s*(?:(?P<m>\d{1,2})(?P<sep>[/.-])(?P<d>\d{1,2})(?P=sep)(?P<y>\d{4})"
    r"|(?P<y2>\d{4})(?P<sep2>[/.])(?P<m2>\d{1,2})(?P=sep2)(?P<d2>\d{1,2}))"
    r"(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
    r"\s*(?P<tz>[Zz]|[+-]\d{2}:?\d{2}|(?:GMT|UTC)(?:[+-]\d{2}:?\d{2})?)?\s*\Z"
)
_MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
_WORDY = re.compile(
    r"\s*(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?"
    r"(?:(?P<mon1>[a-z]{3,9})\.?\s+(?P<d1>\d{1,2}),?|(?P<d2>\d{1,2})\s+(?P<mon2>[a-z]{3,9})\.?,?)\s+(?P<y>\d{4})"
    r"(?:,?\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
    r"\s*(?P<tz>[Zz]|[+-]\d{2}:?\d{2}|(?:GMT|UTC)(?:[+-]\d{2}:?\d{2})?)?(?:\s*\([^)]*\))?\s*\Z",
    re.IGNORECASE,
)


def _offset(tz: str | None) -> dt.timedelta:
    if not tz or tz in ("Z", "z", "GMT", "UTC"):
        return dt.timedelta(0)
    tz = tz.removeprefix("GMT").removeprefix("UTC")
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    return sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]))


def _build(y: int, m: int, d: int, hh: int, mm: int, ss: int, ms: int, tz: str | None) -> dt.datetime | None:
    if not (1 <= m <= 12 and 1 <= d <= 31 and hh <= 24 and mm <= 59 and ss <= 59):
        return None
    if hh == 24 and (mm or ss or ms):
        return None
    try:
        base = dt.datetime(y, m, 1)
        value = base + dt.timedelta(days=d - 1, hours=hh, minutes=mm, seconds=ss, milliseconds=ms)
        return value - _offset(tz)
    except (OverflowError, ValueError):
        return None


def parse_js_date(value: Any) -> dt.datetime | None:
    """The UTC instant `Date.parse(String(value))` gives, or None for NaN (or years outside 1-9999)."""
    if value is UNDEFINED or value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is None else value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = to_string(value)
    m = _ISO.match(text)
    if m:
        year = int(m["y"])
        frac = (m["f"] or "0")[:3].ljust(3, "0")
        return _build(
            year, int(m["m"] or 1), int(m["d"] or 1), int(m["H"] or 0), int(m["M"] or 0), int(m["S"] or 0),
            int(frac), m["tz"],
        )  # fmt: skip
    m = _SLASH.match(text)
    if m:
        y, mo, d = (m["y"], m["m"], m["d"]) if m["y"] else (m["y2"], m["m2"], m["d2"])
        return _build(int(y), int(mo), int(d), int(m["H"] or 0), int(m["M"] or 0), int(m["S"] or 0), 0, m["tz"])
    m = _WORDY.match(text)
    if m:
        month = _MONTHS.get((m["mon1"] or m["mon2"] or "")[:3].lower())
        if month is None:
            return None
        day = int(m["d1"] or m["d2"])
        return _build(int(m["y"]), month, day, int(m["H"] or 0), int(m["M"] or 0), int(m["S"] or 0), 0, m["tz"])
    return None
