"""Audit fixes: limits enforced by Python too, no raw Python exception out of a call, lone
surrogates across the wall, host operations raising BaseException, error keys code cannot
forge, export resolution, the stack default, timers and microtasks, Limits validation, and the
`js` CLI's error shape. Security and crash cases run on both ways of building a context."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import sandbox._sandbox as sandbox_impl
from sandbox import (
    InvalidResult,
    JSError,
    LimitExceeded,
    Limits,
    ProtocolError,
    Sandbox,
    SandboxError,
    UnknownExport,
    compile_module,
)
from sandbox._models import DEFAULT_STACK

from .conftest import FAST


@pytest.fixture(params=["bytecode", "source"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "bytecode" and sandbox_impl.LOADER is None:
        pytest.skip("this binding build cannot load bytecode")
    if request.param == "source":
        monkeypatch.setattr(sandbox_impl, "LOADER", None)
    return str(request.param)


@pytest.fixture
def msb(mode: str) -> Sandbox:
    sb = Sandbox(pool_size=0)
    assert sb.uses_bytecode is (mode == "bytecode")
    return sb


def call(sb: Sandbox, source: str, *args: Any, **kw: Any) -> Any:
    kw.setdefault("limits", FAST)
    return sb.call_sync(compile_module(source, "h.js"), args=list(args), **kw)


def echo_ops(counter: list[Any]) -> dict[str, Any]:
    async def echo(payload: Any) -> Any:
        counter.append(payload)
        return payload

    return {"echo": echo}


# ------------------------------------------------------------------ 1. limits enforced by Python
ROUTE_A_HOST = """export default async () => {
  const p = __sandbox.host("echo", 1);
  const o = Array.prototype.join;
  Array.prototype.join = function (s) {
    if (this[0] === "[0,[") { const r = []; for (let i = 100; i < 5100; i++) r.push(`[${i},"echo",${i}]`); return o.call(["[0,[", o.call(r, ","), "],-1]"], ""); }
    return o.call(this, s);
  };
  await p;
  return "done";
}"""

ROUTE_A_LOGS = """export default () => {
  const o = Array.prototype.join;
  Array.prototype.join = function (s) {
    if (this[0] === "R") return o.call(["R", JSON.stringify([["log", "x".repeat(5 << 20)]]), "\\n", "null"], "");
    return o.call(this, s);
  };
  return 1;
}"""


def test_patched_join_cannot_forge_host_operations(msb: Sandbox) -> None:
    seen: list[Any] = []
    result = call(msb, ROUTE_A_HOST, host_operations=echo_ops(seen), limits=FAST.with_(host_operations=10))
    assert result.value == "done"
    assert seen == [1] and result.stats.host_operations == 1


def test_patched_join_cannot_forge_logs(msb: Sandbox) -> None:
    result = call(msb, ROUTE_A_LOGS, limits=FAST.with_(log_bytes=1 << 20))
    assert result.value == 1 and result.logs == []


ROUTE_B = """export default async () => {
  let d = null, called = 0;
  await new Promise((res) => setTimeout(() => {
    Error.prepareStackTrace = (e, cs) => { called++; for (const c of cs) { const f = c.getFunction && c.getFunction(); if (f && f.name === "driver") d = f; } return "x"; };
    new Error().stack;
    Error.captureStackTrace({});
    res();
  }, 0));
  return [d === null ? "unreachable" : "captured", called];
}"""


def test_stack_trace_hook_cannot_reach_the_driver(msb: Sandbox) -> None:
    assert call(msb, ROUTE_B).value == ["unreachable", 0]


LEAK_I = """export default async () => {
  const leaked = [];
  Object.defineProperty(Object.prototype, "nextTimerDelay", { get() { if (typeof this.setFatal === "function") leaked.push("getter"); return undefined; }, configurable: true });
  const realAssign = Object.assign;
  Object.assign = function (t, ...s) { if (t && typeof t.setFatal === "function") leaked.push("assign"); return realAssign(t, ...s); };
  const realRepeat = String.prototype.repeat;
  String.prototype.repeat = function (n) { return n > 50 ? "(x=>{globalThis.__leak=x})||" : realRepeat.call(this, n); };
  await __sandbox.host("echo", 1);
  await new Promise((res) => setTimeout(res, 0));
  console.log(Buffer.from("a").toString("hex"));
  return [leaked, typeof globalThis.__leak, Object.assign === realAssign];
}"""


def test_prelude_internals_do_not_leak_through_tampered_builtins(msb: Sandbox) -> None:
    result = call(msb, LEAK_I, host_operations=echo_ops([]))
    assert result.value == [[], "undefined", False]
    assert [e.message for e in result.logs] == ["61"]


@pytest.fixture
def bare_call(msb: Sandbox):
    """A started call (context built, module run) whose polls a test forges directly: what
    Python does with any answer, whatever JS managed to produce."""
    made = []

    def make(limits: Limits = FAST, ops: dict[str, Any] | None = None) -> Any:
        c = msb._prepare(compile_module("export default () => 1", "h.js"), None, None, [], ops or {}, limits, None, None, None)
        made.append(c)
        return c

    yield make
    for c in made:
        msb._retire(c)


def forged_poll(first: int, n: int, name: str = "echo") -> str:
    return "[0,[" + ",".join(f'[{i},"{name}",{i}]' for i in range(first, first + n)) + "],-1]"


def test_python_enforces_the_host_operation_limit(bare_call) -> None:
    c = bare_call(FAST.with_(host_operations=10), echo_ops([]))
    assert c.step(forged_poll(1, 10)) is None
    assert c.host_count == 10
    with pytest.raises(LimitExceeded) as info:
        c.step(forged_poll(11, 1))
    assert info.value.key == "too_many_host_operations"


def test_python_enforces_the_log_limit(bare_call) -> None:
    c = bare_call(FAST.with_(log_bytes=1000))
    with pytest.raises(LimitExceeded) as info:
        c.step("R" + json.dumps([["log", "é" * 600]]) + "\nnull")
    assert info.value.key == "logs_too_large"
    c = bare_call(FAST.with_(log_bytes=1000))
    with pytest.raises(LimitExceeded) as info:
        c.step("E" + json.dumps([["log", "x" * 2000]]) + '\n{"name":"Error","message":"m"}')
    assert info.value.key == "logs_too_large"


@pytest.mark.parametrize(
    "poll",
    [
        forged_poll(5, 1),  # an id the prelude did not hand out
        '[0,[[1,"echo",1],[1,"echo",2]],-1]',  # the same id twice
        '[0,[[1,{"a":1},1]],-1]',  # unhashable name
        '[0,[[1,"echo"]],-1]',
        "[0,[],",  # not JSON
        '[0,[],"soon"]',
        "{}",
        'F[]\n{"key":"no_such_limit","message":"m"}',
        "R[]\n{bad json",
        'R{"a":1}\nnull',  # logs not a list
        'R[["log"]]\nnull',
        "E[]\n[1,2]",
        'E[]\n{"name":1,"message":"m"}',
        "Rno newline",
        "",
        "X[]\nnull",
    ],
)
def test_malformed_polls_are_protocol_errors(bare_call, poll: str) -> None:
    c = bare_call(ops=echo_ops([]))
    with pytest.raises(ProtocolError) as info:
        c.step(poll)
    assert info.value.key == "protocol_error"


def test_host_op_settlement_only_reaches_issued_ids(msb: Sandbox) -> None:
    # the code cannot name the driver's settle; ids come from Python's own list of requests
    seen: list[Any] = []
    src = """export default async () => {
      const a = __sandbox.host("echo", "a"), b = __sandbox.host("echo", "b");
      return [await a, await b];
    }"""
    assert call(msb, src, host_operations=echo_ops(seen)).value == ["a", "b"]


# ------------------------------------------------------------------ 2. no raw Python exception
def test_tampered_to_json_does_not_break_logs_or_errors(msb: Sandbox) -> None:
    r = call(msb, 'export default () => { Object.prototype.toJSON = () => "x"; console.log("a"); return 1 }')
    assert r.value == 1 and [e.message for e in r.logs] == ["a"]
    r = call(msb, 'export default () => { Array.prototype.toJSON = () => 5; console.log("a"); return [1] }')
    assert r.value == 5 and [e.message for e in r.logs] == ["a"]  # what JSON.stringify says in Node too
    with pytest.raises(JSError) as info:
        call(msb, 'export default () => { Object.prototype.toJSON = () => "x"; Array.prototype.toJSON = () => 5; throw new TypeError("boom") }')
    assert info.value.message == "boom" and info.value.name == "TypeError"


@pytest.mark.parametrize(
    "body",
    [
        "return a",
        "throw a",
        "const e = new Error('deep'); e.data = a; throw e",
        "await __sandbox.host('echo', a)",
        "console.log(JSON.stringify(a)); return 1",
    ],
)
def test_deep_nesting_is_a_typed_error(msb: Sandbox, body: str) -> None:
    src = f"export default async () => {{ let a = 1; for (let i = 0; i < 1500; i++) a = [a]; {body} }}"
    try:
        r = call(msb, src, host_operations=echo_ops([]))
    except SandboxError as exc:
        assert isinstance(exc, InvalidResult | JSError), exc
    else:  # a log line is a string: nesting inside it is fine
        assert r.value == 1 and r.logs[0].message.startswith("[[[")


def test_nesting_within_the_limit_round_trips(msb: Sandbox) -> None:
    value: Any = 1
    for _ in range(400):
        value = [value]
    assert call(msb, "export default (x) => x", value).value == value


# ------------------------------------------------------------------ 3. lone surrogates
SURROGATES = ["\ud800", "\udfff", "a\udc00b", "\U0001f600", "\ud83d", "x\ude00\ud83d"]


def test_lone_surrogates_cross_both_ways(msb: Sandbox) -> None:
    async def echo(p: Any) -> Any:
        return "\udfff"

    src = "export default async (x) => [x, await __sandbox.host('e', x), '\\udc00', x.length]"
    for s in SURROGATES:
        assert call(msb, src, s, host_operations={"e": echo}).value == [s, "\udfff", "\udc00", len(s.encode("utf-16-le", "surrogatepass")) // 2]
    r = call(msb, "export default (x) => { console.log(x); throw new Error(x) }".replace("throw", "return x; throw"), "\ud800")
    assert r.value == "\ud800" and r.logs[0].message == "\ud800"


# st.text() never makes surrogates (category Cs), whatever its alphabet: join characters instead
TEXT = st.lists(st.characters(exclude_categories=()) | st.characters(categories=["Cs"]), max_size=8).map("".join)


@settings(max_examples=60, deadline=None)
@given(st.recursive(TEXT | st.integers(-(2**53), 2**53) | st.none(), lambda c: st.lists(c, max_size=3) | st.dictionaries(TEXT, c, max_size=3), max_leaves=8))
@example(["\ud800", {"\udfff": "a\ud83d"}])
def test_any_text_round_trips_including_surrogates(value: Any) -> None:
    # a Python str may hold a high+low surrogate pair as two code points: JSON (and JS) read
    # that as one character, so compare with what JSON makes of the value
    assert call(_SB, "export default (x) => x", value).value == json.loads(json.dumps(value))


_SB = Sandbox(pool_size=0)


def test_cli_prints_surrogates_as_escapes(tmp_path, capsys) -> None:
    from runtime._cli import main

    f = tmp_path / "s.js"
    f.write_text('export default (x) => [x, "\\udc00"]')
    assert main(["js", str(f), "--input", '"\\ud800"']) == 0
    out = capsys.readouterr().out
    out.encode("utf-8")
    assert json.loads(out)["output"] == ["\ud800", "\udc00"]


def test_source_with_lone_surrogate_is_a_syntax_error() -> None:
    with pytest.raises(SandboxError) as info:
        compile_module("export default () => 1\n// \ud800\n", "s.js")
    assert info.value.key == "syntax_error" and info.value.data["line"] == 2


# ------------------------------------------------------------------ 4. BaseException from a host op
class Abort(BaseException):
    pass


@pytest.mark.parametrize("exc", [asyncio.CancelledError, Abort])
def test_host_op_raising_base_exception_is_reraised_at_once(msb: Sandbox, exc: type[BaseException]) -> None:
    async def op(payload: Any) -> Any:
        raise exc()

    t0 = time.monotonic()
    with pytest.raises(exc):
        call(msb, "export default async () => { await __sandbox.host('op', 1); return 1 }", host_operations={"op": op}, limits=FAST.with_(wall_time=5.0))
    assert time.monotonic() - t0 < 2.0
    assert call(msb, "export default () => 2").value == 2


# ------------------------------------------------------------------ 5. the right error
def test_microtask_loop_is_a_time_limit(msb: Sandbox) -> None:
    with pytest.raises(LimitExceeded) as info:
        call(msb, "export default () => { const f = () => Promise.resolve().then(f); return f() }", limits=Limits(cpu_time=0.5))
    assert info.value.key == "time_limit"  # not never_settled: the queue never empties


def test_result_too_big_to_serialise_is_a_limit() -> None:
    sb = Sandbox(pool_size=0)
    with pytest.raises(LimitExceeded) as info:
        call(sb, 'export default () => Array(3e6).fill("abcdefghij")', limits=Limits(memory=64 << 20, cpu_time=5.0))
    assert info.value.key in ("memory_limit", "result_too_large")


def test_code_cannot_throw_a_reserved_key(msb: Sandbox) -> None:
    for key in ("memory_limit", "time_limit", "never_settled", "invalid_result", "protocol_error"):
        with pytest.raises(JSError) as info:
            call(msb, f"export default () => {{ throw Object.assign(new Error('x'), {{key: '{key}'}}) }}")
        assert info.value.key == "js_error" and not isinstance(info.value, LimitExceeded)
    with pytest.raises(JSError) as info:
        call(msb, "export default () => { throw Object.assign(new Error('x'), {key: 'not_found'}) }")
    assert info.value.key == "not_found"


def test_host_error_with_reserved_key_round_trips(msb: Sandbox) -> None:
    from sandbox import HostOperationFailed

    async def op(payload: Any) -> Any:
        raise HostOperationFailed("time_limit", "upstream timed out")

    with pytest.raises(JSError) as info:
        call(msb, "export default async () => { await __sandbox.host('op', 1) }", host_operations={"op": op})
    assert info.value.key == "time_limit" and info.value.message == "upstream timed out"


# ------------------------------------------------------------------ 6. export resolution
def test_methods_of_a_default_export_object(msb: Sandbox) -> None:
    src = "export default { base: 10, findById(x) { return this.base + x }, list() { return 'list' } }"
    assert call(msb, src, 1, export_fallback="findById").value == 11
    assert call(msb, src, 2, export="findById").value == 12
    with pytest.raises(UnknownExport):
        call(msb, src, export="missing")


def test_default_export_class_is_a_clear_error(msb: Sandbox) -> None:
    with pytest.raises(UnknownExport) as info:
        call(msb, "export default class K { run() { return 1 } }")
    assert "is a class, not a function" in info.value.message
    assert call(msb, "export default function klass() { return 'fn' }").value == "fn"


# ------------------------------------------------------------------ 7. stack
RECURSE = "export default (n) => { const f = (n) => n ? f(n - 1) + 1 : 0; return f(n) }"


def test_default_stack_allows_2000_frames_and_overflows_cleanly(msb: Sandbox) -> None:
    assert Limits().stack == DEFAULT_STACK == 4 << 20
    assert call(msb, RECURSE, 2000, limits=Limits()).value == 2000
    with pytest.raises(LimitExceeded) as info:
        call(msb, RECURSE, 10**6, limits=Limits())
    assert info.value.key == "stack_overflow"


def test_stack_overflow_on_a_small_thread_stack_does_not_crash() -> None:
    sb = Sandbox(pool_size=0)
    out: list[Any] = []

    def work() -> None:
        try:
            call(sb, RECURSE, 10**6, limits=Limits())
        except LimitExceeded as exc:
            out.append(exc.key)
        out.append(call(sb, RECURSE, 500, limits=Limits()).value)

    old = threading.stack_size(2 << 20)
    try:
        t = threading.Thread(target=work)
        t.start()
    finally:
        threading.stack_size(old)
    t.join()
    assert out == ["stack_overflow", 500]


# ------------------------------------------------------------------ 8. timers and microtasks
def test_microtasks_run_between_timer_callbacks(msb: Sandbox) -> None:
    src = """export default () => new Promise((done) => {
      const out = [];
      setTimeout(() => { out.push(1); Promise.resolve().then(() => out.push(2)); }, 0);
      setTimeout(() => out.push(3), 0);
      setTimeout(() => { clearTimeout(t5); out.push(4); }, 0);
      const t5 = setTimeout(() => out.push(5), 0);
      setTimeout(() => done(out), 5);
    })"""
    assert call(msb, src).value == [1, 2, 3, 4]


# ------------------------------------------------------------------ 9. Limits validation
@pytest.mark.parametrize(
    ("field", "value"),
    [("cpu_time", float("nan")), ("wall_time", float("inf")), ("host_operations", 10.5), ("log_bytes", 1e6), ("memory", float("nan")), ("stack", 1.0)],
)
def test_limits_reject_nan_inf_and_float_counts(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=field):
        Limits().with_(**{field: value})


def test_cli_time_limit_nan_is_a_json_error(tmp_path, capsys) -> None:
    from runtime._cli import main

    f = tmp_path / "a.js"
    f.write_text("export default () => 1")
    assert main(["js", str(f), "--time-limit", "nan"]) == 1
    err = json.loads(capsys.readouterr().out)["error"]
    assert err["key"] == "invalid_input" and "cpu_time" in err["message"]
    assert main(["js", str(f), "--memory-limit", "inf"]) == 1
    err = json.loads(capsys.readouterr().out)["error"]
    assert err["key"] == "invalid_input" and "memory" in err["message"]


# ------------------------------------------------------------------ 10. CLI error shape
def test_cli_error_is_only_the_error_object_with_name(tmp_path, capsys) -> None:
    from runtime._cli import main

    f = tmp_path / "t.js"
    f.write_text("export default () => {\n  console.log('before');\n  null.x;\n}")
    assert main(["js", str(f)]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert list(payload) == ["error"]
    err = payload["error"]
    assert err["name"] == "TypeError" and err["type"] == "js" and f"{f}:3" in err["stack"]
    assert err["logs"] == [{"level": "log", "message": "before"}]


def test_an_answer_the_binding_cannot_decode_is_a_protocol_error(bare_call) -> None:
    """A lone surrogate in an answer makes the binding raise UnicodeDecodeError; it must come
    out as the sandbox's typed error, never a raw Python exception."""
    from sandbox import ProtocolError

    c = bare_call()
    with pytest.raises(ProtocolError, match="not valid Unicode"):
        c.enter(lambda: b"\xed\xa0\x80".decode("utf-8"))
    assert c.broken


def test_limits_the_engine_cannot_take_are_refused() -> None:
    for bad in ({"memory": 1 << 64}, {"memory": (1 << 40) + 1}, {"cpu_time": 1e7}, {"wall_time": 1e9}):
        with pytest.raises(ValueError):
            Limits(**bad)
    assert Limits(memory=1 << 40, cpu_time=1e6).memory == 1 << 40
