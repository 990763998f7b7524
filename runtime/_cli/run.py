"""`connector-runtime run DIR METHOD`: call one method of a connector, print one JSON object.

Contract (issue 4, used by external checks; keep it stable):

    connector-runtime run DIR METHOD [--input JSON | --input @FILE] [--connection @FILE]
                                     [--time-limit SECONDS] [--memory-limit MB] [--strict]

success: exit 0, `{"output": ..., "logs": [...], "credentials": {...}}` (`credentials` only when
they changed during the call); `auth/test` outputs true or false.
failure: exit 1, `{"error": {"type", "key", "message", "data", "stack"}}`. A bad connector or
bad input never prints a Python traceback, and no argument mistake makes argparse print usage
instead of the JSON error (the numbers are parsed here, not by argparse).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from runtime._cli._output import emit_json, error_payload
from runtime._errors import ConfigurationError, ConnectorError, InternalError, InvalidInputError

CONNECTION_KEYS = ("connectorParameters", "connectionParameters", "credentials", "authOptionKey")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "run",
        help="call one method of a connector and print its result as JSON",
        description="Call METHOD (auth/test, data/<collection>/<method>, operations/<key>/run, ...) "
        "of the connector in DIR and print {output, logs, credentials?} or {error} as one JSON object.",
    )
    parser.add_argument("dir", metavar="DIR", help="connector directory (holds spec.yml)")
    parser.add_argument("method", metavar="METHOD", help="method path, e.g. data/contacts/list")
    parser.add_argument("--input", default=None, help="method input: a JSON object, or @FILE to read it from a file")
    parser.add_argument(
        "--connection",
        default=None,
        help="@FILE (or inline JSON) with connectorParameters, connectionParameters, credentials, authOptionKey",
    )
    parser.add_argument("--time-limit", default=None, metavar="SECONDS", help="wall-clock and CPU limit")
    parser.add_argument("--memory-limit", default=None, metavar="MB", help="JS memory limit")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="contract slips that are otherwise warnings in the logs (an operation output that "
        "breaks its outputSchema) fail the call",
    )
    return parser


def _read_json_arg(value: str | None, what: str) -> Any:
    if value is None:
        return None
    text = value
    if value.startswith("@"):
        path = Path(value[1:])
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            raise InvalidInputError(f"{what}: cannot read {path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise InvalidInputError(f"{what}: {path} is not UTF-8 text") from None
    try:
        return json.loads(text)
    except ValueError as exc:  # JSONDecodeError is one; the message gives line and column, never values
        raise InvalidInputError(f"{what}: not valid JSON ({exc})") from None
    except RecursionError:
        raise InvalidInputError(f"{what}: JSON nested too deeply") from None


def _positive(value: str | None, option: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise InvalidInputError(f"{option} must be a number, got {value[:40]!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise InvalidInputError(f"{option} must be a positive finite number, got {value[:40]!r}")
    return number


def _limits(args: argparse.Namespace) -> Any:
    from sandbox import Limits

    overrides: dict[str, Any] = {}
    time_limit = _positive(args.time_limit, "--time-limit")
    if time_limit is not None:
        overrides["wall_time"] = time_limit
        overrides["cpu_time"] = time_limit
    memory_limit = _positive(args.memory_limit, "--memory-limit")
    if memory_limit is not None:
        overrides["memory"] = int(memory_limit * 1024 * 1024)
    try:
        return Limits().with_(**overrides) if overrides else None
    except ValueError as exc:  # Limits says which limit and why (e.g. too little memory)
        raise InvalidInputError(str(exc).replace("Limits.memory", "--memory-limit")) from None


def _execute(args: argparse.Namespace) -> dict[str, Any]:
    from runtime._connector import Connector

    method_input = _read_json_arg(args.input, "--input")
    if method_input is not None and not isinstance(method_input, dict):
        raise InvalidInputError("--input must be a JSON object")
    connection = _read_json_arg(args.connection, "--connection") or {}
    if not isinstance(connection, dict):
        raise InvalidInputError("--connection must be a JSON object")
    unknown = sorted(set(connection) - set(CONNECTION_KEYS))
    if unknown:
        raise InvalidInputError(f"--connection: unknown keys {', '.join(unknown)} (expected {', '.join(CONNECTION_KEYS)})")
    for key in CONNECTION_KEYS[:3]:
        if connection.get(key) is not None and not isinstance(connection[key], dict):
            raise InvalidInputError(f"--connection: {key} must be an object")
    if connection.get("authOptionKey") is not None and not isinstance(connection["authOptionKey"], str):
        raise InvalidInputError("--connection: authOptionKey must be a string")
    limits = _limits(args)
    root = Path(args.dir)
    if not (root / "spec.yml").is_file():
        raise ConfigurationError(f"{root}: not a connector directory (no spec.yml)", key="invalid_spec")
    connector = Connector.load(root, limits=limits)
    conn = connector.connect(
        connector_parameters=connection.get("connectorParameters"),
        connection_parameters=connection.get("connectionParameters"),
        credentials=connection.get("credentials"),
        auth_option_key=connection.get("authOptionKey"),
        limits=limits,
        strict=args.strict,
    )
    with conn:
        result = conn.call_sync(args.method, method_input)
    return result.to_dict()


def run(args: argparse.Namespace) -> int:
    try:
        payload = _execute(args)
    except ConnectorError as exc:
        emit_json(error_payload(exc))
        return 1
    except BrokenPipeError:  # main() handles it: no traceback, exit 1
        raise
    except Exception as exc:  # a runtime bug: still one JSON object, never a traceback or a secret
        emit_json(error_payload(InternalError(_redacted(args, f"{type(exc).__name__}: {exc}"))))
        return 1
    emit_json(payload)
    return 0


def _redacted(args: argparse.Namespace, text: str) -> str:
    """`text` without the values of the --connection file (a bug's message may quote them)."""
    from runtime._http import Redactor

    try:
        connection = _read_json_arg(args.connection, "--connection")
    except InvalidInputError:
        return text
    return Redactor(connection).text(text) if connection else text
