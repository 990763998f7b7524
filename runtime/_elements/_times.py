"""Reading the timestamps connectors hand back (record times, nextRefreshTimestamp).

APIs write times as ISO 8601 strings (with `Z`, offsets, or none: taken as UTC), as epoch
seconds, or as epoch milliseconds (numbers or digit strings). Everything becomes epoch
seconds as a float, so times can be compared whatever their spelling.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

__all__ = ["parse_time", "to_iso"]

# Epoch numbers above this are milliseconds (1e11 s is the year 5138).
_MS_THRESHOLD = 1e11


def parse_time(value: Any) -> float | None:
    """Epoch seconds for a timestamp in any common spelling; None when it is not one."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            return None
        return value / 1000.0 if abs(value) >= _MS_THRESHOLD else float(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            pass
        else:
            return parse_time(number)
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        return parsed.timestamp()
    return None


def to_iso(seconds: float) -> str:
    """Epoch seconds as `2024-05-01T12:00:00.000Z`."""
    dt = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
