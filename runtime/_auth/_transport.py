"""The one HTTP step every token request shares: POST, log, translate transport failures.

Token requests (OAuth2 code exchange and refresh, OAuth1 request/access token) are requests
of the call that triggered them: a refresh made while a method runs belongs in that call's
request log like the API requests around it, with the same redaction.
"""

from __future__ import annotations

import time

import httpx

from runtime._http import RequestLogEntry
from runtime._http import _wire as wire
from runtime._http._redact import Redactor

__all__ = ["RequestLog", "logged_post"]

#: Where a token request is recorded: a call's request log (`CallContext.requests`).
RequestLog = list[RequestLogEntry]


async def logged_post(
    http: httpx.AsyncClient,
    url: str,
    shown_url: str,
    redactor: Redactor,
    log: RequestLog | None,
    *,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
) -> httpx.Response:
    """POST `url` (through `_wire`, as every runtime request); record (method, `shown_url`,
    status, duration) in `log`; typed network errors."""
    from runtime._http._failures import transport_error

    started = time.perf_counter()
    try:
        response = await wire.send(http, wire.build(http, "POST", url, headers=headers, content=content))
    except httpx.HTTPError as exc:
        problem = transport_error(exc, method="POST", url=shown_url, redactor=redactor)
        if log is not None:
            log.append(RequestLogEntry("POST", shown_url, None, (time.perf_counter() - started) * 1000, problem.key))
        raise problem from exc
    if log is not None:
        log.append(RequestLogEntry("POST", shown_url, response.status_code, (time.perf_counter() - started) * 1000))
    return response
