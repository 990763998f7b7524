"""`connector-runtime inspect DIR [--json]`: what a connector offers.

Auth type and options with their connection input, collections with methods and change
events, operations, events, global webhooks. Human-readable by default, JSON with --json. A
connector that does not load prints its problems (as `validate` does) and exits 1.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from runtime._cli._output import emit_json

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "inspect",
        help="show a connector's auth, collections, operations and events",
        description="Show what a connector offers: auth and options, connection input, "
        "collections with methods and events, operations, events, global webhooks.",
    )
    parser.add_argument("dir", metavar="DIR", help="the connector directory (holds spec.yml)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        from runtime._loader import ConnectorLoadError, load_connector

        try:
            info = load_connector(args.dir).describe()
        except ConnectorLoadError as exc:
            if args.json:
                emit_json({"error": exc.to_dict() | {"data": {"problems": [p.to_dict() for p in exc.problems]}}})
            else:
                print(f"{args.dir}: cannot load the connector:")
                for problem in exc.problems:
                    print(f"  {problem}")
            return 1
        if args.json:
            emit_json(info)
        else:
            print("\n".join(_render(info)))
        return 0
    except BrokenPipeError:  # main() handles it: no traceback, exit 1
        raise
    except Exception as exc:  # the CLI boundary: no traceback for the user, ever
        message = f"internal error while inspecting {args.dir}: {type(exc).__name__}: {exc}"
        if args.json:
            emit_json({"error": {"type": "internal", "key": "internal_error", "message": message}})
        else:
            print(message)
        return 1


def _methods(methods: dict[str, Any], indent: str) -> list[str]:
    lines = []
    for key, m in methods.items():
        extra = f" {m['request']}" if "request" in m else ""
        extra += f" -> operation {m['operationKey']}" if "operationKey" in m else ""
        src = f", {m['source']}" if m.get("source") else ""
        lines.append(f"{indent}{key}: {m['implementationType']} ({m['file']}{src}){extra}")
    return lines


def _schema_fields(schema: Any) -> str:
    if not isinstance(schema, dict):
        return "none"
    props = schema.get("properties")
    if isinstance(props, dict) and props:
        required = set(schema.get("required") or [])
        return ", ".join(f"{k}{'*' if k in required else ''}" for k in props)
    return json.dumps(schema, ensure_ascii=False)[:120]


def _render(info: dict[str, Any]) -> list[str]:
    lines = [f"connector {info.get('key') or '?'}: {info.get('name') or ''}".rstrip(": ")]
    auth = info.get("auth")
    if auth:
        lines.append(
            f"auth: {auth.get('type') or '(per option)'}" + (f" - {auth['title']}" if auth.get("title") else "")
        )
        lines.append(f"  connection input: {_schema_fields(auth.get('connectionInputSchema'))}")
        lines += _methods(auth.get("methods", {}), "  ")
        for key, option in auth.get("options", {}).items():
            lines.append(
                f"  option {key}: {option.get('type')}" + (f" - {option['title']}" if option.get("title") else "")
            )
            lines.append(f"    connection input: {_schema_fields(option.get('connectionInputSchema'))}")
            lines += _methods(option.get("methods", {}), "    ")
    for title, key in (
        ("collections", "collections"),
        ("operations", "operations"),
        ("events", "events"),
        ("global webhooks", "globalWebhooks"),
    ):
        group = info.get(key) or {}
        lines.append(f"{title}: {len(group)}" + ("" if group else " (none)"))
        for ekey, element in group.items():
            head = f"  {ekey}" + (f" ({element['name']})" if element.get("name") else "")
            if element.get("implementationType"):
                head += f" [{element['implementationType']}]"
            if element.get("mixins"):
                head += f" extends {', '.join(element['mixins'])}"
            lines.append(head)
            lines += _methods(element.get("methods", {}), "    ")
            for etype, event in (element.get("events") or {}).items():
                lines.append(f"    event {etype}: {event['implementationType']}")
                lines += _methods(event.get("methods", {}), "      ")
    return lines
