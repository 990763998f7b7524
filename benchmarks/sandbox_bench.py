"""Sandbox benchmarks (issue 2), all in one run; figures recorded in benchmarks/RESULTS.md.

    python benchmarks/sandbox_bench.py [--quick] [--old-quickjs PYTHON] [--mini-racer PYTHON]

Figures are medians of repeated calls. The engine comparison runs benchmarks/sandbox_engines.py
under other interpreters (virtualenvs with `quickjs` 1.19.4 and with `mini-racer`), because
`quickjs` and `quickjs-ng` install the same module name; rounds alternate between engines so
that load from other processes on the machine hits them alike.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import datetime
import json
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox import Limits, Sandbox, compile_module  # noqa: E402
from _sandbox_workloads import HOST_LOOP, MODULE_3KB_BODY, TRANSFORM_FUNCTION, TRIVIAL, host_round_trip, records  # noqa: E402

HERE = Path(__file__).resolve().parent
MODULE_3KB = MODULE_3KB_BODY + "export default function main(ctx) { return {id: String(ctx.id), n: helper(ctx.n)} }\n"
TRANSFORM = "export default " + TRANSFORM_FUNCTION
CONCURRENT = "export default () => Promise.all(Array.from({length: 10}, (_, i) => __sandbox.host('slow', i)))"


def median_per_call(fn: Any, calls: int, rounds: int = 7) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - t) / calls)
    return statistics.median(times)


def cpu_per_call(fn: Any, calls: int, rounds: int = 5) -> float:
    """Process CPU seconds per call (all threads): robust to other jobs competing for the cores."""
    times = []
    for _ in range(rounds):
        t = time.process_time()
        for _ in range(calls):
            fn()
        times.append((time.process_time() - t) / calls)
    return statistics.median(times)


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _throughput_worker(seconds: float) -> int:
    sb = Sandbox()
    m = compile_module(TRIVIAL, "t.js")
    n = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        sb.call_sync(m, args=[{"id": n}])
        n += 1
    return n


def sandbox_figures(quick: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    scale = 0.3 if quick else 1.0
    sb = Sandbox()  # the default: two pristine contexts built ahead on a thread
    time.sleep(0.05)
    trivial = compile_module(TRIVIAL, "trivial.js")
    mod3k = compile_module(MODULE_3KB, "module3k.js")
    calls = int(100 * scale) or 10
    out["fresh_trivial_ms"] = median_per_call(lambda: sb.call_sync(trivial, args=[{"id": 1}]), calls) * 1e3
    out["fresh_trivial_cpu_ms"] = cpu_per_call(lambda: sb.call_sync(trivial, args=[{"id": 1}]), calls) * 1e3
    out["fresh_3kb_module_ms"] = median_per_call(lambda: sb.call_sync(mod3k, args=[{"id": 1, "n": 2}]), calls) * 1e3
    with Sandbox(pool_size=0) as inline:  # every context built on the calling thread
        out["fresh_inline_trivial_ms"] = median_per_call(lambda: inline.call_sync(trivial, args=[{"id": 1}]), calls) * 1e3
        out["fresh_inline_trivial_cpu_ms"] = cpu_per_call(lambda: inline.call_sync(trivial, args=[{"id": 1}]), calls) * 1e3
        out["fresh_inline_3kb_module_ms"] = median_per_call(lambda: inline.call_sync(mod3k, args=[{"id": 1, "n": 2}]), calls) * 1e3
    # warm: the calls of one connection (reuse_key) one after another in one context
    out["warm_trivial_ms"] = median_per_call(lambda: sb.call_sync(trivial, args=[{"id": 1}], reuse_key="bench"), calls * 5) * 1e3
    out["warm_trivial_cpu_ms"] = cpu_per_call(lambda: sb.call_sync(trivial, args=[{"id": 1}], reuse_key="bench"), calls * 5) * 1e3

    with Sandbox(pool_size=2) as pooled:
        time.sleep(0.2)
        lat = []
        for _ in range(int(200 * scale) or 20):
            t = time.perf_counter()
            pooled.call_sync(trivial, args=[{"id": 1}])
            lat.append(time.perf_counter() - t)
            time.sleep(0.01)  # give the builder time: calls spread out in time, as a host serves them
        out["pooled_trivial_latency_ms"] = statistics.median(lat) * 1e3
        out["pooled_trivial_cpu_ms_all_threads"] = cpu_per_call(lambda: pooled.call_sync(trivial, args=[{"id": 1}]), int(100 * scale) or 10) * 1e3
        out["pooled_trivial_back_to_back_ms"] = median_per_call(lambda: pooled.call_sync(trivial, args=[{"id": 1}]), int(100 * scale) or 10) * 1e3

    transform = compile_module(TRANSFORM, "transform.js")
    data = records(1000)
    out["transform_1000_ms"] = median_per_call(lambda: sb.call_sync(transform, args=[data]), 3, rounds=9 if not quick else 3) * 1e3
    r = sb.call_sync(transform, args=[data])
    out["transform_1000_cpu_in_js_ms"] = r.stats.cpu_time * 1e3
    payload = json.dumps(data)
    out["transform_json_python_side_ms"] = median_per_call(lambda: json.loads(json.dumps(json.loads(payload))), 5) * 1e3

    host_loop = compile_module(HOST_LOOP, "host.js")

    async def echo(p: Any) -> Any:
        return p

    async def host_rounds() -> float:
        return await host_round_trip(
            lambda n: sb.call(host_loop, args=[n], host_operations={"echo": echo}), extra=200, rounds=7
        )

    out["host_round_trip_us"] = asyncio.run(host_rounds()) * 1e6

    concurrent_m = compile_module(CONCURRENT, "concurrent.js")

    async def slow(p: Any) -> Any:
        await asyncio.sleep(0.05)
        return p

    async def concurrent_rounds() -> float:
        times = []
        for _ in range(5):
            t = time.perf_counter()
            await sb.call(concurrent_m, host_operations={"slow": slow})
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    out["ten_concurrent_50ms_ops_ms"] = asyncio.run(concurrent_rounds()) * 1e3

    seconds = 1.0 if quick else 3.0
    out["throughput_1_thread_per_s"] = _throughput_worker(seconds) / seconds
    counts: list[int] = []
    threads = [threading.Thread(target=lambda: counts.append(_throughput_worker(seconds))) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    out["throughput_2_threads_per_s"] = sum(counts) / seconds
    ctx = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=ctx) as ex:
        list(ex.map(_throughput_worker, [0.05, 0.05]))  # warm the workers
        out["throughput_2_processes_per_s"] = sum(ex.map(_throughput_worker, [seconds, seconds])) / seconds

    n_calls = 2000 if quick else 10_000
    for _ in range(300):
        sb.call_sync(trivial, args=[{"id": 1}])
    before = rss_bytes()
    for i in range(n_calls):
        sb.call_sync(trivial, args=[{"id": i}])
    out["rss_growth_mib"] = (rss_bytes() - before) / (1 << 20)
    out["rss_calls"] = n_calls
    # warm contexts under churn: 40 connections for 16 warm slots, so contexts are parked, reused
    # and evicted all the time
    for i in range(300):
        sb.call_sync(trivial, args=[{"id": i}], reuse_key=i % 40)
    before = rss_bytes()
    for i in range(n_calls):
        sb.call_sync(trivial, args=[{"id": i}], reuse_key=i % 40)
    out["rss_growth_warm_churn_mib"] = (rss_bytes() - before) / (1 << 20)
    sb.close()
    return out


def engine_figures(old_quickjs: str | None, mini_racer: str | None, rounds: int) -> dict[str, Any]:
    engines = {"quickjs-ng 0.17.0.2": (sys.executable, "quickjs")}
    if old_quickjs:
        engines["quickjs 1.19.4"] = (old_quickjs, "quickjs")
    if mini_racer:
        engines["mini-racer (V8)"] = (mini_racer, "mini-racer")
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in engines}
    for _ in range(rounds):
        for name, (python, which) in engines.items():
            proc = subprocess.run([python, str(HERE / "sandbox_engines.py"), which], capture_output=True, text=True, timeout=600)
            if proc.returncode != 0:
                runs[name].append({"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"})
                continue
            runs[name].append(json.loads(proc.stdout))
    out: dict[str, Any] = {}
    for name, results in runs.items():
        ok = [r for r in results if "error" not in r]
        if not ok:
            out[name] = results[0]
            continue
        merged: dict[str, Any] = {}
        for key in ok[0]:
            values = [r[key] for r in ok if key in r]
            merged[key] = statistics.median(values) if isinstance(values[0], int | float) and not isinstance(values[0], bool) else values[0]
        out[name] = merged
    return out


def fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}"
    return str(v)


def write_markdown(path: Path, sandbox: dict[str, Any], engines: dict[str, Any], argv: list[str]) -> None:
    nproc = os.cpu_count()
    lines = [
        "# Sandbox benchmarks",
        "",
        f"Machine: nproc={nproc}, {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}. "
        f"Command: `python benchmarks/sandbox_bench.py {' '.join(argv)}`. Medians of repeated calls. "
        f"Load average at the end: {os.getloadavg()[0]:.1f} on {nproc} cores. "
        "The machine was shared with other jobs while this ran: wall-clock figures are inflated "
        "and the 2-thread/2-process figures cannot show scaling when the cores are busy; the "
        "`*_cpu_ms` figures (process CPU time per call) are the ones least affected.",
        "",
        "## The sandbox (quickjs-ng 0.17.0.2)",
        "",
        "| figure | value | target (issue 2) |",
        "|---|---|---|",
    ]
    targets = {
        "fresh_trivial_ms": "< 0.5 ms",
        "fresh_inline_trivial_ms": "< 0.5 ms",
        "ten_concurrent_50ms_ops_ms": "< 80 ms",
        "host_round_trip_us": "~30 µs (prototype)",
        "rss_growth_mib": "< 10 MiB",
        "rss_growth_warm_churn_mib": "< 10 MiB",
    }
    for key, value in sandbox.items():
        lines.append(f"| {key} | {fmt(value)} | {targets.get(key, '')} |")
    lines += ["", "## Engines side by side (same run, alternating rounds)", ""]
    keys: list[str] = []
    for r in engines.values():
        for k in r:
            if k not in keys:
                keys.append(k)
    lines.append("| figure | " + " | ".join(engines) + " |")
    lines.append("|---|" + "---|" * len(engines))
    for k in keys:
        lines.append(f"| {k} | " + " | ".join(fmt(engines[e].get(k, "")) for e in engines) + " |")
    lines += [
        "",
        "## Choices these figures support",
        "",
        "- **Binding: quickjs-ng 0.17.0.2 (pinned).** Context creation and compile cost are in the same "
        "range as `quickjs` 1.19.4 (the 2021 engine), the JSON-heavy transform is not slower, and only "
        "quickjs-ng has the ES2023 built-ins connector code uses (`.at`, `Object.hasOwn`, `toSorted`). "
        "mini-racer (V8) needs milliseconds per isolate and its host round trip costs milliseconds, "
        "so it loses wherever a call is short or makes API calls; it wins only on long pure-JS work.",
        "- **A fresh context per call, built ahead off the GIL; warm reuse only within one "
        "connection.** A context is built (runtime, intrinsics, prelude and extensions from bytecode) "
        "and freed through QuickJS's C API with the GIL released (sandbox/_fresh.py), by a thread "
        "that keeps two pristine contexts ready (`Sandbox(pool_size=2)`, the default): the calling "
        "thread only installs one in a binding shell. The CPU per call is unchanged "
        "(`fresh_trivial_cpu_ms`, all threads); its latency drops, and back-to-back calls use both "
        "cores. `fresh_inline_*` is the same call with the build on the calling thread (pool off). "
        "Calls with the same `reuse_key` (the runtime uses one per connection) may run one after "
        "another in one warm context (`warm_trivial_ms`), never shared with another key, dropped "
        "after any failure or leftover (ARCHITECTURE decision 6).",
        "- **Host operations as messages** cost one JSON hop each way plus an event-loop turn when the "
        "operation really waits; `Promise.all` of 10 x 50 ms operations finishes in about the time of one.",
        "- **Many cores: processes.** One context runs on one thread; the binding releases the GIL, "
        "but the Python side of each call (JSON, asyncio) holds it, so a worker pool of processes "
        "is the way to scale (measure on an idle machine: here the cores were busy).",
        "",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer repetitions (smoke run)")
    p.add_argument("--old-quickjs", default=os.environ.get("OLD_QUICKJS_PYTHON", "/work/venv-qjs-old/bin/python"))
    p.add_argument("--mini-racer", default=os.environ.get("MINI_RACER_PYTHON", "/work/venv-v8/bin/python"))
    p.add_argument("--rounds", type=int, default=3, help="engine comparison rounds")
    # RESULTS.md holds sandbox_perf.py's before/after figures: write only if asked
    p.add_argument("--out", default="", help="write the markdown here (default: print the figures only)")
    args = p.parse_args()
    old = args.old_quickjs if args.old_quickjs and Path(args.old_quickjs).exists() else None
    mr = args.mini_racer if args.mini_racer and Path(args.mini_racer).exists() else None
    limits = Limits()
    del limits
    sandbox = sandbox_figures(args.quick)
    print(json.dumps(sandbox, indent=1))
    engines = engine_figures(old, mr, 1 if args.quick else args.rounds)
    print(json.dumps(engines, indent=1))
    if args.out:
        write_markdown(Path(args.out), sandbox, engines, sys.argv[1:])


if __name__ == "__main__":
    main()
