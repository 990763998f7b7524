"""The one place where HTTP outcomes and httpx exceptions become runtime errors (SPEC 9).

Every error names the method and the redacted URL, carries the status and a short redacted
body excerpt, and keeps the httpx exception as ``__cause__``.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from runtime._errors import ApiError, BadRequestError, ConnectionProblem
from runtime._http._redact import Redactor

__all__ = [
    "BAD_REQUEST_KEYS",
    "error_for_key",
    "error_for_status",
    "excerpt",
    "invalid_response",
    "transport_error",
]

#: Keys of type "bad_request" (SPEC 9); every other key is a "connection" problem.
BAD_REQUEST_KEYS = frozenset({"not_found", "not_authenticated", "access_denied", "already_exists", "bad_request"})

_STATUS_KEYS: dict[int, str] = {
    400: "bad_request",
    401: "access_token_expired",
    403: "access_denied",
    404: "not_found",
    409: "already_exists",
    422: "bad_request",
    429: "rate_limit_exceeded",
}

EXCERPT_CHARS = 300
_SPACES = re.compile(r"\s+")


def excerpt(body: bytes | str | None, redactor: Redactor, limit: int = EXCERPT_CHARS) -> str | None:
    """A short, single-line, redacted piece of a response body for error messages."""
    if body is None:
        return None
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = _SPACES.sub(" ", text[: limit * 4]).strip()
    if not text:
        return None
    text = redactor.text(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_for_key(
    key: str,
    message: str,
    *,
    status: int | None,
    method: str,
    url: str,
    body_excerpt: str | None,
    data: Any = None,
    error_type: str | None = None,
) -> ApiError:
    """An ApiError subclass chosen by ``key`` (or an explicit ``error_type``)."""
    if error_type == "bad_request" or (error_type is None and key in BAD_REQUEST_KEYS):
        cls: type[ApiError] = BadRequestError
    else:
        cls = ConnectionProblem
    return cls(message, key=key, status=status, method=method, url=url, body_excerpt=body_excerpt, data=data)


def error_for_status(
    response: httpx.Response, *, method: str, url: str, redactor: Redactor, note: str | None = None
) -> ApiError:
    """The typed error for a non-success status: 404 not_found, 403 access_denied, ..."""
    status = response.status_code
    key = _STATUS_KEYS.get(status, "http_error")
    body = excerpt(response.content, redactor)
    reason = response.reason_phrase or ""
    message = f"{method} {url} failed with HTTP {status}{(' ' + reason) if reason else ''}"
    if note:
        message += f" ({note})"
    if body:
        message += f": {body}"
    return error_for_key(key, message, status=status, method=method, url=url, body_excerpt=body)


def invalid_response(
    response: httpx.Response, *, method: str, url: str, redactor: Redactor, problem: str
) -> ConnectionProblem:
    """A response the client cannot use (e.g. malformed JSON under a JSON content-type)."""
    body = excerpt(response.content, redactor)
    message = f"{method} {url} returned an invalid response (HTTP {response.status_code}): {problem}"
    return ConnectionProblem(
        message, key="invalid_response", status=response.status_code, method=method, url=url, body_excerpt=body
    )


def transport_error(exc: httpx.HTTPError, *, method: str, url: str, redactor: Redactor) -> ConnectionProblem:
    """A network failure (no response): timeout, refused connection, broken protocol."""
    detail = redactor.text(str(exc)) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        key, what = "timeout", "timed out"
    elif isinstance(exc, httpx.ConnectError):
        key, what = "connection_failed", "could not connect"
    else:
        key, what = "network_error", "failed on the network"
    return ConnectionProblem(f"{method} {url} {what}: {detail}", key=key, method=method, url=url)
