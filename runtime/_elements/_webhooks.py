"""Incoming webhook requests and the responses sent back, framework-free (SPEC 8).

A host receives a webhook in whatever web framework it uses and hands the runtime four things:
method, URL, headers and the body bytes. `parse_request` turns them into the inputs `handle`
methods get: `query` (repeated keys become lists), `data` (the body parsed by content type:
JSON, form, text; raw text when JSON does not parse), `headers` (names lower-cased, as Node
servers give them to connector code) and `rawBody` (the exact text, for signature checks).
`build_response` turns what `handle` returned (`response: {status, headers, data}`) into
status, headers and body bytes the host sends back.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from runtime._errors import InvalidInputError

__all__ = ["HttpResponse", "IncomingRequest", "build_response", "handle_inputs", "parse_request"]

_HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_LINE_BREAK = re.compile(r"[\r\n\x00]")


@dataclass(frozen=True)
class IncomingRequest:
    """An HTTP request as any web framework can give it."""

    method: str
    url: str
    headers: Mapping[str, str] | Iterable[tuple[str, str]] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class HttpResponse:
    """What to send back to the webhook's sender."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        """The body parsed as JSON (None when empty); handy in tests and logs."""
        return json.loads(self.body) if self.body else None


def _header_items(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [(str(k), v.decode("latin-1") if isinstance(v, bytes) else str(v)) for k, v in items]


def _multi(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Pairs to a dict; a repeated key becomes a list (like Express's query parser)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            prev = out[key]
            out[key] = prev + [value] if isinstance(prev, list) else [prev, value]
        else:
            out[key] = value
    return out


def _content_type(headers: Mapping[str, str]) -> tuple[str, str]:
    raw = headers.get("content-type", "")
    mime, _, rest = raw.partition(";")
    charset = "utf-8"
    for part in rest.split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            charset = value.strip('"').lower()
    return mime.strip().lower(), charset


def parse_request(request: IncomingRequest) -> dict[str, Any]:
    """The `{query, data, headers, rawBody}` inputs of a handle method for this request.

    Undecodable bytes are passed as base64 in `rawBody` (and `rawBodyEncoding: "base64"`);
    a body that is valid UTF-8 (every JSON and form body) stays exact text.
    """
    headers: dict[str, str] = {}
    for key, value in _header_items(request.headers):
        name = key.lower()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    query = _multi(parse_qsl(urlsplit(request.url).query, keep_blank_values=True))
    body = request.body or b""
    mime, charset = _content_type(headers)
    inputs: dict[str, Any] = {"query": query, "headers": headers}
    try:
        text = body.decode(charset)
    except (UnicodeDecodeError, LookupError):
        text = None
    if text is None:
        inputs["rawBody"] = base64.b64encode(body).decode()
        inputs["rawBodyEncoding"] = "base64"
        inputs["data"] = None
        return inputs
    inputs["rawBody"] = text
    if not body:
        data: Any = None
    elif mime == "application/x-www-form-urlencoded":
        data = _multi(parse_qsl(text, keep_blank_values=True))
    elif mime == "application/json" or mime.endswith("+json") or (not mime and text.lstrip()[:1] in ("{", "[")):
        try:
            data = json.loads(text)
        except ValueError:
            data = text
    else:
        data = text
    inputs["data"] = data
    return inputs


def handle_inputs(request: IncomingRequest | Mapping[str, Any]) -> dict[str, Any]:
    """Inputs for handle from an IncomingRequest, or an already parsed `{query, data, ...}` dict.

    A parsed dict of the wrong shape is an InvalidInputError naming the part, not a crash.
    """
    if isinstance(request, IncomingRequest):
        return parse_request(request)
    if not isinstance(request, Mapping):
        raise InvalidInputError("a webhook request must be an object {query, data, headers, rawBody}")
    for key in ("query", "headers"):
        if request.get(key) is not None and not isinstance(request[key], Mapping):
            raise InvalidInputError(f"webhook request: `{key}` must be an object")
    if request.get("rawBody") is not None and not isinstance(request["rawBody"], str):
        raise InvalidInputError("webhook request: `rawBody` must be a string")
    inputs = {
        "query": dict(request.get("query") or {}),
        "data": request.get("data"),
        "headers": {str(k).lower(): v for k, v in dict(request.get("headers") or {}).items()},
        "rawBody": request.get("rawBody"),
    }
    if request.get("rawBodyEncoding") is not None:
        inputs["rawBodyEncoding"] = request["rawBodyEncoding"]
    return inputs


def build_response(response: Any) -> HttpResponse:
    """`{status, headers, data}` from a handle method as an HTTP response; 200 and no body by default.

    Objects and lists are sent as JSON, strings as text (unless the connector set its own
    content type), bytes-like base64 is not guessed: connectors return text or JSON. Headers
    whose name is not an HTTP token or whose value holds a line break are dropped: connector
    code must not be able to split the host's response (header injection).
    """
    if not isinstance(response, Mapping):
        return HttpResponse()
    status = response.get("status", response.get("statusCode", 200))
    try:
        status = int(status)
    except (TypeError, ValueError):
        status = 200
    if not 100 <= status <= 599:
        status = 500
    raw_headers = response.get("headers")
    items = raw_headers.items() if isinstance(raw_headers, Mapping) else ()
    headers = {str(k): str(v) for k, v in items if _HEADER_NAME.match(str(k)) and not _LINE_BREAK.search(str(v))}
    has_type = any(k.lower() == "content-type" for k in headers)
    data = response.get("data", response.get("body"))
    if data is None:
        body = b""
    elif isinstance(data, str):
        body = data.encode()
        if not has_type:
            headers["Content-Type"] = "text/plain; charset=utf-8"
    else:
        body = json.dumps(data, separators=(",", ":")).encode()
        if not has_type:
            headers["Content-Type"] = "application/json"
    return HttpResponse(status=status, headers=headers, body=body)
