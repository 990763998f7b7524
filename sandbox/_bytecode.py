"""Precompiled QuickJS bytecode: compile a script once, instantiate it in every context.

Compiling is what makes a fresh context expensive with this binding (~0.1 µs per byte of
source, the prelude alone ~1 ms), while reading the same script back as bytecode is ~8x
cheaper. The binding's Python API has no bytecode entry point, but the QuickJS-ng C API it is
built from (`JS_Eval` with COMPILE_ONLY, `JS_WriteObject`, `JS_ReadObject`, `JS_EvalFunction`)
is exported by the same shared object, so it is reached here with ctypes.

This depends on the binding's private layout (the `JSRuntime *` and `JSContext *` right after
the Python object header of a `_quickjs.Context`), so it is checked once at import: the runtime
pointer found there must be the one QuickJS itself reports for the context pointer, and a
compiled script must run and set a global the binding can read back. If any check fails,
`LOADER` is None and the sandbox evaluates source text as before: slower, never wrong.

Only trusted code goes through here (the prelude, extensions the embedder passed, and modules
this process compiled itself after a syntax check): QuickJS bytecode is not validated on read.
Bytecode is written and read by the same engine build in the same process.
"""

from __future__ import annotations

import ctypes
import threading
from typing import Any

import _quickjs as quickjs

__all__ = ["LOADER", "BytecodeLoader"]

_JS_TAG_EXCEPTION = 6
_JS_TAG_FUNCTION_BYTECODE = -2
_JS_EVAL_FLAG_COMPILE_ONLY = 1 << 5
_JS_WRITE_OBJ_BYTECODE = 1 << 0
_JS_WRITE_OBJ_STRIP_SOURCE = 1 << 4
_JS_READ_OBJ_BYTECODE = 1 << 0


_VOIDP = ctypes.c_void_p
_PTR = ctypes.sizeof(ctypes.c_void_p)
_HEAD = ctypes.sizeof(ctypes.c_ssize_t) + _PTR
_SIZE_T = ctypes.c_size_t


class _JSValue(ctypes.Structure):
    # 64-bit build without NaN boxing: {union u (8 bytes); int64 tag}, returned in two registers.
    _fields_ = [("u", ctypes.c_uint64), ("tag", ctypes.c_int64)]


class BytecodeLoader:
    """ctypes access to the engine's bytecode writer and reader (see the module docstring)."""

    def __init__(self) -> None:
        # PyDLL: calls keep the GIL. They last microseconds, and releasing the GIL for each
        # meant waiting to get it back whenever another thread (the context pool) held it.
        lib = ctypes.PyDLL(quickjs.__file__)
        vp, sz = ctypes.c_void_p, ctypes.c_size_t

        def fn(name: str, restype: Any, *argtypes: Any) -> Any:
            f = getattr(lib, name)
            f.restype = restype
            f.argtypes = list(argtypes)
            return f

        self._get_runtime = fn("JS_GetRuntime", vp, vp)
        self._update_stack_top = fn("JS_UpdateStackTop", None, vp)
        self._eval = fn("JS_Eval", _JSValue, vp, ctypes.c_char_p, sz, ctypes.c_char_p, ctypes.c_int)
        self._write = fn("JS_WriteObject", vp, vp, ctypes.POINTER(sz), _JSValue, ctypes.c_int)
        self._read = fn("JS_ReadObject", _JSValue, vp, ctypes.c_char_p, sz, ctypes.c_int)
        self._eval_function = fn("JS_EvalFunction", _JSValue, vp, _JSValue)
        self._free_value = fn("JS_FreeValue", None, vp, _JSValue)
        self._get_exception = fn("JS_GetException", _JSValue, vp)
        self._get_global = fn("JS_GetGlobalObject", _JSValue, vp)
        self._set_property = fn("JS_SetPropertyStr", ctypes.c_int, vp, _JSValue, ctypes.c_char_p, _JSValue)
        self._js_free = fn("js_free", None, vp, vp)
        self.job_pending = fn("JS_IsJobPending", ctypes.c_bool, vp)
        # one scratch context per thread for compiling
        self._local = threading.local()

    # ------------------------------------------------------------------ pointers
    def _pointers(self, ctx: Any, *, check: bool = False) -> tuple[int, int]:
        if type(ctx) is not quickjs.Context:
            raise TypeError("expected a _quickjs.Context")
        base = id(ctx) + _HEAD  # the binding's fields start right after PyObject_HEAD
        rt = _VOIDP.from_address(base).value
        cx = _VOIDP.from_address(base + _PTR).value
        if not rt or not cx or (check and self._get_runtime(cx) != rt):
            raise RuntimeError("unexpected _quickjs.Context layout")
        return rt, cx

    #: offset of `malloc_state.malloc_size` in JSRuntime (after 5 allocator function pointers
    #: and `malloc_count`), confirmed by `_check_malloc_size`; None: use `ctx.memory()`
    malloc_offset: int | None = None

    def malloc_size(self, ctx: Any) -> int:
        """The runtime's allocated bytes, what `ctx.memory()["malloc_size"]` reports, read
        directly: `memory()` walks the whole heap for its other figures (~30 µs a call)."""
        off = self.malloc_offset
        if off is None or type(ctx) is not quickjs.Context:
            return int(ctx.memory()["malloc_size"])
        rt = _VOIDP.from_address(id(ctx) + _HEAD).value
        if not rt:
            return int(ctx.memory()["malloc_size"])
        return _SIZE_T.from_address(rt + off).value

    def runtime_of(self, ctx: Any) -> int:
        """The `JSRuntime *` of a binding context (for `job_pending`)."""
        return self._pointers(ctx)[0]

    def _raise_pending(self, cx: int, what: str) -> None:
        self._free_value(cx, self._get_exception(cx))
        raise RuntimeError(f"QuickJS failed to {what}")

    # ------------------------------------------------------------------ API
    def compile(self, source: str, filename: str, *, strip_source: bool = False) -> bytes:
        """Bytecode of a global script (its completion value is what `run` can keep).

        `strip_source` leaves out the text kept for `Function.prototype.toString` (a third of
        the prelude's bytecode, and of the time to read it); line numbers stay.

        Raises RuntimeError if the source does not compile: callers syntax-check it first
        through the binding, which reports the error properly.
        """
        scratch = getattr(self._local, "ctx", None)
        if scratch is None:
            scratch = self._local.ctx = quickjs.Context()
        rt, cx = self._pointers(scratch)
        code = source.encode("utf-8")
        self._update_stack_top(rt)
        fn_value = self._eval(cx, code, len(code), filename.encode("utf-8"), _JS_EVAL_FLAG_COMPILE_ONLY)
        if fn_value.tag == _JS_TAG_EXCEPTION:
            self._raise_pending(cx, "compile")
        size = ctypes.c_size_t()
        flags = _JS_WRITE_OBJ_BYTECODE | (_JS_WRITE_OBJ_STRIP_SOURCE if strip_source else 0)
        buf = self._write(cx, ctypes.byref(size), fn_value, flags)
        self._free_value(cx, fn_value)
        if not buf:
            self._raise_pending(cx, "write bytecode")
        try:
            return ctypes.string_at(buf, size.value)
        finally:
            self._js_free(cx, buf)

    def run(self, ctx: Any, bytecode: bytes, global_name: str | None = None) -> None:
        """Run compiled script `bytecode` in `ctx` on this thread (no time limit: trusted code).

        With `global_name`, its completion value is stored in that global property (for the
        caller to fetch with `ctx.get` and the JS side to delete); otherwise it is dropped, so
        no JS value of an unsupported kind (e.g. a rope string) ever reaches the binding.
        """
        rt, cx = self._pointers(ctx)
        self._update_stack_top(rt)
        fn_value = self._read(cx, bytecode, len(bytecode), _JS_READ_OBJ_BYTECODE)
        if fn_value.tag == _JS_TAG_EXCEPTION:
            self._raise_pending(cx, "read bytecode")
        result = self._eval_function(cx, fn_value)  # takes ownership of fn_value
        if result.tag == _JS_TAG_EXCEPTION:
            self._raise_pending(cx, "run bytecode")
        if global_name is None:
            self._free_value(cx, result)
            return
        glob = self._get_global(cx)
        ok = self._set_property(cx, glob, global_name.encode("ascii"), result)  # takes ownership of result
        self._free_value(cx, glob)
        if ok < 0:
            self._raise_pending(cx, "set a global")


def _self_test(loader: BytecodeLoader) -> None:
    code = loader.compile("(function (a) { return [a, 'ok'].join(':'); })", "selftest.js")
    ctx = quickjs.Context()
    loader._pointers(ctx, check=True)  # the layout assumption, checked against QuickJS itself
    loader.run(ctx, code, "__selftest")
    if ctx.get("__selftest")("x") != "x:ok":
        raise RuntimeError("bytecode self-test failed")


def _check_malloc_size(loader: BytecodeLoader) -> None:
    """Enable `malloc_size` only if the offset agrees with `ctx.memory()` (count, size, limit)
    in two different states of a runtime."""
    off = 5 * _PTR + ctypes.sizeof(_SIZE_T)
    ctx = quickjs.Context()
    ctx.set_memory_limit(123456789)
    rt = loader._pointers(ctx, check=True)[0]
    for step in range(2):
        if step:
            ctx.eval("globalThis.__x = 'ab'.repeat(50000); void 0")
        m = ctx.memory()
        got = [_SIZE_T.from_address(rt + off + k * ctypes.sizeof(_SIZE_T)).value for k in (-1, 0, 1)]
        if got != [m["malloc_count"], m["malloc_size"], m["malloc_limit"]] or m["malloc_limit"] != 123456789:
            return
    loader.malloc_offset = off


def _make_loader() -> BytecodeLoader | None:
    try:
        loader = BytecodeLoader()
        _self_test(loader)
    except Exception:  # pragma: no cover - another binding build: fall back to source text
        return None
    try:
        _check_malloc_size(loader)
    except Exception:  # pragma: no cover - memory() is used instead
        loader.malloc_offset = None
    return loader


#: the process-wide loader, or None when this binding build cannot be driven safely
LOADER: BytecodeLoader | None = _make_loader()
