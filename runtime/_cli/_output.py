"""How every CLI command writes its machine-readable result: one JSON object on stdout."""

from __future__ import annotations

import json
import sys
from typing import Any


def emit_json(obj: Any) -> None:
    """Print one JSON object on its own line (non-ASCII kept readable)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def error_payload(exc: BaseException) -> dict[str, Any]:
    """The `{"error": {...}}` shape shared by `js`, `run` and friends.

    Every typed error of the project has `type`, `key`, `message`; `data` and `stack` are given
    when the error has them. Errors never carry secrets (their constructors redact), so this
    copies what is there.
    """
    error: dict[str, Any] = {
        "type": getattr(exc, "type", "internal"),
        "key": getattr(exc, "key", "internal_error"),
        "message": getattr(exc, "message", None) or str(exc) or type(exc).__name__,
    }
    data = getattr(exc, "data", None)
    if data is not None:
        error["data"] = data
    stack = getattr(exc, "stack", None)
    if stack:
        error["stack"] = stack
    return {"error": error}
