"""Building requests and reading responses the way connector code expects (SPEC 4, axios-like).

Pure functions: no I/O, no retries. `_client` composes them.

Body conventions for values crossing from JavaScript (all JSON):

* an object/list/number/boolean is sent as JSON (``Content-Type: application/json``), unless the
  request's content-type is ``application/x-www-form-urlencoded``, in which case an object is
  form-encoded;
* ``{"__form__": {...}}`` or ``{"__form__": [[name, value], ...]}`` is a form body (what the
  prelude sends for a ``URLSearchParams``): form-encoded, content-type set when absent;
* ``{"__base64__": "..."}`` is raw bytes (a ``Buffer``/``ArrayBuffer`` body);
* a string is sent as is (UTF-8), with whatever content-type the caller set.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx

from runtime._errors import ConfigurationError
from runtime._http import _wire as wire
from runtime._http._config import ApiClientConfig, BasicAuth, RequestOptions, js_string

__all__ = [
    "BASE64_BODY_KEY",
    "FORM_BODY_KEY",
    "basic_auth_header",
    "build_request",
    "decode_body",
    "encode_body",
    "is_json_content_type",
    "join_url",
    "js_truthy",
    "non_ascii_header",
    "query_items",
    "response_headers",
]

FORM_BODY_KEY = "__form__"
BASE64_BODY_KEY = "__base64__"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
JSON_CONTENT_TYPE = "application/json"

_ABSOLUTE = re.compile(r"^[a-zA-Z][a-zA-Z\d+\-.]*://")


def join_url(base: str | None, path: str) -> str:
    """axios' rule: an absolute URL as is, else base without trailing '/' + '/' + path without leading '/'."""
    if _ABSOLUTE.match(path):
        return path
    if not base:
        raise ConfigurationError(
            f"relative request path {path[:200]!r} needs a baseUri (set it in makeApiClient or the request options)",
            key="invalid_request",
        )
    if not path:
        return base
    return base.rstrip("/") + "/" + path.lstrip("/")


def _flatten(name: str, value: Any, out: list[tuple[str, str]]) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        for k, v in value.items():
            _flatten(f"{name}[{k}]", v, out)
    elif isinstance(value, (list, tuple)):
        for v in value:
            if v is not None:
                out.append((name, json.dumps(v, separators=(",", ":")) if isinstance(v, (dict, list)) else js_string(v)))
    else:
        out.append((name, js_string(value)))


def query_items(*layers: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Merge query layers (later wins per name); None values dropped, lists repeat the name,
    nested objects use bracket names (``filter[status]=open``) like axios/qs."""
    merged: dict[str, Any] = {}
    for layer in layers:
        if layer:
            for k, v in layer.items():
                merged[str(k)] = v
    out: list[tuple[str, str]] = []
    for k, v in merged.items():
        _flatten(k, v, out)
    return out


def _merge_headers(*layers: Mapping[str, Any] | None) -> dict[str, str]:
    merged: dict[str, tuple[str, str]] = {}
    for layer in layers:
        if layer:
            for k, v in layer.items():
                if v is None:
                    merged.pop(k.lower(), None)
                else:
                    merged[k.lower()] = (k, js_string(v))
    return dict(merged.values())


def _find(headers: Mapping[str, str], name: str) -> str | None:
    name = name.lower()
    for k, v in headers.items():
        if k.lower() == name:
            return v
    return None


def _form_pairs(value: Any) -> list[tuple[str, str]]:
    if isinstance(value, Mapping):
        return query_items(value)
    if isinstance(value, (list, tuple)):
        pairs = []
        for item in value:
            if not isinstance(item, (list, tuple)) or len(item) != 2:
                raise ConfigurationError("a form body list must hold [name, value] pairs", key="invalid_request")
            pairs.append((str(item[0]), js_string(item[1])))
        return pairs
    if isinstance(value, str):
        return [(k, v) for k, _, v in (p.partition("=") for p in value.split("&") if p)]
    raise ConfigurationError(f"a form body must be an object or pairs, got {type(value).__name__}", key="invalid_request")


def encode_body(data: Any, headers: dict[str, str]) -> bytes | None:
    """Request body bytes for ``data``; sets Content-Type in ``headers`` when the body implies one."""
    if data is None:
        return None
    content_type = _find(headers, "content-type")
    if isinstance(data, Mapping) and len(data) == 1:
        if FORM_BODY_KEY in data:
            if content_type is None:
                headers["Content-Type"] = FORM_CONTENT_TYPE
            return urlencode(_form_pairs(data[FORM_BODY_KEY])).encode()
        if BASE64_BODY_KEY in data:
            raw = data[BASE64_BODY_KEY]
            if not isinstance(raw, str):
                raise ConfigurationError("__base64__ body must be a base64 string", key="invalid_request")
            if content_type is None:
                headers["Content-Type"] = "application/octet-stream"
            return base64.b64decode(raw)
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode("utf-8")
    if content_type is not None and content_type.split(";")[0].strip().lower() == FORM_CONTENT_TYPE and isinstance(data, Mapping):
        return urlencode(query_items(data)).encode()
    if content_type is None:
        headers["Content-Type"] = JSON_CONTENT_TYPE
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def basic_auth_header(auth: BasicAuth) -> str:
    """The `Authorization: Basic ...` value for `auth` (the one place it is encoded)."""
    token = base64.b64encode(f"{auth.username}:{auth.password}".encode()).decode("ascii")
    return f"Basic {token}"


def build_request(
    http: httpx.AsyncClient,
    config: ApiClientConfig,
    options: RequestOptions,
    method: str,
    path_or_url: str,
    *,
    query: Mapping[str, Any] | None = None,
    data: Any = None,
    headers: Mapping[str, Any] | None = None,
    timeout: httpx.Timeout | None = None,
) -> httpx.Request:
    """One `httpx.Request` from the client config, the per-request options and the arguments.

    Precedence (later wins): config < options < explicit arguments, for headers and query;
    `options.auth` beats `config.auth`, and basic auth replaces any Authorization header.
    """
    url = join_url(options.base_uri or config.base_uri, path_or_url)
    merged_headers = _merge_headers(config.headers, options.headers, headers)
    auth = options.auth or config.auth
    if auth is not None:
        for k in [k for k in merged_headers if k.lower() == "authorization"]:
            del merged_headers[k]
        merged_headers["Authorization"] = basic_auth_header(auth)
    content = encode_body(data, merged_headers)
    params = query_items(config.query, options.query, query)
    if params and "?" in url:
        # a query already in the path stays first (axios appends params to it); httpx would
        # replace it, so the merge happens here
        url, _, existing = url.partition("?")
        fragment = ""
        if "#" in existing:
            existing, _, fragment = existing.partition("#")
        params = parse_qsl(existing, keep_blank_values=True) + params
        if fragment:
            url = f"{url}#{fragment}"
    try:
        return wire.build(http, method, url, params=params, headers=merged_headers, content=content, timeout=timeout)
    except httpx.InvalidURL as exc:
        raise ConfigurationError(f"invalid request URL: {exc}", key="invalid_request") from exc
    except UnicodeEncodeError as exc:
        raise non_ascii_header(merged_headers) from exc


def non_ascii_header(headers: Mapping[str, Any]) -> ConfigurationError:
    """The error for a header httpx cannot encode (HTTP headers are ASCII; Node refuses them too).

    Names the header, never its value: the value is usually a credential.
    """
    bad = [name for name, value in headers.items() if not (str(name) + str(value)).isascii()]
    which = f"header {bad[0]!r}" if bad else "a header"
    return ConfigurationError(
        f"{which} holds non-ASCII characters, which cannot be sent in an HTTP header", key="invalid_request"
    )


def is_json_content_type(content_type: str | None) -> bool:
    """application/json, text/json and any +json type."""
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media in ("application/json", "text/json") or media.endswith("+json")


def response_headers(response: httpx.Response) -> dict[str, str]:
    """Lower-cased header names; repeated headers joined with ', '."""
    return dict(response.headers.items())


def decode_body(response: httpx.Response, response_type: str) -> tuple[Any, str | None]:
    """(body value, problem) for the requested ``response_type``.

    json (default): empty body -> None; JSON content-type -> parsed, and a parse failure is
    returned as ``problem`` (the text is the value); other types -> text, parsed leniently
    when it looks like JSON (as axios does). text -> str. arraybuffer/stream -> base64 str.
    """
    content = response.content
    if response_type in ("arraybuffer", "stream"):
        return base64.b64encode(content).decode("ascii"), None
    if response_type == "text":
        return response.text, None
    if not content.strip():
        return None, None
    if is_json_content_type(response.headers.get("content-type")):
        try:
            return json.loads(content), None
        except (ValueError, UnicodeDecodeError) as exc:
            return response.text, f"malformed JSON ({exc})"
    text = response.text
    head = text.lstrip()[:1]
    if head in ("{", "["):
        try:
            return json.loads(text), None
        except ValueError:
            pass
    return text, None


def js_truthy(value: Any) -> bool:
    """JavaScript truthiness: [] and {} are true, 0, '', null, NaN are false."""
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value == value and value != 0
    if isinstance(value, str):
        return value != ""
    return True

