"""What crosses the wall, on both ways of building a context (bytecode and source text):
long `+`-built strings (ropes in quickjs-ng) on every path, and host operations each running
in a task of their own, from their first line."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

import sandbox._sandbox as sandbox_impl
from sandbox import JSError, LazyModule, Sandbox, compile_module

from .conftest import FAST

# Two strings of 3,000 characters joined with `+`: quickjs-ng makes a rope of it, which the
# binding cannot convert ("Unknown quickjs tag: -6") if one ever reaches Python as a value.
ROPE = "('a'.repeat(3000) + 'b'.repeat(3000))"
TEXT = "a" * 3000 + "b" * 3000


@pytest.fixture(params=["bytecode", "source"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "bytecode" and sandbox_impl.LOADER is None:
        pytest.skip("this binding build cannot load bytecode")
    if request.param == "source":
        monkeypatch.setattr(sandbox_impl, "LOADER", None)
    return str(request.param)


def make(mode: str, extensions: Any = ()) -> Sandbox:
    sb = Sandbox(extensions, pool_size=0)
    assert sb.uses_bytecode is (mode == "bytecode")
    return sb


def call(sb: Sandbox, source: str, **kw: Any) -> Any:
    kw.setdefault("limits", FAST)
    return sb.call_sync(compile_module(source, "rope.js"), **kw)


def test_long_concatenated_strings_cross_every_path(mode: str) -> None:
    sb = make(mode)
    assert call(sb, f"export default () => {ROPE}").value == TEXT
    assert call(sb, f"export default async () => ({{ s: {ROPE}, list: [{ROPE}] }})").value == {"s": TEXT, "list": [TEXT]}

    with pytest.raises(JSError) as err:
        call(sb, f"export default () => {{ throw new Error({ROPE}) }}")
    assert err.value.message == TEXT
    with pytest.raises(JSError) as err:
        call(sb, f"export default async () => {{ throw {ROPE} }}")
    assert err.value.message == TEXT
    with pytest.raises(JSError) as err:
        call(sb, f"export default () => {{ const e = new Error('x'); e.stack = {ROPE}; throw e }}")
    assert err.value.stack == TEXT

    logged = call(sb, f"export default () => {{ console.log({ROPE}); console.warn('n=' + {ROPE}, 1); return 1 }}")
    assert [(e.level, e.message) for e in logged.logs] == [("log", TEXT), ("warn", "n=" + TEXT + " 1")]

    seen: list[Any] = []

    async def echo(payload: Any) -> Any:
        seen.append(payload)
        return {"back": payload["s"] + "!"}

    result = call(
        sb,
        f"export default async () => (await __sandbox.host('echo', {{ s: {ROPE} }})).back + {ROPE}",
        host_operations={"echo": echo},
    )
    assert seen == [{"s": TEXT}]
    assert result.value == TEXT + "!" + TEXT


def test_extension_completion_value_and_lazy_module(mode: str) -> None:
    # an extension whose last expression is a rope; a lazy module built with `+`
    sb = make(
        mode,
        [
            ("ext.js", f"globalThis.fromExt = {ROPE}; fromExt"),
            LazyModule("lazy.js", f"({{ text: {ROPE} }})", "lazy-text"),
        ],
    )
    src = "import lazy from 'lazy-text'\nexport default () => [fromExt.length, lazy.text.length, require('lazy-text') === lazy]"
    assert call(sb, src).value == [6000, 6000, True]


def test_lazy_module_errors_name_its_file(mode: str) -> None:
    sb = make(mode, [LazyModule("<embedder>/broken.js", "(function () {\n  throw new Error('broken module');\n})()", "broken")])
    with pytest.raises(JSError) as err:
        call(sb, "export default () => require('broken')")
    assert err.value.message == "broken module"
    assert "<embedder>/broken.js:2" in (err.value.stack or "")
    # not compiled in calls that do not import it
    assert call(sb, "export default () => 1").value == 1


def test_each_host_operation_runs_in_one_task_from_its_first_line(mode: str) -> None:
    """An operation the JS side awaits alone runs in the caller's task; concurrent ones each
    in a task of their own; either way it starts and ends in the same task (anyio/httpx
    cancel scopes require it)."""
    asyncio.run(_own_tasks(make(mode)))


async def _own_tasks(sb: Sandbox) -> None:
    caller = asyncio.current_task()
    tasks: list[tuple[Any, Any]] = []

    async def immediate(payload: Any) -> Any:
        tasks.append((asyncio.current_task(), None))
        return payload

    async def suspending(payload: Any) -> Any:
        first = asyncio.current_task()
        await asyncio.sleep(0.001)
        tasks.append((first, asyncio.current_task()))
        return payload

    module = compile_module(
        "export default async () => [await __sandbox.host('immediate', 1), ...(await Promise.all([__sandbox.host('suspending', 2), __sandbox.host('suspending', 3)]))]",
        "tasks.js",
    )
    result = await sb.call(module, host_operations={"immediate": immediate, "suspending": suspending}, limits=FAST)
    assert result.value == [1, 2, 3]
    assert len(tasks) == 3
    firsts = [first for first, _ in tasks]
    assert firsts[0] is caller  # awaited alone
    assert caller not in firsts[1:] and len(set(map(id, firsts))) == 3
    assert all(later is None or later is first for first, later in tasks)


def test_httpx_request_inside_a_host_operation(mode: str, fake_api: Any) -> None:
    # httpx (anyio cancel scopes) must enter and leave a request in one task: this failed when
    # operations started in the caller's task and went on in another
    asyncio.run(_httpx_in_operation(make(mode), fake_api))


async def _httpx_in_operation(sb: Sandbox, fake_api: Any) -> None:
    async with httpx.AsyncClient() as http:

        async def get(path: Any) -> Any:
            response = await http.get(fake_api.url + str(path), headers={"X-Api-Key": fake_api.state.api_key})
            return {"status": response.status_code, "body": response.json()}

        module = compile_module("export default async () => Promise.all([__sandbox.host('get', '/api/key-header'), __sandbox.host('get', '/api/key-header')])", "get.js")
        result = await sb.call(module, host_operations={"get": get}, limits=FAST)
    assert [r["status"] for r in result.value] == [200, 200]


def test_an_operation_awaited_alone_is_bounded_by_the_wall_time_and_cancelled(mode: str) -> None:
    from sandbox import LimitExceeded, LimitReason

    seen: list[str] = []

    async def slow(payload: Any) -> Any:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise
        return payload

    async def own_timeout(payload: Any) -> Any:
        raise TimeoutError("the operation's own timeout")

    async def main() -> None:
        sb = make(mode)
        source = "export default async () => await __sandbox.host('op', 1)"
        with pytest.raises(LimitExceeded) as info:
            await sb.call(compile_module(source, "m.js"), host_operations={"op": slow}, limits=FAST.with_(wall_time=0.2))
        assert info.value.reason is LimitReason.WALL_TIME and seen == ["cancelled"]
        # an operation raising TimeoutError itself is not the call's limit
        with pytest.raises(TimeoutError, match="own timeout"):
            await sb.call(compile_module(source, "m.js"), host_operations={"op": own_timeout}, limits=FAST)
        # the caller's task cancelled while the operation runs: the cancellation goes through
        task = asyncio.ensure_future(sb.call(compile_module(source, "m.js"), host_operations={"op": slow}, limits=FAST))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert seen == ["cancelled", "cancelled"]
        assert (await sb.call(compile_module(source, "m.js"), host_operations={"op": lambda p: asyncio.sleep(0, p)}, limits=FAST)).value == 1

    asyncio.run(main())


def test_lazy_modules_after_non_ascii_text_load_whole(mode: str) -> None:
    """Lazy sources reach a context as one string sliced by UTF-16 offsets: text outside the
    BMP in one module must not shift the next one."""
    first = LazyModule("<embedder>/first.js", "({ text: 'café 😀 ✓', n: 1 })", "first")
    second = LazyModule("<embedder>/second.js", "({ text: 'plain', n: 2 })", "second")
    sb = make(mode, [first, second])
    src = "export default () => [require('first'), require('second')]"
    assert call(sb, src).value == [{"text": "café 😀 ✓", "n": 1}, {"text": "plain", "n": 2}]


def test_the_wall_time_timer_leaves_the_callers_task_as_it_found_it(mode: str) -> None:
    """The deadline cancels what the call awaits; afterwards the caller's task carries no
    cancellation of ours, whether the operation let it through or swallowed it."""
    from sandbox import LimitExceeded

    async def swallowing(payload: Any) -> Any:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            pass  # swallowed: the call still ends at its wall time
        await asyncio.sleep(0.05)
        return payload

    async def slow(payload: Any) -> Any:
        await asyncio.sleep(5)
        return payload

    async def main() -> None:
        sb = make(mode)
        task = asyncio.current_task()
        assert task is not None
        source = compile_module("export default async () => [await __sandbox.host('op', 1), await __sandbox.host('op', 2)]", "m.js")
        for op in (slow, swallowing):
            with pytest.raises(LimitExceeded):
                await sb.call(source, host_operations={"op": op}, limits=FAST.with_(wall_time=0.1))
            assert task.cancelling() == 0
        await asyncio.sleep(0.01)  # and no cancellation is still pending on it

    asyncio.run(main())
