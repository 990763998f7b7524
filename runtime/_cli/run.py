"""`connector-runtime run DIR METHOD`: call one method of a connector, print one JSON object.

Contract (issue 4, used by external checks; keep it stable):

    connector-runtime run DIR METHOD [--input JSON | --input @FILE] [--connection @FILE]
                                     [--time-limit SECONDS] [--memory-limit MB]

success: exit 0, `{"output": ..., "logs": [...], "credentials": {...}}` (`credentials` only when
they changed during the call); `auth/test` outputs true or false.
failure: exit 1, `{"error": {"type", "key", "message", "data", "stack"}}`. A bad connector or
bad input never prints a Python traceback.
"""

from __future__ import annotations

import argparse
import json
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
    parser.add_argument("--time-limit", type=float, default=None, metavar="SECONDS", help="wall-clock and CPU limit")
    parser.add_argument("--memory-limit", type=float, default=None, metavar="MB", help="JS memory limit")
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
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InvalidInputError(f"{what}: not valid JSON ({exc})") from None


def _limits(args: argparse.Namespace) -> Any:
    from sandbox import Limits

    overrides: dict[str, Any] = {}
    if args.time_limit is not None:
        if args.time_limit <= 0:
            raise InvalidInputError("--time-limit must be positive")
        overrides["wall_time"] = args.time_limit
        overrides["cpu_time"] = args.time_limit
    if args.memory_limit is not None:
        if args.memory_limit <= 0:
            raise InvalidInputError("--memory-limit must be positive")
        overrides["memory"] = int(args.memory_limit * 1024 * 1024)
    return Limits().with_(**overrides) if overrides else None


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
    limits = _limits(args)
    root = Path(args.dir)
    if not (root / "spec.yml").is_file() and not (root / "spec.yaml").is_file():
        raise ConfigurationError(f"{root}: not a connector directory (no spec.yml)", key="invalid_spec")
    connector = Connector.load(root, limits=limits)
    conn = connector.connect(
        connector_parameters=connection.get("connectorParameters"),
        connection_parameters=connection.get("connectionParameters"),
        credentials=connection.get("credentials"),
        auth_option_key=connection.get("authOptionKey"),
        limits=limits,
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
    except Exception as exc:  # a runtime bug: still one JSON object, never a traceback
        emit_json(error_payload(InternalError(f"{type(exc).__name__}: {exc}")))
        return 1
    emit_json(payload)
    return 0
