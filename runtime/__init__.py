"""connector-runtime: load connectors, connect accounts, call methods.

This module is the whole public surface of the runtime; everything else is private.
"""

from __future__ import annotations

from runtime._errors import (
    ApiError,
    BadRequestError,
    ConfigurationError,
    ConnectionProblem,
    ConnectorError,
    CustomCodeError,
    FormulaError,
    InternalError,
    InvalidInputError,
    NotSupportedError,
    SandboxLimitError,
    SpecError,
)

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
