"""`connector-runtime js FILE`: run one JavaScript file in the sandbox (for connector authors).

Prints `{"output": ..., "logs": [...]}` and exits 0, or `{"error": {...}}` and exits 1: the
error has type, key, message, and (when there are) data, stack, the JS error's `name`, and the
`logs` written before the failure. Strings with lone UTF-16 surrogates (legal in JS) are printed
as `\\uXXXX` escapes, so the output is always valid JSON and valid UTF-8.
No host operations are registered: `fetch` and `__sandbox.host` calls reject with
`unknown_host_operation`, so a file run here cannot reach the network.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from runtime._cli._output import _finite, emit_json, error_payload
from sandbox import JSError, Limits, Sandbox, SandboxError, compile_module


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "js",
        help="run one JavaScript file in the sandbox",
        description="Run the default export (or --export) of FILE with --input as its argument.",
    )
    parser.add_argument("file", metavar="FILE", help="a .js file (ES module or CommonJS)")
    parser.add_argument("--input", default="null", help="JSON value passed as the argument (default: null)")
    parser.add_argument("--export", default=None, help="name of the export to call (default: the default export)")
    parser.add_argument("--time-limit", type=float, default=None, metavar="SECONDS", help="CPU and wall time limit")
    parser.add_argument("--memory-limit", type=float, default=None, metavar="MB", help="memory limit in MiB")
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        value = json.loads(args.input)
    except json.JSONDecodeError as exc:
        emit_json({"error": {"type": "configuration", "key": "invalid_input", "message": f"--input is not JSON: {exc}"}})
        return 1
    path = Path(args.file)
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        emit_json({"error": {"type": "configuration", "key": "file_not_found", "message": f"cannot read {path}: {exc.strerror}"}})
        return 1
    overrides: dict[str, Any] = {}
    if args.time_limit is not None:
        overrides["cpu_time"] = args.time_limit
        overrides["wall_time"] = args.time_limit
    if args.memory_limit is not None:
        mb = args.memory_limit
        overrides["memory"] = int(mb * (1 << 20)) if math.isfinite(mb) else mb  # Limits names a NaN/inf
    try:
        limits = Limits().with_(**overrides)
    except ValueError as exc:
        emit_json({"error": {"type": "configuration", "key": "invalid_input", "message": str(exc)}})
        return 1
    try:
        module = compile_module(source, str(args.file))
        result = Sandbox().call_sync(module, export=args.export, args=[value], limits=limits)
    except SandboxError as exc:
        payload = error_payload(exc)
        if isinstance(exc, JSError):
            payload["error"]["name"] = exc.name
        if exc.logs:
            payload["error"]["logs"] = [{"level": e.level, "message": e.message} for e in exc.logs]
        _emit(payload)
        return 1
    _emit({"output": result.value, "logs": [{"level": e.level, "message": e.message} for e in result.logs]})
    return 0


def _emit(obj: Any) -> None:
    """emit_json, unless a string holds a lone surrogate (JS allows them, UTF-8 does not):
    then ASCII JSON, where it is a `\\uXXXX` escape."""
    try:
        json.dumps(obj, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        sys.stdout.write(json.dumps(_finite(obj), ensure_ascii=True, default=str, allow_nan=False) + "\n")
        sys.stdout.flush()
        return
    emit_json(obj)
