"""Runtime overhead of whole method calls (issue 4 benchmarks), against the loopback fake API.

Run from the repo root:  python benchmarks/core_bench.py [--calls 300] [--rounds 5]

Scenarios, in one run, each the median over rounds of the mean per call:
1. a JS method making one GET (`operations/get-one/run` of tests/connectors/apikey) through
   `Connection.call`, versus the same GET made directly with `httpx.AsyncClient` (same header,
   same pooled connection, JSON parsed). Target: the runtime adds at most 20%.
2. a REST-mapping list call (`data/items/list`: request mapping, GET, response mapping with
   `$iterate` over 10 records).
3. `Promise.all` of 10 GETs to `/slow?ms=50` inside one JS method. Target: 50-80 ms, not 500.

The fake API runs in its own process so its threads do not compete with the client for the GIL.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runtime import Connector  # noqa: E402

SERVER = (
    "import sys; from tests.fakeapi import FakeApi; api = FakeApi().start(); "
    "print(api.url, api.state.api_key, flush=True); sys.stdin.read(); api.stop()"
)


def start_server() -> tuple[subprocess.Popen[str], str, str]:
    proc = subprocess.Popen([sys.executable, "-c", SERVER], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    url, key = proc.stdout.readline().split()
    return proc, url, key


async def mean_seconds(n: int, fn: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    for _ in range(n):
        await fn()
    return (time.perf_counter() - started) / n


async def run(calls: int, rounds: int) -> dict[str, Any]:
    proc, base, key = start_server()
    try:
        connector = Connector.load(ROOT / "tests" / "connectors" / "apikey")
        async with httpx.AsyncClient() as http, connector.connect(
            connector_parameters={"baseUri": base}, credentials={"apiKey": key}
        ) as conn:

            async def raw() -> Any:
                response = await http.get(base + "/api/key-header", headers={"X-Api-Key": key})
                response.raise_for_status()
                return response.json()

            async def js_get() -> Any:
                return (await conn.call("operations/get-one/run")).output

            async def rest_list() -> Any:
                return (await conn.call("data/items/list", {"cursor": None})).output

            async def promise_all() -> Any:
                return (await conn.call("operations/slow-all/run", {"input": {"count": 10, "ms": 50}})).output

            assert (await js_get()) == (await raw())
            for _ in range(50):  # warm up: pools, caches, makeApiClient
                await raw()
                await js_get()
                await rest_list()
            out: dict[str, Any] = {"raw": [], "js": [], "rest": [], "all": []}
            for _ in range(rounds):
                out["raw"].append(await mean_seconds(calls, raw))
                out["js"].append(await mean_seconds(calls, js_get))
                out["rest"].append(await mean_seconds(calls, rest_list))
                try:
                    out["all"].append(await mean_seconds(3, promise_all))
                except Exception as exc:  # report the failure, keep the other figures
                    out["all_error"] = f"{type(exc).__name__}: {exc}"
            return out
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="sequential calls per round and scenario")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    result = asyncio.run(run(args.calls, args.rounds))

    def ms(values: list[float]) -> float:
        return statistics.median(values) * 1000

    raw, js, rest = ms(result["raw"]), ms(result["js"]), ms(result["rest"])
    print(f"machine: {platform.machine()} nproc={os.cpu_count()} python={platform.python_version()} httpx={httpx.__version__}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"one GET, raw httpx.AsyncClient      : {raw:7.3f} ms/call (median of {args.rounds} rounds x {args.calls})")
    print(f"one GET, JS method via Connection   : {js:7.3f} ms/call  overhead {100 * (js - raw) / raw:+.1f}% ({js - raw:+.3f} ms)")
    print(f"REST-mapping list (10 records)      : {rest:7.3f} ms/call")
    if result["all"]:
        all10 = ms(result["all"])
        print(f"Promise.all of 10 GETs /slow?ms=50  : {all10:7.1f} ms/call (min {min(result['all']) * 1000:.1f}, max {max(result['all']) * 1000:.1f})")
    else:
        print(f"Promise.all of 10 GETs /slow?ms=50  : failed ({result.get('all_error')})")


if __name__ == "__main__":
    main()
