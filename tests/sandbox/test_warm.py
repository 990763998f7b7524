"""Warm contexts (Sandbox.call(reuse_key=...)): calls with one key may share a context one
after another; another key, or none, never sees it; anything unusual drops it."""

from __future__ import annotations

import asyncio
import time

import pytest

import sandbox._sandbox as sandbox_impl
from sandbox import JSError, LimitExceeded, Sandbox, compile_module

from .conftest import FAST

pytestmark = pytest.mark.skipif(sandbox_impl.BUILDER is None or sandbox_impl.LOADER is None, reason="warm contexts need the ctypes path")

#: how many calls this context has served (1 in a fresh context)
COUNT = compile_module("let calls = 0\nexport default () => [++calls, globalThis.seen = (globalThis.seen || 0) + 1]", "count.js")
OTHER = compile_module("export default () => [typeof globalThis.seen, typeof Array.prototype.tampered]", "other.js")
TAMPER = compile_module("export default () => { Array.prototype.tampered = 1; globalThis.seen = 100; return 1 }", "tamper.js")


async def echo(payload: object) -> object:
    await asyncio.sleep(0)
    return payload


def counts(sb: Sandbox, key: object, n: int) -> list[int]:
    return [sb.call_sync(COUNT, reuse_key=key, limits=FAST).value[0] for _ in range(n)]


def test_calls_with_one_key_share_a_context_and_nobody_else_sees_it() -> None:
    with Sandbox(pool_size=0) as sb:
        assert counts(sb, "A", 3) == [1, 2, 3]
        assert sb.call_sync(TAMPER, reuse_key="A", limits=FAST).value == 1
        # the same key sees what its earlier calls left; another key and no key do not
        assert sb.call_sync(OTHER, reuse_key="A", limits=FAST).value == ["number", "number"]
        assert sb.call_sync(OTHER, reuse_key="B", limits=FAST).value == ["undefined", "undefined"]
        assert sb.call_sync(OTHER, limits=FAST).value == ["undefined", "undefined"]
        assert counts(sb, "B", 2) == [1, 2]


def test_call_state_starts_clean_in_a_warm_context() -> None:
    m = compile_module(
        "export default async (tag) => { console.log('call', tag); return [await __sandbox.host('echo', tag), await __sandbox.host('echo', tag + 1)] }",
        "ops.js",
    )
    with Sandbox(pool_size=0) as sb:
        for tag in (1, 10, 100):  # request ids start at 1 again, logs are this call's only
            r = sb.call_sync(m, args=[tag], host_operations={"echo": echo}, reuse_key="K", limits=FAST)
            assert r.value == [tag, tag + 1] and [e.message for e in r.logs] == [f"call {tag}"]
            assert r.stats.host_operations == 2


@pytest.mark.parametrize(
    "source, error",
    [
        ("export default () => { throw new Error('no') }", JSError),
        ("export default () => { for (;;) {} }", LimitExceeded),
        ("export default () => { const a = []; for (;;) a.push('x'.repeat(1000)) }", LimitExceeded),
    ],
    ids=["js-error", "time-limit", "memory-limit"],
)
def test_a_failed_call_drops_the_warm_context(source: str, error: type[Exception]) -> None:
    with Sandbox(pool_size=0) as sb:
        assert counts(sb, "K", 2) == [1, 2]
        with pytest.raises(error):
            sb.call_sync(compile_module(source, "bad.js"), reuse_key="K", limits=FAST.with_(cpu_time=0.2))
        assert counts(sb, "K", 2) == [1, 2]


@pytest.mark.parametrize(
    "leftover",
    [
        "setTimeout(() => {}, 10000)",
        "setInterval(() => {}, 10000)",
        "__sandbox.host('echo', 1)",  # not awaited: still pending when the call returns
    ],
)
def test_a_call_that_leaves_something_running_is_not_kept(leftover: str) -> None:
    m = compile_module(f"let calls = 0\nexport default () => {{ {leftover}; return ++calls }}", "left.js")
    with Sandbox(pool_size=0) as sb:
        for _ in range(3):
            assert sb.call_sync(m, reuse_key="K", host_operations={"echo": echo}, limits=FAST).value == 1


def test_bounds_on_reuse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox_impl, "WARM_MAX_CALLS", 3)
    with Sandbox(pool_size=0) as sb:
        assert counts(sb, "K", 7) == [1, 2, 3, 1, 2, 3, 1]
    monkeypatch.setattr(sandbox_impl, "WARM_MAX_CALLS", 100)
    monkeypatch.setattr(sandbox_impl, "WARM_MAX_BYTES", 1 << 10)  # every context is bigger
    with Sandbox(pool_size=0) as sb:
        assert counts(sb, "K", 3) == [1, 1, 1]


def test_least_recently_used_keys_go_first_and_forget_drops_one() -> None:
    with Sandbox(pool_size=0, warm_contexts=2) as sb:
        assert counts(sb, "A", 2) == [1, 2]
        assert counts(sb, "B", 1) == [1]
        assert counts(sb, "C", 1) == [1]  # A is evicted
        assert counts(sb, "A", 1) == [1]
        assert counts(sb, "C", 1) == [2]
        sb.forget("C")
        assert counts(sb, "C", 1) == [1]
    with Sandbox(pool_size=0, warm_contexts=0) as sb:
        assert counts(sb, "A", 3) == [1, 1, 1]


def test_concurrent_calls_of_one_key_each_get_their_own_context() -> None:
    m = compile_module(
        "let calls = 0\nexport default async (tag) => { const n = ++calls; const got = await __sandbox.host('slow', tag); return [n, got] }",
        "slow.js",
    )

    async def slow(payload: object) -> object:
        await asyncio.sleep(0.02)
        return payload

    async def main() -> None:
        sb = Sandbox(pool_size=0)
        try:
            first = await asyncio.gather(*(sb.call(m, args=[i], host_operations={"slow": slow}, reuse_key="K", limits=FAST) for i in range(3)))
            assert [r.value for r in first] == [[1, 0], [1, 1], [1, 2]]
            # one of them was kept: the next call runs in it
            later = await sb.call(m, args=[9], host_operations={"slow": slow}, reuse_key="K", limits=FAST)
            assert later.value == [2, 9]
        finally:
            sb.close()

    asyncio.run(main())


def test_close_drops_warm_contexts() -> None:
    sb = Sandbox(pool_size=0)
    counts(sb, "A", 2)
    sb.close()
    assert not sb._warm


def test_each_call_in_a_warm_context_has_its_own_limits() -> None:
    """A warm context keeps the limits its last call set; a call with other limits sets its own
    (memory and stack in the engine, host operations, logs and result size in the prelude)."""
    ops = compile_module(
        "let calls = 0\nexport default async (n, big) => { ++calls; for (let i = 0; i < n; i++) await __sandbox.host('echo', i);"
        " if (big) globalThis.keep = 'x'.repeat(big); console.log('y'.repeat(50)); return [calls, 'z'.repeat(50)] }",
        "limits.js",
    )
    loose = FAST.with_(memory=64 << 20)
    with Sandbox(pool_size=0) as sb:
        def call(limits: object, n: int = 0, big: int = 0) -> object:
            return sb.call_sync(ops, args=[n, big], host_operations={"echo": echo}, reuse_key="L", limits=limits)

        assert call(loose, 3).value[0] == 1
        assert call(loose, 3).value[0] == 2  # the same context
        with pytest.raises(LimitExceeded) as info:
            call(loose.with_(host_operations=2), 3)
        assert info.value.key == "too_many_host_operations"
        assert call(loose, 3).value[0] == 1  # the failure dropped that context
        with pytest.raises(LimitExceeded) as info:
            call(loose.with_(log_bytes=20))
        assert info.value.key == "logs_too_large"
        assert call(loose).value[0] == 1
        assert call(loose).value[0] == 2
        with pytest.raises(LimitExceeded) as info:
            call(loose.with_(result_bytes=30))
        assert info.value.key == "result_too_large"
        assert call(loose, 0, 6 << 20).value[0] == 1  # 6 MiB kept: the context stays warm
        with pytest.raises(LimitExceeded) as info:  # 6 more do not fit in 8
            call(loose.with_(memory=8 << 20), 0, 6 << 20)
        assert info.value.key == "memory_limit"
        assert call(loose).value[0] == 1
        assert call(loose.with_(host_operations=5), 5).value[0] == 2  # a new limit, kept within


def test_a_deadline_before_the_wall_time_limit_ends_the_call() -> None:
    slow = compile_module("export default async () => { await __sandbox.host('sleep', 5); return 1 }", "deadline.js")

    async def sleep(seconds: object) -> object:
        await asyncio.sleep(float(seconds))  # type: ignore[arg-type]
        return None

    async def main() -> None:
        with Sandbox(pool_size=0) as sb:
            loop = asyncio.get_running_loop()
            started = loop.time()
            with pytest.raises(LimitExceeded) as info:
                await sb.call(slow, host_operations={"sleep": sleep}, limits=FAST.with_(wall_time=3.0), deadline=time.monotonic() + 0.2)
            assert info.value.key == "wall_time_limit" and "past its deadline" in info.value.message
            assert loop.time() - started < 1.5
            started = loop.time()
            with pytest.raises(LimitExceeded) as info:  # a later deadline: the limit comes first
                await sb.call(slow, host_operations={"sleep": sleep}, limits=FAST.with_(wall_time=0.2), deadline=time.monotonic() + 60)
            assert "wall-time limit of 0.2 s" in info.value.message
            assert loop.time() - started < 1.5

    asyncio.run(main())


@pytest.mark.parametrize("deadline", [float("nan"), float("inf"), "soon"])
def test_a_deadline_must_be_an_instant(deadline: object) -> None:
    with Sandbox(pool_size=0) as sb, pytest.raises(ValueError, match="deadline"):
        sb.call_sync(COUNT, deadline=deadline, limits=FAST)  # type: ignore[arg-type]
