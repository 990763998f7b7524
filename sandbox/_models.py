"""Value objects of the sandbox API: limits in, results and stats out."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

__all__ = ["JSON", "CallResult", "CallStats", "HostOp", "Limits", "LogEntry", "RawJSON"]

JSON: TypeAlias = Any
HostOp: TypeAlias = Callable[[Any], Awaitable[Any]]

MiB = 1 << 20
#: QuickJS runs on the calling thread's C stack (8 MiB on Linux); a JS stack limit at or above it
#: crashed Python in our measurements, so the limit stays well below. The sandbox also caps the
#: limit at half the stack of the thread a call runs on (`threading.stack_size()`, else
#: RLIMIT_STACK), so a thread started with a small stack gets a smaller limit, not a crash.
MAX_STACK = 4 * MiB
#: Measured (quickjs-ng 0.17, x86_64): `f=(n)=>n?f(n-1)+1:0` reaches ~615 frames per MiB
#: (1 MiB: 615, 2 MiB: 1234, 4 MiB: 2470, 6 MiB: 3707); the default allows ~2,470.
DEFAULT_STACK = 4 * MiB
#: bounds the engine can take (a memory limit is a size_t, a time limit becomes clock ticks)
MAX_MEMORY = 1 << 40
MAX_SECONDS = 1e6
_INT_FIELDS = ("memory", "stack", "host_operations", "log_bytes", "result_bytes")


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-call limits; every field has a default, override per call with `.with_(...)`.

    memory: bytes the whole JS runtime may allocate (prelude included, ~1 MiB of it).
    cpu_time: seconds of CPU spent in JS, summed over every entry into the engine (the sandbox
    counts this thread's CPU; the binding's interrupt uses the process-wide clock(), so when
    other threads of the process burn CPU at the same time a call can be cut before its
    budget is spent, never after).
    wall_time: seconds from start to result, host operations and timers included.
    stack: bytes of JS stack (deep recursion raises stack_overflow); at most 4 MiB, the default
    (~2,470 frames of a small recursive function; see DEFAULT_STACK).
    Counts and sizes are ints; times are finite numbers (NaN, inf raise ValueError).
    host_operations: host operations one call may start. log_bytes: UTF-8 bytes of log
    messages. result_bytes: size of the JSON result.
    """

    memory: int = 64 * MiB
    cpu_time: float = 5.0
    wall_time: float = 30.0
    stack: int = DEFAULT_STACK
    host_operations: int = 1000
    log_bytes: int = 1 * MiB
    result_bytes: int = 16 * MiB

    def __post_init__(self) -> None:
        # runs on every `with_` (the runtime narrows wall_time per call): kept to plain checks
        for name in _FIELDS:
            value = getattr(self, name)
            kind = type(value)
            if kind is int or kind is float:  # the usual case, checked without isinstance
                ok = value > 0 and (kind is int or math.isfinite(value))
                whole = kind is int
            else:  # bool is refused; other int/float subclasses (IntEnum, numpy) are accepted
                ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0 and math.isfinite(value)
                whole = isinstance(value, int)
            if not ok:
                raise ValueError(f"Limits.{name} must be a positive finite number, got {value!r}")
            if not whole and name in _INT_FIELDS:
                raise ValueError(f"Limits.{name} must be a whole number (int), got {value!r}")
        if self.stack > MAX_STACK:
            raise ValueError(f"Limits.stack must be at most {MAX_STACK} bytes (the C stack is 8 MiB), got {self.stack}")
        if self.memory < 2 * MiB:
            raise ValueError(f"Limits.memory must be at least {2 * MiB} bytes (the prelude needs ~1 MiB), got {self.memory}")
        if self.memory > MAX_MEMORY:
            raise ValueError(f"Limits.memory must be at most {MAX_MEMORY} bytes (1 TiB), got {self.memory}")
        if self.cpu_time > MAX_SECONDS or self.wall_time > MAX_SECONDS:
            raise ValueError(f"Limits.cpu_time and wall_time must be at most {MAX_SECONDS:g} s, got {self.cpu_time:g} and {self.wall_time:g}")

    def with_(self, **overrides: Any) -> Limits:
        """A copy with some fields replaced (unknown names raise TypeError)."""
        values = {name: getattr(self, name) for name in _FIELDS}
        for name in overrides:
            if name not in values:
                raise TypeError(f"Limits has no field {name!r}")
        values.update(overrides)
        return Limits(**values)


_FIELDS = tuple(f.name for f in dataclasses.fields(Limits))


class RawJSON(str):
    """JSON text a host operation returns as it is: the sandbox hands it to JavaScript without
    decoding and encoding it again (an API response body the embedder already holds as JSON
    text, which can be large). The embedder vouches that it is JSON; text JavaScript's
    `JSON.parse` refuses rejects the operation's promise with a TypeError, as JavaScript
    would see any failed operation."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One console call: level is log, info, warn, error or debug."""

    level: str
    message: str


@dataclass(frozen=True, slots=True)
class CallStats:
    """What one call cost: CPU seconds in JS, wall seconds, peak runtime bytes, host operations."""

    cpu_time: float
    wall_time: float
    memory_peak: int
    host_operations: int


@dataclass(frozen=True, slots=True)
class CallResult:
    """The JSON value a call returned, its logs and its stats."""

    value: JSON
    logs: list[LogEntry] = field(default_factory=list)
    stats: CallStats = field(default_factory=lambda: CallStats(0.0, 0.0, 0, 0))
