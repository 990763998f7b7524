"""Hostile code: each case raises its typed error, and the next call on the same Sandbox works."""

from __future__ import annotations

import asyncio
import time

import pytest

from sandbox import (
    InvalidResult,
    JSError,
    JSSyntaxError,
    LimitExceeded,
    LimitReason,
    ModuleNotAllowed,
    NeverSettled,
    Sandbox,
    compile_module,
)

from .conftest import FAST

SMALL = FAST.with_(cpu_time=0.3, wall_time=2.0, memory=8 << 20, log_bytes=10_000, result_bytes=100_000, host_operations=50)

LIMIT_CASES = [
    ("infinite loop", "export default () => { for (;;) {} }", LimitReason.TIME),
    ("busy promise chain", "export default () => { const f = () => { Promise.resolve().then(f) }; f(); return new Promise(() => {}) }", LimitReason.TIME),
    ("busy loop after await", "export default async () => { await null; while (true) {} }", LimitReason.TIME),
    ("array bomb", "export default () => { const a = []; for (;;) a.push(new Array(1e5).fill(1)) }", LimitReason.MEMORY),
    ("string bomb", "export default () => { const a = []; for (;;) a.push('x'.repeat(1e5) + a.length) }", LimitReason.MEMORY),
    ("object graph bomb", "export default () => { let o = {}; for (let i = 0;; i++) o = {next: o, i, pad: [i, i, i]} }", LimitReason.MEMORY),
    ("deep recursion", "function f(n) { return f(n + 1) + 1 }\nexport default () => f(0)", LimitReason.STACK),
    ("huge log", "export default () => { for (;;) console.log('x'.repeat(1000)) }", LimitReason.LOGS),
    ("huge log caught", "export default () => { try { for (let i = 0; i < 1e4; i++) console.log('y'.repeat(1000)) } catch (e) {} return 1 }", LimitReason.LOGS),
    ("huge result", "export default () => 'z'.repeat(200000)", LimitReason.RESULT),
    ("host flood", "export default () => Promise.all(Array.from({length: 100}, () => __sandbox.host('op', 1)))", LimitReason.HOST_OPERATIONS),
    ("wall clock", "export default () => new Promise((r) => setTimeout(r, 10000))", LimitReason.WALL_TIME),
    ("interval forever", "export default () => new Promise(() => setInterval(() => {}, 1))", LimitReason.WALL_TIME),
]


async def _op(payload):
    await asyncio.sleep(0)
    return payload


def _assert_next_call_works(sb: Sandbox) -> None:
    ok = compile_module("export default (x) => ({ok: x, proto: typeof Array.prototype.push, json: JSON.stringify([1])})", "ok.js")
    assert sb.call_sync(ok, args=[1], limits=SMALL).value == {"ok": 1, "proto": "function", "json": "[1]"}


@pytest.mark.parametrize("name, source, reason", LIMIT_CASES, ids=[c[0] for c in LIMIT_CASES])
def test_limits(sb: Sandbox, name: str, source: str, reason: LimitReason) -> None:
    limits = SMALL.with_(wall_time=0.5) if reason is LimitReason.WALL_TIME else SMALL
    with pytest.raises(LimitExceeded) as info:
        sb.call_sync(compile_module(source, "hostile.js"), limits=limits, host_operations={"op": _op})
    assert info.value.reason is reason and info.value.key == reason.value
    _assert_next_call_works(sb)


@pytest.mark.parametrize(
    "source",
    [
        "export default () => { const o = {}; o.o = o; return o }",
        "export default () => ({f() {}})",
        "export default () => 10n",
        "export default () => ({n: 1n})",
        "export default () => Symbol('s')",
    ],
)
def test_invalid_results(sb: Sandbox, source: str) -> None:
    with pytest.raises(InvalidResult) as info:
        sb.call_sync(compile_module(source, "m.js"), limits=SMALL)
    assert info.value.key == "invalid_result"
    _assert_next_call_works(sb)


def test_never_settling_promise(sb: Sandbox) -> None:
    with pytest.raises(NeverSettled) as info:
        sb.call_sync(compile_module("export default () => new Promise(() => {})", "m.js"), limits=SMALL)
    assert info.value.key == "never_settled"
    _assert_next_call_works(sb)


@pytest.mark.parametrize(
    "tamper",
    [
        "Array.prototype.push = () => { throw new Error('tampered') }; JSON.stringify = () => '\"owned\"'; Object.keys = null",
        "console.log = () => {}; globalThis.require = () => ({}); __sandbox.defineModule('crypto', {evil: 1})",
        "Promise.prototype.then = function () { return this }; Function.prototype.call = null",
        "globalThis.leak = 'secret'; setTimeout(() => { globalThis.late = 1 }, 1); setInterval(() => {}, 5)",
        "Object.defineProperty(Object.prototype, 'polluted', {value: 1, enumerable: true}); Error.prototype.toString = null",
    ],
)
def test_tampering_does_not_reach_the_next_call(sb: Sandbox, tamper: str) -> None:
    src = f"export default () => {{ {tamper}; return 'done' }}"
    try:
        sb.call_sync(compile_module(src, "evil.js"), limits=SMALL)
    except (JSError, InvalidResult, NeverSettled, LimitExceeded):
        pass  # breaking its own call is allowed; affecting the next one is not
    check = compile_module(
        "import {createHash} from 'crypto';\nexport default () => { const a = []; a.push(1); console.log('ok');"
        " return [typeof globalThis.leak, typeof globalThis.late, ({}).polluted, createHash('md5').update('').digest('hex'), Object.keys({x: 1}), a] }",
        "check.js",
    )
    r = sb.call_sync(check, limits=SMALL)
    assert r.value == ["undefined", "undefined", None, "d41d8cd98f00b204e9800998ecf8427e", ["x"], [1]]
    assert [e.message for e in r.logs] == ["ok"]


@pytest.mark.parametrize(
    "source, expected",
    [
        ("export default () => typeof process", "undefined"),
        ("export default () => Function('return this')() === globalThis", True),
        ("export default () => typeof Function('return this')().require('crypto').createHash", "function"),
        ("export default () => Object.getOwnPropertyNames(globalThis).filter((k) => /^(python|os|std|process|sys)$/i.test(k))", []),
        ("export default () => [typeof std, typeof os, typeof scriptArgs, typeof print, typeof load]", ["undefined"] * 5),
        ("export default () => { const seen = new Set(); const walk = (o, d) => { if (!o || d > 3 || seen.has(o)) return; seen.add(o);"
         " for (const k of Reflect.ownKeys(o)) { try { walk(o[k], d + 1) } catch (e) {} } }; walk(globalThis, 0); return [...seen].some((o) => { try { return String(o).includes('Python') } catch (e) { return false } }) }", False),
    ],
)
def test_no_way_to_the_host(run, source: str, expected: object) -> None:
    assert run(source) == expected


def test_require_and_import_of_host_modules(sb: Sandbox) -> None:
    for src in (
        "export default () => require('fs').readFileSync('/etc/passwd')",
        "export default () => Function('return this')().require('child_process')",
        "export default async () => import('os')",
    ):
        with pytest.raises(ModuleNotAllowed):
            sb.call_sync(compile_module(src, "m.js"), limits=SMALL)
        _assert_next_call_works(sb)


def test_limit_error_carries_stack(sb: Sandbox) -> None:
    with pytest.raises(LimitExceeded) as info:
        sb.call_sync(compile_module("function f(n) { return f(n + 1) + 1 }\nexport default () => f(0)", "deep.js"), limits=SMALL)
    assert info.value.reason is LimitReason.STACK


ESCAPES = [
    # closes the module's function and grabs the driver before the prelude hides it
    "});\nglobalThis.stolen = globalThis.__sb_driver;\n(async function (exports, module, require, __sb_import, __sb_done) {\n",
    # ... or loops forever where no time limit applies
    "});\nfor (;;) {}\n(function () {\n",
    # balanced again at the end, so the whole text still parses
    "});\nglobalThis.escaped = 1;\n(function () { {}\n",
    # a template literal and a comment are no way around it either
    "`${'});'}`; /* }); */ }); globalThis.escaped = 2; (function () {\n",
    # ... nor replacing what the check measures the wrapper with
    "});\nFunction.prototype.toString = function () { return 'x'.repeat(100000) };\n(function () {\n",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_code_cannot_escape_the_module_function(source: str) -> None:
    """A module whose text closes the function it is loaded in is refused at compile time (its
    top-level code would otherwise run without the call's time limit)."""
    t = time.monotonic()
    with pytest.raises(JSSyntaxError) as info:
        compile_module(source, "escape.js")
    assert info.value.filename == "escape.js" and "closes the function it is loaded in" in info.value.message
    assert time.monotonic() - t < 10


@pytest.mark.parametrize(
    "source, value",
    [
        ("if (1) {}\n/}/.test('}') ? 1 : 0\nexport default () => 'regex after a block'", "regex after a block"),
        ("const o = {}\nconst x = 4 / 2 /1\nexport default () => x", 2),
        ("export default () => `${'}'}${')'}`.length", 2),
    ],
)
def test_legitimate_brackets_in_strings_regexes_and_templates_compile(sb: Sandbox, source: str, value: object) -> None:
    assert sb.call_sync(compile_module(source, "ok.js"), limits=SMALL).value == value


# Code that replaces what turning an error into text runs (toString, Symbol.toPrimitive, name,
# the stack getter) and then runs out of a limit: the binding converts the escaping error after
# removing its own time limit, with the GIL held; this froze the whole process before the
# sandbox kept its own interrupt handler in force (sandbox/_interrupt.py).
CONVERSION_TRAPS = [
    ("toString", "Error.prototype.toString = function () { for (;;) {} }", "for (;;) {}", ["time_limit"]),
    ("InternalError toString", "InternalError.prototype.toString = function () { for (;;) {} }", "for (;;) {}", ["time_limit"]),
    ("stack getter", "Object.defineProperty(Error.prototype, 'stack', {get() { for (;;) {} }})", "for (;;) {}", ["time_limit"]),
    ("toPrimitive", "Object.prototype[Symbol.toPrimitive] = function () { for (;;) {} }", "for (;;) {}", ["time_limit"]),
    ("name getter", "Object.defineProperty(InternalError.prototype, 'name', {get() { for (;;) {} }})", "for (;;) {}", ["time_limit"]),
    ("forged text", "Error.prototype.toString = function () { return 'RangeError: fine' }", "for (;;) {}", ["time_limit"]),
    ("after await", "Error.prototype.toString = function () { for (;;) {} }", "await null; for (;;) {}", ["time_limit"]),
    ("out of memory", "Error.prototype.toString = function () { for (;;) {} }", "const a = []; for (;;) a.push('x'.repeat(1e5) + a.length)", ["memory_limit", "time_limit"]),
    ("stack overflow", "RangeError.prototype.toString = function () { for (;;) {} }; Object.defineProperty(RangeError.prototype, 'message', {get() { for (;;) {} }})",
     "const f = (n) => f(n + 1) + 1; f(0)", ["stack_overflow", "time_limit"]),
]

_TRAP_RUNNER = """
import json, sys
import sandbox._sandbox as impl
from sandbox import Limits, LimitExceeded, Sandbox, compile_module
from sandbox._interrupt import Interrupts, _proves_itself
if sys.argv[1] == "callback":
    impl.INTERRUPTS = Interrupts(None)
    assert _proves_itself(impl.INTERRUPTS)
assert impl.INTERRUPTS is not None
cases = json.loads(sys.argv[2])
with Sandbox() as sb:
    for name, setup, body in cases:
        module = compile_module(f"export default async () => {{ {setup}; {body} }}", "trap.js")
        try:
            sb.call_sync(module, limits=Limits(cpu_time=0.3, wall_time=5.0, memory=16 << 20))
            key = "no error"
        except LimitExceeded as exc:
            key = exc.key
        except Exception as exc:
            key = type(exc).__name__
        ok = sb.call_sync(compile_module("export default () => String(new Error('e'))", "after.js")).value
        print(json.dumps([name, key, ok]), flush=True)
"""


@pytest.mark.parametrize("handler", ["native", "callback"])
def test_turning_an_error_into_text_stays_under_the_time_limit(handler: str) -> None:
    import json
    import subprocess
    import sys

    import sandbox._interrupt as interrupt

    if interrupt.INTERRUPTS is None:
        pytest.fail("this binding build gives the sandbox no interrupt handler of its own")
    if handler == "native" and not interrupt.INTERRUPTS.native:
        pytest.skip("the binding's C handler is not found on this platform (the callback runs instead)")
    cases = [[name, setup, body] for name, setup, body, _ in CONVERSION_TRAPS]
    try:  # in a child process: a regression hangs that process, not the test run
        out = subprocess.run([sys.executable, "-c", _TRAP_RUNNER, handler, json.dumps(cases)], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"a trap hung the process; finished before it: {exc.stdout!r}")
    assert out.returncode == 0, out.stderr[-2000:]
    got = [json.loads(line) for line in out.stdout.splitlines()]
    assert [g[0] for g in got] == [c[0] for c in CONVERSION_TRAPS]
    for (name, key, after), (_, _, _, expected) in zip(got, CONVERSION_TRAPS, strict=True):
        assert key in expected, (name, key)
        assert after == "Error: e", name  # a fresh context for the next call: the tampering is gone


@pytest.mark.parametrize("alone", [True, False], ids=["one operation", "two operations"])
def test_cpu_the_host_spends_between_entries_is_not_the_calls(sb: Sandbox, alone: bool) -> None:
    """The CPU budget counts JavaScript: a host operation burning more CPU than the call's limit
    (here 0.4 s of Python against 0.3 s) leaves the call's next entries their whole budget."""

    async def burn(payload: object) -> object:
        end = time.thread_time() + 0.4
        while time.thread_time() < end:
            pass
        return payload

    source = (
        "export default async () => { const a = await __sandbox.host('burn', 1); let n = 0; for (let i = 0; i < 1e5; i++) n += i; return [a, n] }"
        if alone
        else "export default async () => { const [a, b] = await Promise.all([__sandbox.host('burn', 1), __sandbox.host('burn', 2)]);"
        " let n = 0; for (let i = 0; i < 1e5; i++) n += i; return [a + b, n] }"
    )
    out = sb.call_sync(compile_module(source, "burn.js"), host_operations={"burn": burn}, limits=SMALL.with_(wall_time=5.0))
    assert out.value == [1 if alone else 3, 4999950000]
    assert out.stats.cpu_time < 0.3


def test_code_cannot_pass_its_own_error_off_as_a_time_out(sb: Sandbox) -> None:
    with pytest.raises(JSError) as info:
        sb.call_sync(compile_module("export default () => { throw new InternalError('interrupted') }", "fake.js"), limits=SMALL)
    assert info.value.message == "interrupted" and not isinstance(info.value, LimitExceeded)


def test_escaped_code_that_times_out_with_a_trap_does_not_hang_the_check() -> None:
    """The syntax check runs what escapes the wrapper (to see it escaped): a replaced `toString`
    plus an endless loop froze the process there too, under the binding's own time limit."""
    import subprocess
    import sys

    source = "export default () => 1\n}); Error.prototype.toString = function () { for (;;) {} }; for (;;) {} (function () {"
    script = "import sys; from sandbox import compile_module, JSSyntaxError\ntry:\n    compile_module(sys.argv[1], 'evil.js')\nexcept JSSyntaxError as e:\n    print('refused', e.line)"
    try:
        out = subprocess.run([sys.executable, "-c", script, source], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("compile_module hung")
    assert out.stdout.strip() == "refused 1", out.stderr[-2000:]
