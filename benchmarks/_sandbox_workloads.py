"""Workloads shared by the sandbox benchmarks, so every script measures the same thing.

Stdlib only: `sandbox_engines.py` imports it inside other virtualenvs (other JS engines), and
`sandbox_perf.py` inside workers that put an older `sandbox/` tree first on sys.path.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

TRIVIAL = "export default (ctx) => ({ id: String(ctx.id) })"
MODULE_3KB_BODY = "function helper(x) { return x * 2 }\n" * 80
#: a JSON-heavy record transform; `export default ` is prepended for the sandbox
TRANSFORM_FUNCTION = """function transform(records) {
  return records.map((r) => ({ id: String(r.id), name: r.first + ' ' + r.last, email: r.email.toLowerCase(),
    tags: r.tags.filter((t) => t.length > 2), total: r.items.reduce((s, i) => s + i.price * i.qty, 0) }));
}"""
HOST_LOOP = "export default async (n) => { for (let i = 0; i < n; i++) await __sandbox.host('echo', i); return n }"


def records(n: int) -> list[dict[str, Any]]:
    """n CRM-like records for the transform."""
    return [
        {
            "id": i,
            "first": f"First{i}",
            "last": f"Last{i}",
            "email": f"User{i}@Example.COM",
            "tags": ["a", "vip", "customer", "x"],
            "items": [{"price": 9.5, "qty": 2}, {"price": 1.25, "qty": 4}],
        }
        for i in range(n)
    ]


async def host_round_trip(run_loop: Callable[[int], Awaitable[Any]], *, extra: int, rounds: int) -> float:
    """Seconds per host-operation round trip: (a call making 1 + extra operations minus a call
    making 1) / extra, median over rounds, so context set-up cancels out."""
    per = []
    for _ in range(rounds):
        t = time.perf_counter()
        await run_loop(1)
        one = time.perf_counter() - t
        t = time.perf_counter()
        await run_loop(1 + extra)
        many = time.perf_counter() - t
        per.append((many - one) / extra)
    return statistics.median(per)
