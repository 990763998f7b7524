"""Calls, host operations (ordering, concurrency, errors both ways), timers, logs, stats."""

from __future__ import annotations

import asyncio
import time

import pytest

from sandbox import (
    HostOperationFailed,
    JSError,
    Limits,
    LogEntry,
    Sandbox,
    compile_module,
)

from .conftest import FAST


def test_async_host_operations_in_order(sb: Sandbox) -> None:
    seen = []

    async def echo(payload):
        seen.append(payload)
        return {"got": payload}

    m = compile_module(
        "export default async (n) => { const out = []; for (let i = 0; i < n; i++) out.push((await __sandbox.host('echo', i)).got); return out }",
        "m.js",
    )
    r = sb.call_sync(m, args=[5], host_operations={"echo": echo}, limits=FAST)
    assert r.value == [0, 1, 2, 3, 4] and seen == [0, 1, 2, 3, 4]
    assert r.stats.host_operations == 5 and r.stats.cpu_time > 0 and r.stats.memory_peak > 0


def test_promise_all_runs_host_operations_concurrently() -> None:
    async def slow(payload):
        await asyncio.sleep(0.05)
        return payload * 2

    async def main():
        sb = Sandbox()
        m = compile_module(
            "export default () => Promise.all(Array.from({length: 10}, (_, i) => __sandbox.host('slow', i)))", "m.js"
        )
        t = time.perf_counter()
        r = await sb.call(m, host_operations={"slow": slow})
        return r.value, time.perf_counter() - t

    value, elapsed = asyncio.run(main())
    assert value == [i * 2 for i in range(10)]
    assert elapsed < 0.4  # sequential would take 0.5 s


def test_host_failure_becomes_js_error_with_key_and_data(sb: Sandbox) -> None:
    async def failing(payload):
        raise HostOperationFailed("not_found", "no such contact", {"id": payload})

    m = compile_module(
        "export default async () => { try { await __sandbox.host('http', 'c1') } catch (e) { return [e instanceof Error, e.key, e.message, e.data] } }",
        "m.js",
    )
    assert sb.call_sync(m, host_operations={"http": failing}).value == [True, "not_found", "no such contact", {"id": "c1"}]
    uncaught = compile_module("export default () => __sandbox.host('http', 'c2')", "m.js")
    with pytest.raises(JSError) as info:
        sb.call_sync(uncaught, host_operations={"http": failing})
    assert info.value.key == "not_found" and info.value.data == {"id": "c2"}


def test_unknown_host_operation_rejects(sb: Sandbox) -> None:
    m = compile_module("export default () => __sandbox.host('nope', 1).catch((e) => e.key)", "m.js")
    assert sb.call_sync(m).value == "unknown_host_operation"


def test_python_exception_in_host_op_is_reraised_as_itself(sb: Sandbox) -> None:
    class Boom(RuntimeError):
        pass

    async def bug(payload):
        raise Boom("bug in the HTTP layer")

    m = compile_module("export default async () => { try { await __sandbox.host('x') } catch (e) { return 'swallowed' } }", "m.js")
    with pytest.raises(Boom):
        sb.call_sync(m, host_operations={"x": bug})


def test_errors_cross_the_wall_with_name_key_data_and_stack(sb: Sandbox) -> None:
    m = compile_module(
        "class ApiError extends Error { constructor(m) { super(m); this.name = 'ApiError'; this.key = 'rate_limit_exceeded'; this.data = {retry: 3} } }\n"
        "export default () => { throw new ApiError('slow down') }",
        "conn/m.js",
    )
    with pytest.raises(JSError) as info:
        sb.call_sync(m)
    e = info.value
    assert (e.name, e.key, e.message, e.data) == ("ApiError", "rate_limit_exceeded", "slow down", {"retry": 3})
    assert "conn/m.js:2" in e.stack and "<input>" not in e.stack


@pytest.mark.parametrize(
    "expr, message, thrown",
    [("'text'", "text", "text"), ("{code: 1}", "{ code: 1 }", {"code": 1}), ("42", "42", 42), ("null", "null", None), ("undefined", "undefined", None)],
)
def test_throwing_non_error_values(sb: Sandbox, expr: str, message: str, thrown: object) -> None:
    m = compile_module(f"export default () => {{ throw {expr} }}", "m.js")
    with pytest.raises(JSError) as info:
        sb.call_sync(m)
    assert info.value.message == message and info.value.thrown == thrown and info.value.name == "NonErrorThrown"


def test_timers_and_intervals(run) -> None:
    src = """export default () => new Promise((resolve) => {
      const seen = [];
      setTimeout(() => seen.push('b'), 20);
      setTimeout(() => seen.push('a'), 5);
      const cancelled = setTimeout(() => seen.push('never'), 10);
      clearTimeout(cancelled);
      let n = 0;
      const iv = setInterval(() => { seen.push('i' + (++n)); if (n === 3) { clearInterval(iv); setTimeout(() => resolve(seen), 30); } }, 2);
    })"""
    value = run(src)
    assert value[:1] == ["i1"] or "a" in value
    assert sorted(value) == sorted(["a", "b", "i1", "i2", "i3"]) and "never" not in value
    assert value.index("a") < value.index("b")


def test_logs_are_captured_and_formatted(sb: Sandbox) -> None:
    m = compile_module(
        "export default () => { console.log('a', 1, {b: [1, 'x']}); console.warn('w %s=%d', 'n', 5); console.error(new TypeError('t')); console.debug(null, undefined); return 1 }",
        "m.js",
    )
    logs = sb.call_sync(m).logs
    assert logs[0] == LogEntry("log", "a 1 { b: [ 1, \"x\" ] }")
    assert logs[1] == LogEntry("warn", "w n=5")
    assert logs[2].level == "error" and logs[2].message.startswith("TypeError: t")
    assert logs[3] == LogEntry("debug", "null undefined")


def test_logs_survive_on_error(sb: Sandbox) -> None:
    m = compile_module("export default () => { console.log('before'); throw new Error('x') }", "m.js")
    with pytest.raises(JSError) as info:
        sb.call_sync(m)
    assert info.value.logs == [LogEntry("log", "before")]


def test_wrapper_and_extension_modules() -> None:
    ext = (
        "ext/api.js",
        "__sandbox.defineModule('axios', { default: { get: (u) => __sandbox.host('http', {url: u}) }, VERSION: '1' });\n"
        "globalThis.withClient = (fn, ctx) => fn({ ...ctx, apiClient: { get: (p) => __sandbox.host('http', {url: p}) } });\n",
    )
    sb = Sandbox(extensions=[ext])

    async def http(payload):
        return {"fetched": payload["url"]}

    m = compile_module(
        "import axios, {VERSION} from 'axios';\nexport default async ({apiClient, id}) => [await apiClient.get('/c/' + id), await axios.get('/x'), VERSION]",
        "m.js",
    )
    r = sb.call_sync(m, args=[{"id": 3}], wrapper="withClient", host_operations={"http": http})
    assert r.value == [{"fetched": "/c/3"}, {"fetched": "/x"}, "1"]
    cjs = compile_module("const axios = require('axios'); module.exports = () => typeof axios.default.get", "c.js")
    assert sb.call_sync(cjs).value == "function"


def test_extension_syntax_error_is_reported() -> None:
    from sandbox import JSSyntaxError

    with pytest.raises(JSSyntaxError) as info:
        Sandbox(extensions=[("ext/broken.js", "const a = ;")])
    assert info.value.filename == "ext/broken.js"


def test_call_inside_event_loop_uses_await() -> None:
    async def main():
        sb = Sandbox()
        m = compile_module("export default () => 1", "m.js")
        with pytest.raises(RuntimeError, match="await"):
            sb.call_sync(m)
        return (await sb.call(m)).value

    assert asyncio.run(main()) == 1


def test_limits_value_object() -> None:
    limits = Limits()
    assert limits.with_(cpu_time=1.0).cpu_time == 1.0 and limits.cpu_time == 5.0
    assert Limits() == Limits()
    with pytest.raises(ValueError):
        Limits(stack=8 << 20)
    with pytest.raises(ValueError):
        Limits(cpu_time=0)


def test_public_api_is_sorted_and_complete() -> None:
    import sandbox

    assert list(sandbox.__all__) == sorted(sandbox.__all__)
    for name in sandbox.__all__:
        assert hasattr(sandbox, name)


def test_pool_of_pristine_contexts_keeps_isolation_and_stops() -> None:
    import threading

    with Sandbox(pool_size=2) as sb:
        evil = compile_module("export default () => { globalThis.leak = 1; Array.prototype.map = null; return 1 }", "evil.js")
        check = compile_module("export default () => [typeof globalThis.leak, [1].map((x) => x + 1)]", "check.js")
        for _ in range(5):
            assert sb.call_sync(evil, limits=FAST).value == 1
            assert sb.call_sync(check, limits=FAST).value == ["undefined", [2]]
        big = compile_module("\n" * 400 + "export default () => 'built inline'", "big.js")
        assert sb.call_sync(big, limits=FAST).value == "built inline"
    assert not any(t.name == "sandbox-pool" for t in threading.enumerate())
    with pytest.raises(RuntimeError, match="closed"):
        sb.call_sync(check)
