"""The `connector-runtime` command: a thin layer over the public Python API.

Each subcommand lives in its own module exposing `add_parser(subparsers)` and `run(args) -> int`.
The list below is the whole registry: adding a command means adding its module name here.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from runtime._cli._output import stdout_closed

COMMANDS: tuple[str, ...] = ("js", "run", "validate", "inspect", "test", "bench")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="connector-runtime",
        description="Run, validate, test and benchmark connectors.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"runtime._cli.{name}")
        sub = module.add_parser(subparsers)
        sub.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args))
    except BrokenPipeError:  # the reader went away (`... | head`): not an error of ours
        return stdout_closed()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
