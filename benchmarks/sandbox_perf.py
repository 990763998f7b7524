"""Per-call cost of the sandbox and of a runtime JS method call, before vs after, in one run.

    python benchmarks/sandbox_perf.py [--before-rev HEAD] [--rounds 5] [--quick]

The "before" tree is this working tree with `sandbox/` and `runtime/` taken from
`--before-rev` (read with `git archive`, git state untouched), so the two differ only in
those. Each figure is measured in a fresh subprocess per tree, rounds alternating between the
trees so that load from other jobs on a shared machine hits both alike; the table shows the
median over rounds of each round's median. Writes the table to stdout (JSON with --json).

Figures: fresh-context trivial call, built inline (no pool) and in the tree's default
configuration (back-to-back); a warm call (`reuse_key`, where the tree has it); with a pool of
two pristine contexts (latency of calls spread out in time, and back-to-back); one
host-operation round trip; throughput of
trivial calls with 1 and 2 threads sharing one Sandbox; through the runtime
(`Connector.load(...).connect(...).call(...)`, the shared sandbox as the runtime builds it): a
warm trivial JS method, and a JS method making one GET vs the same GET with raw
`httpx.AsyncClient` against the loopback fake API (benchmarks/core_bench.py's server), and vs
the same GET made by a REST mapping through the same connection (the sandbox's own share,
which a cheaper HTTP path does not hide).
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from _loopback import start_server  # this folder is on sys.path
from _sandbox_workloads import HOST_LOOP, TRIVIAL, host_round_trip

ROOT = Path(__file__).resolve().parent.parent
TRIVIAL_OP = "export default function run({ input }) { return { id: String(input && input.id) } }\n"


def med_per_call(fn: Any, calls: int, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - t) / calls)
    return statistics.median(times)


async def amed_per_call(fn: Any, calls: int, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(calls):
            await fn()
        times.append((time.perf_counter() - t) / calls)
    return statistics.median(times)


# ---------------------------------------------------------------------------- workers


def worker_sandbox(scale: float) -> dict[str, float]:
    import sandbox
    from sandbox import Sandbox, compile_module

    assert Path(sandbox.__file__).resolve().is_relative_to(Path(sys.path[0]).resolve()), "wrong tree imported"
    has_pool_arg = "pool_size" in inspect.signature(Sandbox).parameters
    plain = Sandbox(pool_size=0) if has_pool_arg else Sandbox()
    trivial = compile_module(TRIVIAL, "trivial.js")
    n = max(20, int(200 * scale))
    out: dict[str, float] = {}
    for _ in range(20):
        plain.call_sync(trivial, args=[{"id": 1}])
    out["fresh_trivial_ms"] = med_per_call(lambda: plain.call_sync(trivial, args=[{"id": 1}]), n, 7) * 1e3

    if "reuse_key" in inspect.signature(Sandbox.call_sync).parameters:
        for _ in range(20):
            plain.call_sync(trivial, args=[{"id": 1}], reuse_key="warm")
        out["warm_trivial_ms"] = med_per_call(lambda: plain.call_sync(trivial, args=[{"id": 1}], reuse_key="warm"), n, 7) * 1e3

    default = Sandbox()  # the tree's default configuration (a pool thread, if it has one)
    time.sleep(0.05)
    for _ in range(20):
        default.call_sync(trivial, args=[{"id": 1}])
    out["fresh_trivial_default_ms"] = med_per_call(lambda: default.call_sync(trivial, args=[{"id": 1}]), n, 7) * 1e3
    if hasattr(default, "close"):
        default.close()

    pooled = Sandbox(pool_size=2)
    time.sleep(0.05)
    lat = []
    for _ in range(n):
        t = time.perf_counter()
        pooled.call_sync(trivial, args=[{"id": 1}])
        lat.append(time.perf_counter() - t)
        time.sleep(0.003)  # calls spread out in time, as a host serves them
    out["pooled_trivial_latency_ms"] = statistics.median(lat) * 1e3
    out["pooled_trivial_back_to_back_ms"] = med_per_call(lambda: pooled.call_sync(trivial, args=[{"id": 1}]), n, 7) * 1e3
    pooled.close()

    host_loop = compile_module(HOST_LOOP, "host.js")

    async def echo(p: Any) -> Any:
        return p

    async def host_rounds() -> float:
        return await host_round_trip(
            lambda n: plain.call(host_loop, args=[n], host_operations={"echo": echo}), extra=100, rounds=9
        )

    out["host_round_trip_us"] = asyncio.run(host_rounds()) * 1e6

    shared = Sandbox()  # the tree's default configuration, shared by the threads like the runtime's
    seconds = max(0.5, 1.5 * scale)

    def spin(counts: list[int]) -> None:
        k = 0
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            shared.call_sync(trivial, args=[{"id": k}])
            k += 1
        counts.append(k)

    for threads in (1, 2):
        counts: list[int] = []
        ths = [threading.Thread(target=spin, args=(counts,)) for _ in range(threads)]
        for th in ths:
            th.start()
        for th in ths:
            th.join()
        out[f"throughput_{threads}_thread{'s' if threads > 1 else ''}_per_s"] = sum(counts) / seconds
    if hasattr(shared, "close"):
        shared.close()
    return out


def worker_runtime(scale: float) -> dict[str, float]:
    import httpx

    import sandbox
    from runtime import Connector

    assert Path(sandbox.__file__).resolve().is_relative_to(Path(sys.path[0]).resolve()), "wrong tree imported"

    tmp = Path(tempfile.mkdtemp(prefix="sandbox-perf-"))
    try:
        shutil.copytree(ROOT / "tests" / "connectors" / "apikey", tmp / "apikey")
        op = tmp / "apikey" / "operations" / "trivial"
        op.mkdir()
        (op / "spec.yml").write_text("name: Trivial\nmethods:\n  run: {implementationType: javascript}\n")
        (op / "run.js").write_text(TRIVIAL_OP)
        proc, base, key = start_server()
        try:
            return asyncio.run(_runtime_figures(Connector.load(tmp / "apikey"), base, key, httpx, scale))
        finally:
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait(timeout=10)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


async def _runtime_figures(connector: Any, base: str, key: str, httpx: Any, scale: float) -> dict[str, float]:
    n = max(30, int(200 * scale))
    async with httpx.AsyncClient() as http, connector.connect(connector_parameters={"baseUri": base}, credentials={"apiKey": key}) as conn:

        async def raw() -> Any:
            response = await http.get(base + "/api/key-header", headers={"X-Api-Key": key})
            response.raise_for_status()
            return response.json()

        async def js_get() -> Any:
            return (await conn.call("operations/get-one/run")).output

        async def rest_get() -> Any:
            return (await conn.call("operations/get-one-rest/run")).output

        async def trivial() -> Any:
            return (await conn.call("operations/trivial/run", {"input": {"id": 1}})).output

        assert (await js_get()) == (await raw()) == (await rest_get())
        assert (await trivial()) == {"id": "1"}
        for _ in range(50):
            await raw()
            await js_get()
            await trivial()
        out = {"runtime_trivial_js_call_ms": await amed_per_call(trivial, n, 7) * 1e3}
        raws, jss, rests = [], [], []
        for _ in range(7):  # interleaved, so all see the same load
            raws.append(await amed_per_call(raw, n, 1))
            jss.append(await amed_per_call(js_get, n, 1))
            rests.append(await amed_per_call(rest_get, n, 1))
        out["raw_httpx_get_ms"] = statistics.median(raws) * 1e3
        out["js_method_one_get_ms"] = statistics.median(jss) * 1e3
        out["js_get_overhead_ms"] = statistics.median(j - r for j, r in zip(jss, raws, strict=True)) * 1e3
        out["js_get_overhead_pct"] = 100 * out["js_get_overhead_ms"] / out["raw_httpx_get_ms"]
        # the sandbox's own share: the JS method against the same GET made by a REST mapping
        # through the same connection (same API client, same sockets)
        out["js_over_rest_get_ms"] = statistics.median(j - r for j, r in zip(jss, rests, strict=True)) * 1e3
        return out


# ---------------------------------------------------------------------------- parent
def make_before_tree(rev: str) -> Path:
    """This working tree with sandbox/ and runtime/ from `rev` (git archive: read-only); the
    tests (for the fake API server) and benchmarks are this tree's."""
    tmp = Path(tempfile.mkdtemp(prefix="sandbox-before-"))
    ignore = shutil.ignore_patterns(".git", "__pycache__", ".pytest_cache")
    for entry in ("benchmarks", "tests"):
        shutil.copytree(ROOT / entry, tmp / entry, ignore=ignore)
    for name in ("pyproject.toml", "conftest.py"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, tmp / name)
    data = subprocess.run(["git", "archive", rev, "sandbox", "runtime"], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(tmp, filter="data")
    return tmp


def run_worker(tree: Path, which: str, scale: float) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", which, "--tree", str(tree), "--scale", str(scale)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"worker {which} in {tree} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


TARGETS = {
    "fresh_trivial_ms": "< 0.5 ms (issue 2)",
    "fresh_trivial_default_ms": "< 0.5 ms (issue 2)",
    "host_round_trip_us": "~30 µs (prototype)",
    "js_get_overhead_pct": "<= 20% (issue 4)",
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # the usual question: what did my uncommitted change to the sandbox do (vs the last commit)
    p.add_argument("--before-rev", default="HEAD")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--json", action="store_true")
    p.add_argument("--worker", choices=["sandbox", "runtime"])
    p.add_argument("--tree")
    p.add_argument("--scale", type=float, default=1.0)
    args = p.parse_args()
    if args.worker:
        sys.path.insert(0, args.tree)
        fn = worker_sandbox if args.worker == "sandbox" else worker_runtime
        print(json.dumps(fn(args.scale)))
        return
    scale = 0.3 if args.quick else 1.0
    rounds = 2 if args.quick else args.rounds
    before = make_before_tree(args.before_rev)
    trees = {"before": before, "after": ROOT}
    runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    try:
        for r in range(rounds):
            order = list(trees) if r % 2 == 0 else list(reversed(trees))
            for label in order:
                fig = run_worker(trees[label], "sandbox", scale)
                fig.update(run_worker(trees[label], "runtime", scale))
                runs[label].append(fig)
                print(f"round {r + 1}/{rounds} {label}: " + json.dumps({k: round(v, 3) for k, v in fig.items()}), file=sys.stderr)
    finally:
        shutil.rmtree(before, ignore_errors=True)
    table = {label: {k: statistics.median(f[k] for f in figs) for k in figs[0]} for label, figs in runs.items()}
    if args.json:
        print(json.dumps(table, indent=1))
        return
    print(f"nproc={os.cpu_count()} python={sys.version.split()[0]} date={time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
          f"rounds={rounds} load={os.getloadavg()[0]:.1f}")
    print("| figure | before | after | target |\n|---|---|---|---|")
    for k in table["after"]:
        b, a = table["before"].get(k), table["after"][k]
        fmt = (lambda v: f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}")
        print(f"| {k} | {fmt(b) if b is not None else ''} | {fmt(a)} | {TARGETS.get(k, '')} |")


if __name__ == "__main__":
    main()
