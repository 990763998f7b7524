"""The sandbox: one QuickJS context per call, host operations as messages, limits on everything.

A call goes like this (ARCHITECTURE decisions 1 and 6):

1. a fresh context is made (QuickJS runtime + prelude + extensions) or taken from a pool of
   pristine ones; a context serves exactly one call and is dropped after it, so nothing one
   call leaves behind (globals, patched prototypes, timers) can be seen by another, and a
   context that hit a limit is never reused. Compiling JS is QuickJS's slow part (~0.1-0.3 µs
   per byte here), so the prelude's core is small and its larger parts (Buffer, URL, crypto,
   fetch, console formatting) are compiled on first use inside the call that needs them;
2. the module function is evaluated and the chosen export is called through the prelude's
   driver; the JS job queue is drained, each entry into the engine under the CPU time limit
   (the binding restarts its limit on every entry, so the call's total is tracked here);
3. while the result promise is pending, the driver reports queued host-operation requests and
   the next timer; Python runs the requests concurrently on asyncio, settles their promises
   with JSON, fires due timers, and drains again; no request and no timer left means the
   promise can never settle;
4. the result leaves as one JSON string, with the logs and the stats.

Timers run on real time, driven by the event loop: connectors use `setTimeout` for backoff
and polling delays against real APIs, which only works if the delay really passes; the
wall-time limit bounds them. Host operations are started eagerly: a coroutine that finishes
without suspending settles at once, one that suspends continues as an asyncio task.

Only strings and numbers cross the wall: arguments and host-operation results go in as JSON text
and are parsed by JS; no Python callable is ever registered in the context.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import re
import threading
import time
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

# The C extension itself: the `quickjs` package's __init__ also starts a (non-daemon) thread
# pool for its `Function` helper at import time, which the sandbox does not use.
import _quickjs as quickjs

from ._errors import (
    InvalidResult,
    JSError,
    JSSyntaxError,
    LimitExceeded,
    LimitReason,
    ModuleNotAllowed,
    NeverSettled,
    SandboxError,
    UnknownExport,
)
from ._models import JSON, CallResult, CallStats, HostOp, Limits, LogEntry
from ._rewrite import Module, rewrite

__all__ = ["PRELUDE_FILENAME", "Sandbox", "compile_module"]

PRELUDE_FILENAME = "sandbox:prelude.js"
_FILES = resources.files(__package__)
_PRELUDE = _FILES.joinpath("prelude.js").read_text(encoding="utf-8")
_PRELUDE_LINES = _PRELUDE.count("\n") + 1
#: parts of the prelude evaluated on first use (in this order of arguments to the prelude)
_LIB_NAMES = ("support", "timers", "encoding", "clone", "url", "crypto", "fetch")
_LIBS = {name: _FILES.joinpath(f"lib_{name}.js").read_text(encoding="utf-8") for name in _LIB_NAMES}
_DEFAULT_LIMITS = Limits()
_FRAME = re.compile(r"<input>:(\d+)(?::(\d+))?")
_SYNTAX_AT = re.compile(r"<input>:(\d+)(?::(\d+))?")


def _line_base(module_lines: int) -> int:
    """Prelude and extension code is evaluated below this many blank lines, so a stack frame's
    line number alone says whose code it is (the binding names every source `<input>`)."""
    need = module_lines + 2
    base = 256
    while base < need:
        base *= 2
    return base


def _check_syntax(code: str, filename: str, header_length: int) -> None:
    ctx = quickjs.Context()
    ctx.set_memory_limit(256 << 20)
    try:
        ctx.eval(code)
    except quickjs.JSException as exc:
        text = str(exc)
        first = text.split("\n", 1)[0]
        m = _SYNTAX_AT.search(text)
        line = int(m.group(1)) if m else 1
        column = int(m.group(2)) if m and m.group(2) else None
        if line == 1 and column is not None:
            column = max(1, column - header_length)
        message = first.removeprefix("SyntaxError: ")
        raise JSSyntaxError(filename, line, message, column=column) from None


def compile_module(source: str, filename: str) -> Module:
    """Rewrite imports/exports and syntax-check a JS file; raises JSSyntaxError(filename, line).

    Done once per file at load time; the result is immutable and shared by every call.
    """
    if "\x00" in source:
        raise JSSyntaxError(filename, 1, "source contains a NUL character")
    code, esm, imports, exports, header_length = rewrite(source, filename)
    _check_syntax(code, filename, header_length)
    return Module(
        filename=filename,
        source=source,
        code=code,
        line_count=source.count("\n") + 1,
        esm=esm,
        imports=imports,
        exports=exports,
        header_length=header_length,
    )


class _Segments:
    """Maps engine line numbers back to (file, line) for stack traces."""

    def __init__(self, base: int, extensions: Sequence[tuple[str, str]]) -> None:
        self.base = base
        self.ranges: list[tuple[int, int, str]] = [(base + 1, base + _PRELUDE_LINES, PRELUDE_FILENAME)]
        first = base + _PRELUDE_LINES + 1
        #: blank lines to put before each lib part and each extension
        self.offsets: dict[str, int] = {}
        for name in _LIB_NAMES:
            lines = _LIBS[name].count("\n") + 1
            self.offsets[name] = first - 1
            self.ranges.append((first, first + lines - 1, f"sandbox:lib_{name}.js"))
            first += lines
        self.extension_offsets: list[int] = []
        for name, src in extensions:
            lines = src.count("\n") + 1
            self.extension_offsets.append(first - 1)
            self.ranges.append((first, first + lines - 1, name))
            first += lines
        self.lib_lines_json = json.dumps(self.offsets)

    def locate(self, line: int) -> tuple[str | None, int]:
        for first, last, name in self.ranges:
            if first <= line <= last:
                return name, line - first + 1
        return None, line


class Sandbox:
    """Runs connector modules in QuickJS; every call gets a context no other call has touched.

    `extensions` are (filename, source) scripts run after the prelude in every context; they
    may define globals (e.g. a `wrapper` function) and modules (`__sandbox.defineModule`).

    `pool_size` > 0 starts one background thread that keeps that many *pristine* contexts
    (prelude and extensions evaluated, no connector code run) ready for modules of up to 254
    lines. A call takes one and drops it afterwards, so isolation is the same as building it
    inline; the build (most of a call's cost: compiling the prelude) moves off the caller's
    path and, QuickJS releasing the GIL, onto another core. Contexts are handed from the
    builder thread to the caller, never used by two threads at once (the binding re-reads the
    stack top on every entry). Call `close()` (or use `with`) to stop the thread.
    """

    def __init__(self, extensions: Sequence[tuple[str, str]] = (), *, pool_size: int = 0) -> None:
        self._extensions = tuple((str(name), str(src)) for name, src in extensions)
        for name, src in self._extensions:
            _check_syntax("(function () {" + src + "\n})", name, len("(function () {"))
        self._segments: dict[int, _Segments] = {}
        self._closed = False
        self._pool: queue.Queue[tuple[Any, Any]] | None = None
        self._builder: threading.Thread | None = None
        if pool_size > 0:
            self._pool = queue.Queue(maxsize=pool_size)
            seg = self._segments_for(_line_base(1))
            self._builder = threading.Thread(target=self._fill_pool, args=(seg,), name="sandbox-pool", daemon=True)
            self._builder.start()

    def _fill_pool(self, seg: _Segments) -> None:
        pool = self._pool
        assert pool is not None
        while not self._closed:
            try:
                item = self._new_context(seg)
            except Exception:
                return  # calls build inline and report the error themselves
            while not self._closed:
                try:
                    pool.put(item, timeout=0.05)
                    break
                except queue.Full:
                    continue

    def __repr__(self) -> str:
        return f"Sandbox(extensions={[n for n, _ in self._extensions]})"

    def close(self) -> None:
        """Stop the pool thread and drop pooled contexts; later calls raise RuntimeError."""
        self._closed = True
        if self._builder is not None:
            self._builder.join()
            self._builder = None
        if self._pool is not None:
            while True:
                try:
                    self._pool.get_nowait()
                except queue.Empty:
                    break

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ contexts
    def _segments_for(self, base: int) -> _Segments:
        seg = self._segments.get(base)
        if seg is None:
            seg = self._segments[base] = _Segments(base, self._extensions)
        return seg

    def _context_for(self, seg: _Segments) -> tuple[Any, Any]:
        if self._pool is not None and seg.base == 256:
            try:
                return self._pool.get_nowait()
            except queue.Empty:
                pass
        return self._new_context(seg)

    def _new_context(self, seg: _Segments) -> tuple[Any, Any]:
        ctx = quickjs.Context()
        ctx.set_time_limit(2.0)  # trusted code, but never unbounded
        make_driver = ctx.eval("\n" * seg.base + _PRELUDE)
        driver = make_driver(*(_LIBS[name] for name in _LIB_NAMES), seg.lib_lines_json)
        for (name, src), offset in zip(self._extensions, seg.extension_offsets, strict=True):
            try:
                ctx.eval("\n" * offset + src)
            except quickjs.JSException as exc:
                first = str(exc).split("\n", 1)[0]
                raise SandboxError(f"extension {name} failed while setting up the context: {first}", key="extension_error") from None
        return ctx, driver

    # ------------------------------------------------------------------ calls
    def _prepare(
        self,
        module: Module,
        export: str | None,
        export_fallback: str | None,
        args: Sequence[JSON],
        host_operations: Mapping[str, HostOp],
        limits: Limits | None,
        wrapper: str | None,
    ) -> _Call:
        if self._closed:
            raise RuntimeError("this Sandbox is closed")
        if not isinstance(module, Module):
            raise TypeError(f"expected a sandbox.Module from compile_module(), got {type(module).__name__}")
        args_json = json.dumps(list(args), ensure_ascii=False, allow_nan=False)
        base = _line_base(module.line_count)
        return _Call(
            self,
            module,
            base,
            args_json,
            export,
            export_fallback,
            wrapper,
            dict(host_operations),
            limits or _DEFAULT_LIMITS,
        )

    async def call(
        self,
        module: Module,
        *,
        export: str | None = None,
        export_fallback: str | None = None,
        args: Sequence[JSON] = (),
        host_operations: Mapping[str, HostOp] | None = None,
        limits: Limits | None = None,
        wrapper: str | None = None,
    ) -> CallResult:
        """Call an export of `module` with JSON `args` and return its JSON result.

        export: that export (error if missing); else the default export; else `export_fallback`;
        else the only exported function. wrapper: a global function (from an extension) called
        as `wrapper(fn, ...args)` instead of `fn(...args)`.
        """
        c = self._prepare(module, export, export_fallback, args, host_operations or {}, limits, wrapper)
        try:
            status = c.begin()
            while True:
                done = c.step(status)
                if done is not None:
                    return done
                status = await c.wait()
        except SandboxError as exc:
            exc.logs = c.salvage_logs()
            raise
        finally:
            await c.cancel_tasks()

    def call_sync(
        self,
        module: Module,
        *,
        export: str | None = None,
        export_fallback: str | None = None,
        args: Sequence[JSON] = (),
        host_operations: Mapping[str, HostOp] | None = None,
        limits: Limits | None = None,
        wrapper: str | None = None,
    ) -> CallResult:
        """`call` for scripts and the CLI; an event loop is started only if the code awaits the host."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise RuntimeError("call_sync() was called inside a running event loop; use 'await sandbox.call(...)'")
        c = self._prepare(module, export, export_fallback, args, host_operations or {}, limits, wrapper)
        try:
            status = c.begin()
            done = c.step(status)
            if done is not None:
                return done
        except SandboxError as exc:
            exc.logs = c.salvage_logs()
            raise

        async def rest() -> CallResult:
            try:
                st = await c.wait()
                while True:
                    result = c.step(st)
                    if result is not None:
                        return result
                    st = await c.wait()
            except SandboxError as exc:
                exc.logs = c.salvage_logs()
                raise
            finally:
                await c.cancel_tasks()

        return asyncio.run(rest())


class _Call:
    """The state of one call: its context, budget and in-flight host operations."""

    def __init__(
        self,
        sandbox: Sandbox,
        module: Module,
        base: int,
        args_json: str,
        export: str | None,
        fallback: str | None,
        wrapper: str | None,
        host_operations: dict[str, HostOp],
        limits: Limits,
    ) -> None:
        self.module = module
        self.segments = sandbox._segments_for(base)
        self.limits = limits
        self.host_operations = host_operations
        self.args_json = args_json
        self.export = export
        self.fallback = fallback
        self.wrapper = wrapper
        self.cpu = 0.0
        self.host_count = 0
        self.memory_peak = 0
        self.tasks: dict[asyncio.Future[Any], tuple[int, str]] = {}
        self.started = time.monotonic()
        self.deadline = self.started + limits.wall_time
        self.ctx, self.driver = sandbox._context_for(self.segments)
        self.ctx.set_memory_limit(limits.memory)
        self.ctx.set_max_stack_size(limits.stack)
        self.broken = False
        self.pending_status: list[Any] | None = None
        self.to_start: list[tuple[int, str, HostOp, Any]] = []
        self.done: list[asyncio.Future[Any]] = []
        self.waker: asyncio.Future[None] | None = None
        self.last_memory_sample = 0.0

    # -------------------------------------------------------------- entering the engine
    def enter(self, fn: Any, *args: Any) -> Any:
        cpu_left = self.limits.cpu_time - self.cpu
        wall_left = self.deadline - time.monotonic()
        if cpu_left <= 0:
            raise self.time_limit(wall=False)
        if wall_left <= 0:
            raise self.time_limit(wall=True)
        self.ctx.set_time_limit(min(cpu_left, wall_left))
        t0 = time.thread_time()
        try:
            result = fn(*args)
        except quickjs.JSException as exc:
            self.cpu += time.thread_time() - t0
            self.broken = True
            raise self.engine_error(exc) from exc
        self.cpu += time.thread_time() - t0
        return result

    def time_limit(self, *, wall: bool) -> LimitExceeded:
        self.broken = True
        if self.cpu >= self.limits.cpu_time * 0.98:
            return LimitExceeded(LimitReason.TIME, f"the call used more than its CPU time limit of {self.limits.cpu_time:g} s")
        if wall or time.monotonic() >= self.deadline - 0.001:
            return LimitExceeded(LimitReason.WALL_TIME, f"the call ran longer than its wall-time limit of {self.limits.wall_time:g} s")
        return LimitExceeded(LimitReason.TIME, f"the call used more than its CPU time limit of {self.limits.cpu_time:g} s")

    def engine_error(self, exc: quickjs.JSException) -> SandboxError:
        text = str(exc)
        first = text.split("\n", 1)[0]
        stack = self.map_stack(text.split("\n", 1)[1]) if "\n" in text else None
        if isinstance(exc, quickjs.StackOverflow) or "stack size exceeded" in first or "stack overflow" in first:
            return LimitExceeded(LimitReason.STACK, f"JavaScript stack overflow (limit {self.limits.stack} bytes)", stack=stack)
        if "interrupted" in first:
            return self.time_limit(wall=False)
        if "out of memory" in first or first in ("null", "InternalError: null", ""):
            return LimitExceeded(LimitReason.MEMORY, f"the call used more than its memory limit of {self.limits.memory} bytes")
        return SandboxError(f"JavaScript engine error: {first}", key="engine_error", stack=stack)

    def drain(self) -> None:
        execute = self.ctx.execute_pending_job
        while self.enter(execute):
            pass

    def poll(self) -> list[Any]:
        return json.loads(self.enter(self.driver, "poll"))

    # -------------------------------------------------------------- the call
    def begin(self) -> list[Any]:
        limits = self.limits
        self.enter(
            self.driver,
            "init",
            os.urandom(32).hex(),
            json.dumps(
                {
                    "host_operations": limits.host_operations,
                    "log_bytes": limits.log_bytes,
                    "result_bytes": limits.result_bytes,
                }
            ),
        )
        modfn = self.enter(self.ctx.eval, self.module.code)
        self.enter(self.driver, "start", modfn, self.args_json, self.export, self.fallback, self.wrapper, self.module.esm)
        self.drain()
        return self.poll()

    def step(self, status: list[Any]) -> CallResult | None:
        """Act on a poll: return the result, raise the error, or queue host operations (None)."""
        kind = status[0]
        if kind == 1:
            return self.finish()
        if kind == 2:
            raise self.js_error(json.loads(self.enter(self.driver, "error")))
        if kind == 3:
            fatal = json.loads(self.enter(self.driver, "fatal"))
            raise LimitExceeded(LimitReason(fatal["key"]), fatal["message"])
        requests, delay = status[1], status[2]
        self.pending_status = status
        for req_id, name, payload in requests:
            self.host_count += 1
            op = self.host_operations.get(name)
            if op is None:
                self.settle(
                    req_id,
                    False,
                    {"key": "unknown_host_operation", "message": f"host operation '{name}' is not available in this call"},
                )
                continue
            self.to_start.append((req_id, name, op, payload))
        return None

    async def wait(self) -> list[Any]:
        """Start queued host operations, wait for one (or a timer, or the deadline), settle, drain."""
        status = self.pending_status
        assert status is not None
        delay = status[2]
        loop = asyncio.get_running_loop()
        for req_id, name, op, payload in self.to_start:
            self.start_operation(loop, req_id, name, op, payload)
        self.to_start.clear()
        if self.settled_any:
            self.settled_any = False
            self.drain()
            return self.poll()
        if not self.tasks and delay < 0:
            raise NeverSettled("the returned promise can never settle: nothing it waits for is pending (no host operation, no timer)")
        now = time.monotonic()
        if now - self.last_memory_sample > 0.05:  # memory() walks the heap: not on every round
            self.last_memory_sample = now
            self.sample_memory()
        timeout = self.deadline - now
        if delay >= 0:
            timeout = min(timeout, delay / 1000.0)
        if not self.done:
            waker = self.waker = loop.create_future()
            handle = loop.call_later(max(0.0, timeout), _wake, waker)
            try:
                await waker
            finally:
                handle.cancel()
                self.waker = None
        if time.monotonic() >= self.deadline:
            raise self.time_limit(wall=True)
        done, self.done = self.done, []
        for task in done:
            req_id, name = self.tasks.pop(task)
            exc = task.exception()
            if exc is None:
                self.settle_result(req_id, name, task.result())
            elif isinstance(exc, _HostOperationFailed):
                self.settle(req_id, False, {"key": exc.key, "message": exc.message, "data": _json_safe(exc.data)})
            else:
                raise exc
        if delay >= 0:
            self.enter(self.driver, "runTimers")
        self.settled_any = False
        self.drain()
        return self.poll()

    def start_operation(self, loop: asyncio.AbstractEventLoop, req_id: int, name: str, op: HostOp, payload: Any) -> None:
        """Run the operation's coroutine eagerly: one that finishes without suspending (a cache,
        a log) settles at once, without a trip through the event loop; one that suspends goes
        on as a task from where it stopped."""
        coro = op(payload)
        try:
            first = coro.send(None)  # type: ignore[union-attr]
        except StopIteration as stop:
            self.settle_result(req_id, name, stop.value)
            return
        except _HostOperationFailed as exc:
            self.settle(req_id, False, {"key": exc.key, "message": exc.message, "data": _json_safe(exc.data)})
            return
        except AttributeError:
            # not a coroutine (an awaitable of another kind): let asyncio drive it
            task: asyncio.Future[Any] = asyncio.ensure_future(coro)
        else:
            task = loop.create_task(_resume(coro, first))
        self.tasks[task] = (req_id, name)
        task.add_done_callback(self.on_done)

    def on_done(self, task: asyncio.Future[Any]) -> None:
        if task not in self.tasks:
            return  # cancelled at the end of the call
        self.done.append(task)
        waker = self.waker
        if waker is not None and not waker.done():
            waker.set_result(None)

    settled_any = False

    def settle(self, req_id: int, ok: bool, value: Any) -> None:
        self.enter(self.driver, "settle", req_id, ok, json.dumps(value, ensure_ascii=False))
        self.settled_any = True

    def settle_result(self, req_id: int, name: str, value: Any) -> None:
        try:
            text = json.dumps(value, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"host operation {name!r} returned a value that is not JSON: {exc}") from exc
        self.enter(self.driver, "settle", req_id, True, text)
        self.settled_any = True

    async def cancel_tasks(self) -> None:
        if not self.tasks:
            return
        tasks = list(self.tasks)
        self.tasks.clear()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def sample_memory(self) -> None:
        try:
            used = self.ctx.memory()["malloc_size"]
        except Exception:  # pragma: no cover - a broken context reports nothing
            return
        if used > self.memory_peak:
            self.memory_peak = used

    def finish(self) -> CallResult:
        text = self.enter(self.driver, "result")
        if text[:1] == "!":
            raise self.js_error(json.loads(text[1:]))
        limit = self.limits.result_bytes
        if len(text) > limit or (len(text) * 3 > limit and len(text.encode("utf-8")) > limit):
            raise LimitExceeded(LimitReason.RESULT, f"the result is larger than {limit} bytes")
        value = json.loads(text)
        logs = self.logs()
        self.sample_memory()
        stats = CallStats(
            cpu_time=self.cpu,
            wall_time=time.monotonic() - self.started,
            memory_peak=self.memory_peak,
            host_operations=self.host_count,
        )
        return CallResult(value=value, logs=logs, stats=stats)

    def logs(self) -> list[LogEntry]:
        return [LogEntry(level, message) for level, message in json.loads(self.enter(self.driver, "logs"))]

    def salvage_logs(self) -> list[LogEntry]:
        """Logs of a failed call, if the context can still give them (after a limit it may not)."""
        if self.broken:
            return []
        try:
            return self.logs()
        except Exception:
            return []

    def oom_null(self) -> bool:
        """Whether a thrown `null` is the engine's out-of-memory signal rather than `throw null`.

        By the time the error is seen the memory is usually freed again (reference counting),
        so this is a heuristic: memory near the limit, or no literal `throw null` in the source.
        """
        self.sample_memory()
        if self.memory_peak >= self.limits.memory // 2:
            return True
        return _THROW_NULL.search(self.module.source) is None

    # -------------------------------------------------------------- errors out of JS
    def map_stack(self, stack: str | None) -> str | None:
        if not stack:
            return stack
        module = self.module
        segments = self.segments

        def repl(m: re.Match[str]) -> str:
            line = int(m.group(1))
            col = int(m.group(2)) if m.group(2) else None
            if line <= segments.base:
                if line == 1 and col is not None:
                    col = max(1, col - module.header_length)
                name = module.filename
            else:
                found, line = segments.locate(line)
                name = found or "<sandbox>"
            return f"{name}:{line}" + (f":{col}" if col is not None else "")

        return _FRAME.sub(repl, stack).rstrip("\n")

    def js_error(self, d: dict[str, Any]) -> SandboxError:
        name = d.get("name") or "Error"
        message = d.get("message") or ""
        stack = self.map_stack(d.get("stack"))
        key = d.get("key")
        if d.get("internal"):
            if key == "module_not_allowed":
                module = (d.get("data") or {}).get("module", "")
                return ModuleNotAllowed(message, module=module, name=name, stack=stack)
            if key == "unknown_export":
                return UnknownExport(message, name=name, data=d.get("data"), stack=stack)
            if key == "invalid_result":
                return InvalidResult(message)
            if key in _REASONS:
                return LimitExceeded(LimitReason(key), message, stack=stack)
        if name == "RangeError" and "call stack size exceeded" in message:
            return LimitExceeded(LimitReason.STACK, f"JavaScript stack overflow (limit {self.limits.stack} bytes)", stack=stack)
        if name == "InternalError" and message == "out of memory":
            return LimitExceeded(LimitReason.MEMORY, f"the call used more than its memory limit of {self.limits.memory} bytes", stack=stack)
        if name == "NonErrorThrown" and d.get("thrown") is None and message == "null" and self.oom_null():
            # QuickJS throws `null` when even the "out of memory" error cannot be allocated
            return LimitExceeded(LimitReason.MEMORY, f"the call used more than its memory limit of {self.limits.memory} bytes")
        if name == "InternalError" and message == "interrupted":
            return self.time_limit(wall=False)
        return JSError(message, name=name, key=key, data=d.get("data"), stack=stack, thrown=d.get("thrown"))


from ._errors import HostOperationFailed as _HostOperationFailed  # noqa: E402

_REASONS = {r.value for r in LimitReason}


def _wake(waker: asyncio.Future[None]) -> None:
    if not waker.done():
        waker.set_result(None)


class _Resumed:
    """Awaitable that continues a coroutine which already ran up to its first suspension."""

    __slots__ = ("coro", "first")

    def __init__(self, coro: Any, first: Any) -> None:
        self.coro = coro
        self.first = first

    def __await__(self) -> Any:
        value = self.first
        self.first = None
        while True:
            try:
                sent = yield value
            except BaseException as exc:  # e.g. CancelledError thrown in by the task
                try:
                    value = self.coro.throw(exc)
                except StopIteration as stop:
                    return stop.value
            else:
                try:
                    value = self.coro.send(sent)
                except StopIteration as stop:
                    return stop.value


async def _resume(coro: Any, first: Any) -> Any:
    return await _Resumed(coro, first)
_THROW_NULL = re.compile(r"\bthrow\s+(?!new\b)[A-Za-z_$]")


def _json_safe(value: Any) -> Any:
    try:
        return json.loads(json.dumps(value, default=str))
    except (TypeError, ValueError):
        return str(value)
