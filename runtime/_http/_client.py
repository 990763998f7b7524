"""The API client connector code talks to (SPEC 4): one authenticated request at a time.

Flow of one `request`:

    config = await session.api_config()      (cached by the session per credentials generation)
    build httpx.Request (join URL, merge headers/query, encode body), session.sign(request)
    send on the shared httpx.AsyncClient      (`_wire`; timeout = what is left of the deadline)
    log (method, redacted URL, status, ms)
    responseHandlers -> first match decides   (success data, or an error with key/message/data)
    2xx -> body                               (JSON / text / base64, per responseType)
    401 (or handler key access_token_expired) -> session.refresh(generation) -> retry once
    429 (or handler key rate_limit_exceeded)  -> wait (Retry-After or backoff) while the deadline allows
    anything else -> typed ApiError           (status, method, redacted URL, body excerpt)
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from runtime._errors import ApiError, ConfigurationError, ConnectionProblem
from runtime._http import _wire as wire
from runtime._http._config import ApiClientConfig, RequestOptions
from runtime._http._failures import error_for_key, error_for_status, invalid_response, transport_error
from runtime._http._message import build_request, decode_body, is_json_content_type, js_truthy, non_ascii_header, response_headers
from runtime._http._redact import Redactor
from runtime._http._retry import RetryPolicy, parse_retry_after
from runtime._http._session import AuthSession

__all__ = ["ApiClient", "RequestLogEntry"]


@dataclass(frozen=True, slots=True)
class RequestLogEntry:
    """One HTTP exchange as the host sees it; ``url`` is already redacted."""

    method: str
    url: str
    status: int | None
    duration_ms: float
    error: str | None = None  # error key when no response came (timeout, network_error, ...)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "method": self.method,
            "url": self.url,
            "status": self.status,
            "durationMs": round(self.duration_ms, 3),
        }
        if self.error is not None:
            out["error"] = self.error
        return out


_OK, _AUTH, _RATE = "ok", "auth", "rate"


class ApiClient:
    """Authenticated HTTP client for one connection.

    ``http`` is the connection's pooled `httpx.AsyncClient` (the client never closes it);
    ``deadline`` is an absolute ``time.monotonic()`` instant after which no request starts and
    no backoff sleeps (per-request override: ``request(..., deadline=)``).
    """

    def __init__(
        self,
        session: AuthSession,
        *,
        http: httpx.AsyncClient,
        redactor: Redactor,
        deadline: float | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        rng: random.Random | None = None,
        log: list[RequestLogEntry] | None = None,
    ) -> None:
        self.session = session
        self.http = http
        self.redactor = redactor
        self.deadline = deadline
        self.retry = retry or RetryPolicy()
        #: every exchange, in order; pass a call's log to record straight into it
        self.log: list[RequestLogEntry] = log if log is not None else []
        self._clock = clock
        self._sleep = sleep
        self._rng = rng

    def __repr__(self) -> str:
        return f"ApiClient(requests={len(self.log)}, deadline={self.deadline!r})"

    # JS-shaped helpers: get(path, query, options), post(path, data, options), ...
    async def get(self, path: str, query: Mapping[str, Any] | None = None, options: Any = None) -> Any:
        return await self.request("GET", path, query=query, options=options)

    async def post(self, path: str, data: Any = None, options: Any = None) -> Any:
        return await self.request("POST", path, data=data, options=options)

    async def put(self, path: str, data: Any = None, options: Any = None) -> Any:
        return await self.request("PUT", path, data=data, options=options)

    async def patch(self, path: str, data: Any = None, options: Any = None) -> Any:
        return await self.request("PATCH", path, data=data, options=options)

    async def delete(self, path: str, data: Any = None, options: Any = None) -> Any:
        return await self.request("DELETE", path, data=data, options=options)

    async def request(
        self,
        method: str,
        path_or_url: str,
        *,
        query: Mapping[str, Any] | None = None,
        data: Any = None,
        headers: Mapping[str, Any] | None = None,
        options: Any = None,
        deadline: float | None = None,
        json_text: bool = False,
    ) -> Any:
        """Send one request with auth, refresh-once, rate-limit backoff; return the response body
        (or ``{data, headers, statusCode}`` with ``returnFullResponse``). Raises ApiError subclasses.

        `json_text`: a JSON object or array body returned as it came is returned as its text
        (`sandbox.RawJSON`), for JavaScript to parse: the sandbox then need not encode it again."""
        method = method.upper()
        opts = RequestOptions.parse(options)
        deadline = self.deadline if deadline is None else deadline
        refreshed = False
        rate_attempt = 0
        while True:
            generation = self.session.generation
            config = await self.session.api_config()
            request = build_request(
                self.http, config, opts, method, path_or_url,
                query=query, data=data, headers=headers, timeout=self._timeout(deadline),
            )
            self.session.sign(request)
            shown_url = self.redactor.url(str(request.url))
            response = await self._send(request, method, shown_url, deadline)
            kind, value, decoded = self._interpret(config, opts, request, response, method, shown_url)
            if kind == _OK:
                return _json_text(value, response) if json_text and value is decoded else value
            error: ApiError = value
            if kind == _AUTH:
                if not refreshed:
                    refreshed = True
                    if await self.session.refresh(generation):
                        continue
                    error.message = f"{error.message} (credentials cannot be refreshed)"
                else:
                    error.message = f"{error.message} (still rejected after refreshing credentials)"
                error.args = (error.message,)
                raise error
            # rate limited
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            wait = self.retry.delay(rate_attempt, retry_after, self._rng)
            if deadline is not None:
                left = deadline - self._clock()
                if wait > left:
                    raise self._give_up(error, f"next retry in {wait:.2f} s would pass the deadline ({max(left, 0):.2f} s left)")
            elif rate_attempt >= self.retry.max_attempts:
                raise self._give_up(error, f"gave up after {rate_attempt} retries")
            rate_attempt += 1
            await self._sleep(wait)

    async def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        body: str | bytes | None = None,
        response_encoding: str = "text",
        deadline: float | None = None,
    ) -> dict[str, Any]:
        """The sandbox `fetch` (and axios) host operation: a raw exchange on the pooled client.

        No makeApiClient config, no handlers, no refresh, no raising on 4xx/5xx, redirects
        followed (fetch semantics, as in Node); but the same pool, deadline, request log and
        redaction. Returns ``{status, statusText, headers, body}`` with the body as text, or
        base64 when ``response_encoding == "base64"``. Network failures raise
        ConnectionProblem like `request`.
        """
        method = method.upper()
        if not url.lower().startswith(("http://", "https://")):
            raise ConfigurationError(
                f"fetch needs an absolute http(s) URL, got {self.redactor.url(url)[:200]!r}", key="invalid_request"
            )
        deadline = self.deadline if deadline is None else deadline
        timeout = self._timeout(deadline)
        content = body.encode("utf-8") if isinstance(body, str) else body
        try:
            request = wire.build(self.http, method, url, headers=headers, content=content, timeout=timeout)
        except httpx.InvalidURL as exc:
            raise ConfigurationError(f"fetch: invalid URL: {self.redactor.text(str(exc))}", key="invalid_request") from exc
        except UnicodeEncodeError as exc:
            raise non_ascii_header(dict(headers or {})) from exc
        shown_url = self.redactor.url(str(request.url))
        response = await self._send(request, method, shown_url, deadline, follow_redirects=True)
        if response_encoding == "base64":
            text = base64.b64encode(response.content).decode("ascii")
        else:
            text = response.text
        return {
            "status": response.status_code,
            "statusText": response.reason_phrase,
            "headers": response_headers(response),
            "body": text,
        }

    @staticmethod
    def _give_up(error: ApiError, why: str) -> ApiError:
        error.message = f"{error.message} ({why})"
        error.args = (error.message,)
        return error

    def _timeout(self, deadline: float | None) -> httpx.Timeout | None:
        if deadline is None:
            return None
        left = deadline - self._clock()
        configured = self.http.timeout.read
        if configured is not None and configured <= left:
            return None
        return httpx.Timeout(max(left, 0.001))

    async def _send(
        self, request: httpx.Request, method: str, shown_url: str, deadline: float | None, *, follow_redirects: bool = False
    ) -> httpx.Response:
        if deadline is not None and self._clock() >= deadline:
            self.log.append(RequestLogEntry(method, shown_url, None, 0.0, "timeout"))
            raise ConnectionProblem(
                f"{method} {shown_url} not sent: the call's deadline has passed", key="timeout", method=method, url=shown_url
            )
        started = time.perf_counter()
        try:
            response = await wire.send(self.http, request, follow_redirects=follow_redirects)
        except httpx.HTTPError as exc:
            problem = transport_error(exc, method=method, url=shown_url, redactor=self.redactor.for_request(request))
            self.log.append(RequestLogEntry(method, shown_url, None, (time.perf_counter() - started) * 1000, problem.key))
            raise problem from exc
        duration = (time.perf_counter() - started) * 1000
        status = response.status_code
        self.log.append(RequestLogEntry(method, shown_url, status, duration))
        return response

    def _interpret(
        self,
        config: ApiClientConfig,
        opts: RequestOptions,
        request: httpx.Request,
        response: httpx.Response,
        method: str,
        shown_url: str,
    ) -> tuple[str, Any, Any]:
        """(kind, value: the body, the shaped response or the error, the body as decoded)."""
        status = response.status_code
        body, problem = decode_body(response, opts.response_type)
        decoded = body
        headers: dict[str, str] | None = None
        if config.response_handlers:
            headers = response_headers(response)
            variables = {"response": {"data": body, "headers": headers, "statusCode": status}}
            for handler in config.response_handlers:
                if not js_truthy(handler.match.evaluate(variables)):
                    continue
                if js_truthy(handler.is_success.evaluate(variables)):
                    if handler.data is not None:
                        body = handler.data.evaluate(variables)
                    return _OK, self._shape(opts, body, headers, status, response), decoded
                return (*self._handler_error(handler, variables, request, response, method, shown_url), None)
        if status < 300:
            if problem is not None:
                redactor = self.redactor.for_request(request)
                raise invalid_response(response, method=method, url=shown_url, redactor=redactor, problem=problem)
            return _OK, self._shape(opts, body, headers, status, response), decoded
        error = error_for_status(response, method=method, url=shown_url, redactor=self.redactor.for_request(request))
        if status == 401:
            return _AUTH, error, None
        if status == 429:
            return _RATE, error, None
        if 300 <= status < 400:
            error.message += " (redirect not followed)"
            error.args = (error.message,)
        raise error

    @staticmethod
    def _shape(opts: RequestOptions, body: Any, headers: dict[str, str] | None, status: int, response: httpx.Response) -> Any:
        if not opts.return_full_response:
            return body
        return {"data": body, "headers": headers if headers is not None else response_headers(response), "statusCode": status}

    def _handler_error(
        self,
        handler: Any,
        variables: dict[str, Any],
        request: httpx.Request,
        response: httpx.Response,
        method: str,
        shown_url: str,
    ) -> tuple[str, ApiError]:
        spec = handler.error.evaluate(variables) if handler.error is not None else None
        spec = spec if isinstance(spec, Mapping) else {}
        status = response.status_code
        redactor = self.redactor.for_request(request)
        default = error_for_status(response, method=method, url=shown_url, redactor=redactor)
        key = spec.get("key") or (default.key if status >= 300 else "http_error")
        message = spec.get("message")
        if message:
            message = redactor.text(str(message))
        elif status < 300:
            body = f": {default.body_excerpt}" if default.body_excerpt else ""
            message = f"{method} {shown_url} returned HTTP {status}, which a responseHandler marks as an error{body}"
        else:
            message = default.message
        data = redactor.value(spec["data"]) if spec.get("data") is not None else None
        error_type = spec.get("type") if spec.get("type") in ("bad_request", "connection") else None
        error = error_for_key(
            str(key), message, status=status, method=method, url=shown_url,
            body_excerpt=default.body_excerpt, data=data, error_type=error_type,
        )
        if key == "access_token_expired":
            return _AUTH, error
        if key == "rate_limit_exceeded":
            return _RATE, error
        raise error


def _json_text(value: Any, response: httpx.Response) -> Any:
    """`value`, the body as decoded and returned whole (the caller checked: no responseHandler
    `data`, no `returnFullResponse` around it), as `RawJSON` when it is a JSON object or array
    read from UTF-8 text of a JSON content type: then that text is what `json.loads` read,
    character for character."""
    if type(value) not in (dict, list):
        return value
    content = response.content
    if not is_json_content_type(response.headers.get("content-type")) or json.detect_encoding(content) != "utf-8":
        return value
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:  # encoded surrogates, which json.loads let through
        return value
    from sandbox import RawJSON

    return RawJSON(text)
