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


def test_a_shell_whose_driver_is_still_held_is_not_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    """If anything still holds a call's driver Object when the call ends, its shell keeps that
    call's context and is never lent again; the context goes when the last holder does."""
    held: list[object] = []
    adopt = Sandbox._adopt

    def keeping(self: Sandbox, pair: tuple[int, int]) -> tuple[object, object, object]:
        ctx, driver, shell = adopt(self, pair)
        held.append(driver)  # e.g. a traceback or a debugger keeping it
        return ctx, driver, shell

    with Sandbox(pool_size=0) as sb:
        sb.call_sync(MARK, args=[0], limits=FAST)
        assert len(sb._shells) == 1
        monkeypatch.setattr(Sandbox, "_adopt", keeping)
        for i in range(3):
            assert sb.call_sync(MARK, args=[i], limits=FAST).value == ["undefined", "undefined"]
        assert len(held) == 3 and len(sb._shells) == 0  # none of those shells was put back
        monkeypatch.undo()
        for i in range(5):  # calls go on, on a new shell, while the old ones are held
            assert sb.call_sync(MARK, args=[i], limits=FAST).value == ["undefined", "undefined"]
        held.clear()
        gc.collect()  # the held shells die now, freeing the contexts they carry
        assert sb.call_sync(MARK, args=[9], limits=FAST).value == ["undefined", "undefined"]


def test_an_error_raised_inside_an_engine_entry_keeps_its_shell_reusable() -> None:
    """A limit hit inside an entry raises from a frame that held the driver: that frame must
    not keep it, or every such error would cost a new shell."""
    with Sandbox(pool_size=0) as sb:
        sb.call_sync(MARK, args=[0], limits=FAST)
        errors = []
        for _ in range(3):
            with pytest.raises(LimitExceeded) as info:
                sb.call_sync(SPIN, limits=FAST.with_(cpu_time=0.05))
            assert info.value.reason is LimitReason.TIME
            errors.append(info.value)  # kept, with their tracebacks
        assert all(type(f.f_locals.get("fn")).__name__ != "Object" for e in errors for f in _frames(e))
        assert len(sb._shells) == 1


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


def test_a_failure_right_after_taking_a_context_gives_it_back(monkeypatch: pytest.MonkeyPatch) -> None:
    with Sandbox(pool_size=0) as sb:
        sb.call_sync(MARK, args=[0], limits=FAST, reuse_key="k")  # a warm context for "k"

        def broken(limit: int) -> int:
            raise RuntimeError("stack size unknown")

        monkeypatch.setattr(sandbox_impl, "_stack_for_thread", broken)
        for key in ("k", None):
            with pytest.raises(RuntimeError, match="stack size unknown"):
                sb.call_sync(MARK, args=[1], limits=FAST, reuse_key=key)
        monkeypatch.undo()
        assert len(sb._shells) == 1 and not sb._warm  # nothing lost, nothing kept
        assert sb.call_sync(MARK, args=[2], limits=FAST, reuse_key="k").value == ["undefined", "undefined"]


def test_a_caller_cancelled_while_operations_are_cancelled_still_retires_the_context() -> None:
    import asyncio

    from sandbox import JSError

    async def stubborn(payload: object) -> object:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            await asyncio.sleep(0.2)  # slow to give up
            raise
        return payload

    m = compile_module(
        "export default () => Promise.all([__sandbox.host('op', 1), __sandbox.host('op', 2), new Promise((_, no) => setTimeout(() => no(new Error('gave up')), 10))])",
        "m.js",
    )

    async def main() -> None:
        sb = Sandbox(pool_size=0)
        try:
            task = asyncio.ensure_future(sb.call(m, host_operations={"op": stubborn}, limits=FAST))
            await asyncio.sleep(0.1)  # the call failed and is now cancelling its operations
            task.cancel()
            with pytest.raises((asyncio.CancelledError, JSError)):
                await task
            assert len(sb._shells) == 1
            assert (await sb.call(MARK, args=[1], limits=FAST)).value == ["undefined", "undefined"]
        finally:
            sb.close()

    asyncio.run(main())


def test_forks_at_any_moment_leave_the_child_working() -> None:
    """Fork right after calls, while the pool thread is refilling: the child must not inherit a
    lock that thread held (it would wait on it forever)."""
    import os
    import signal
    import time

    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    sb = Sandbox(pool_size=2)
    try:
        failures = 0
        for i in range(30):
            sb.call_sync(MARK, args=[i], limits=FAST)
            pid = os.fork()
            if pid == 0:  # the child: three calls, then out, whatever happens
                try:
                    ok = all(sb.call_sync(MARK, args=[j], limits=FAST).value == ["undefined", "undefined"] for j in range(3))
                finally:
                    os._exit(0 if ok else 1)
            deadline = time.monotonic() + 10
            while True:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    failures += not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0)
                    break
                if time.monotonic() > deadline:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    failures += 1
                    break
                time.sleep(0.002)
        assert failures == 0
    finally:
        sb.close()


def test_a_forked_child_gets_a_pool_thread_of_its_own_on_its_first_call() -> None:
    import os
    import threading

    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    sb = Sandbox(pool_size=2)
    try:
        sb.call_sync(MARK, args=[0], limits=FAST)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                before = any(t.name == "sandbox-pool" for t in threading.enumerate())
                ok = sb.call_sync(MARK, args=[1], limits=FAST).value == ["undefined", "undefined"]
                after = any(t.name == "sandbox-pool" and t.is_alive() for t in threading.enumerate())
                os.write(w, f"{before} {ok} {after}".encode())
                code = 0
            finally:
                os._exit(code)
        os.close(w)
        got = os.read(r, 100).decode()
        os.waitpid(pid, 0)
        assert got == "False True True"
    finally:
        sb.close()
