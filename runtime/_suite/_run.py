"""Running cases: connect through the replay server, call the method, check what came back.

Cases are independent, so `run_cases` runs them concurrently on one event loop (one replay
server for all of them, requests told apart by case id) with a bound on how many run at once.
The method is called through the public runtime API only (`Connector.load`, `connect`, `call`);
`invoke` can be swapped, which keeps this module testable on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import traceback
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from runtime._suite._match import differences, format_value
from runtime._suite._model import ABSENT, Case, Expectation
from runtime._suite._server import UNEXPECTED_STATUS, Replay, ReplayServer

__all__ = [
    "CaseResult",
    "Invoke",
    "Outcome",
    "RuntimeInvoker",
    "check_outcome",
    "describe_error",
    "run_case",
    "run_cases",
]

DEFAULT_TIMEOUT = 60.0


@dataclass
class Outcome:
    """What one method call produced: its output or its error, logs, and the credentials after."""

    output: Any = None
    error: BaseException | None = None
    logs: list[str] = field(default_factory=list)
    credentials: dict[str, Any] | None = None


Invoke = Callable[[Case, httpx.AsyncBaseTransport], Awaitable[Outcome]]


@dataclass
class CaseResult:
    """The verdict on one case (or on a case file that could not be loaded)."""

    id: str
    passed: bool
    failures: list[str] = field(default_factory=list)
    duration: float = 0.0
    file: str = ""

    def report(self) -> str:
        """The failure text shown by the CLI and the pytest plugin."""
        lines = [f"FAILED {self.id}"]
        if self.file:
            lines.append(f"  file: {self.file}")
        for failure in self.failures:
            lines.extend("  " + line for line in failure.splitlines())
        return "\n".join(lines)


def _log_message(entry: Any) -> str:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict):
        return str(entry.get("message", entry))
    return str(getattr(entry, "message", entry))


class RuntimeInvoker:
    """Calls a case's method through `runtime.Connector`; each connector is loaded once."""

    def __init__(self) -> None:
        self._connectors: dict[Path, Any] = {}

    def load(self, root: Path) -> Any:
        """The loaded connector (a load error is kept and raised again for every case)."""
        root = root.resolve()
        if root not in self._connectors:
            from runtime import Connector

            try:
                self._connectors[root] = Connector.load(root)
            except Exception as exc:  # noqa: BLE001 - every case of this connector reports it
                self._connectors[root] = exc
        found = self._connectors[root]
        if isinstance(found, Exception):
            raise found
        return found

    async def __call__(self, case: Case, transport: httpx.AsyncBaseTransport) -> Outcome:
        connector = self.load(case.connector_root)
        c = case.connection
        outcome = Outcome(credentials=dict(c.credentials or {}))
        try:
            connection = connector.connect(
                connector_parameters=c.connector_parameters,
                connection_parameters=c.connection_parameters,
                credentials=c.credentials,
                auth_option_key=c.auth_option_key,
                transport=transport,
            )
        except Exception as exc:  # noqa: BLE001 - e.g. an unknown auth option: a case may expect it
            outcome.error = exc
            return outcome
        try:
            result = await connection.call(case.method, case.input)
        except Exception as exc:  # noqa: BLE001 - the case decides whether an error was expected
            outcome.error = exc
            # the logs of a failed call, where the runtime attaches them to the error
            outcome.logs = [_log_message(e) for e in getattr(exc, "logs", None) or []]
        else:
            outcome.output = result.output
            outcome.logs = [_log_message(e) for e in result.logs or []]
        finally:
            outcome.credentials = connection.credentials  # after a refresh, the new ones
            await connection.aclose()
        return outcome


def describe_error(exc: BaseException) -> str:
    """One readable block: type/key and message for runtime errors; a traceback for bugs."""
    from runtime._errors import ConnectorError

    if isinstance(exc, ConnectorError):
        text = f"{exc.type}/{exc.key}: {exc.message}"
        if exc.stack:
            text += "\n" + "\n".join("    " + line for line in str(exc.stack).splitlines()[:8])
        return text
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-6:]).rstrip()
    return f"{type(exc).__name__}: {exc} (not a runtime error: a bug?)\n{tb}"


def _describe_replayed_error(exc: BaseException) -> str:
    """`describe_error`, except for the replay server's 599, reported as the unexpected request."""
    if getattr(exc, "status", None) == UNEXPECTED_STATUS:
        return (f"it hit the unexpected request above (the replay server answered {UNEXPECTED_STATUS}; "
                f"{getattr(exc, 'type', '?')}/{getattr(exc, 'key', '?')})")
    return describe_error(exc)


def check_outcome(case: Case, outcome: Outcome) -> list[str]:
    """Every way the outcome misses the case's `expect` (empty: it passes)."""
    exp = case.expect or Expectation()
    out: list[str] = []
    if exp.error is not None:
        want = exp.error
        wanted = ", ".join(
            f"{k} {v}" for k, v in (("type", want.type), ("key", want.key),
                                     ("message matching", want.message.pattern if want.message else None)) if v)
        if outcome.error is None:
            out.append(f"expected an error ({wanted or 'any'}), but the call returned:\n  {format_value(outcome.output)}")
        else:
            err = outcome.error
            lines = []
            if want.type is not None and getattr(err, "type", None) != want.type:
                lines.append(f"type: expected {want.type!r}, got {getattr(err, 'type', None)!r}")
            if want.key is not None and getattr(err, "key", None) != want.key:
                lines.append(f"key: expected {want.key!r}, got {getattr(err, 'key', None)!r}")
            message = getattr(err, "message", None) or str(err)
            if want.message is not None and not want.message.search(message):
                lines.append(f"message: expected a match for /{want.message.pattern}/, got {message!r}")
            if lines:
                out.append("error differs:\n" + "\n".join("  " + x for x in lines)
                           + "\n  the error was: " + _describe_replayed_error(err).replace("\n", "\n  "))
    elif outcome.error is not None:
        out.append("the call failed: " + _describe_replayed_error(outcome.error))
    else:
        if exp.output is not ABSENT:
            lines = differences(exp.output, outcome.output, subset=False)
            if lines:
                out.append("output differs (exact):\n" + "\n".join("  " + x for x in lines)
                           + f"\n  actual output: {format_value(outcome.output)}")
        if exp.output_contains is not ABSENT:
            lines = differences(exp.output_contains, outcome.output, subset=True)
            if lines:
                out.append("output does not contain what is expected:\n" + "\n".join("  " + x for x in lines)
                           + f"\n  actual output: {format_value(outcome.output)}")
        for source, compiled, expected in exp.assertions:
            try:
                got = compiled.search(outcome.output)
            except Exception as exc:  # noqa: BLE001 - a JMESPath runtime error fails the assertion
                out.append(f"assertion {source}: cannot evaluate: {exc}")
                continue
            lines = differences(expected, got, subset=False)
            if lines:
                out.append(f"assertion {source}: expected {format_value(expected)}, got {format_value(got)}")
    for pattern in exp.logs:
        if not any(pattern.search(m) for m in outcome.logs):
            shown = "\n".join("    " + m for m in outcome.logs[:10]) or "    (no logs)"
            out.append(f"no log message matches /{pattern.pattern}/; logs were:\n{shown}")
    if exp.credentials is not None:
        lines = differences(exp.credentials, outcome.credentials or {}, subset=True)
        if lines:
            out.append("credentials after the call differ:\n" + "\n".join("  " + x for x in lines))
    return out


async def run_case(case: Case, server: ReplayServer, invoke: Invoke, *, timeout: float = DEFAULT_TIMEOUT) -> CaseResult:
    """Replay one case through `server` and judge it."""
    started = time.perf_counter()
    replay = Replay(case.exchanges)
    rid = server.add(replay)
    transport = server.transport(rid)
    failures: list[str] = []
    try:
        try:
            outcome = await asyncio.wait_for(invoke(case, transport), timeout)
        except TimeoutError:
            outcome = None
            failures.append(f"the call did not finish within {timeout:g} s")
        except Exception as exc:  # noqa: BLE001 - e.g. the connector failed to load
            outcome = None
            failures.append("could not run the case: " + describe_error(exc))
    finally:
        await transport.aclose()
        server.remove(rid)
    failures[:0] = [u.text() for u in replay.unexpected]
    if outcome is not None:
        failures.extend(check_outcome(case, outcome))
        # (when the call could not even start, unused exchanges would only be noise)
        for ex, used in replay.unused():
            failures.append(f"exchange never used: {ex.label()} at {ex.where} (used {used} of {ex.times} time(s))")
    return CaseResult(id=case.id, passed=not failures, failures=failures,
                      duration=time.perf_counter() - started, file=f"{case.connector}/tests/{case.rel_file}")


async def run_cases(
    cases: Sequence[Case],
    *,
    invoke: Invoke | None = None,
    concurrency: int = 8,
    timeout: float = DEFAULT_TIMEOUT,
    on_start: Callable[[Case], None] | None = None,
    on_result: Callable[[CaseResult], None] | None = None,
) -> list[CaseResult]:
    """Run cases concurrently (at most `concurrency` at once); results in the order given."""
    invoke = invoke or RuntimeInvoker()
    if isinstance(invoke, RuntimeInvoker):
        # load every connector up front: a load blocks the loop, and would count in case timings
        for root in dict.fromkeys(c.connector_root for c in cases):
            with contextlib.suppress(Exception):  # a load error is reported by each of its cases
                invoke.load(root)
    sem = asyncio.Semaphore(max(1, concurrency))
    with ReplayServer() as server:

        async def one(case: Case) -> CaseResult:
            async with sem:
                if on_start:
                    on_start(case)
                result = await run_case(case, server, invoke, timeout=timeout)
                if on_result:
                    on_result(result)
                return result

        return list(await asyncio.gather(*(one(c) for c in cases)))
