"""Calls, host operations (ordering, concurrency, errors both ways), timers, logs, stats."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

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


def test_pool_of_pristine_contexts_keeps_isolation_and_stops() -> None:
    import threading

    before = set(threading.enumerate())
    with Sandbox(pool_size=2) as sb:
        evil = compile_module("export default () => { globalThis.leak = 1; Array.prototype.map = null; return 1 }", "evil.js")
        check = compile_module("export default () => [typeof globalThis.leak, [1].map((x) => x + 1)]", "check.js")
        for _ in range(5):
            assert sb.call_sync(evil, limits=FAST).value == 1
            assert sb.call_sync(check, limits=FAST).value == ["undefined", [2]]
        big = compile_module("\n" * 400 + "export default () => 'built inline'", "big.js")
        assert sb.call_sync(big, limits=FAST).value == "built inline"
    assert not any(t.name == "sandbox-pool" for t in set(threading.enumerate()) - before)
    with pytest.raises(RuntimeError, match="closed"):
        sb.call_sync(check)


def test_eager_and_suspended_host_operations_and_cancellation() -> None:
    cancelled = []

    async def immediate(payload):
        return payload + 1

    async def slow(payload):
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            cancelled.append(payload)
            raise
        return payload

    async def main():
        sb = Sandbox()
        both = compile_module("export default async () => [await __sandbox.host('now', 1), await __sandbox.host('now', 2)]", "m.js")
        assert (await sb.call(both, host_operations={"now": immediate})).value == [2, 3]
        racing = compile_module("export default () => Promise.race([__sandbox.host('slow', 7), new Promise((_, reject) => setTimeout(() => reject(new Error('gave up')), 10))])", "m.js")
        with pytest.raises(JSError, match="gave up"):
            await sb.call(racing, host_operations={"slow": slow})

    asyncio.run(main())
    assert cancelled == [7]


def test_cli_js_command(tmp_path, capsys) -> None:
    import json

    from runtime._cli import main

    ok = tmp_path / "ok.js"
    ok.write_text("export default (x) => { console.info('in', x); return {twice: x * 2} }")
    assert main(["js", str(ok), "--input", "21"]) == 0
    assert json.loads(capsys.readouterr().out) == {"output": {"twice": 42}, "logs": [{"level": "info", "message": "in 21"}]}

    named = tmp_path / "named.js"
    named.write_text("exports.a = () => 'a';\nexports.b = () => { throw Object.assign(new Error('nope'), {key: 'not_found'}) };\n")
    assert main(["js", str(named), "--export", "b"]) == 1
    err = json.loads(capsys.readouterr().out)["error"]
    assert err["key"] == "not_found" and err["message"] == "nope" and f"{named}:2" in err["stack"]

    loop = tmp_path / "loop.js"
    loop.write_text("export default () => { for (;;) {} }")
    assert main(["js", str(loop), "--time-limit", "0.2", "--memory-limit", "16"]) == 1
    assert json.loads(capsys.readouterr().out)["error"]["key"] in ("time_limit", "wall_time_limit")

    bad = tmp_path / "bad.js"
    bad.write_text("export default () => {\n  return 1 +;\n}")
    assert main(["js", str(bad)]) == 1
    err = json.loads(capsys.readouterr().out)["error"]
    assert err["key"] == "syntax_error" and err["data"]["line"] == 2

    example = Path(__file__).resolve().parents[2] / "examples" / "hello.js"
    assert main(["js", str(example), "--input", '{"name": "Ada"}']) == 0
    assert json.loads(capsys.readouterr().out)["output"]["greeting"] == "Hello, Ada!"


def test_extension_failing_at_run_time_is_a_sandbox_error() -> None:
    from sandbox import SandboxError

    with Sandbox(extensions=[("ext/throws.js", "throw new Error('broken extension')")], pool_size=1) as sb:
        with pytest.raises(SandboxError) as info:
            sb.call_sync(compile_module("export default () => 1", "m.js"))
    assert info.value.key == "extension_error" and "ext/throws.js" in info.value.message


def test_pooled_context_handles_stack_overflow_on_the_calling_thread() -> None:
    from sandbox import LimitExceeded, LimitReason

    with Sandbox(pool_size=1) as sb:
        deep = compile_module("function f(n) { return f(n + 1) + 1 }\nexport default () => f(0)", "deep.js")
        for _ in range(3):
            with pytest.raises(LimitExceeded) as info:
                sb.call_sync(deep, limits=FAST)
            assert info.value.reason is LimitReason.STACK
        assert sb.call_sync(compile_module("export default () => 'alive'", "m.js")).value == "alive"


def test_concurrent_calls_on_one_loop_do_not_block_each_other() -> None:
    async def slow(payload):
        await asyncio.sleep(0.05)
        return payload

    async def main():
        sb = Sandbox()
        m = compile_module("export default async (i) => { const v = await __sandbox.host('slow', i); return v * 10 }", "m.js")
        t = time.perf_counter()
        results = await asyncio.gather(*(sb.call(m, args=[i], host_operations={"slow": slow}) for i in range(5)))
        return [r.value for r in results], time.perf_counter() - t

    values, elapsed = asyncio.run(main())
    assert values == [0, 10, 20, 30, 40] and elapsed < 0.2


def test_long_strings_cross_the_wall(sb: Sandbox) -> None:
    """quickjs-ng keeps long `+` concatenations as ropes, which the binding cannot convert."""

    async def echo(payload):
        return payload

    m = compile_module(
        "export default async () => { const big = 'p'.repeat(2000) + 'q'.repeat(2000);"
        " const got = await Promise.all(Array.from({length: 10}, (_, i) => __sandbox.host('echo', {i, big})));"
        " return got.map((g) => g.big.length + g.i) }",
        "m.js",
    )
    assert sb.call_sync(m, host_operations={"echo": echo}).value == [4000 + i for i in range(10)]
    long_error = compile_module("export default () => { throw new Error('e'.repeat(3000) + 'f'.repeat(3000)) }", "m.js")
    with pytest.raises(JSError) as info:
        sb.call_sync(long_error)
    assert len(info.value.message) == 6000
    bad_result = compile_module("export default () => ({ s: 'a'.repeat(5000) + 'b'.repeat(5000), f() {} })", "m.js")
    from sandbox import InvalidResult

    with pytest.raises(InvalidResult):
        sb.call_sync(bad_result)


def test_host_operation_callbacks_settle_the_promise(sb: Sandbox) -> None:
    """`__sandbox.host(name, payload, onValue, onError)`: what the callbacks return (or throw)
    settles the operation's promise, for extensions that post-process every answer."""

    async def echo(payload):
        if payload == "fail":
            raise HostOperationFailed("nope", "the host said no", {"n": 1})
        return payload

    m = compile_module(
        """
        const h = (p, v, e) => __sandbox.host('echo', p, v, e).then((x) => ['ok', x], (err) => ['err', err.message, err.key || null]);
        export default async () => [
          await h(2, (v) => v * 10),
          await h(2, () => { throw new Error('bad value') }),
          await h('fail', undefined, (err) => { err.message = 'mapped: ' + err.message; return err }),
          await h('fail', undefined, () => { throw new TypeError('replaced') }),
          await h('fail', undefined, () => undefined),
          await h(3),
        ]
        """,
        "callbacks.js",
    )
    assert sb.call_sync(m, host_operations={"echo": echo}, limits=FAST).value == [
        ["ok", 20],
        ["err", "bad value", None],
        ["err", "mapped: the host said no", "nope"],
        ["err", "replaced", None],
        ["err", "the host said no", "nope"],
        ["ok", 3],
    ]
