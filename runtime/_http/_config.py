"""API client configuration (what `makeApiClient` returns, SPEC 4) and per-request options.

Validated once when the connection (re)builds its client, so a bad `makeApiClient` output
fails with the field that is wrong instead of deep inside a request. Response-handler
formulas are compiled here too (once per credentials generation, not per request).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from runtime._errors import SpecError

__all__ = [
    "ApiClientConfig",
    "BasicAuth",
    "RESPONSE_TYPES",
    "RequestOptions",
    "ResponseHandler",
    "compile_response_handlers",
    "js_string",
]

RESPONSE_TYPES = frozenset({"json", "text", "arraybuffer", "stream"})


def js_string(value: Any) -> str:
    """How JavaScript would turn a header/query scalar into a string (true, 1, 1.5)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True, slots=True)
class BasicAuth:
    """HTTP basic credentials; the repr never shows the password."""

    username: str
    password: str = field(repr=False)

    def __repr__(self) -> str:
        return f"BasicAuth(username=<{len(self.username)} chars>, password=<hidden>)"

    @classmethod
    def parse(cls, value: Any, *, source: str, path: str) -> BasicAuth | None:
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise SpecError(source, path, f"must be an object with username and password, got {type(value).__name__}")
        username = value.get("username")
        password = value.get("password")
        if username is None and password is None:
            return None
        for name, v in (("username", username), ("password", password)):
            if v is not None and not isinstance(v, (str, int, float)):
                raise SpecError(source, f"{path}.{name}", f"must be a string, got {type(v).__name__}")
        return cls("" if username is None else js_string(username), "" if password is None else js_string(password))


@dataclass(frozen=True, slots=True)
class ResponseHandler:
    """One `responseHandlers` entry: compiled formulas evaluated with `response`."""

    match: Any  # Program
    is_success: Any  # Program
    data: Any | None = None  # Program | None
    error: Any | None = None  # Program | None


def _compile_default(value: Any, *, source: str) -> Any:
    from runtime._formulas import compile_mapping  # lazy: the formula engine is a sibling package

    return compile_mapping(value, source=source)


def compile_response_handlers(
    raw: Any, *, source: str, compile: Callable[..., Any] | None = None
) -> tuple[ResponseHandler, ...]:
    """Validate and compile a `responseHandlers` list (SPEC 4), unevaluated: they need `response`.

    The loader calls this once per mapping makeApiClient (so a bad handler fails `validate`);
    `ApiClientConfig.from_output` calls it for what a JS makeApiClient returns. ``compile(value,
    source=...)`` defaults to ``runtime._formulas.compile_mapping``. Errors are SpecErrors naming
    ``source`` and the handler's field (``responseHandlers[1].match``).
    """
    if raw is None:
        return ()
    comp = compile or _compile_default
    if not isinstance(raw, (list, tuple)):
        raise SpecError(source, "responseHandlers", f"must be a list, got {type(raw).__name__}")
    handlers: list[ResponseHandler] = []
    for i, h in enumerate(raw):
        path = f"responseHandlers[{i}]"
        if not isinstance(h, Mapping):
            raise SpecError(source, path, f"must be an object, got {type(h).__name__}")
        if "match" not in h:
            raise SpecError(source, f"{path}.match", "is required")
        error = h.get("error")
        if error is not None and not isinstance(error, Mapping):
            raise SpecError(source, f"{path}.error", "must be an object with message, key, data")
        is_success = h.get("isSuccess", error is None)
        handlers.append(
            ResponseHandler(
                match=comp(h["match"], source=f"{source}: {path}.match"),
                is_success=comp(is_success, source=f"{source}: {path}.isSuccess"),
                data=comp(h["data"], source=f"{source}: {path}.data") if "data" in h else None,
                error=comp(error, source=f"{source}: {path}.error") if error is not None else None,
            )
        )
    return tuple(handlers)


def _headers(value: Any, *, source: str, path: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise SpecError(source, path, f"must be an object of header names to values, got {type(value).__name__}")
    out: dict[str, str] = {}
    for name, v in value.items():
        if v is None:
            continue  # an undefined formula result: the header is simply not sent
        if not isinstance(v, (str, int, float, bool)):
            raise SpecError(source, f"{path}.{name}", f"header value must be a string, got {type(v).__name__}")
        out[str(name)] = js_string(v)
    return out


def _query(value: Any, *, source: str, path: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise SpecError(source, path, f"must be an object of parameter names to values, got {type(value).__name__}")
    out: dict[str, Any] = {}
    for name, v in value.items():
        if v is None:
            continue
        if isinstance(v, (list, tuple)):
            if not all(isinstance(i, (str, int, float, bool)) or i is None for i in v):
                raise SpecError(source, f"{path}.{name}", "list items must be strings or numbers")
            out[str(name)] = [i for i in v if i is not None]
        elif isinstance(v, (str, int, float, bool, Mapping)):
            out[str(name)] = v
        else:
            raise SpecError(source, f"{path}.{name}", f"must be a string, number or list, got {type(v).__name__}")
    return out


def _base_uri(value: Mapping[str, Any], *, source: str) -> str | None:
    key = "baseUri" if value.get("baseUri") is not None else "baseUrl"
    uri = value.get(key)
    if uri is None:
        return None
    if not isinstance(uri, str):
        raise SpecError(source, key, f"must be a string, got {type(uri).__name__}")
    if uri and not uri.lower().startswith(("http://", "https://")):
        raise SpecError(source, key, f"must be an absolute http(s) URL, got {uri[:80]!r}")
    return uri


@dataclass(frozen=True, slots=True)
class ApiClientConfig:
    """Validated `makeApiClient` output. Its repr shows header *names* only (values are secrets)."""

    base_uri: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, Any] = field(default_factory=dict)
    auth: BasicAuth | None = None
    response_handlers: tuple[ResponseHandler, ...] = ()

    def __repr__(self) -> str:
        return (
            f"ApiClientConfig(base_uri={self.base_uri!r}, headers=<{', '.join(self.headers) or 'none'}>, "
            f"query=<{', '.join(self.query) or 'none'}>, auth={self.auth!r}, "
            f"response_handlers={len(self.response_handlers)})"
        )

    @classmethod
    def from_output(
        cls,
        value: Any,
        *,
        source: str,
        compile: Callable[..., Any] | None = None,
        response_handlers: Sequence[ResponseHandler] | None = None,
    ) -> ApiClientConfig:
        """Validate what `makeApiClient` returned; errors are SpecErrors naming ``source`` + field.

        ``response_handlers``: handlers compiled at load time (a mapping makeApiClient keeps
        them apart, see `compile_response_handlers`); when None, the ``responseHandlers`` of
        ``value`` (what a JS makeApiClient returned) are compiled here with ``compile``.
        Unknown top-level keys are ignored, as the platform does.
        """
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            raise SpecError(source, None, f"makeApiClient must return an object, got {type(value).__name__}")
        if response_handlers is None:
            response_handlers = compile_response_handlers(value.get("responseHandlers"), source=source, compile=compile)
        query_key = "query" if value.get("query") is not None else "defaultQueryParameters"
        return cls(
            base_uri=_base_uri(value, source=source),
            headers=_headers(value.get("headers"), source=source, path="headers"),
            query=_query(value.get(query_key), source=source, path=query_key),
            auth=BasicAuth.parse(value.get("auth"), source=source, path="auth"),
            response_handlers=tuple(response_handlers),
        )


@dataclass(frozen=True, slots=True)
class RequestOptions:
    """Per-request `options` of SPEC 4 (what JS passes as the last argument)."""

    base_uri: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, Any] = field(default_factory=dict)
    auth: BasicAuth | None = None
    return_full_response: bool = False
    response_type: str = "json"

    def __repr__(self) -> str:
        return (
            f"RequestOptions(base_uri={self.base_uri!r}, headers=<{', '.join(self.headers) or 'none'}>, "
            f"query=<{', '.join(self.query) or 'none'}>, auth={self.auth!r}, "
            f"return_full_response={self.return_full_response}, response_type={self.response_type!r})"
        )

    @classmethod
    def parse(cls, value: Any) -> RequestOptions:
        """Options from JS (camelCase keys; `baseUrl` and axios' `params` accepted as aliases)."""
        if value is None:
            return _NO_OPTIONS
        if isinstance(value, RequestOptions):
            return value
        source = "apiClient options"
        if not isinstance(value, Mapping):
            raise SpecError(source, None, f"must be an object, got {type(value).__name__}")
        response_type = value.get("responseType") or "json"
        if response_type not in RESPONSE_TYPES:
            raise SpecError(source, "responseType", f"must be one of {sorted(RESPONSE_TYPES)}, got {response_type!r}")
        base = value.get("baseUri") if value.get("baseUri") is not None else value.get("baseUrl")
        if base is not None and not isinstance(base, str):
            raise SpecError(source, "baseUri", "must be a string")
        query = value.get("query") if value.get("query") is not None else value.get("params")
        return cls(
            base_uri=base,
            headers=_headers(value.get("headers"), source=source, path="headers"),
            query=_query(query, source=source, path="query"),
            auth=BasicAuth.parse(value.get("auth"), source=source, path="auth"),
            return_full_response=bool(value.get("returnFullResponse")),
            response_type=response_type,
        )


_NO_OPTIONS = RequestOptions()
