"""Engine micro-benchmarks run under any interpreter that has one of the engines installed.

Run by benchmarks/sandbox_bench.py in separate virtualenvs (the `quickjs` and `quickjs-ng`
distributions both install a module named `quickjs`; mini-racer brings V8). Prints one JSON
object. Standalone: `python benchmarks/sandbox_engines.py quickjs|mini-racer`.
"""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from _sandbox_workloads import MODULE_3KB_BODY, TRANSFORM_FUNCTION, records  # this folder is sys.path[0]

MODULE_3KB = MODULE_3KB_BODY + "function main(ctx) { return {id: String(ctx.id), n: helper(ctx.n)} }\n"

ES2023 = "[[1,2,3].at(-1) === 3, typeof Object.hasOwn === 'function', typeof [].toSorted === 'function', typeof [].findLast === 'function'].every(Boolean)"


def median_time(fn: Callable[[], Any], repeat: int, inner: int = 1) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t) / inner)
    return statistics.median(times)


def bench_quickjs() -> dict[str, Any]:
    import quickjs

    out: dict[str, Any] = {}
    out["context_ms"] = median_time(quickjs.Context, 30, 50) * 1e3
    ctx = quickjs.Context()
    base = ctx.memory()["malloc_size"]
    out["context_kib"] = base / 1024

    def ctx_module() -> None:
        c = quickjs.Context()
        c.eval(MODULE_3KB)

    out["context_plus_3kb_module_ms"] = median_time(ctx_module, 30, 20) * 1e3
    ctx.eval("function f(x) { return x + 1 }")
    f = ctx.get("f")
    out["function_call_us"] = median_time(lambda: f(1), 30, 2000) * 1e6
    try:
        out["es2023"] = bool(ctx.eval(ES2023))
    except Exception:
        out["es2023"] = False
    ctx.eval(TRANSFORM_FUNCTION)
    tr = ctx.get("transform")
    data = json.dumps(records(1000))

    def transform() -> None:
        json.loads(tr(ctx.parse_json(data)).json())

    out["transform_1000_ms"] = median_time(transform, 15, 3) * 1e3

    def burn(n: int) -> None:
        c = quickjs.Context()
        c.eval("function spin(n) { let s = 0; for (let i = 0; i < n; i++) s += i % 7; return s }")
        g = c.get("spin")
        for _ in range(n):
            g(200_000)

    t = time.perf_counter()
    burn(20)
    one = time.perf_counter() - t
    threads = [threading.Thread(target=burn, args=(20,)) for _ in range(2)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    two = time.perf_counter() - t
    out["two_thread_speedup"] = 2 * one / two
    return out


def bench_mini_racer() -> dict[str, Any]:
    import asyncio

    from py_mini_racer import MiniRacer

    out: dict[str, Any] = {}

    def isolate() -> None:
        mr = MiniRacer()
        mr.eval("1")
        mr.close()

    out["context_ms"] = median_time(isolate, 10, 5) * 1e3
    mr = MiniRacer()
    mr.eval("function f(x) { return x + 1 }")
    out["function_call_us"] = median_time(lambda: mr.call("f", 1), 20, 500) * 1e6
    mr.eval(TRANSFORM_FUNCTION)
    data = records(1000)
    out["transform_1000_ms"] = median_time(lambda: json.loads(mr.execute(f"JSON.stringify(transform({json.dumps(data)}))")), 15, 3) * 1e3

    async def echo(x: Any) -> Any:
        return x

    async def round_trips() -> float:
        # wrap_py_function needs the MiniRacer made on the running loop
        inner = MiniRacer()
        try:
            async with inner.wrap_py_function(echo) as js_echo:
                inner.eval("async function run(fn, n) { for (let i = 0; i < n; i++) await fn(i); return n }")
                run = inner.eval("run")
                times = []
                for _ in range(5):
                    t = time.perf_counter()
                    await run(js_echo, 20)
                    times.append((time.perf_counter() - t) / 20)
                return statistics.median(times)
        finally:
            inner.close()

    out["host_round_trip_us"] = asyncio.run(round_trips()) * 1e6
    mr.close()
    return out


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "quickjs"
    result = bench_quickjs() if which == "quickjs" else bench_mini_racer()
    print(json.dumps(result))
