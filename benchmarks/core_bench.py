"""Runtime overhead of whole method calls (issue 4 benchmarks), against the loopback fake API.

Run from the repo root:  python benchmarks/core_bench.py [--calls 300] [--rounds 5]

Scenarios, in one run, each the median over rounds of the mean per call:
1. a JS method making one GET (`operations/get-one/run` of tests/connectors/apikey) through
   `Connection.call`, versus the same GET made directly with `httpx.AsyncClient` (same header,
   same pooled connection, JSON parsed). Target: the runtime adds at most 20%.
   Also, to split that overhead, the client side alone with httpx.MockTransport: raw GET, REST
   mapping, JS method, and a bare sandbox call making one host operation (fresh context, and
   warm as a connection's calls run).
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
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _loopback import start_server  # noqa: E402 - this folder is on sys.path
from runtime import Connector  # noqa: E402



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

            async def rest_get() -> Any:
                return (await conn.call("operations/get-one-rest/run")).output

            async def rest_list() -> Any:
                return (await conn.call("data/items/list", {"cursor": None})).output

            async def js_no_io() -> Any:
                return (await conn.call("operations/map/run", {"input": {"name": "x"}})).output

            async def raw_gather() -> Any:
                return await asyncio.gather(*(http.get(base + "/slow", params={"ms": "50"}) for _ in range(10)))

            async def promise_all() -> Any:
                return (await conn.call("operations/slow-all/run", {"input": {"count": 10, "ms": 50}})).output

            assert (await js_get()) == (await raw())
            for _ in range(50):  # warm up: pools, caches, makeApiClient
                await raw()
                await js_get()
                await rest_list()
            out: dict[str, Any] = {"raw": [], "js": [], "rest": [], "all": [], "map": [], "rest1": [], "gather": []}
            for _ in range(rounds):
                out["map"].append(await mean_seconds(calls, js_no_io))
                out["raw"].append(await mean_seconds(calls, raw))
                out["js"].append(await mean_seconds(calls, js_get))
                out["rest1"].append(await mean_seconds(calls, rest_get))
                out["rest"].append(await mean_seconds(calls, rest_list))
                out["gather"].append(await mean_seconds(3, raw_gather))
                try:
                    out["all"].append(await mean_seconds(3, promise_all))
                except Exception as exc:  # report the failure, keep the other figures
                    out["all_error"] = f"{type(exc).__name__}: {exc}"
            return out
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


async def client_side(calls: int, rounds: int) -> dict[str, list[float]]:
    """The same GET with httpx.MockTransport (no server, no network noise): what each layer costs."""
    from sandbox import compile_module

    body = b'{"ok": true, "via": "header"}'

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    connector = Connector.load(ROOT / "tests" / "connectors" / "apikey")
    module = compile_module(
        "export default async function run(ctx) { return await __sandbox.host('http', {method: 'GET', path: '/x'}); }",
        "bench/one-host-op.js",
    )

    async def constant_op(payload: Any) -> Any:
        await asyncio.sleep(0)
        return {"ok": True, "via": "header"}

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http, connector.connect(
        connector_parameters={"baseUri": "https://api.example.test"},
        credentials={"apiKey": "bench-key-123"},
        transport=httpx.MockTransport(handler),
    ) as conn:
        variants: dict[str, Callable[[], Awaitable[Any]]] = {
            "raw": lambda: http.get("https://api.example.test/api/key-header", headers={"X-Api-Key": "bench-key-123"}),
            "rest": lambda: conn.call("operations/get-one-rest/run"),
            "js": lambda: conn.call("operations/get-one/run"),
            "sandbox": lambda: connector.sandbox.call(module, args=[{}], host_operations={"http": constant_op}),
            # as the connection's JS calls run: one warm context for the calls of one key
            "sandbox-warm": lambda: connector.sandbox.call(module, args=[{}], host_operations={"http": constant_op}, reuse_key="bench"),
        }
        for fn in variants.values():
            for _ in range(30):
                await fn()
        out: dict[str, list[float]] = {k: [] for k in variants}
        for _ in range(rounds):
            for k, fn in variants.items():
                out[k].append(await mean_seconds(calls, fn))
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="sequential calls per round and scenario")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    result = asyncio.run(run(args.calls, args.rounds))
    mock = asyncio.run(client_side(args.calls, args.rounds))

    def ms(values: list[float]) -> float:
        return statistics.median(values) * 1000

    raw, js, rest = ms(result["raw"]), ms(result["js"]), ms(result["rest"])
    print(f"machine: {platform.machine()} nproc={os.cpu_count()} python={platform.python_version()} httpx={httpx.__version__}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"one GET, raw httpx.AsyncClient      : {raw:7.3f} ms/call (median of {args.rounds} rounds x {args.calls})")
    print(f"one GET, JS method via Connection   : {js:7.3f} ms/call  overhead {100 * (js - raw) / raw:+.1f}% ({js - raw:+.3f} ms)")
    mapping = ms(result["map"])
    rest1 = ms(result["rest1"])
    print(f"one GET, REST mapping via Connection: {rest1:7.3f} ms/call  overhead {100 * (rest1 - raw) / raw:+.1f}% ({rest1 - raw:+.3f} ms)")
    print(f"mapping method, no I/O (whole Connection.call path): {mapping:7.3f} ms/call")
    print(f"REST-mapping list (10 records)      : {rest:7.3f} ms/call  ({rest - raw:+.3f} ms over the raw GET)")
    mraw, mrest, mjs, msb, mwarm = (ms(mock[k]) for k in ("raw", "rest", "js", "sandbox", "sandbox-warm"))
    print("client side only (httpx.MockTransport, no server):")
    print(f"  raw httpx GET                              : {mraw:7.3f} ms")
    print(f"  REST mapping via Connection.call           : {mrest:7.3f} ms  ({mrest - mraw:+.3f} ms: ApiClient + mappings + call path)")
    print(f"  JS method via Connection.call              : {mjs:7.3f} ms  ({mjs - mraw:+.3f} ms)")
    print(f"  bare sandbox call with one host operation  : {msb:7.3f} ms  (fresh context + host-op round trip)")
    print(f"  the same call in a warm context (reuse_key): {mwarm:7.3f} ms  (what a connection's JS calls cost)")
    print(f"  => runtime's own share of the JS overhead  : {mjs - mraw - mwarm:+7.3f} ms (the rest is the sandbox)")
    if result["all"]:
        all10 = ms(result["all"])
        print(f"Promise.all of 10 GETs /slow?ms=50  : {all10:7.1f} ms/call (min {min(result['all']) * 1000:.1f}, max {max(result['all']) * 1000:.1f})")
        print(f"  same 10 GETs with raw httpx + asyncio.gather: {ms(result['gather']):7.1f} ms (the fake server's own floor)")
    else:
        print(f"Promise.all of 10 GETs /slow?ms=50  : failed ({result.get('all_error')})")


if __name__ == "__main__":
    main()
