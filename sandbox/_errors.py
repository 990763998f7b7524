"""Everything that can go wrong in a sandbox call, as typed exceptions with a stable `key`.

    SandboxError                    base: type "sandbox", key, message, data, stack, logs
    ├── JSError                     key "js_error" (or the thrown object's own `key`): a value
    │   │                           thrown by JS code, with name, message, stack (file:line)
    │   ├── ModuleNotAllowed        key "module_not_allowed": import/require of a module the
    │   │                           sandbox does not provide (names the module)
    │   └── UnknownExport           key "unknown_export": the export to call does not exist
    ├── JSSyntaxError               key "syntax_error": the source does not parse (file, line)
    ├── LimitExceeded               a limit was hit; `reason` (LimitReason) says which, and the
    │                               key is the reason's value: time_limit, wall_time_limit,
    │                               memory_limit, stack_overflow, too_many_host_operations,
    │                               logs_too_large, result_too_large
    ├── NeverSettled                key "never_settled": the promise can never settle (no host
    │                               operation or timer pending)
    ├── InvalidResult               key "invalid_result": the result is not JSON (function,
    │                               cycle, BigInt, symbol) or nested more than 500 levels deep
    └── ProtocolError               key "protocol_error": what the context answered the sandbox
                                    is malformed (connector code tampered with built-ins the
                                    answer is made of, e.g. `Object.prototype.toJSON`)

Reserved keys: an error thrown by connector code keeps its own `key` (JSError.key), except the
sandbox's own keys (every LimitReason value, never_settled, invalid_result, protocol_error,
unknown_export, module_not_allowed, syntax_error, engine_error, extension_error, sandbox_error):
code cannot impersonate a limit or a sandbox failure, so such a key becomes "js_error" (the
JSError class is kept). A key that a host operation's HostOperationFailed carried into JS in
the same call is kept, so an embedder's error re-thrown by the code still round-trips.

    HostOperationFailed             raised BY a host operation (embedder code) to reject the JS
                                    promise with an Error carrying key, message, data; it is
                                    not a SandboxError and never reaches the sandbox's caller.

The sandbox's own tree: `sandbox` never imports `runtime`; the runtime translates these.
Messages never contain arguments or host-operation payloads (they may hold secrets).
"""

from __future__ import annotations

import enum
from typing import Any

__all__ = [
    "HostOperationFailed",
    "InvalidResult",
    "JSError",
    "JSSyntaxError",
    "LimitExceeded",
    "LimitReason",
    "ModuleNotAllowed",
    "NeverSettled",
    "ProtocolError",
    "SandboxError",
    "UnknownExport",
]


class SandboxError(Exception):
    """Base of every error a sandbox call raises."""

    type: str = "sandbox"
    key: str = "sandbox_error"

    def __init__(
        self,
        message: str,
        *,
        key: str | None = None,
        data: Any = None,
        stack: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if key is not None:
            self.key = key
        self.data = data
        self.stack = stack
        #: log entries the call produced before it failed (set by the sandbox)
        self.logs: list[Any] = []

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape the CLI prints."""
        out: dict[str, Any] = {"type": self.type, "key": self.key, "message": self.message}
        if self.data is not None:
            out["data"] = self.data
        if self.stack:
            out["stack"] = self.stack
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}(key={self.key!r}, message={self.message!r})"


class JSError(SandboxError):
    """A value thrown by JavaScript and not caught; `name`, `stack` point at the connector file."""

    type = "js"
    key = "js_error"

    def __init__(
        self,
        message: str,
        *,
        name: str = "Error",
        key: str | None = None,
        data: Any = None,
        stack: str | None = None,
        thrown: Any = None,
    ) -> None:
        super().__init__(message, key=key, data=data, stack=stack)
        self.name = name
        #: for `throw "text"` / `throw {..}` (not an Error): the thrown value as JSON
        self.thrown = thrown

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["name"] = self.name
        return out


class ModuleNotAllowed(JSError):
    """`import`/`require` of a module the sandbox does not provide; `module` names it."""

    key = "module_not_allowed"

    def __init__(self, message: str, *, module: str, **kw: Any) -> None:
        kw.setdefault("data", {"module": module})
        super().__init__(message, **kw)
        self.module = module


class UnknownExport(JSError):
    """The requested export (or a unique callable one) does not exist; data lists the exports."""

    key = "unknown_export"


class JSSyntaxError(SandboxError):
    """The source does not parse; `filename`, `line` (1-based) and `column` say where."""

    key = "syntax_error"

    def __init__(self, filename: str, line: int, message: str, *, column: int | None = None) -> None:
        where = f"{filename}:{line}" + (f":{column}" if column else "")
        super().__init__(f"{where}: {message}", data={"file": filename, "line": line, "column": column})
        self.filename = filename
        self.line = line
        self.column = column
        self.problem = message


class LimitReason(str, enum.Enum):
    """Which limit a call hit; the value is the error's key."""

    TIME = "time_limit"
    WALL_TIME = "wall_time_limit"
    MEMORY = "memory_limit"
    STACK = "stack_overflow"
    HOST_OPERATIONS = "too_many_host_operations"
    LOGS = "logs_too_large"
    RESULT = "result_too_large"


class LimitExceeded(SandboxError):
    """A limit of the call was hit; the context is thrown away, the next call is unaffected."""

    def __init__(self, reason: LimitReason, message: str, *, stack: str | None = None) -> None:
        super().__init__(message, key=reason.value, data={"reason": reason.value}, stack=stack)
        self.reason = reason


class NeverSettled(SandboxError):
    """The returned promise is pending with no host operation or timer that could settle it."""

    key = "never_settled"


class InvalidResult(SandboxError):
    """The value returned is not JSON: a function, a cycle, a BigInt, a symbol."""

    key = "invalid_result"


class ProtocolError(SandboxError):
    """The context's answer to the sandbox is malformed (built-ins it is made of were tampered
    with); the call fails with this typed error instead of a Python exception."""

    key = "protocol_error"


class HostOperationFailed(Exception):
    """Raised by a host operation to reject its JS promise with an Error(key, message, data)."""

    def __init__(self, key: str, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.key = key
        self.message = message
        self.data = data

    def __repr__(self) -> str:
        return f"HostOperationFailed(key={self.key!r}, message={self.message!r})"
