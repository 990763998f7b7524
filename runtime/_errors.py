"""Errors the host sees (SPEC section 9).

Every error carries a stable `type` and `key`, a human `message` with no secret in it, and
optional JSON `data`. Foreign exceptions (QuickJS, httpx, pydantic, YAML) are translated in one
place each, keeping the original as `__cause__`.

    ConnectorError                      base: type, key, message, data
    ├── ConfigurationError              type "configuration": the connector or its input is wrong
    │   ├── SpecError                   a spec file/field is invalid (file + field path)
    │   ├── FormulaError                a mapping cannot compile or evaluate (file + path)
    │   └── InvalidInputError           method input / parameters / connection input invalid
    ├── ApiError                        HTTP failures through the API client (status, method, url)
    │   ├── ConnectionProblem           type "connection": access_token_expired,
    │   │                               rate_limit_exceeded, connection_is_defunct, http_error
    │   └── BadRequestError             type "bad_request": not_found, not_authenticated,
    │                                   access_denied, already_exists, bad_request
    ├── CustomCodeError                 type "custom_code": thrown by connector code (JS stack)
    ├── NotSupportedError               type "not_supported", key "not_supported"
    ├── SandboxLimitError               type "sandbox": a limit was hit (key names which)
    └── InternalError                   type "internal": a bug in the runtime, not the connector
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApiError",
    "BadRequestError",
    "ConfigurationError",
    "ConnectionProblem",
    "ConnectorError",
    "CustomCodeError",
    "FormulaError",
    "InternalError",
    "InvalidInputError",
    "NotSupportedError",
    "SandboxLimitError",
    "SpecError",
]


class ConnectorError(Exception):
    """Base of every error the runtime raises to the host."""

    type: str = "internal"
    key: str = "internal_error"

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

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape used by the CLI and test suites."""
        out: dict[str, Any] = {"type": self.type, "key": self.key, "message": self.message}
        if self.data is not None:
            out["data"] = self.data
        if self.stack:
            out["stack"] = self.stack
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}(type={self.type!r}, key={self.key!r}, message={self.message!r})"


class ConfigurationError(ConnectorError):
    """The connector, its parameters or the host's configuration are wrong."""

    type = "configuration"
    key = "configuration_error"


class SpecError(ConfigurationError):
    """A spec file or one of its fields is invalid; the message starts with `file: field:`."""

    key = "invalid_spec"

    def __init__(self, file: str, field: str | None, problem: str, **kw: Any) -> None:
        self.file = file
        self.field = field
        self.problem = problem
        where = f"{file}: {field}" if field else file
        super().__init__(f"{where}: {problem}", **kw)


class FormulaError(ConfigurationError):
    """A mapping cannot compile or evaluate; names the file and the path inside the mapping."""

    key = "formula_error"


class InvalidInputError(ConfigurationError):
    """Method input, element parameters or connection input do not match their schema."""

    key = "invalid_input"


class ApiError(ConnectorError):
    """An HTTP request through the API client failed.

    `status` is None when no response came (network error, timeout). `url` is redacted.
    """

    type = "connection"
    key = "http_error"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        method: str | None = None,
        url: str | None = None,
        body_excerpt: str | None = None,
        **kw: Any,
    ) -> None:
        self.status = status
        self.method = method
        self.url = url
        self.body_excerpt = body_excerpt
        if kw.get("data") is None:
            kw["data"] = {
                k: v
                for k, v in {
                    "status": status,
                    "method": method,
                    "url": url,
                    "body": body_excerpt,
                }.items()
                if v is not None
            } or None
        super().__init__(message, **kw)


class ConnectionProblem(ApiError):
    """type "connection": the connection cannot be used right now (or at all)."""

    type = "connection"


class BadRequestError(ApiError):
    """type "bad_request": the API refused this particular request."""

    type = "bad_request"
    key = "bad_request"


class CustomCodeError(ConnectorError):
    """An error thrown by connector code; `stack` points at the connector file and line."""

    type = "custom_code"
    key = "custom_code_error"


class NotSupportedError(ConnectorError):
    """The method exists in the spec but is declared `not-supported` (or is absent)."""

    type = "not_supported"
    key = "not_supported"


class SandboxLimitError(ConnectorError):
    """A sandbox limit was hit: key is time_limit, memory_limit, stack_overflow, ..."""

    type = "sandbox"
    key = "limit_exceeded"


class InternalError(ConnectorError):
    """A bug in the runtime itself (never the connector's fault)."""

    type = "internal"
    key = "internal_error"
