"""QuickJS sandbox: runs JavaScript with limits and host operations. Knows nothing of connectors.

    module = compile_module(source, "data/contacts/list.js")     # once, at load time
    sandbox = Sandbox(extensions=[("api-client.js", source)])    # once
    result = await sandbox.call(module, args=[ctx], host_operations={"fetch": fetch_op})
"""

from __future__ import annotations

from ._errors import (
    HostOperationFailed,
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
from ._rewrite import Module
from ._sandbox import PRELUDE_FILENAME, LazyModule, Sandbox, compile_module

__all__ = [
    "CallResult",
    "CallStats",
    "HostOp",
    "HostOperationFailed",
    "InvalidResult",
    "JSError",
    "JSON",
    "JSSyntaxError",
    "LazyModule",
    "LimitExceeded",
    "LimitReason",
    "Limits",
    "LogEntry",
    "Module",
    "ModuleNotAllowed",
    "NeverSettled",
    "PRELUDE_FILENAME",
    "ProtocolError",
    "RawJSON",
    "Sandbox",
    "SandboxError",
    "UnknownExport",
    "compile_module",
]
