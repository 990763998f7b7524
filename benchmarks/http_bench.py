"""ApiClient overhead versus a raw httpx.AsyncClient GET (target: <= 20% over raw on loopback).

Run from the repo root:  python benchmarks/http_bench.py [--requests 5000]

The fake API runs in a separate process (so its threads do not compete with the client for
the GIL). Both variants send the same GET with the same Authorization header on the same
pooled connection and parse the same JSON; blocks of 50 requests alternate between the two
variants so that load from other processes hits both alike.
Also measured: the client-side cost alone (httpx.MockTransport, no network), and 10 concurrent
GETs to an endpoint that waits 50 ms.
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
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runtime._http import ApiClient, ApiClientConfig, CallbackAuthSession, Redactor  # noqa: E402

SERVER = (
    "import sys; from tests.fakeapi import FakeApi; api = FakeApi().start(); "
    "print(api.url, flush=True); sys.stdin.read(); api.stop()"
)
TOKEN = "bench-access-token-0123456789"
PATH = "/api/items/offset"
QUERY = {"limit": "3"}
BLOCK = 50  # requests per timed block


def start_server() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-c", SERVER], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def make_client(http: httpx.AsyncClient, base: str) -> ApiClient:
    config = ApiClientConfig(base_uri=base, headers={"Authorization": f"Bearer {TOKEN}"})
    session = CallbackAuthSession({"access_token": TOKEN}, lambda creds: config)
    return ApiClient(session, http=http, redactor=Redactor({"access_token": TOKEN}))


async def raw_get(http: httpx.AsyncClient, url: str) -> Any:
    response = await http.get(url, params=QUERY, headers={"Authorization": f"Bearer {TOKEN}"})
    response.raise_for_status()
    return response.json()


async def timed(n: int, fn: Any) -> float:
    """Mean seconds per call over n sequential calls."""
    started = time.perf_counter()
    for _ in range(n):
        await fn()
    return (time.perf_counter() - started) / n


async def compare(http: httpx.AsyncClient, base: str, n: int) -> tuple[list[float], list[float]]:
    """Mean seconds per request of each variant, per block of ``BLOCK`` requests.

    Blocks of the two variants alternate (``n / BLOCK`` pairs), so load from other
    processes hits both alike; the medians of the block means are compared.
    """
    client = make_client(http, base)
    url = base + PATH
    for _ in range(200):  # warm up: connection, imports, caches
        await raw_get(http, url)
        await client.get(PATH, QUERY)
    raw, api = [], []
    for _ in range(max(1, n // BLOCK)):
        raw.append(await timed(BLOCK, lambda: raw_get(http, url)))
        api.append(await timed(BLOCK, lambda: client.get(PATH, QUERY)))
        client.log.clear()
    return raw, api


async def loopback(n: int) -> dict[str, Any]:
    proc, base = start_server()
    try:
        async with httpx.AsyncClient() as http:
            raw, api = await compare(http, base, n)
            client = make_client(http, base)
            await client.get("/slow", {"ms": 0})
            concurrent = []
            for _ in range(5):
                started = time.perf_counter()
                await asyncio.gather(*[client.get("/slow", {"ms": 50}) for _ in range(10)])
                concurrent.append(time.perf_counter() - started)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)
    return {"raw": raw, "api": api, "concurrent": concurrent}


async def mock_only(n: int) -> dict[str, list[float]]:
    body = b'{"items":[{"id":"1","name":"Item 1"},{"id":"2","name":"Item 2"},{"id":"3","name":"Item 3"}],"total":25}'

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        return dict(zip(("raw", "api"), await compare(http, "https://api.example.com", n)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000, help="sequential GETs per variant")
    args = parser.parse_args()

    loop_result = asyncio.run(loopback(args.requests))
    mock_result = asyncio.run(mock_only(args.requests))

    def us(values: list[float]) -> float:
        return statistics.median(values) * 1e6

    raw, api = us(loop_result["raw"]), us(loop_result["api"])
    mraw, mapi = us(mock_result["raw"]), us(mock_result["api"])
    print(f"machine: {platform.machine()} nproc={os.cpu_count()} python={platform.python_version()} httpx={httpx.__version__}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"loopback GET, raw httpx     : {raw:8.1f} us/request (median of {len(loop_result['raw'])} alternating blocks of {BLOCK})")
    print(f"loopback GET, ApiClient     : {api:8.1f} us/request  overhead {100 * (api - raw) / raw:+.1f}%")
    print(f"MockTransport GET, raw httpx: {mraw:8.1f} us/request")
    print(f"MockTransport GET, ApiClient: {mapi:8.1f} us/request  client-side cost {mapi - mraw:+.1f} us")
    conc = loop_result["concurrent"]
    print(f"10 concurrent GETs /slow?ms=50 via ApiClient: median {statistics.median(conc) * 1000:.1f} ms "
          f"(min {min(conc) * 1000:.1f}, max {max(conc) * 1000:.1f})")


if __name__ == "__main__":
    main()
