"""connector-runtime: load connectors, connect accounts, call methods.

This module is the whole public surface of the runtime; everything else is private.
"""

from __future__ import annotations

from runtime._connection import CallContext, Connection, MethodResult, OAuthStart
from runtime._connector import Connector
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
    "CallContext",
    "ConfigurationError",
    "Connection",
    "ConnectionProblem",
    "Connector",
    "ConnectorError",
    "CustomCodeError",
    "FormulaError",
    "InternalError",
    "InvalidInputError",
    "MethodResult",
    "NotSupportedError",
    "OAuthStart",
    "SandboxLimitError",
    "SpecError",
]
