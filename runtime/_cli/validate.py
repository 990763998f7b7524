"""`connector-runtime validate DIR [--json]`: every problem of a connector, at once.

One line per problem on stdout (`file[:line]: field: message`), a summary on stderr; exit 1
if any problem is an error (warnings alone exit 0). A broken connector never shows a Python
traceback: anything unexpected becomes one `internal error` line (exit 1).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from runtime._cli._output import emit_json

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "validate",
        help="check a connector directory and report every problem",
        description="Check a connector directory: specs, method files, formulas, JS/TS syntax. "
        "Prints one problem per line; exit 1 if any is an error.",
    )
    parser.add_argument("dir", metavar="DIR", help="the connector directory (holds spec.yml)")
    parser.add_argument("--json", action="store_true", help='print {"ok": ..., "problems": [...]} instead')
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        from runtime._loader import validate_connector

        problems = validate_connector(args.dir)
    except BrokenPipeError:  # main() handles it: no traceback, exit 1
        raise
    except Exception as exc:  # the CLI boundary: no traceback for the user, ever
        message = f"internal error while validating {args.dir}: {type(exc).__name__}: {exc}"
        if args.json:
            emit_json(
                {
                    "ok": False,
                    "problems": [],
                    "error": {"type": "internal", "key": "internal_error", "message": message},
                }
            )
        else:
            print(message)
        return 1
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    if args.json:
        emit_json({"ok": errors == 0, "problems": [p.to_dict() for p in problems]})
    else:
        for problem in problems:
            print(problem)
        print(
            f"{args.dir}: {errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}",
            file=sys.stderr,
        )
    return 1 if errors else 0
