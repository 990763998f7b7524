"""The bench engine: call a method many times against recorded exchanges and measure it.

Why it is built this way:
- The replay server runs in a child process (`ServerProcess`), so the CPU time and memory
  measured here are the runtime's alone, and the server never competes for this event loop.
- One connector load and one connection per side, reused for every call: what a host does.
  Warm-up calls are not measured (first-call costs are reported as `load_ms` instead).
- Two sides (A and B) are measured in one run, in alternating batches (A B, B A, A B, ...), so
  a noisy machine (a CPU-frequency change, another process) hits both sides alike; the ratio
  B/A is what to read, more than either absolute figure.
- CPU time per call is process CPU time (all threads) over the batches of that side, divided
  by its calls. Peak memory is the RSS high-water mark (`ru_maxrss`, process lifetime) and its
  growth during the run; a short second pass under `tracemalloc` gives the Python-heap peak
  (it slows calls down, so it never overlaps the timed pass).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime._suite._model import ConnectionSpec, Exchange
from runtime._suite._run import describe_error
from runtime._suite._server import ReplayTransport, ServerProcess
from runtime._suite._write import exchange_to_dict

__all__ = ["BenchReport", "SideResult", "Target", "percentile", "run_bench"]

BATCH = 10  # calls per side per round (times the concurrency)


@dataclass
class Target:
    """One side of a run: which connector, which method, called with what."""

    label: str
    connector: Path
    method: str
    input: Any = None
    connection: ConnectionSpec = field(default_factory=ConnectionSpec)


@dataclass
class SideResult:
    """What was measured for one side."""

    target: Target
    latencies: list[float] = field(default_factory=list)  # seconds, successful calls only
    errors: int = 0
    first_error: str | None = None
    cpu: float = 0.0
    wall: float = 0.0
    load_ms: float = 0.0
    first_call_ms: float = 0.0
    heap_peak: int | None = None

    @property
    def calls(self) -> int:
        return len(self.latencies) + self.errors

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies)
        ms = lambda s: round(s * 1000, 3)  # noqa: E731
        return {
            "label": self.target.label,
            "connector": str(self.target.connector),
            "method": self.target.method,
            "calls": self.calls,
            "errors": self.errors,
            **({"firstError": self.first_error} if self.first_error else {}),
            "latency_ms": {  # None when every call failed: no latency was measured
                "p50": ms(percentile(lat, 50)) if lat else None,
                "p95": ms(percentile(lat, 95)) if lat else None,
                "p99": ms(percentile(lat, 99)) if lat else None,
                "mean": ms(sum(lat) / len(lat)) if lat else None,
                "min": ms(lat[0]) if lat else None,
                "max": ms(lat[-1]) if lat else None,
            },
            "calls_per_s": round(self.calls / self.wall, 1) if self.wall else None,
            "cpu_ms_per_call": round(self.cpu / self.calls * 1000, 4) if self.calls else None,
            "load_ms": round(self.load_ms, 1),
            "first_call_ms": round(self.first_call_ms, 2),
            "python_heap_peak_kb": round(self.heap_peak / 1024, 1) if self.heap_peak is not None else None,
        }


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list (0.0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass
class BenchReport:
    """A whole run: one or two sides, memory, and the machine it ran on."""

    sides: list[SideResult]
    concurrency: int
    duration: float
    rss_peak_kb: int
    rss_before_kb: int
    tracemalloc_calls: int

    @property
    def errors(self) -> int:
        return sum(s.errors for s in self.sides)

    def to_dict(self) -> dict[str, Any]:
        memory = {
            "rss_peak_mb": round(self.rss_peak_kb / 1024, 1),
            "rss_growth_mb": round((self.rss_peak_kb - self.rss_before_kb) / 1024, 1),
            "tracemalloc_calls": self.tracemalloc_calls,
        }
        machine = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": sys.platform}
        base = {"concurrency": self.concurrency, "duration_s": round(self.duration, 3), "memory": memory,
                "machine": machine}
        if len(self.sides) == 1:
            return {**self.sides[0].summary(), **base}
        a, b = (s.summary() for s in self.sides)
        return {"a": a, "b": b, "ratio": ratios(a, b), "interleaved": True, **base}


def ratios(a: dict[str, Any], b: dict[str, Any]) -> dict[str, float | None]:
    """B / A for every timing figure (above 1: B is slower or costlier; for calls/s, faster)."""

    def div(x: Any, y: Any) -> float | None:
        return round(x / y, 3) if isinstance(x, (int, float)) and isinstance(y, (int, float)) and y else None

    out = {k: div(b["latency_ms"][k], a["latency_ms"][k]) for k in ("p50", "p95", "p99", "mean")}
    out["calls_per_s"] = div(b["calls_per_s"], a["calls_per_s"])
    out["cpu_ms_per_call"] = div(b["cpu_ms_per_call"], a["cpu_ms_per_call"])
    return out


def _rss_peak_kb() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak / 1024) if sys.platform == "darwin" else int(peak)


def _load(path: Path) -> Any:
    from runtime import Connector
    return Connector.load(path)


class _Side:
    """A loaded connector and its open connection, for one target."""

    def __init__(self, target: Target, server_url: str) -> None:
        self.result = SideResult(target)
        started = time.perf_counter()
        self.connector = _load(target.connector)
        self.result.load_ms = (time.perf_counter() - started) * 1000
        c = target.connection
        self.connection = self.connector.connect(
            connector_parameters=c.connector_parameters,
            connection_parameters=c.connection_parameters,
            credentials=c.credentials,
            auth_option_key=c.auth_option_key,
            transport=ReplayTransport(server_url),
        )

    async def call(self) -> float | None:
        """One call; its latency in seconds, or None when it failed (counted, first error kept)."""
        t = self.result.target
        started = time.perf_counter()
        try:
            await self.connection.call(t.method, t.input)
        except Exception as exc:  # noqa: BLE001 - a failing call is counted, not fatal
            self.result.errors += 1
            if self.result.first_error is None:
                self.result.first_error = describe_error(exc)
            return None
        return time.perf_counter() - started

    async def batch(self, n: int, concurrency: int) -> None:
        """n calls, `concurrency` at a time; latencies, CPU and wall time go to this side."""
        cpu0, wall0 = time.process_time(), time.perf_counter()
        if concurrency <= 1:
            for _ in range(n):
                lat = await self.call()
                if lat is not None:
                    self.result.latencies.append(lat)
        else:
            counter = iter(range(n))

            async def worker() -> None:
                for _ in counter:
                    lat = await self.call()
                    if lat is not None:
                        self.result.latencies.append(lat)

            await asyncio.gather(*(worker() for _ in range(min(concurrency, n))))
        self.result.cpu += time.process_time() - cpu0
        self.result.wall += time.perf_counter() - wall0


async def _run(targets: list[Target], server_url: str, *, calls: int | None, duration: float | None,
               concurrency: int, warmup: int, tracemalloc_calls: int,
               progress: Callable[[float], None] | None) -> tuple[list[SideResult], float, int]:
    sides = [_Side(t, server_url) for t in targets]
    try:
        for side in sides:
            started = time.perf_counter()
            await side.call()
            side.result.first_call_ms = (time.perf_counter() - started) * 1000
            for _ in range(max(0, warmup - 1)):
                await side.call()
            side.result.errors = 0
            side.result.first_error = None
        rss_before = _rss_peak_kb()
        step = BATCH * max(1, concurrency)
        begun = time.perf_counter()
        rounds = 0
        while True:
            done = min(s.result.calls for s in sides)
            elapsed = time.perf_counter() - begun
            if calls is not None and done >= calls:
                break
            if duration is not None and elapsed >= duration:
                break
            if progress is not None:
                progress(done / calls if calls else elapsed / (duration or 1))
            order = sides if rounds % 2 == 0 else list(reversed(sides))
            for side in order:
                n = step if calls is None else min(step, calls - side.result.calls)
                if n > 0:
                    await side.batch(n, concurrency)
            rounds += 1
        total = time.perf_counter() - begun
        if progress is not None:
            progress(1.0)
        if tracemalloc_calls > 0:
            for side in sides:
                saved = (side.result.errors, side.result.first_error)
                tracemalloc.start()
                try:
                    for _ in range(tracemalloc_calls):
                        await side.call()
                    side.result.heap_peak = tracemalloc.get_traced_memory()[1]
                finally:
                    tracemalloc.stop()
                side.result.errors, side.result.first_error = saved
        return [s.result for s in sides], total, rss_before
    finally:
        for side in sides:
            await side.connection.aclose()


def run_bench(
    targets: list[Target],
    exchanges: list[Exchange],
    *,
    calls: int | None = 200,
    duration: float | None = None,
    concurrency: int = 1,
    warmup: int = 5,
    tracemalloc_calls: int = 20,
    progress: Callable[[float], None] | None = None,
) -> BenchReport:
    """Measure every target (one, or two to compare) against `exchanges` served on loopback.

    Stops after `calls` calls per side, or after `duration` seconds when `calls` is None.
    Exchanges may answer any number of times.
    """
    if calls is None and duration is None:
        raise ValueError("give calls or duration")
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        file = Path(tmp) / "exchanges.json"
        file.write_text(json.dumps({"exchanges": [exchange_to_dict(e) for e in exchanges]}, default=str))
        with ServerProcess(str(file)) as server:
            results, total, rss_before = asyncio.run(
                _run(targets, server.url, calls=calls, duration=duration, concurrency=concurrency, warmup=warmup,
                     tracemalloc_calls=tracemalloc_calls, progress=progress))
    return BenchReport(sides=results, concurrency=concurrency, duration=total, rss_peak_kb=_rss_peak_kb(),
                       rss_before_kb=rss_before, tracemalloc_calls=tracemalloc_calls)
