"""`connector-runtime test DIR...`: run connectors' test cases against the loopback replay server.

Prints progress (a live line on a terminal, one line per case otherwise), the failures with
their diffs, and ends with the summary line `N passed, N failed`; exits 1 on any failure.
`--record -k CASE` runs the selected cases against the live API instead and writes what went
over the wire into their files (secrets replaced by placeholders), then replays them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "test",
        help="run connector test suites (tests/*.yml) against a loopback replay server",
        description="Run every test case found under each connector's tests/ folder. DIR is a folder of "
        "connectors, one connector, or one case file.",
    )
    p.add_argument("paths", nargs="+", metavar="DIR", help="connectors folder, connector folder or case file")
    p.add_argument("-k", dest="pattern", metavar="PATTERN",
                   help='run only cases whose id "connector::file::case name" contains PATTERN (any case)')
    p.add_argument("-j", "--concurrency", type=int, default=max(2, min(16, (os.cpu_count() or 2) * 4)),
                   help="cases run at once (default: %(default)s)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds one case may take (default: %(default)s)")
    p.add_argument("--json", action="store_true", help="print one JSON object with every result instead of text")
    rec = p.add_argument_group("record mode")
    rec.add_argument("--record", action="store_true",
                     help="run the selected cases against the live API and write their exchanges into the files")
    rec.add_argument("--upstream", metavar="URL",
                     help="with --record: send requests to this base URL instead of the API's own host")
    rec.add_argument("--secrets", metavar="FILE",
                     help="with --record: YAML/JSON in the connection: shape holding the live values "
                     "(kept out of the case file)")
    return p


class _Progress:
    """A live status line on a terminal (stderr), else one line per finished case (stdout)."""

    def __init__(self, total: int, *, live: bool, quiet: bool) -> None:
        self.total = total
        self.live = live
        self.quiet = quiet
        self.done = 0
        self.failed = 0
        self.running: list[str] = []

    def start(self, case: Any) -> None:
        self.running.append(case.id)
        self._draw()

    def result(self, result: Any) -> None:
        self.done += 1
        self.failed += not result.passed
        if result.id in self.running:
            self.running.remove(result.id)
        if self.quiet:
            return
        if self.live:
            self._draw()
        else:
            verdict = "PASS" if result.passed else "FAIL"
            print(f"{verdict} {result.id} ({result.duration * 1000:.0f} ms)", flush=True)

    def _draw(self) -> None:
        if not self.live or self.quiet:
            return
        current = self.running[0] if self.running else ""
        line = f"[{self.done}/{self.total}] {self.done - self.failed} passed, {self.failed} failed  {current}"
        try:
            width = os.get_terminal_size(sys.stderr.fileno()).columns or 120
        except OSError:
            width = 120
        sys.stderr.write("\r\x1b[K" + line[: max(10, width - 1)])
        sys.stderr.flush()

    def close(self) -> None:
        if self.live and not self.quiet:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def _load_secrets(path: str) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: invalid YAML: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("connection"), dict):
        data = data["connection"]
    if not isinstance(data, dict):
        raise ValueError(f"{path}: must be a mapping in the connection: shape (credentials, connectionParameters, ...)")
    return data


def _scrub_values(secrets: dict[str, Any]) -> list[str]:
    from runtime._suite._secrets import leaves

    return [str(v) for _, _, v in leaves(secrets, "") if isinstance(v, str) and len(v) >= 6]


def _record(args: argparse.Namespace, selection: Any) -> list[Any]:
    """Record every selected case (one at a time, they talk to a live API), then replay them.

    A case whose live call made no request at all (the API was unreachable, the connector failed
    to load) is not written: its file keeps what it had, and the case counts as failed.
    """
    from runtime._suite._collect import select_cases
    from runtime._suite._record import record_case, write_recording
    from runtime._suite._run import CaseResult, RuntimeInvoker, describe_error

    secrets = _load_secrets(args.secrets) if args.secrets else None
    scrub = _scrub_values(secrets) if secrets else []
    invoker = RuntimeInvoker()
    say = sys.stderr if args.json else sys.stdout
    not_recorded: list[Any] = []
    for case in selection.cases:
        where = f"{case.connector}/tests/{case.rel_file}"
        try:
            recording = asyncio.run(record_case(case, invoker, upstream=args.upstream, secrets=secrets))
        except Exception as exc:  # noqa: BLE001 - e.g. the connector does not load
            recording, problem = None, describe_error(exc)
        else:
            error = recording.outcome.error
            problem = describe_error(error) if error is not None and not recording.exchanges else None
        if recording is None or problem is not None:
            not_recorded.append(CaseResult(id=case.id, passed=False, file=where,
                                           failures=[f"nothing recorded, {where} left as it was: {problem}"
                                                     + (f" (upstream {args.upstream})" if args.upstream else "")]))
            continue
        try:
            write_recording(case, recording, scrub=scrub)
        except RuntimeError as exc:  # a live secret would have reached the file
            not_recorded.append(CaseResult(id=case.id, passed=False, file=where, failures=[str(exc)]))
            continue
        note = ""
        if recording.outcome.error is not None:
            note = f" (the call failed: {describe_error(recording.outcome.error).splitlines()[0]})"
        print(f"recorded {len(recording.exchanges)} exchange(s) for {case.id} into {where}{note}", file=say, flush=True)
    # replay what was written, so the user sees at once whether the recording holds up
    names = {case.id for case in selection.cases} - {r.id for r in not_recorded}
    replay = select_cases(sorted({str(c.file) for c in selection.cases if c.id in names}), args.pattern)
    replay.cases = [c for c in replay.cases if c.id in names]
    return not_recorded + list(replay.broken) + _replay(args, replay)


def _replay(args: argparse.Namespace, selection: Any) -> list[Any]:
    from runtime._suite._run import run_cases

    progress = _Progress(len(selection.cases), live=sys.stderr.isatty(), quiet=args.json)
    try:
        results = asyncio.run(run_cases(selection.cases, concurrency=args.concurrency, timeout=args.timeout,
                                        on_start=progress.start, on_result=progress.result))
    finally:
        progress.close()
    return results


def run(args: argparse.Namespace) -> int:
    from runtime._cli._output import emit_json
    from runtime._suite._collect import select_cases

    if args.record and not args.pattern and not all(Path(p).is_file() for p in args.paths):
        print("--record needs -k CASE (or case file paths), so that no case is re-recorded by accident",
              file=sys.stderr)
        return 2
    if args.concurrency < 1 or not args.timeout > 0:
        print("-j/--concurrency must be at least 1 and --timeout above 0", file=sys.stderr)
        return 2
    if (args.upstream or args.secrets) and not args.record:
        print("--upstream and --secrets only apply with --record", file=sys.stderr)
        return 2
    selection = select_cases(args.paths, args.pattern, allow_missing_expect=args.record)
    for path in selection.not_found:
        print(f"no connector found at {path} (a connector is a folder with a spec.yml)", file=sys.stderr)
    if selection.not_found:  # a mistyped path must not pass quietly on the strength of the others
        return 2
    if not selection.cases and not selection.broken:
        where = f" matching -k {args.pattern!r}" if args.pattern else ""
        print(f"no test cases found{where} (cases are tests/**/*.yml inside each connector)", file=sys.stderr)
        print("0 passed, 0 failed")
        return 1
    results = list(selection.broken)
    if args.record:
        if selection.broken:
            for r in selection.broken:
                print(r.report(), file=sys.stderr)
            return 1
        try:
            results = _record(args, selection)
        except (OSError, ValueError) as exc:  # the secrets file
            print(f"--secrets: {exc}", file=sys.stderr)
            return 2
    else:
        results += _replay(args, selection)
    passed = sum(r.passed for r in results)
    failed = len(results) - passed
    if args.json:
        emit_json({
            "passed": passed,
            "failed": failed,
            "results": [{"id": r.id, "passed": r.passed, "file": r.file, "durationMs": round(r.duration * 1000, 1),
                         "failures": r.failures} for r in results],
        })
        return 1 if failed else 0
    failures = [r for r in results if not r.passed]
    if failures:
        print()
        for r in failures:
            print(r.report())
            print()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
