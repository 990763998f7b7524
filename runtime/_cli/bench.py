"""`connector-runtime bench DIR METHOD`: measure a method against recorded exchanges on loopback.

Reports p50/p95/p99 latency, calls per second, CPU time per call and peak memory, as a table or
as JSON (`--json`). `--against DIR_B [METHOD_B]` measures a second connector (or method) in the
same run, interleaved with the first, and reports the ratio B/A; without `--exchanges`, the
exchanges of B's own first test case calling METHOD_B are served too.

Without `--exchanges`, `--input` or `--connection`, the first test case of DIR that calls METHOD
supplies them (its exchanges, input and connection), so a connector with a test suite can be
benchmarked with no extra file.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "bench",
        help="benchmark a connector method against recorded exchanges served on loopback",
        description="Call METHOD of the connector in DIR repeatedly against recorded HTTP exchanges and report "
        "latency percentiles, calls/s, CPU time per call and peak memory.",
    )
    p.add_argument("connector", metavar="DIR", help="connector folder")
    p.add_argument("method", metavar="METHOD", help="method path, e.g. data/contacts/list")
    p.add_argument("--input", metavar="JSON|@FILE", help="method input (JSON, or @file with JSON/YAML)")
    p.add_argument("--connection", metavar="JSON|@FILE",
                   help="connection as in a test case: connectorParameters, connectionParameters, credentials, "
                   "authOptionKey")
    p.add_argument("--exchanges", metavar="FILE",
                   help="exchanges to serve (a list, a mapping with exchanges:, or a test case file); "
                   "each may answer any number of times")
    stop = p.add_mutually_exclusive_group()
    stop.add_argument("--calls", type=int, help="calls per side (default 200 when --duration is not given)")
    stop.add_argument("--duration", type=float, metavar="S", help="measure for S seconds instead of a call count")
    p.add_argument("--concurrency", type=int, default=1, help="calls in flight at once (default: 1)")
    p.add_argument("--warmup", type=int, default=5, help="unmeasured calls first (default: 5)")
    p.add_argument("--tracemalloc-calls", type=int, default=20,
                   help="calls in the separate Python-heap pass under tracemalloc (0: skip; default: 20)")
    p.add_argument("--against", nargs="+", metavar=("DIR_B", "METHOD_B"),
                   help="compare with another connector (and/or method), interleaved in the same run")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    return p


def _json_arg(value: str | None, what: str) -> Any:
    if value is None:
        return None
    if value.startswith("@"):
        import yaml

        from runtime._suite._load import JsonLikeLoader

        try:
            return yaml.load(Path(value[1:]).read_text(encoding="utf-8"), Loader=JsonLikeLoader)  # noqa: S506 - safe
        except yaml.YAMLError as exc:
            raise ValueError(f"--{what}: {value[1:]} is not valid YAML/JSON: {exc}") from exc
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise ValueError(f"--{what}: not valid JSON ({exc.msg}); use @file for a file") from exc


def _connection(raw: Any) -> Any:
    from runtime._suite._model import ConnectionSpec

    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ValueError("--connection: must be an object")
    return ConnectionSpec(
        connector_parameters=dict(raw.get("connectorParameters") or {}),
        connection_parameters=dict(raw.get("connectionParameters") or raw.get("connectionInput") or {}),
        credentials=raw.get("credentials"),
        auth_option_key=raw.get("authOptionKey"),
    )


def _case_for(connector: Path, method: str) -> Any:
    """The first test case of the connector calling `method` (for default exchanges/input)."""
    from runtime._suite._collect import select_cases

    for case in select_cases([connector]).cases:
        if case.method == method:
            return case
    return None


class _Bar:
    """A progress bar on stderr, on a terminal only, redrawn at most ten times a second."""

    def __init__(self) -> None:
        self.live = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, fraction: float) -> None:
        from runtime._bench._report import progress_bar

        now = time.monotonic()
        if not self.live or (now - self.last < 0.1 and fraction < 1.0):
            return
        self.last = now
        sys.stderr.write("\r\x1b[K" + progress_bar(fraction))
        if fraction >= 1.0:
            sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    from runtime._bench import Target, format_table, run_bench
    from runtime._cli._output import emit_json, error_payload
    from runtime._errors import ConnectorError
    from runtime._suite._load import CaseFileError, load_exchanges
    from runtime._suite._model import ConnectionSpec

    if args.against is not None and len(args.against) > 2:
        print("--against takes DIR_B and optionally METHOD_B", file=sys.stderr)
        return 2
    for n, name in ((args.calls, "--calls"), (args.concurrency, "--concurrency")):
        if n is not None and n < 1:
            print(f"{name} must be at least 1", file=sys.stderr)
            return 2
    connector = Path(args.connector)
    try:
        input_value = _json_arg(args.input, "input")
        connection = _connection(_json_arg(args.connection, "connection"))
        explicit_connection = connection is not None
        case = None
        if args.exchanges:
            exchanges, case = load_exchanges(Path(args.exchanges), method=args.method, connection=connection)
        else:
            case = _case_for(connector, args.method)
            exchanges = list(case.exchanges) if case is not None else []
            if case is None:
                print(f"bench: no test case of {connector} calls {args.method}: serving no exchanges "
                      "(give --exchanges FILE if the method makes requests)", file=sys.stderr)
            if case is not None and connection is not None:
                # the case's exchanges were filled from its own connection; refill from the given one
                from runtime._suite._load import load_exchanges as reload

                exchanges, _ = reload(case.file, method=args.method, connection=connection)
        if connection is None:
            connection = case.connection if case is not None else ConnectionSpec()
        if input_value is None:
            input_value = case.input if case is not None else {}
    except (CaseFileError, ValueError, OSError) as exc:
        print(f"bench: {getattr(exc, 'message', None) or exc}", file=sys.stderr)
        return 2
    targets = [Target("A" if args.against else connector.name, connector, args.method, input_value, connection)]
    if args.against:
        b_dir = Path(args.against[0])
        b_method = args.against[1] if len(args.against) > 1 else args.method
        targets.append(Target("B", b_dir, b_method, input_value, connection))
        if not args.exchanges and (b_dir.resolve(), b_method) != (connector.resolve(), args.method):
            # B's own test case may expect other requests (another implementation): serve its
            # exchanges too, after A's (the first match answers)
            try:
                case_b = _case_for(b_dir, b_method)
                if case_b is not None:
                    exchanges = exchanges + (list(case_b.exchanges) if not explicit_connection else
                                             load_exchanges(case_b.file, method=b_method, connection=connection)[0])
            except (CaseFileError, ValueError, OSError) as exc:
                print(f"bench: {getattr(exc, 'message', None) or exc}", file=sys.stderr)
                return 2
    calls = args.calls if args.calls is not None else (None if args.duration is not None else 200)
    try:
        report = run_bench(targets, exchanges, calls=calls, duration=args.duration, concurrency=args.concurrency,
                           warmup=args.warmup, tracemalloc_calls=args.tracemalloc_calls,
                           progress=None if args.json else _Bar())
    except ConnectorError as exc:
        if args.json:
            emit_json(error_payload(exc))
        else:
            print(f"bench: {exc.message}", file=sys.stderr)
        return 1
    if args.json:
        emit_json(report.to_dict())
    else:
        print(format_table(report))
    if report.errors:
        first = next(s.first_error for s in report.sides if s.first_error)
        print(f"bench: {report.errors} call(s) failed; first error: {first}", file=sys.stderr)
        return 1
    return 0
