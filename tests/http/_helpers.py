"""Helpers for the API-client tests: a tiny formula stand-in and client builders."""

from __future__ import annotations

import functools
import ssl
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from runtime._http import ApiClient, ApiClientConfig, CallbackAuthSession, Redactor


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    return ssl.create_default_context()


def async_http(**kwargs: Any) -> httpx.AsyncClient:
    """An AsyncClient sharing one TLS context: building a fresh one costs ~50 ms per client."""
    return httpx.AsyncClient(verify=_ssl_context(), **kwargs)


class StandInProgram:
    """Evaluates `$var: path` and `$eval: x, is: y` only: enough to test handler plumbing
    without depending on the formula engine (tested for real in test_handlers_real.py)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def evaluate(self, variables: Mapping[str, Any]) -> Any:
        return _eval(self.value, variables)


def _eval(value: Any, variables: Mapping[str, Any]) -> Any:
    if isinstance(value, dict):
        if "$var" in value:
            current: Any = variables
            for part in str(value["$var"]).split("."):
                current = current.get(part) if isinstance(current, Mapping) else None
            return current
        if "$eval" in value:
            return _eval(value["$eval"], variables) == _eval(value.get("is"), variables)
        return {k: _eval(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [_eval(v, variables) for v in value]
    return value


def standin_compile(value: Any, *, source: str) -> StandInProgram:
    return StandInProgram(value)


def config(value: Mapping[str, Any]) -> ApiClientConfig:
    return ApiClientConfig.from_output(dict(value), source="auth/make-api-client.map.yml", compile=standin_compile)


def mock_client(
    handler: Callable[[httpx.Request], httpx.Response],
    cfg: Mapping[str, Any] | ApiClientConfig | None = None,
    *,
    secrets: Any = (),
    **kwargs: Any,
) -> tuple[ApiClient, httpx.AsyncClient]:
    """An ApiClient over httpx.MockTransport; the caller closes the returned AsyncClient."""
    if cfg is None:
        cfg = {"baseUri": "https://api.example.com/v1"}
    built = cfg if isinstance(cfg, ApiClientConfig) else config(cfg)
    http = async_http(transport=httpx.MockTransport(handler))
    session = CallbackAuthSession({}, lambda creds: built)
    return ApiClient(session, http=http, redactor=Redactor(secrets), **kwargs), http
