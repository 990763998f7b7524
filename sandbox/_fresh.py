"""Fresh contexts built without holding the GIL, and the binding objects that carry them.

The binding makes a context in `_quickjs.Context()` (`JS_NewRuntime` + `JS_NewContext`,
~0.2 ms) and frees it in the object's destructor (~0.08 ms), both while holding the GIL, so
neither can overlap with Python work: a thread building contexts ahead of time only stalled
the calls it was meant to speed up. Here the same QuickJS C functions are called through
`ctypes.CDLL`, which releases the GIL for each call: a context (runtime, intrinsics, prelude
and extensions, from bytecode) is built and later freed by plain C work that runs on another
core while the calling thread goes on.

The binding's Python API is still what every call uses (entries into JS under its time limit,
exception conversion, memory limits). A *shell* is a `_quickjs.Context` whose `JSRuntime *`
and `JSContext *` fields are swapped for a freshly built pair for the length of one call and
swapped back afterwards; the shell's own pair is parked meanwhile and freed with it. The
layout is the one `_bytecode.py` checks at import (both pointers right after the object
header, the runtime the one QuickJS reports for the context).

One rule keeps the swap safe: a binding `Object` frees its JS value through the shell's
*current* context pointer, so no `Object` made during a call may outlive the call's pair in
the shell. The sandbox holds exactly one (the driver function) and checks its reference
count before swapping back; if anything else still holds it (a traceback, say), the shell is
not reused: it keeps the call's pair and frees it when it dies, like any binding context.
"""

from __future__ import annotations

import ctypes
from typing import Any, NamedTuple

import _quickjs as quickjs

from ._bytecode import _HEAD, _JS_READ_OBJ_BYTECODE, _JS_TAG_EXCEPTION, _PTR, _JSValue

__all__ = ["Boot", "Builder", "Shell"]

_VOIDP = ctypes.c_void_p
#: memory a build may use (prelude and extensions need ~1 MiB): a runaway extension is stopped
_BUILD_MEMORY = 256 << 20
#: QuickJS collects cycles once 256 KiB are allocated, which a fresh context passes while it is
#: built (a collection walks every object of it); the context lives for one call, its garbage is
#: freed by reference counting and the rest with the runtime, so collect only past a few MiB
_GC_THRESHOLD = 4 << 20
_UNDEFINED = _JSValue(0, 3)  # JS_TAG_UNDEFINED


class Boot(NamedTuple):
    """What a context is built from: the prelude's bytecode (its value is the function that
    makes the driver), that function's arguments (UTF-8 text), the extensions' bytecode."""

    prelude: bytes
    args: tuple[bytes, ...]
    extensions: tuple[bytes, ...]


class Builder:
    """Builds and frees (runtime, context) pairs with the GIL released (see module docstring)."""

    def __init__(self) -> None:
        # CDLL releases the GIL for the call, PyDLL keeps it: the slow steps (making the
        # context, reading the prelude, running it, freeing) go through the first; calls of a
        # few microseconds through the second, since each release means waiting to get the
        # GIL back from whichever thread took it meanwhile.
        slow, quick = ctypes.CDLL(quickjs.__file__), ctypes.PyDLL(quickjs.__file__)
        vp, sz = ctypes.c_void_p, ctypes.c_size_t

        def fn(lib: Any, name: str, restype: Any, *argtypes: Any) -> Any:
            f = getattr(lib, name)
            f.restype = restype
            f.argtypes = list(argtypes)
            return f

        self._new_runtime = fn(quick, "JS_NewRuntime", vp)
        self._new_context = fn(slow, "JS_NewContext", vp, vp)
        self._free_context = fn(quick, "JS_FreeContext", None, vp)
        self._free_runtime = fn(slow, "JS_FreeRuntime", None, vp)
        self._memory_limit = fn(quick, "JS_SetMemoryLimit", None, vp, sz)
        self._gc_threshold = fn(quick, "JS_SetGCThreshold", None, vp, sz)
        self._update_stack_top = fn(quick, "JS_UpdateStackTop", None, vp)
        self._read = fn(slow, "JS_ReadObject", _JSValue, vp, ctypes.c_char_p, sz, ctypes.c_int)
        self._eval_function = fn(quick, "JS_EvalFunction", _JSValue, vp, _JSValue)
        self._free_value = fn(quick, "JS_FreeValue", None, vp, _JSValue)
        self._get_exception = fn(quick, "JS_GetException", _JSValue, vp)
        self._new_string = fn(quick, "JS_NewStringLen", _JSValue, vp, ctypes.c_char_p, sz)
        self._call = fn(slow, "JS_Call", _JSValue, vp, _JSValue, _JSValue, ctypes.c_int, ctypes.POINTER(_JSValue))
        self._get_global = fn(quick, "JS_GetGlobalObject", _JSValue, vp)
        self._set_property = fn(quick, "JS_SetPropertyStr", ctypes.c_int, vp, _JSValue, ctypes.c_char_p, _JSValue)

    def build(self, boot: Boot, memory_limit: int) -> tuple[int, int] | None:
        """A new runtime and context: the prelude called with its arguments, the driver it
        returns left in the global `__sb_driver`, then the extensions. None if any of it
        throws (the caller builds through the binding instead, which reports why)."""
        rt = self._new_runtime()
        if not rt:
            return None
        self._memory_limit(rt, _BUILD_MEMORY)
        self._gc_threshold(rt, _GC_THRESHOLD)
        cx = self._new_context(rt)
        if not cx:
            self._free_runtime(rt)
            return None
        self._update_stack_top(rt)  # this thread's stack, whatever thread made the runtime
        make_driver = self._run(cx, boot.prelude)
        if make_driver is None:
            return self._fail(rt, cx)
        args = (_JSValue * len(boot.args))()
        for i, text in enumerate(boot.args):
            args[i] = self._new_string(cx, text, len(text))
        driver = self._call(cx, make_driver, _UNDEFINED, len(boot.args), args)
        for value in args:
            self._free_value(cx, value)
        self._free_value(cx, make_driver)
        if driver.tag == _JS_TAG_EXCEPTION:
            return self._fail(rt, cx)
        glob = self._get_global(cx)
        ok = self._set_property(cx, glob, b"__sb_driver", driver)  # takes ownership of driver
        self._free_value(cx, glob)
        if ok < 0:
            return self._fail(rt, cx)
        for code in boot.extensions:
            result = self._run(cx, code)
            if result is None:
                return self._fail(rt, cx)
            self._free_value(cx, result)
        self._memory_limit(rt, memory_limit)
        return rt, cx

    def _run(self, cx: int, code: bytes) -> _JSValue | None:
        fn_value = self._read(cx, code, len(code), _JS_READ_OBJ_BYTECODE)
        if fn_value.tag == _JS_TAG_EXCEPTION:
            return None
        result = self._eval_function(cx, fn_value)  # takes ownership of fn_value
        return None if result.tag == _JS_TAG_EXCEPTION else result

    def _fail(self, rt: int, cx: int) -> None:
        self._free_value(cx, self._get_exception(cx))
        self.free(rt, cx)
        return None

    def free(self, rt: int, cx: int) -> None:
        self._free_context(cx)
        self._free_runtime(rt)


class Shell:
    """A binding context lent to one call at a time, carrying a pair built by `Builder`."""

    __slots__ = ("ctx", "_base", "_own")

    def __init__(self) -> None:
        self.ctx = quickjs.Context()
        self._base = id(self.ctx) + _HEAD
        self._own: tuple[int, int] | None = None

    def install(self, rt: int, cx: int) -> Any:
        """Put the pair in the shell; returns the binding context to call through."""
        base = self._base
        rt_field = _VOIDP.from_address(base)
        cx_field = _VOIDP.from_address(base + _PTR)
        self._own = (int(rt_field.value or 0), int(cx_field.value or 0))
        rt_field.value = rt
        cx_field.value = cx
        return self.ctx

    def uninstall(self, alone: bool) -> tuple[tuple[int, int], bool]:
        """Take the call's pair back out and restore the shell's own; returns the pair to
        free (`Builder.free`) and whether the shell can serve another call.

        `alone`: the caller dropped the call's driver Object and nothing else holds it (see
        the module docstring). Otherwise the call's pair stays in the shell, which is not
        reused, and the shell's own pair is the one handed back for freeing.
        """
        own = self._own
        assert own is not None
        self._own = None
        if not alone:
            self.ctx = None  # the call's pair is freed with the shell, when its last user goes
            return own, False
        rt_field = _VOIDP.from_address(self._base)
        cx_field = _VOIDP.from_address(self._base + _PTR)
        pair = (int(rt_field.value or 0), int(cx_field.value or 0))
        rt_field.value, cx_field.value = own
        return pair, True
