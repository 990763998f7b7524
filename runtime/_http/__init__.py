"""The API client (SPEC 4): request building, response handling, refresh, backoff, redaction.

Public surface for the rest of the runtime; everything else in this package is private.
"""

from __future__ import annotations

from runtime._http._client import ApiClient, RequestLogEntry
from runtime._http._config import ApiClientConfig, BasicAuth, RequestOptions, ResponseHandler, compile_response_handlers
from runtime._http._message import BASE64_BODY_KEY, FORM_BODY_KEY
from runtime._http._redact import REDACTED, Redactor
from runtime._http._retry import RetryPolicy, parse_retry_after
from runtime._http._session import AuthSession, CallbackAuthSession
from runtime._http._singleflight import SingleFlight

__all__ = [
    "ApiClient",
    "ApiClientConfig",
    "AuthSession",
    "BASE64_BODY_KEY",
    "BasicAuth",
    "CallbackAuthSession",
    "FORM_BODY_KEY",
    "REDACTED",
    "Redactor",
    "RequestLogEntry",
    "RequestOptions",
    "ResponseHandler",
    "RetryPolicy",
    "SingleFlight",
    "compile_response_handlers",
    "parse_retry_after",
]
