"""The sandbox: QuickJS contexts no other connection touched, host operations as messages,
limits on everything.

A call goes like this (ARCHITECTURE decisions 1 and 6):

1. a context is taken from the pool of pristine ones a thread builds ahead off the GIL
   (`_fresh.py`), or built inline when the pool is empty; or, for a call with a `reuse_key`, the
   warm context the previous call of that key left (see `Sandbox.call`). Nothing a call leaves
   behind (globals, patched prototypes, timers) can be seen by a call with another key, and a
   context whose call failed in any way, a limit above all, is dropped. Compiling JS is
   QuickJS's slow part (~0.1 µs per byte here), so
   the prelude and the extensions are compiled once to bytecode (`_bytecode.py`) and only
   instantiated per context, and the prelude's larger parts (Buffer, URL, crypto, fetch,
   console formatting) are compiled from source on first use inside the call that needs them;
2. the module (bytecode made by `compile_module`) is instantiated and the chosen export is
   called through the prelude's driver in one entry; the JS job queue is drained, each entry
   into the engine under the CPU time limit (the binding restarts its limit on every entry,
   so the call's total is tracked here);
3. the driver's poll answers either the outcome (result or error, with the logs, in one
   string) or the queued host-operation requests and the next timer; Python runs each request
   concurrently (one awaited alone in the caller's task, several each in a task of its own),
   settles their promises with JSON, fires due timers, and drains again; no request and no
   timer left means the promise can never settle.

Timers run on real time, driven by the event loop: connectors use `setTimeout` for backoff
and polling delays against real APIs, which only works if the delay really passes; the
wall-time limit bounds them.

Only strings and numbers cross the wall: arguments and host-operation results go in as JSON text
(ASCII only: `\\uXXXX` escapes carry lone surrogates, which the binding cannot pass as text)
and are parsed by JS; no Python callable is ever registered in the context.

Nothing the context answers is trusted: connector code runs in it and may have patched any
built-in. Python parses every poll defensively (ids it expects, names that are strings, JSON
no deeper than `MAX_DEPTH`), enforces the host-operation and log limits itself, and turns
anything malformed into a typed `ProtocolError`; the prelude also captures the built-ins it
uses before connector code runs. Strings going out
are built with `join` or `JSON.stringify`, never left as `+` ropes, which the binding cannot
convert.
"""

from __future__ import annotations

import array
import asyncio
import json
import math
import os
import queue
import re
import sys
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from itertools import accumulate
from importlib import resources
from typing import Any, NamedTuple

# The C extension itself: the `quickjs` package's __init__ also starts a (non-daemon) thread
# pool for its `Function` helper at import time, which the sandbox does not use.
import _quickjs as quickjs

from ._bytecode import LOADER
from ._interrupt import INTERRUPTS, Budget
from ._fresh import Boot, Builder, Shell
from ._errors import (
    InvalidResult,
    JSError,
    JSSyntaxError,
    LimitExceeded,
    LimitReason,
    ModuleNotAllowed,
    NeverSettled,
    ProtocolError,
    SandboxError,
    UnknownExport,
)
from ._models import JSON, CallResult, CallStats, HostOp, Limits, LogEntry, RawJSON
from ._rewrite import Module, rewrite

__all__ = ["PRELUDE_FILENAME", "LazyModule", "Sandbox", "compile_module"]

PRELUDE_FILENAME = "sandbox:prelude.js"
_FILES = resources.files(__package__)
_PRELUDE = _FILES.joinpath("prelude.js").read_text(encoding="utf-8")
_PRELUDE_LINES = _PRELUDE.count("\n") + 1
#: parts of the prelude evaluated on first use (in this order of arguments to the prelude)
_LIB_NAMES = ("support", "timers", "encoding", "clone", "url", "crypto", "fetch")
_LIBS = {name: _FILES.joinpath(f"lib_{name}.js").read_text(encoding="utf-8") for name in _LIB_NAMES}
_DEFAULT_LIMITS = Limits()
_JSObject = quickjs.Object


def _make_builder() -> Builder | None:
    if LOADER is None:  # pragma: no cover - another binding build
        return None
    try:
        return Builder()
    except (OSError, AttributeError):  # pragma: no cover - symbols missing: the binding path
        return None


#: builds contexts off the GIL (`_fresh.py`), or None when this binding build cannot
BUILDER: Builder | None = _make_builder()
#: `json.dumps(..., allow_nan=False)` builds an encoder on every call
_STRICT_JSON = json.JSONEncoder(ensure_ascii=True, allow_nan=False).encode
#: pristine contexts a thread keeps ready, built off the GIL (benchmarks/RESULTS.md, second session)
DEFAULT_POOL_SIZE = 2
#: contexts kept warm for reuse by later calls with the same `reuse_key` (least recently used go)
DEFAULT_WARM_CONTEXTS = 16
#: a warm context serves at most this many calls, and is not kept once it holds this much memory:
#: whatever connector code accumulates in globals is bounded
WARM_MAX_CALLS = 100
WARM_MAX_BYTES = 16 << 20
_FRAME = re.compile(r"<input>:(\d+)(?::(\d+))?")
_SYNTAX_AT = re.compile(r"<input>:(\d+)(?::(\d+))?")


def _js_length(text: str) -> int:
    """Length in UTF-16 code units, as JS counts string positions."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def _line_base(module_lines: int) -> int:
    """Prelude and extension code is evaluated below this many blank lines, so a stack frame's
    line number alone says whose code it is (the binding names every source `<input>`)."""
    need = module_lines + 2
    base = 256
    while base < need:
        base *= 2
    return base


def _check_syntax(code: str, filename: str, header_length: int) -> None:
    """Compile-check `code`, a function expression wrapping a file (the rewrite's module wrapper,
    or an extension's), in a throwaway context.

    The check evaluates the expression, and also proves the file stays inside its wrapper: a body
    starting with `});` would close the wrapper and run what follows as top-level code, with no
    time limit, wherever the wrapper is instantiated. The script's value must be the wrapper
    function itself, whose source (QuickJS keeps it for `toString`) is the whole text: after
    such an escape the value is a later function, whose source is only part of it. Whatever
    escaped has run by then, so the source is read with the `toString` taken before the text
    ran (escaped code could replace the global one to forge the answer), and the text runs
    under the sandbox's interrupt handler, which stays in force while the binding turns an
    error into text (`_interrupt.py`).
    """
    ctx = quickjs.Context()
    ctx.set_memory_limit(256 << 20)
    # (tests run the source path with LOADER off, INTERRUPTS on: both are checked)
    rt = LOADER.runtime_of(ctx) if INTERRUPTS is not None and LOADER is not None else 0
    budget = INTERRUPTS.install(rt) if rt else None  # type: ignore[union-attr]
    if budget is not None:
        budget.arm(2.0)
    else:
        ctx.set_time_limit(2.0)
    try:
        source_of = ctx.eval("Function.prototype.call.bind(Function.prototype.toString)")  # before any of the text runs
        value = ctx.eval(code)
        try:
            if budget is not None:
                budget.arm(2.0)
            source = source_of(value)
        except (quickjs.JSException, TypeError):  # not a function
            source = None
        whole = source == code[1:-1]  # the wrapper without its parentheses
    except quickjs.JSException as exc:
        text = str(exc)
        first = text.split("\n", 1)[0]
        if (budget.spent() if budget is not None else "interrupted" in first):
            whole = False
        else:
            m = _SYNTAX_AT.search(text)
            line = int(m.group(1)) if m else 1
            column = int(m.group(2)) if m and m.group(2) else None
            if line == 1 and column is not None:
                column = max(1, column - header_length)
            message = first.removeprefix("SyntaxError: ")
            raise JSSyntaxError(filename, line, message, column=column) from None
    finally:
        if budget is not None:
            INTERRUPTS.uninstall(rt)  # type: ignore[union-attr]
    if not whole:
        raise JSSyntaxError(
            filename, 1, "the code closes the function it is loaded in (unbalanced brackets): it would run outside the sandbox's control"
        )


def compile_module(source: str, filename: str) -> Module:
    """Rewrite imports/exports and syntax-check a JS file; raises JSSyntaxError(filename, line).

    Done once per file at load time; the result is immutable and shared by every call.
    """
    if "\x00" in source:
        raise JSSyntaxError(filename, 1, "source contains a NUL character")
    try:
        source.encode("utf-8")
    except UnicodeEncodeError as exc:
        line = source.count("\n", 0, exc.start) + 1
        raise JSSyntaxError(filename, line, "source contains a lone UTF-16 surrogate (not valid UTF-8 text)") from None
    code, esm, imports, exports, header_length = rewrite(source, filename)
    _check_syntax(code, filename, header_length)
    bytecode = None
    if LOADER is not None:
        try:
            bytecode = LOADER.compile(code, filename)
        except RuntimeError:  # pragma: no cover - checked above; calls compile it again if needed
            bytecode = None
    return Module(
        filename=filename,
        source=source,
        code=code,
        line_count=source.count("\n") + 1,
        esm=esm,
        imports=imports,
        exports=exports,
        header_length=header_length,
        bytecode=bytecode,
    )


class _Segments:
    """Maps engine line numbers back to (file, line) for stack traces.

    The binding names every source it evaluates `<input>`, so code evaluated from source text
    sits below blocks of blank lines and the line number says whose it is. With bytecode
    (`named`), the prelude, extensions and modules carry their real file names and only the
    lazily compiled library parts are `<input>`: base is 0, the same for every module.
    """

    def __init__(
        self, base: int, extensions: Sequence[tuple[str, str]], *, named: bool = False, lazy: Sequence[LazyModule] = ()
    ) -> None:
        self.base = base
        self.named = named
        self.ranges: list[tuple[int, int, str]] = [] if named else [(base + 1, base + _PRELUDE_LINES, PRELUDE_FILENAME)]
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
            if not named:
                self.ranges.append((first, first + lines - 1, name))
            first += lines
        # the prelude's arguments (see prelude.js): every lazily evaluated source in one string
        texts, at = [], 0
        libs: dict[str, list[int]] = {}
        for name in _LIB_NAMES:
            size = _js_length(_LIBS[name])
            libs[name] = [self.offsets[name], at, at + size]
            texts.append(_LIBS[name])
            at += size
        lazy_offsets = []
        for m in lazy:
            lines = m.source.count("\n") + 1
            size = _js_length(m.source)
            lazy_offsets.append([m.module, first - 1, at, at + size])
            texts.append(m.source)
            at += size
            self.ranges.append((first, first + lines - 1, m.filename))
            first += lines
        self.prelude_args = ("".join(texts), json.dumps(libs), json.dumps(lazy_offsets))

    def locate(self, line: int) -> tuple[str | None, int]:
        for first, last, name in self.ranges:
            if first <= line <= last:
                return name, line - first + 1
        return None, line


class LazyModule(NamedTuple):
    """An extension that is an importable module compiled on first `require`/`import` only.

    `source` is one expression (e.g. an IIFE) whose value is the module's exports. Its text
    reaches each context as a string argument, which costs next to nothing, where an eager
    extension is compiled (or instantiated from bytecode) in every context.
    """

    filename: str
    source: str
    module: str


class Sandbox:
    """Runs connector modules in QuickJS; every call gets a context no other call has touched.

    `extensions` are (filename, source) scripts run after the prelude in every context; they
    may define globals (e.g. a `wrapper` function) and modules (`__sandbox.defineModule`). A
    `LazyModule` among them is a module compiled only by the calls that import it.

    The prelude and the extensions are compiled once, to QuickJS bytecode, and instantiated in
    each new context (see `_bytecode.py`; source text is evaluated instead if the binding
    cannot be driven that way). Modules are compiled to bytecode by `compile_module`.

    `pool_size` (default 2; 0 builds every context on the calling thread) starts one daemon
    thread that keeps that many *pristine* contexts (prelude and extensions instantiated, no
    connector code run) ready and frees used ones; both run in QuickJS's C code with the GIL
    released (`_fresh.py`), so on another core than the calls. A context is handed from the
    builder to one call, never used by two threads at once (the binding re-reads the stack top
    on every entry). `close()` (or `with`) stops the thread; it is a daemon, so a Sandbox never
    closed does not keep the process alive either. A forked child (a pre-forking server's
    worker) starts a thread of its own on its first call.

    `warm_contexts`: how many contexts are kept for later calls with the same `reuse_key`
    (least recently used go first; 0: none). See `call`.
    """

    def __init__(
        self,
        extensions: Sequence[tuple[str, str] | LazyModule] = (),
        *,
        pool_size: int | None = None,
        warm_contexts: int = DEFAULT_WARM_CONTEXTS,
    ) -> None:
        self._lazy = tuple(e for e in extensions if isinstance(e, LazyModule))
        self._extensions = tuple((str(e[0]), str(e[1])) for e in extensions if not isinstance(e, LazyModule))
        for name, src in self._extensions:
            _check_syntax("(function () {" + src + "\n})", name, len("(function () {"))
        for m in self._lazy:
            _check_syntax("(function () { return (" + m.source + "\n); })", m.filename, len("(function () { return ("))
        self._segments: dict[int, _Segments] = {}
        self._closed = False
        self._boot: tuple[bytes, tuple[tuple[str, bytes], ...]] | None = None
        if LOADER is not None:
            try:
                self._boot = (
                    LOADER.compile(_PRELUDE, PRELUDE_FILENAME, strip_source=True),
                    tuple((name, LOADER.compile(src, name, strip_source=True)) for name, src in self._extensions),
                )
            except RuntimeError:  # pragma: no cover - source text still works
                self._boot = None
        #: what a context is built from off the GIL (`_fresh.py`), or None: through the binding
        self._scripts: Boot | None = self._fresh_boot()
        self._shells: list[Shell] = []
        self._warm: OrderedDict[Hashable, _Warm] = OrderedDict()
        self._warm_lock = threading.Lock()
        self._warm_max = max(0, int(warm_contexts))
        self._pool: queue.Queue[tuple[int, int]] | None = None
        self._graveyard: list[tuple[int, int]] = []
        self._builder: threading.Thread | None = None
        if pool_size is None:
            pool_size = DEFAULT_POOL_SIZE
        #: a forked child starts its own pool thread on its first call (`_after_fork_in_child`)
        self._respawn = False
        if pool_size > 0 and self._scripts is not None:
            self._pool = queue.Queue(maxsize=pool_size)
            self._wake = threading.Event()
            self._start_builder()
        _SANDBOXES.add(self)

    def _start_builder(self) -> None:
        assert self._pool is not None and self._scripts is not None
        # the thread holds the Sandbox only weakly: a Sandbox dropped without close() is
        # collected, and its thread ends within a second
        self._builder = threading.Thread(
            target=_fill_pool,
            args=(weakref.ref(self), self._scripts, self._pool, self._graveyard, self._wake),
            name="sandbox-pool",
            daemon=True,
        )
        self._builder.start()

    def _after_fork_in_child(self) -> None:
        """In a forked child only the forking thread exists: the pool thread is gone, and any
        lock it (or another thread) held at the fork stays held forever. Fresh locks, the
        pooled contexts kept, and a new pool thread started by the child's first call (not
        here: most forked children, e.g. of multiprocessing, never call)."""
        self._warm_lock = threading.Lock()
        self._builder = None
        pool = self._pool
        if pool is not None:
            fresh: queue.Queue[tuple[int, int]] = queue.Queue(maxsize=pool.maxsize)
            for pair in list(pool.queue):  # no lock: nothing else runs in the child
                fresh.put_nowait(pair)
            self._pool = fresh
            self._wake = threading.Event()
            self._respawn = not self._closed
        leftover, self._graveyard = self._graveyard, []
        for pair in leftover:  # retired in the parent, not freed yet by its pool thread
            assert BUILDER is not None
            BUILDER.free(*pair)

    def _fresh_boot(self) -> Boot | None:
        """The prelude, its arguments and the extensions for `Builder.build`, if one build
        with them succeeds (an extension that throws is reported by the binding path)."""
        if self._boot is None or BUILDER is None:
            return None
        seg = self._segments_for(0)
        args = seg.prelude_args
        boot = Boot(self._boot[0], tuple(a.encode("utf-8") for a in args), tuple(code for _name, code in self._boot[1]))
        pair = BUILDER.build(boot, _DEFAULT_LIMITS.memory)
        if pair is None:
            return None
        BUILDER.free(*pair)
        return boot

    @property
    def uses_bytecode(self) -> bool:
        """Whether contexts are built from precompiled bytecode (the fast path)."""
        return self._boot is not None

    def __repr__(self) -> str:
        return f"Sandbox(extensions={[n for n, _ in self._extensions] + [m.filename for m in self._lazy]})"

    def close(self) -> None:
        """Stop the pool thread and drop pooled contexts; later calls raise RuntimeError."""
        self._closed = True
        with self._warm_lock:
            warm = list(self._warm.values())
            self._warm.clear()
        for w in warm:
            self._discard(w)
        builder, self._builder = self._builder, None
        if builder is not None:
            self._wake.set()
            builder.join()
        self._drain_pool()
        self._free_graveyard()

    def _drain_pool(self) -> None:
        if self._pool is not None:
            while True:
                try:
                    pair = self._pool.get_nowait()
                except queue.Empty:
                    break
                assert BUILDER is not None
                BUILDER.free(*pair)

    def _free_graveyard(self) -> None:
        graveyard = self._graveyard
        while graveyard:
            try:
                pair = graveyard.pop()
            except IndexError:  # pragma: no cover - emptied by the pool thread meanwhile
                break
            assert BUILDER is not None
            BUILDER.free(*pair)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ contexts
    def _segments_for(self, base: int) -> _Segments:
        seg = self._segments.get(base)
        if seg is None:
            seg = self._segments[base] = _Segments(base, self._extensions, named=self._boot is not None, lazy=self._lazy)
        return seg

    def _context_for(self, seg: _Segments) -> tuple[Any, Any, Shell | None]:
        """(binding context, driver, shell): a pristine context for one call."""
        if self._respawn:
            self._respawn = False
            self._start_builder()
        if self._scripts is not None and seg.base == 0:
            pair = None
            if self._pool is not None:
                try:
                    pair = self._pool.get_nowait()
                except queue.Empty:
                    pass
                else:
                    self._wake.set()  # build the next one
            if pair is None:
                pair = BUILDER.build(self._scripts, _DEFAULT_LIMITS.memory)  # type: ignore[union-attr]
            if pair is not None:
                return self._adopt(pair)
        ctx, driver = self._new_context(seg)
        return ctx, driver, None

    def _adopt(self, pair: tuple[int, int]) -> tuple[Any, Any, Shell]:
        shells = self._shells
        try:
            shell = shells.pop()
        except IndexError:
            shell = Shell()
        ctx = shell.install(*pair)
        try:
            driver = ctx.get("__sb_driver")
        except BaseException:
            self._release(shell, True)
            raise
        return ctx, driver, shell

    def forget(self, reuse_key: Hashable) -> None:
        """Drop the warm context kept for `reuse_key`, if any (e.g. its connection closed)."""
        with self._warm_lock:
            w = self._warm.pop(reuse_key, None)
        if w is not None:
            self._discard(w)

    def _take_warm(self, reuse_key: Hashable) -> _Warm | None:
        with self._warm_lock:
            return self._warm.pop(reuse_key, None)

    def _park(self, reuse_key: Hashable, w: _Warm) -> None:
        evicted = []
        with self._warm_lock:
            old = self._warm.pop(reuse_key, None)
            if old is not None:  # a concurrent call of the same key parked first
                evicted.append(old)
            self._warm[reuse_key] = w
            while len(self._warm) > self._warm_max:
                evicted.append(self._warm.popitem(last=False)[1])
        for e in evicted:
            self._discard(e)

    def _discard(self, w: _Warm) -> None:
        if w.budget is not None:
            INTERRUPTS.uninstall(w.rt)  # type: ignore[union-attr]
        alone = _only_reference(w, "driver")
        w.driver = None
        self._release(w.shell, alone)

    def _retire(self, c: _Call) -> None:
        """Drop a used context: its pair is freed off the GIL, by the pool thread if there
        is one (freeing a QuickJS runtime costs ~0.08 ms), and its shell serves the next call.
        A context whose call succeeded and left nothing running is kept warm for the next call
        with the same `reuse_key` instead."""
        if c.reuse_key is not None and c.shell is not None and self._warm_max and not self._closed and c.reusable():
            w = _Warm(c.ctx, c.driver, c.shell, c.loaded, c.uses + 1, c.rt, c.applied, c.budget)
            c.ctx = c.driver = c.shell = None
            self._park(c.reuse_key, w)
            return
        shell = c.shell
        if c.budget is not None and c.ctx is not None:
            INTERRUPTS.uninstall(c.rt)  # type: ignore[union-attr]
        alone = shell is not None and _only_reference(c, "driver")
        c.ctx = c.driver = c.shell = None
        if shell is not None:
            self._release(shell, alone)

    def _release(self, shell: Shell, alone: bool) -> None:
        pair, reusable = shell.uninstall(alone)
        if reusable:
            self._shells.append(shell)
        builder = self._builder
        if builder is not None and builder.is_alive():  # not alive: e.g. in a forked child
            self._graveyard.append(pair)
            self._wake.set()
        else:
            BUILDER.free(*pair)  # type: ignore[union-attr]

    def _new_context(self, seg: _Segments) -> tuple[Any, Any]:
        if self._boot is not None and LOADER is not None:
            ctx = quickjs.Context()
            ctx.set_time_limit(2.0)  # trusted code, but never unbounded
            prelude, extensions = self._boot
            try:
                LOADER.run(ctx, prelude, "__sb_boot")
                driver = ctx.get("__sb_boot")(*seg.prelude_args)
                for _name, code in extensions:
                    LOADER.run(ctx, code)
            except RuntimeError:
                # an extension threw while setting up: the source path reports it with its message
                return self._new_context_from_source(self._segments_for(_line_base(1)))
            _untimed(ctx)
            return ctx, driver
        return self._new_context_from_source(seg)

    def _new_context_from_source(self, seg: _Segments) -> tuple[Any, Any]:
        ctx = quickjs.Context()
        ctx.set_time_limit(2.0)  # trusted code, but never unbounded
        make_driver = ctx.eval("\n" * seg.base + _PRELUDE)
        driver = make_driver(*seg.prelude_args)
        for (name, src), offset in zip(self._extensions, seg.extension_offsets, strict=True):
            try:
                # `void 0` last: the completion value crosses to Python, and must not be a rope
                ctx.eval("\n" * offset + src + "\n;void 0")
            except quickjs.JSException as exc:
                first = str(exc).split("\n", 1)[0]
                raise SandboxError(f"extension {name} failed while setting up the context: {first}", key="extension_error") from None
        _untimed(ctx)
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
        reuse_key: Hashable | None,
        deadline: float | None,
    ) -> _Call:
        if self._closed:
            raise RuntimeError("this Sandbox is closed")
        if deadline is not None and not (isinstance(deadline, int | float) and math.isfinite(deadline)):
            raise ValueError(f"deadline must be a time.monotonic() instant, got {deadline!r}")
        if not isinstance(module, Module):
            raise TypeError(f"expected a sandbox.Module from compile_module(), got {type(module).__name__}")
        args_json = _STRICT_JSON(list(args))
        base = 0 if self._boot is not None else _line_base(module.line_count)
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
            reuse_key,
            deadline,
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
        reuse_key: Hashable | None = None,
        deadline: float | None = None,
    ) -> CallResult:
        """Call an export of `module` with JSON `args` and return its JSON result.

        export: that export (error if missing); else the default export; else `export_fallback`;
        else the only exported function. A default export that is an object (`export default
        { findById() {} }`) serves `export` / `export_fallback` with its methods, like CommonJS
        `module.exports = { findById }`; a default export that is a class is an UnknownExport. wrapper: a global function (from an extension) called
        as `wrapper(fn, ...args)` instead of `fn(...args)`.

        reuse_key: calls with the same key (the runtime uses one per connection) may run one
        after another in one context, which keeps its globals and the instances of the modules
        it ran: a warm call skips building a context and loading the module. A context is kept
        only after a call that succeeded and left nothing pending (no host operation, timer or
        job), for at most WARM_MAX_CALLS calls and WARM_MAX_BYTES of memory; a call that fails
        in any way drops it; calls with another key, or none, never see it.

        deadline: a `time.monotonic()` instant by which the call must end, when that comes
        before its wall-time limit would (a host request that runs several calls shares one
        deadline); running past it is a wall-time LimitExceeded like the limit itself.
        """
        c = self._prepare(module, export, export_fallback, args, host_operations or {}, limits, wrapper, reuse_key, deadline)
        return await self._run(c, begun=False)

    async def _run(self, c: _Call, *, begun: bool) -> CallResult:
        """Drive a call to its end; its context is retired whatever happens."""
        try:
            result = await c.drive(begun=begun)
            c.succeeded = True
            return result
        except SandboxError as exc:
            exc.logs = c.salvage_logs()
            raise
        finally:
            try:
                if c.tasks:
                    await c.cancel_tasks()
            finally:  # even when the caller's task is cancelled while that waits
                self._retire(c)

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
        reuse_key: Hashable | None = None,
        deadline: float | None = None,
    ) -> CallResult:
        """`call` for scripts and the CLI; an event loop is started only if the code awaits the host."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise RuntimeError("call_sync() was called inside a running event loop; use 'await sandbox.call(...)'")
        c = self._prepare(module, export, export_fallback, args, host_operations or {}, limits, wrapper, reuse_key, deadline)
        try:
            done = c.step(c.begin())
        except BaseException as exc:
            if isinstance(exc, SandboxError):
                exc.logs = c.salvage_logs()
            self._retire(c)
            raise
        if done is not None:
            c.succeeded = True
            self._retire(c)
            return done
        return asyncio.run(self._run(c, begun=True))


def _untimed(ctx: Any) -> None:
    """After trusted setup under the binding's time limit: the calls' limits come from the
    sandbox's own interrupt handler (`_interrupt.py`), which the binding's would displace."""
    if INTERRUPTS is not None:
        ctx.set_time_limit(-1)


class _Holder:
    __slots__ = ("value",)


def _refcount_reading() -> int | None:
    """What `sys.getrefcount(getattr(holder, name))` reads for an object nothing else holds,
    checked to go up by exactly one with one more holder; None if it does not behave so."""
    holder = _Holder()
    holder.value = object()
    alone = sys.getrefcount(getattr(holder, "value"))
    other = holder.value  # noqa: F841 - the second holder
    return alone if sys.getrefcount(getattr(holder, "value")) == alone + 1 else None


#: see `_only_reference`. Read through `getattr`, whose result is an owned reference on every
#: CPython version, never through a local variable: 3.14 may borrow a local's reference
#: (LOAD_FAST_BORROW) and not count it, which would make a held object look alone.
_ALONE = _refcount_reading()


def _only_reference(holder: Any, name: str) -> bool:
    """Whether the attribute `name` of `holder` is the only holder of its value: then no
    traceback, exception or closure keeps the call's binding Object, and its shell can serve
    another call (`_fresh.py`). If this interpreter's counts cannot be read so, never (shells
    are then not reused: slower, still safe)."""
    return _ALONE is not None and sys.getrefcount(getattr(holder, name)) <= _ALONE


class _Warm:
    """A context kept between calls of one `reuse_key`, with what the next call needs of it."""

    __slots__ = ("ctx", "driver", "shell", "loaded", "uses", "rt", "applied", "budget")

    def __init__(
        self, ctx: Any, driver: Any, shell: Shell, loaded: set[str], uses: int, rt: int, applied: tuple[int, ...], budget: Budget | None
    ) -> None:
        self.ctx, self.driver, self.shell, self.loaded, self.uses, self.rt = ctx, driver, shell, loaded, uses, rt
        self.budget = budget
        #: the limits the context holds (memory, stack, host operations, log bytes, result bytes)
        self.applied = applied


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
        reuse_key: Hashable | None = None,
        deadline: float | None = None,
    ) -> None:
        self.module = module
        self.reuse_key = reuse_key
        self.succeeded = False
        self.left_idle = False
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
        self.tasks: set[asyncio.Task[None]] = set()
        self.final_logs: str | None = None
        self.started = time.monotonic()
        self.deadline = self.started + limits.wall_time
        if deadline is not None and deadline < self.deadline:
            self.deadline = deadline
        w = sandbox._take_warm(reuse_key) if reuse_key is not None and self.segments.named else None
        if w is not None:
            self.ctx, self.driver, self.shell, self.loaded, self.uses, self.rt = w.ctx, w.driver, w.shell, w.loaded, w.uses, w.rt
            held = w.applied
            self.budget = w.budget
            w.driver = None
            self.warm = True
        else:
            self.ctx, self.driver, self.shell = sandbox._context_for(self.segments)
            self.rt = LOADER.runtime_of(self.ctx) if LOADER is not None else 0
            #: this runtime's interrupt budget (`_interrupt.py`); None: the binding's time limit
            self.budget = INTERRUPTS.install(self.rt) if INTERRUPTS is not None and self.rt else None
            #: keys of the modules instantiated in this context (kept between warm calls)
            self.loaded: set[str] = set()
            self.uses = 0
            self.warm = False
            held = ()
        self.broken = False
        self.armed = False  # the budget is set for the entries to come (see `enter`)
        try:
            self.stack = _stack_for_thread(limits.stack)
            self.applied = (limits.memory, self.stack, limits.host_operations, limits.log_bytes, limits.result_bytes)
            if held[:2] != self.applied[:2]:  # a warm context keeps what its last call set
                self.ctx.set_memory_limit(limits.memory)
                self.ctx.set_max_stack_size(self.stack)
            #: what the JS side is told of the limits it checks itself (None: what it holds)
            self.limits_json = None if held[2:] == self.applied[2:] else f"[{limits.host_operations},{limits.log_bytes},{limits.result_bytes}]"
        except BaseException:
            sandbox._retire(self)  # the context taken above goes back, not lost
            raise
        self.pending_status: list[Any] | None = None
        self.to_start: list[tuple[int, str, HostOp, Any]] = []
        self.done: list[tuple[int, str, bool, Any]] = []
        self.waker: asyncio.Future[None] | None = None
        self.last_memory_sample = self.started  # first sample after 50 ms, then at most every 50 ms
        self.next_id = 1  # the id the next host-operation request must carry
        self.parsed_logs: list[LogEntry] | None = None
        self.host_keys: set[str] | None = None  # keys of HostOperationFailed errors sent into JS
        self.final_size: int | None = None  # the context's bytes when the call ended (`finish`)

    # -------------------------------------------------------------- entering the engine
    def enter(self, fn: Any, *args: Any) -> Any:
        # Every raise below drops `fn` and `args` first: the traceback keeps this frame, and a
        # frame holding the driver keeps its shell out of reuse (`_fresh.py`).
        cpu_left = self.limits.cpu_time - self.cpu
        wall_left = self.deadline - time.monotonic()
        if cpu_left <= 0 or wall_left <= 0:
            fn = args = None
            raise self.time_limit(wall=cpu_left > 0)
        budget = self.budget
        if budget is not None:
            if not self.armed:
                # One budget for the entries made without awaiting in between (start, or settle,
                # the jobs and the poll): all the process's CPU since counts against it, JS and
                # the few µs of Python between those entries, so it never allows more than this.
                budget.arm(cpu_left if cpu_left < wall_left else wall_left)
                self.armed = True
        else:
            self.ctx.set_time_limit(cpu_left if cpu_left < wall_left else wall_left)
        t0 = time.thread_time()
        try:
            result = fn(*args)
        except quickjs.JSException as exc:
            self.cpu += time.thread_time() - t0
            self.broken = True
            fn = args = None
            if budget is not None and budget.spent():
                # told by the budget, not by the text: connector code can make an error's text
                # say anything (a replaced toString), and so hide that it ran out of time
                raise self.time_limit(wall=False) from None
            raise self.engine_error(exc) from exc
        except UnicodeDecodeError:
            # an answer holding a lone surrogate, which the binding cannot convert: connector
            # code patched something the answer was built from
            self.cpu += time.thread_time() - t0
            self.broken = True
            fn = args = None
            raise _protocol("an answer is not valid Unicode text") from None
        self.cpu += time.thread_time() - t0
        if type(result) is _JSObject and self.shell is not None:
            # no binding Object may outlive the call's context in its shell (`_fresh.py`)
            result = fn = args = None
            self.broken = True
            raise _protocol("the driver answered an object")
        return result

    def time_limit(self, *, wall: bool) -> LimitExceeded:
        self.broken = True
        if self.cpu >= self.limits.cpu_time * 0.98:
            return LimitExceeded(LimitReason.TIME, f"the call used more than its CPU time limit of {self.limits.cpu_time:g} s")
        if wall or time.monotonic() >= self.deadline - 0.001:
            allowed = self.deadline - self.started
            if allowed < self.limits.wall_time:  # the caller's deadline came first
                return LimitExceeded(LimitReason.WALL_TIME, f"the call ran past its deadline ({max(allowed, 0.0):.3g} s after it started)")
            return LimitExceeded(LimitReason.WALL_TIME, f"the call ran longer than its wall-time limit of {self.limits.wall_time:g} s")
        return LimitExceeded(LimitReason.TIME, f"the call used more than its CPU time limit of {self.limits.cpu_time:g} s")

    def engine_error(self, exc: quickjs.JSException) -> SandboxError:
        text = str(exc)
        first = text.split("\n", 1)[0]
        stack = self.map_stack(text.split("\n", 1)[1]) if "\n" in text else None
        if isinstance(exc, quickjs.StackOverflow) or "stack size exceeded" in first or "stack overflow" in first:
            return LimitExceeded(LimitReason.STACK, f"JavaScript stack overflow (limit {self.stack} bytes)", stack=stack)
        if "interrupted" in first:
            return self.time_limit(wall=False)
        if "out of memory" in first or first in ("null", "InternalError: null", ""):
            return LimitExceeded(LimitReason.MEMORY, f"the call used more than its memory limit of {self.limits.memory} bytes")
        return SandboxError(f"JavaScript engine error: {first}", key="engine_error", stack=stack)

    def drain(self) -> None:
        execute = self.ctx.execute_pending_job
        if LOADER is None:
            while self.enter(execute):
                pass
            return
        # asking QuickJS whether a job is queued costs ~0.3 µs; an entry that finds none ~5 µs
        pending, rt = LOADER.job_pending, self.rt
        while pending(rt):
            self.enter(execute)

    def poll(self) -> str:
        return self.enter(self.driver, "poll")

    # -------------------------------------------------------------- the call
    def begin(self) -> str:
        """Load the module, start the export, drain the job queue; returns the first poll."""
        limits = self.limits
        module = self.module
        modfn = None
        key = None
        if self.segments.named and module.key in self.loaded:
            key = module.key  # instantiated by an earlier call in this warm context
        elif self.segments.named:
            key = module.key
            self.loaded.add(key)
            code = module.bytecode
            if code is None:
                assert LOADER is not None
                code = LOADER.compile(module.code, module.filename)
            if self.budget is not None:
                self.budget.arm(max(0.0, min(limits.cpu_time - self.cpu, self.deadline - time.monotonic())))
                self.armed = True
            t0 = time.thread_time()
            try:
                assert LOADER is not None
                LOADER.run(self.ctx, code, "__sb_m")  # leaves the module function in a global
            except RuntimeError:
                self.broken = True
                raise LimitExceeded(LimitReason.MEMORY, f"the module could not be loaded within the memory limit of {limits.memory} bytes") from None
            finally:
                self.cpu += time.thread_time() - t0
        else:
            modfn = self.enter(self.ctx.eval, module.code)
        answer = self.enter(
            self.driver,
            "start",
            _seed(),
            self.limits_json,
            self.args_json,
            self.export,
            self.fallback,
            self.wrapper,
            modfn,
            key,
            1 if self.warm else 0,
        )
        if LOADER is not None and not LOADER.job_pending(self.rt):
            return answer  # nothing queued: this is the call's state
        if type(answer) is str and answer[:1] == "[":
            self.step(answer)  # its requests are queued; the poll after the drain adds any others
        self.drain()
        return self.poll()

    def reusable(self) -> bool:
        """Whether this context may serve the next call of its `reuse_key` (see Sandbox.call)."""
        if self.broken or not self.succeeded or not self.left_idle or self.uses + 1 >= WARM_MAX_CALLS or LOADER is None:
            return False
        size = self.final_size  # taken as the result was read, nothing ran since
        return size is not None and size <= WARM_MAX_BYTES and not LOADER.job_pending(self.rt)

    def step(self, text: str) -> CallResult | None:
        """Act on a poll: return the result, raise the error, or queue host operations (None).

        The poll is checked, not trusted (see the module docstring): its shape, the request ids
        (1, 2, 3... as the prelude hands them out), and the host-operation limit.
        """
        if type(text) is not str or not text:
            raise _protocol("the poll is not a string")
        kind = text[0]
        if kind != "[":
            nl = text.find("\n")
            if nl < 0 or kind not in "RSEF":
                raise _protocol("the poll is malformed")
            self.final_logs = text[1:nl]
            body = text[nl + 1 :]
            if kind == "R" or kind == "S":
                self.left_idle = kind == "R"  # "S": something may still run (see prelude.js)
                return self.finish(body)
            self.logs()  # checks the log limit before any other error is reported
            if kind == "E":
                d = _loads(body, "the error")
                if type(d) is not dict:
                    raise _protocol("the error description is malformed")
                raise self.js_error(d)
            fatal = _loads(body, "the limit error")
            if type(fatal) is not dict or fatal.get("key") not in _REASONS or type(fatal.get("message")) is not str:
                raise _protocol("the limit error is malformed")
            raise LimitExceeded(LimitReason(fatal["key"]), fatal["message"])
        status = _loads(text, "a host operation payload")
        if type(status) is not list or len(status) != 3 or type(status[1]) is not list or type(status[2]) not in (int, float) or status[2] != status[2]:
            raise _protocol("the poll is malformed")
        requests = status[1]
        self.pending_status = status
        limit = self.limits.host_operations
        for req in requests:
            if type(req) is not list or len(req) != 3 or type(req[1]) is not str or req[0] != self.next_id or type(req[0]) is not int:
                raise _protocol("a host operation request is malformed")
            req_id, name, payload = req
            self.next_id += 1
            self.host_count += 1
            if self.host_count > limit:
                self.broken = True
                raise LimitExceeded(LimitReason.HOST_OPERATIONS, f"more than {limit} host operations in one call")
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

    async def drive(self, *, begun: bool) -> CallResult:
        """Run the call to its end (`begun`: begin() and a step() were done already). Whatever it
        awaits is under one timer for its wall-time limit, which cancels it at the deadline."""
        if not begun:
            done = self.step(self.begin())
            if done is not None:
                return done  # over without awaiting anything: no timer needed
        # what asyncio.timeout() does, for a tenth of its cost (~1 µs vs ~12 µs a call)
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        cancelling = task.cancelling()
        expired = False

        def on_deadline() -> None:
            nonlocal expired
            expired = True
            task.cancel()

        handle = loop.call_later(max(0.0, self.deadline - time.monotonic()), on_deadline)
        try:
            while True:
                done = self.step(await self.wait())
                if done is not None:
                    return done
        except asyncio.CancelledError:
            if expired:
                expired = False
                if task.uncancel() <= cancelling:  # only ours: the call ran out of time
                    raise self.time_limit(wall=True) from None
            raise
        finally:
            handle.cancel()
            if expired:  # it fired, but an operation swallowed the cancellation
                task.uncancel()

    async def wait(self) -> str:
        """Start queued host operations, wait for one (or a timer, or the deadline), settle, drain."""
        status = self.pending_status
        assert status is not None
        delay = status[2]
        if delay < 0 and len(self.to_start) == 1 and not self.tasks and not self.done and not self.settled_any:
            return await self.run_alone()
        loop = asyncio.get_running_loop()
        for req_id, name, op, payload in self.to_start:
            self.start_operation(loop, req_id, name, op, payload)
        self.to_start.clear()
        if self.settled_any:
            self.settled_any = False
            self.drain()
            return self.poll()
        if not self.tasks and not self.done and delay < 0:
            raise NeverSettled("the returned promise can never settle: nothing it waits for is pending (no host operation, no timer)")
        now = time.monotonic()
        if now - self.last_memory_sample > 0.05:  # memory() walks the heap: not on every round
            self.last_memory_sample = now
            self.sample_memory()
        if not self.done and self.tasks:
            # let the new tasks start: an operation that needs no I/O finishes in this very
            # turn of the loop, and the call goes on without waiting for one more
            self.armed = False  # time passes here: the next entry sets a fresh budget
            await asyncio.sleep(0)
        if not self.done:
            # the wall-time limit needs no timer here: `drive`'s cancels this wait at the deadline
            waker = self.waker = loop.create_future()
            handle = loop.call_later(delay / 1000.0, self.wake) if delay >= 0 else None
            self.armed = False
            try:
                await waker
            finally:
                if handle is not None:
                    handle.cancel()
                self.waker = None
        if time.monotonic() >= self.deadline:
            raise self.time_limit(wall=True)
        done, self.done = self.done, []
        for req_id, name, ok, value in done:
            if ok:
                self.settle_result(req_id, name, value)
            elif isinstance(value, _HostOperationFailed):
                self.host_failed(req_id, value)
            else:
                raise value
        if delay >= 0:
            # one timer per entry, the job queue drained after each (microtasks run in between)
            more = self.enter(self.driver, "runTimers", True)
            while more == 1:
                self.drain()
                more = self.enter(self.driver, "runTimers", False)
        self.settled_any = False
        self.drain()
        return self.poll()

    async def run_alone(self) -> str:
        """The common case: one operation and nothing else the JS side waits for (no other
        operation, no timer). It is awaited right here, in the caller's task: no task, no
        wake-up future, no extra turn of the event loop."""
        req_id, name, op, payload = self.to_start.pop()
        now = time.monotonic()
        if now - self.last_memory_sample > 0.05:
            self.last_memory_sample = now
            self.sample_memory()
        self.armed = False
        try:
            value = await op(payload)  # `drive` cancels it at the deadline
        except _HostOperationFailed as exc:
            self.host_failed(req_id, exc)
        else:
            self.settle_result(req_id, name, value)
        self.settled_any = False
        self.drain()
        return self.poll()

    def host_failed(self, req_id: int, exc: _HostOperationFailed) -> None:
        if self.host_keys is None:
            self.host_keys = set()
        self.host_keys.add(exc.key)
        self.settle(req_id, False, {"key": exc.key, "message": exc.message, "data": _json_safe(exc.data)})

    def start_operation(self, loop: asyncio.AbstractEventLoop, req_id: int, name: str, op: HostOp, payload: Any) -> None:
        """Run the operation in a task of its own from its first line: libraries such as httpx
        (anyio cancel scopes) require that an operation is entered and left in one task."""
        self.tasks.add(loop.create_task(self.run_operation(req_id, name, op, payload)))

    async def run_operation(self, req_id: int, name: str, op: HostOp, payload: Any) -> None:
        try:
            value = await op(payload)
        except BaseException as exc:  # noqa: BLE001 - handed to wait(): settles the promise or aborts the call
            # BaseException too: an operation raising CancelledError (or KeyboardInterrupt) must
            # wake the call and be re-raised there, not leave it waiting for the wall-time limit
            self.done.append((req_id, name, False, exc))
        else:
            self.done.append((req_id, name, True, value))
        self.tasks.discard(asyncio.current_task())  # type: ignore[arg-type]
        waker = self.waker
        if waker is not None and not waker.done():
            waker.set_result(None)

    settled_any = False

    def settle(self, req_id: int, ok: bool, value: Any) -> None:
        self.enter(self.driver, "settle", req_id, ok, json.dumps(value, ensure_ascii=True))
        self.settled_any = True

    def settle_result(self, req_id: int, name: str, value: Any) -> None:
        if type(value) is RawJSON:  # JSON text already: JavaScript parses it (see RawJSON)
            if not value.isascii():
                try:
                    value.encode("utf-8")  # a lone surrogate cannot cross into the engine
                except UnicodeEncodeError:
                    self.settle(req_id, False, {"key": "invalid_result", "message": f"host operation {name!r} returned text that is not valid Unicode"})
                    return
            self.enter(self.driver, "settle", req_id, True, value, 1)
            self.settled_any = True
            return
        try:
            text = _STRICT_JSON(value)
        except (TypeError, ValueError, RecursionError) as exc:
            raise TypeError(f"host operation {name!r} returned a value that is not JSON: {exc}") from exc
        self.enter(self.driver, "settle", req_id, True, text)
        self.settled_any = True

    def wake(self) -> None:
        waker = self.waker
        if waker is not None and not waker.done():
            waker.set_result(None)

    async def cancel_tasks(self) -> None:
        if not self.tasks:
            return
        tasks = list(self.tasks)
        self.tasks.clear()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def sample_memory(self) -> int | None:
        try:
            used = LOADER.malloc_size(self.ctx) if LOADER is not None else self.ctx.memory()["malloc_size"]
        except Exception:  # pragma: no cover - a broken context reports nothing
            return None
        if used > self.memory_peak:
            self.memory_peak = used
        return int(used)

    def finish(self, text: str) -> CallResult:
        limit = self.limits.result_bytes
        if len(text) > limit or (len(text) * 3 > limit and len(text.encode("utf-8")) > limit):
            raise LimitExceeded(LimitReason.RESULT, f"the result is larger than {limit} bytes")
        logs = self.logs()
        value = _loads(text, "the result")
        self.final_size = self.sample_memory()  # what the context holds as the call ends
        stats = CallStats(
            cpu_time=self.cpu,
            wall_time=time.monotonic() - self.started,
            memory_peak=self.memory_peak,
            host_operations=self.host_count,
        )
        return CallResult(value=value, logs=logs, stats=stats)

    def logs(self) -> list[LogEntry]:
        """The call's logs, checked against the log limit here too (JS checks it first, but
        connector code may have tampered with what JS reports)."""
        if self.parsed_logs is not None:
            return self.parsed_logs
        text = self.final_logs
        if text is None:
            text = self.enter(self.driver, "logs")
        if text == "[]":
            self.parsed_logs = []
            return self.parsed_logs
        if type(text) is not str:
            raise _protocol("the logs are malformed")
        entries = _loads(text, "the logs")
        if type(entries) is not list:
            raise _protocol("the logs are malformed")
        out = []
        size = 0
        for e in entries:
            if type(e) is not list or len(e) != 2 or type(e[0]) is not str or type(e[1]) is not str:
                raise _protocol("the logs are malformed")
            size += len(e[0]) + len(e[1])
            out.append(LogEntry(e[0], e[1]))
        limit = self.limits.log_bytes
        if size * 3 > limit and sum(len(e.level) + len(e.message.encode("utf-8", "surrogatepass")) for e in out) > limit:
            self.broken = True
            self.parsed_logs = []
            raise LimitExceeded(LimitReason.LOGS, f"log output exceeded {limit} bytes")
        self.parsed_logs = out
        return out

    def salvage_logs(self) -> list[LogEntry]:
        """Logs of a failed call, if the context can still give them (after a limit it may not)."""
        if self.broken and self.final_logs is None:
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
            if segments.named and segments.locate(line)[0] is None:
                return f"<eval>:{line}" + (f":{col}" if col is not None else "")  # code the module eval'd
            if line <= segments.base:
                if line == 1 and col is not None:
                    col = max(1, col - module.header_length)
                name = module.filename
            else:
                found, line = segments.locate(line)
                name = found or "<sandbox>"
            return f"{name}:{line}" + (f":{col}" if col is not None else "")

        mapped = _FRAME.sub(repl, stack)
        if segments.named and module.header_length:
            # the module carries its own file name; its line 1 starts with the rewrite's header
            head = module.filename + ":1:"
            if head in mapped:
                mapped = re.sub(
                    re.escape(head) + r"(\d+)",
                    lambda m: head + str(max(1, int(m.group(1)) - module.header_length)),
                    mapped,
                )
        return mapped.rstrip("\n")

    def js_error(self, d: dict[str, Any]) -> SandboxError:
        name = d.get("name") or "Error"
        message = d.get("message") or ""
        stack = d.get("stack")
        key = d.get("key")
        if type(name) is not str or type(message) is not str or (stack is not None and type(stack) is not str):
            raise _protocol("the error description is malformed")
        if key is not None and type(key) is not str:
            key = None
        stack = self.map_stack(stack)
        if d.get("internal"):
            if key == "module_not_allowed":
                data = d.get("data")
                module = str(data.get("module", "")) if type(data) is dict else ""
                return ModuleNotAllowed(message, module=module, name=name, stack=stack)
            if key == "unknown_export":
                return UnknownExport(message, name=name, data=d.get("data"), stack=stack)
            if key == "invalid_result":
                return InvalidResult(message)
            if key in _REASONS:
                return LimitExceeded(LimitReason(key), message, stack=stack)
        if name == "RangeError" and "call stack size exceeded" in message:
            return LimitExceeded(LimitReason.STACK, f"JavaScript stack overflow (limit {self.stack} bytes)", stack=stack)
        if name == "InternalError" and message == "" and self.budget is not None and self.budget.spent():
            return self.time_limit(wall=False)
        if name == "InternalError" and message in ("out of memory", ""):  # "": not even its message could be allocated
            return LimitExceeded(LimitReason.MEMORY, f"the call used more than its memory limit of {self.limits.memory} bytes", stack=stack)
        if name == "NonErrorThrown" and d.get("thrown") is None and message == "null" and self.oom_null():
            # QuickJS throws `null` when even the "out of memory" error cannot be allocated
            return LimitExceeded(LimitReason.MEMORY, f"the call used more than its memory limit of {self.limits.memory} bytes")
        if name == "InternalError" and message == "interrupted" and (self.budget is None or self.budget.spent()):
            return self.time_limit(wall=False)  # not `throw new InternalError("interrupted")`
        if key in _RESERVED_KEYS and (self.host_keys is None or key not in self.host_keys):
            key = None  # code cannot impersonate a limit or a sandbox failure (see _errors.py)
        return JSError(message, name=name, key=key, data=d.get("data"), stack=stack, thrown=d.get("thrown"))


from ._errors import HostOperationFailed as _HostOperationFailed  # noqa: E402

_REASONS = {r.value for r in LimitReason}
_RESERVED_KEYS = _REASONS | {
    "never_settled",
    "invalid_result",
    "protocol_error",
    "unknown_export",
    "module_not_allowed",
    "syntax_error",
    "engine_error",
    "extension_error",
    "sandbox_error",
}

#: results, errors, logs and payloads nested deeper than this are refused (InvalidResult):
#: Python's json and the code consuming the value recurse, ~1000 levels in all
MAX_DEPTH = 500
_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b'[]{}"')
_BRACKETS = bytes.maketrans(b"{}", b"[]")
_STEPS = bytes.maketrans(b"[]", b"\x01\xff")


def _depth(text: str) -> int:
    """Nesting depth of JSON text, at C speed (~0.4 ms for 100 KB of records, a sixth of
    json.loads): escapes out, then everything but brackets and quotes, then the strings; each
    pass removing the innermost `[]` pairs lowers the depth by one; what is left is summed."""
    b = text.encode("utf-8", "surrogatepass")
    if b"\\" in b:
        b = b.replace(b"\\\\", b"").replace(b'\\"', b"")  # left to right: escaped backslashes first
    b = b.translate(_BRACKETS, _NOT_STRUCTURE).replace(b'""', b"")
    if b'"' in b:
        b = b"".join(b.split(b'"')[::2])  # outside the strings
    k = 0
    while b and k < 16:
        shorter = b.replace(b"[]", b"")
        if len(shorter) == len(b):
            break
        b = shorter
        k += 1
    return k + max(accumulate(array.array("b", b.translate(_STEPS))), default=0) if b else k


def _protocol(problem: str) -> ProtocolError:
    return ProtocolError(f"the sandbox received a malformed answer from the JavaScript context: {problem} (were built-ins such as JSON or Array.prototype tampered with?)")


def _loads(text: str, what: str) -> Any:
    """json.loads for what the context answered: never a raw Python exception, and no value
    nested deeper than MAX_DEPTH (checked only when there are that many brackets at all)."""
    if type(text) is not str:
        raise _protocol(f"{what} is not a string")
    if text.count("[") + text.count("{") > MAX_DEPTH and _depth(text) > MAX_DEPTH:
        raise InvalidResult(f"{what} is nested more than {MAX_DEPTH} levels deep")
    try:
        value, end = _RAW_DECODE(text)
    except (ValueError, RecursionError):
        raise _protocol(f"{what} is not valid JSON") from None
    if end != len(text):  # JSON.stringify writes no whitespace around a value
        raise _protocol(f"{what} is not valid JSON")
    return value


#: json.loads without its whitespace handling (half its cost on the short texts of a call)
_RAW_DECODE = json.JSONDecoder().raw_decode


def _c_stack_of_main() -> int:
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_STACK)[0]
    except (ImportError, OSError, ValueError):  # pragma: no cover - not POSIX
        return 8 << 20
    return soft if 0 < soft < (1 << 40) else 8 << 20


_MAIN_STACK = _c_stack_of_main()
_main_thread = threading.main_thread()
_thread_stack = threading.local()


def _measure_thread_stack() -> int:
    """The C stack size of the calling thread: RLIMIT_STACK for the main thread, else what
    pthread says (a thread may have been started after `threading.stack_size(n)`)."""
    if threading.current_thread() is _main_thread:
        return _MAIN_STACK
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.pthread_self.restype = ctypes.c_ulong
        attr = ctypes.create_string_buffer(256)  # pthread_attr_t is 56 bytes on x86_64 glibc
        if libc.pthread_getattr_np(ctypes.c_ulong(libc.pthread_self()), attr) != 0:
            raise OSError("pthread_getattr_np failed")
        addr, size = ctypes.c_void_p(), ctypes.c_size_t()
        ok = libc.pthread_attr_getstack(attr, ctypes.byref(addr), ctypes.byref(size)) == 0
        libc.pthread_attr_destroy(attr)
        if ok and size.value > 0:
            return int(size.value)
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        pass
    return threading.stack_size() or _MAIN_STACK


def _stack_for_thread(limit: int) -> int:
    """The JS stack limit to set: at most half the C stack of the calling thread (a limit near
    the thread's real stack crashes the process instead of raising stack_overflow)."""
    size = getattr(_thread_stack, "size", 0)
    if not size:
        size = _thread_stack.size = _measure_thread_stack()
    cap = size // 2
    return limit if limit <= cap else cap


_entropy = bytearray()
_entropy_lock = threading.Lock()


def _seed() -> str:
    """32 fresh bytes from the OS CSPRNG for this call's `crypto` (hex). Read 4 KiB at a time:
    one syscall per call cost up to 0.3 ms when another thread held the GIL."""
    with _entropy_lock:
        if len(_entropy) < 32:
            _entropy.extend(os.urandom(4096))
        chunk = bytes(_entropy[-32:])
        del _entropy[-32:]
    return chunk.hex()


#: live Sandboxes, for the fork handler below
_SANDBOXES: weakref.WeakSet[Sandbox] = weakref.WeakSet()


def _forget_entropy() -> None:
    _entropy.clear()  # a forked child must not reuse its parent's unused bytes


def _after_fork_in_child() -> None:
    global _entropy_lock
    _entropy_lock = threading.Lock()
    _forget_entropy()
    for sandbox in list(_SANDBOXES):
        sandbox._after_fork_in_child()


os.register_at_fork(after_in_child=_after_fork_in_child)


def _fill_pool(
    ref: weakref.ref[Sandbox],
    scripts: Boot,
    pool: queue.Queue[tuple[int, int]],
    graveyard: list[tuple[int, int]],
    wake: threading.Event,
) -> None:
    """The pool thread: free retired contexts, keep the pool full, sleep until woken. Building
    and freeing run with the GIL released (`_fresh.py`), on another core than the calls.

    It holds the Sandbox only weakly and checks it at least twice a second, so it ends soon
    after the Sandbox is closed or collected.
    """
    assert BUILDER is not None
    build, free = BUILDER.build, BUILDER.free
    memory = _DEFAULT_LIMITS.memory
    while True:
        while graveyard:
            try:
                pair = graveyard.pop()
            except IndexError:  # pragma: no cover - close() emptied it meanwhile
                break
            free(*pair)
        sandbox = ref()
        if sandbox is None or sandbox._closed:
            if sandbox is None:  # collected without close(): nobody else frees the pool
                while not pool.empty():
                    free(*pool.get_nowait())
            return
        del sandbox
        if pool.full():
            wake.wait(0.5)
            wake.clear()
            continue
        pair = build(scripts, memory)
        if pair is None:  # pragma: no cover - the scripts built once already
            return  # calls build inline and report the error themselves
        try:
            pool.put_nowait(pair)
        except queue.Full:  # pragma: no cover - only this thread puts
            free(*pair)


_THROW_NULL = re.compile(r"\bthrow\s+(?!new\b)[A-Za-z_$]")


def _json_safe(value: Any) -> Any:
    try:
        return json.loads(json.dumps(value, default=str))
    except (TypeError, ValueError):
        return str(value)
