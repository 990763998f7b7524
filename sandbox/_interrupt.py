"""The time limit of every entry into JavaScript, still in force while the binding turns an
error that escaped into Python text.

Why not the binding's `set_time_limit`: the binding installs its interrupt handler for the
length of one call and removes it *before* it converts an escaping exception into a Python
exception; converting runs `toString`, `Symbol.toPrimitive`, `name` and a `stack` getter,
which connector code can replace. Code that replaced `Error.prototype.toString` with an
endless loop and then ran out of time froze the whole process: the loop ran with no limit
while the binding held the GIL (tests/sandbox/test_hostile.py). Here a handler is installed
once per runtime and never removed, so a conversion runs under the entry's budget too; the
sandbox then tells a time limit by this budget, never by the error's text, which that same
code could forge. The calls' contexts and the syntax check's scratch context (it runs whatever
escapes a module's wrapper) both get it.

The handler is the binding's own C function (`js_interrupt_handler`: process CPU time from
`clock()` against a start and a budget, no GIL needed), found in the extension's ELF symbol
table and proven at import on a scratch runtime. Where it cannot be found (another platform,
a stripped build) a ctypes callback makes the same check in Python; it takes the GIL each time
QuickJS polls (every ~10,000 operations), so CPU-bound JavaScript slows down when other
threads hold the GIL, but is never unbounded. Without ctypes access to the engine
(`LOADER` is None) there is no handler here and the sandbox falls back to the binding's
limit.
"""

from __future__ import annotations

import ctypes
import struct
from typing import Any

import _quickjs as quickjs

from ._bytecode import LOADER

__all__ = ["INTERRUPTS", "Budget", "Interrupts"]

_CLOCKS_PER_SEC = 1_000_000  # POSIX requires it of clock()


class _InterruptData(ctypes.Structure):
    # the binding's `InterruptData`: what its handler reads through the opaque pointer
    _fields_ = [("start", ctypes.c_long), ("limit", ctypes.c_long)]


_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)


class Budget:
    """The interrupt state of one runtime: `arm(seconds)` before entering JavaScript (the
    sandbox arms once for entries made without awaiting in between); `spent()` after an entry
    failed says whether it ran out of its budget."""

    __slots__ = ("_data", "_clock")

    def __init__(self, clock: Any) -> None:
        self._data = _InterruptData(0, 0)
        self._clock = clock

    def arm(self, seconds: float) -> None:
        d = self._data
        d.start = self._clock()
        d.limit = int(seconds * _CLOCKS_PER_SEC)

    def spent(self) -> bool:
        d = self._data
        return bool(self._clock() - d.start >= d.limit)


class Interrupts:
    """Installs the interrupt handler on runtimes (see the module docstring)."""

    def __init__(self, handler: int | None) -> None:
        lib = ctypes.PyDLL(quickjs.__file__)
        self._set = lib.JS_SetInterruptHandler
        self._set.restype = None
        self._set.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
        libc = ctypes.PyDLL(None)
        self._clock = libc.clock
        self._clock.restype = ctypes.c_long
        self._clock.argtypes = []
        if handler is not None:
            self.native = True
            self._handler: Any = ctypes.c_void_p(handler)
        else:
            self.native = False
            clock = self._clock

            def check(rt: int, opaque: int) -> int:
                d = _InterruptData.from_address(opaque)
                return 1 if clock() - d.start >= d.limit else 0

            self._handler = _HANDLER(check)  # kept alive here: QuickJS holds a raw pointer

    def install(self, rt: int) -> Budget:
        """Put the handler on runtime `rt` with a fresh budget (spent until armed). The budget
        must outlive every entry into the runtime: keep it with the context."""
        budget = Budget(self._clock)
        self._set(rt, self._handler, ctypes.addressof(budget._data))
        return budget

    def uninstall(self, rt: int) -> None:
        """Take the handler off `rt` (before its budget may be collected)."""
        self._set(rt, None, None)


def _elf_symbols(path: str, names: set[bytes]) -> dict[bytes, int]:
    """{name: value} of function symbols in an ELF64 little-endian file's `.symtab`."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return {}
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    found: dict[bytes, int] = {}
    for i in range(shnum):
        sh_type, = struct.unpack_from("<I", data, shoff + i * shentsize + 4)
        if sh_type != 2:  # SHT_SYMTAB
            continue
        base = shoff + i * shentsize
        sh_offset, sh_size, sh_link, _, _, sh_entsize = struct.unpack_from("<QQIIQQ", data, base + 0x18)
        str_off, = struct.unpack_from("<Q", data, shoff + sh_link * shentsize + 0x18)
        for at in range(sh_offset, sh_offset + sh_size, sh_entsize or 24):
            st_name, st_info, _, st_shndx, st_value, st_size = struct.unpack_from("<IBBHQQ", data, at)
            if st_info & 0xF != 2 or not st_value or not st_shndx:  # STT_FUNC, defined
                continue
            end = data.index(b"\0", str_off + st_name)
            name = data[str_off + st_name : end]
            if name in names:
                found[name] = st_value
    return found


def _native_handler() -> int | None:
    """The address of the binding's `js_interrupt_handler` in this process, or None."""
    try:
        symbols = _elf_symbols(quickjs.__file__, {b"js_interrupt_handler", b"JS_SetInterruptHandler"})
        if len(symbols) != 2:
            return None
        exported = ctypes.cast(ctypes.PyDLL(quickjs.__file__).JS_SetInterruptHandler, ctypes.c_void_p).value
        if not exported:
            return None
        return exported - symbols[b"JS_SetInterruptHandler"] + symbols[b"js_interrupt_handler"]
    except (OSError, ValueError, struct.error, AttributeError):
        return None


def _proves_itself(interrupts: Interrupts) -> bool:
    """An endless loop on a scratch runtime must end in an interrupt within its budget, and a
    replaced `toString` must not outlast it while the binding converts the error."""
    assert LOADER is not None
    ctx = quickjs.Context()
    rt = LOADER.runtime_of(ctx)
    budget = interrupts.install(rt)
    try:
        budget.arm(0.01)
        try:  # bounded loops (~2 s each): a handler that never fires fails here, not hangs
            ctx.eval("Error.prototype.toString = function () { for (let i = 0; i < 3e7; i++) {} return 'x' };"
                     " for (let i = 0; i < 3e7; i++) {}")
        except quickjs.JSException:
            return budget.spent()
        return False
    finally:
        interrupts.uninstall(rt)


def _make() -> Interrupts | None:
    if LOADER is None:
        return None
    handler = _native_handler()
    for candidate in ((handler, None) if handler is not None else (None,)):
        try:
            interrupts = Interrupts(candidate)
            if _proves_itself(interrupts):
                return interrupts
        except Exception:  # noqa: BLE001 - e.g. no C library by that name (Windows): the next, or none
            continue
    return None


#: installs the sandbox's interrupt handler; None: the binding's time limit is used instead
INTERRUPTS: Interrupts | None = _make()
