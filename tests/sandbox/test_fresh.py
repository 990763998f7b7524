"""Contexts built off the GIL and carried by reusable binding shells (sandbox/_fresh.py):
isolation between calls, shells kept out of reuse while anything still holds the call's
driver, threads sharing one Sandbox, and a forked child."""

from __future__ import annotations

import gc
import multiprocessing
import threading

import pytest

import sandbox._sandbox as sandbox_impl
from sandbox import LimitExceeded, LimitReason, Sandbox, compile_module

from .conftest import FAST

pytestmark = pytest.mark.skipif(sandbox_impl.BUILDER is None or sandbox_impl.LOADER is None, reason="this binding build cannot be driven through ctypes")

MARK = compile_module(
    "export default (tag) => { const seen = [typeof globalThis.mark, typeof Object.prototype.polluted]; globalThis.mark = tag; Object.prototype.polluted = tag; return seen }",
    "mark.js",
)
SPIN = compile_module("for (;;) {}  // at the top level: runs inside the driver's start entry\nexport default () => 1", "spin.js")


@pytest.mark.parametrize("pool_size", [0, 2])
def test_every_call_gets_a_context_no_other_call_touched(pool_size: int) -> None:
    with Sandbox(pool_size=pool_size) as sb:
        assert sb._scripts is not None  # the builder path is the one under test
        for i in range(20):
            assert sb.call_sync(MARK, args=[i], limits=FAST).value == ["undefined", "undefined"]
        assert len(sb._shells) == 1  # one call at a time: one shell, reused


def test_a_shell_whose_driver_is_still_held_is_not_reused() -> None:
    with Sandbox(pool_size=0) as sb:
        sb.call_sync(MARK, args=[0], limits=FAST)
        assert len(sb._shells) == 1
        errors = []
        for _ in range(3):
            # the time limit is raised inside the engine entry: the traceback holds the driver
            with pytest.raises(LimitExceeded) as info:
                sb.call_sync(SPIN, limits=FAST.with_(cpu_time=0.05))
            assert info.value.reason is LimitReason.TIME
            errors.append(info.value)
        held = [f.f_locals.get("fn") for e in errors for f in _frames(e)]
        assert any(type(x).__name__ == "Object" for x in held), "expected the traceback to hold the driver"
        assert len(sb._shells) == 0  # the shells of those calls were not put back
        for i in range(5):  # calls go on, on other shells, while the old ones are held
            assert sb.call_sync(MARK, args=[i], limits=FAST).value == ["undefined", "undefined"]
        del errors, held, info
        gc.collect()  # the held shells die now, freeing the contexts they carry
        assert sb.call_sync(MARK, args=[9], limits=FAST).value == ["undefined", "undefined"]


def _frames(exc: BaseException) -> list:
    out, tb = [], exc.__traceback__
    while tb is not None:
        out.append(tb.tb_frame)
        tb = tb.tb_next
    return out


def test_threads_sharing_one_sandbox_with_a_pool() -> None:
    failures: list[object] = []
    with Sandbox(pool_size=2) as sb:

        def worker(k: int) -> None:
            try:
                for i in range(40):
                    if sb.call_sync(MARK, args=[k * 100 + i], limits=FAST).value != ["undefined", "undefined"]:
                        failures.append((k, i))
            except Exception as exc:  # noqa: BLE001 - reported below
                failures.append(exc)

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == []
        assert 1 <= len(sb._shells) <= 4


def _child(conn) -> None:  # runs in the forked child
    try:
        values = [_FORK_SB.call_sync(MARK, args=[i], limits=FAST).value for i in range(10)]
        conn.send(values)
    except BaseException as exc:  # noqa: BLE001
        conn.send(repr(exc))


_FORK_SB: Sandbox | None = None


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork on this platform")
def test_a_forked_child_calls_without_the_parents_pool_thread() -> None:
    global _FORK_SB
    _FORK_SB = Sandbox(pool_size=2)
    try:
        _FORK_SB.call_sync(MARK, args=[0], limits=FAST)
        ctx = multiprocessing.get_context("fork")
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_child, args=(child,))
        proc.start()
        got = parent.recv() if parent.poll(30) else "timeout"
        proc.join(10)
        assert got == [["undefined", "undefined"]] * 10
        assert proc.exitcode == 0
    finally:
        _FORK_SB.close()
        _FORK_SB = None
