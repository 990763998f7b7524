"""The one place where sandbox errors become runtime errors (the sandbox has its own tree).

    sandbox error                     runtime error
    JSError (thrown by connector)  -> CustomCodeError (key from the JS error if it set one)
    JSError that is an API error   -> the original ApiError (its type/key kept), with the JS stack
      re-thrown uncaught by JS
    LimitExceeded(reason)          -> SandboxLimitError(key=reason)
    NeverSettled                   -> SandboxLimitError(key="never_settled")
    InvalidResult                  -> CustomCodeError(key="invalid_result")
    ModuleNotAllowed               -> CustomCodeError(key="module_not_allowed")
    JSSyntaxError                  -> CustomCodeError(key="syntax_error")

Why API errors round-trip: a connector that does `await apiClient.get(...)` without a
try/catch should surface `bad_request/not_found` to the host, not a generic custom-code error.
Host operations raise `HostOperationFailed(key, message, data)` into JS; the translator remembers
each such error, and when the same key+message comes back out as an uncaught JSError it returns
the original typed error. Every message, stack and data value is redacted.
"""

from __future__ import annotations

import re
from typing import Any

from runtime._errors import ConnectorError, CustomCodeError, SandboxLimitError

__all__ = ["SandboxErrorTranslator"]


class SandboxErrorTranslator:
    """Per JS method run: turns errors crossing the wall in either direction."""

    __slots__ = ("_redactor", "_file", "_raised", "_lines")

    def __init__(self, redactor: Any, file: str, lines: tuple[int, ...] | None = None) -> None:
        self._redactor = redactor
        self._file = file
        self._raised: dict[str, list[tuple[str, ConnectorError]]] = {}
        #: a TypeScript file's `.ts` line for each line of the JavaScript that ran
        self._lines = lines

    def to_js(self, exc: ConnectorError) -> Exception:
        """A runtime error raised by a host operation -> the sandbox's HostOperationFailed."""
        from sandbox import HostOperationFailed

        message = self._redactor.text(exc.message)
        data = self._redactor.value(exc.data) if exc.data is not None else None
        self._raised.setdefault(exc.key, []).append((message, exc))
        return HostOperationFailed(exc.key, message, data)

    def _source_lines(self, stack: str) -> str:
        """`file.ts:<JS line>:<col>` frames of this method's file -> `file.ts:<TS line>` (the
        column is the transpiled line's, so it goes)."""
        lines = self._lines
        if not lines:
            return stack
        head = re.escape(self._file) + r":(\d+)(?::\d+)?"

        def to_source(m: re.Match[str]) -> str:
            n = int(m.group(1))
            return f"{self._file}:{lines[n - 1] if 0 < n <= len(lines) else n}"

        return re.sub(head, to_source, stack)

    def translate(self, exc: BaseException) -> ConnectorError | None:
        """The runtime error for a sandbox exception, or None when it is not one of the sandbox's."""
        import sandbox

        if not isinstance(exc, sandbox.SandboxError):
            return None
        red = self._redactor
        stack = getattr(exc, "stack", None)
        stack = red.text(self._source_lines(stack)) if isinstance(stack, str) else None
        key = getattr(exc, "key", None)
        message = red.text(str(getattr(exc, "message", None) or exc))
        if isinstance(exc, sandbox.LimitExceeded):
            return SandboxLimitError(message, key=key or "limit_exceeded", stack=stack)
        if isinstance(exc, sandbox.NeverSettled):
            return SandboxLimitError(message, key="never_settled", stack=stack)
        if isinstance(exc, sandbox.InvalidResult):
            return CustomCodeError(message, key="invalid_result", stack=stack)
        if isinstance(exc, sandbox.ModuleNotAllowed):
            return CustomCodeError(message, key="module_not_allowed", stack=stack)
        if isinstance(exc, sandbox.JSSyntaxError):
            return CustomCodeError(message, key="syntax_error", stack=stack)
        if isinstance(exc, sandbox.JSError):
            for raised_message, original in reversed(self._raised.get(key or "", [])):
                if raised_message and raised_message in message:
                    if stack:
                        original.stack = stack
                    return original
            data = getattr(exc, "data", None)
            if data is None and getattr(exc, "thrown", None) is not None:
                data = {"thrown": exc.thrown}
            return CustomCodeError(
                message,
                key=key if isinstance(key, str) and key and key != "js_error" else None,
                data=red.value(data) if data is not None else None,
                stack=stack,
            )
        return CustomCodeError(message, key=key if isinstance(key, str) else None, stack=stack)
