"""How every CLI command writes its machine-readable result: one JSON object on stdout."""

from __future__ import annotations

import json
import math
import os
import sys
from typing import Any


def emit_json(obj: Any) -> None:
    """Print one JSON object on its own line (non-ASCII kept readable).

    Always valid JSON: NaN and infinities (a YAML `.nan`, a formula dividing by zero) become
    null, as JavaScript's JSON.stringify writes them; other non-JSON values become strings.
    """
    try:
        text = json.dumps(obj, ensure_ascii=False, default=str, allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(obj), ensure_ascii=False, default=str, allow_nan=False)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


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


def stdout_closed() -> int:
    """Exit status for a reader that went away (`connector-runtime inspect DIR | head`).

    Points stdout at /dev/null so the interpreter's final flush cannot fail too, and returns 1:
    no traceback for something that is not an error of ours.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 1
