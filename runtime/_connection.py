"""A connection: one account of one connector, with its credentials, API client and auth flows.

Why one object owns all of this: credentials change under concurrent calls (a 401 refresh, a
proactive refresh before expiry, an OAuth callback), and exactly one place must serialise those
changes, rebuild the API client configuration, and tell the host before any call returns. The
`Connection` is that place; it is also the `AuthSession` the API client asks for configuration,
refreshes and request signing.

    host ── call(path, input) ──► parse path ─► dispatch[kind] ─► run_method(impl, inputs, call)
                                                                      │ build context (SPEC §2)
                                                                      ▼
                                                   executor_for(impl.kind)(self, impl, ctx, call)
                                      javascript ─► Sandbox.call(host ops: http → ApiClient, fetch)
                                      mapping / rest / graphql / operation-mapping / not-supported

The async methods are the API; `*_sync` twins and the sync context manager run them on a
private event loop owned by the connection (one loop for its whole life, so pooled HTTP
connections stay valid between calls).
"""

from __future__ import annotations

import asyncio
import base64
import contextvars
import functools
import inspect
import json
import re
import ssl
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from runtime._auth import oauth2
from runtime._context import build_context
from runtime._errors import (
    BadRequestError,
    ConfigurationError,
    ConnectionProblem,
    ConnectorError,
    InternalError,
    InvalidInputError,
    NotSupportedError,
    SpecError,
)
from runtime._execute import CallContext, Stage
from runtime._execute._sandbox_errors import SandboxErrorTranslator
from runtime._http import _network as network
from runtime._js import WRAPPER_PLAIN, WRAPPER_WITH_API_CLIENT
from runtime._paths import MethodPath, camel_case, parse_method_path

if TYPE_CHECKING:
    from runtime._connector import Connector
    from runtime._elements import ChangeEvents, ConnectorEvent, DataCollection, GlobalWebhook, Operation
    from runtime._formulas import Resolvers
    from runtime._http import ApiClientConfig, RequestLogEntry
    from sandbox import Limits

__all__ = ["CallContext", "Connection", "MethodResult", "OAuthStart"]

#: Auth methods that run before a connection exists (SPEC §2): no credentials, no apiClient.
PRE_CONNECTION_METHODS = frozenset(
    {
        "getCredentialsFromConnectionParameters",
        "getOAuthConfig",
        "getTokenData",
        "getCredentialsFromAccessTokenResponse",
        "getCredentialsFromTokenResponse",
    }
)
#: Auth methods with credentials but no apiClient (they build or repair it).
CREDENTIALS_ONLY_METHODS = frozenset({"makeApiClient", "refreshCredentials", "getCredentialsFromRefreshTokenResponse"})

#: Refresh this long before `expires_at` (seconds), so a call never starts with a dying token.
PROACTIVE_REFRESH_MARGIN = 60.0

_current_call: contextvars.ContextVar[CallContext | None] = contextvars.ContextVar("connector_call", default=None)
_operation_depth: contextvars.ContextVar[int] = contextvars.ContextVar("operation_depth", default=0)
MAX_OPERATION_NESTING = 8

OnCredentialsChanged = Callable[[dict[str, Any]], "Awaitable[None] | None"]
ProxyResolver = Callable[[str], Any]


@dataclass(slots=True)
class MethodResult:
    """What a host call returns.

    `credentials` is set only when the connection's credentials changed during the call (the
    host has already been told through `on_credentials_changed` before this object exists).
    `requests` is the redacted request log; `logs` the connector's console output (redacted).
    """

    output: Any
    logs: list[dict[str, Any]] = field(default_factory=list)
    credentials: dict[str, Any] | None = None
    requests: list[RequestLogEntry] = field(default_factory=list)

    def __repr__(self) -> str:
        creds = "changed" if self.credentials is not None else "unchanged"
        return f"MethodResult(output={type(self.output).__name__}, logs={len(self.logs)}, credentials={creds}, requests={len(self.requests)})"

    def to_dict(self) -> dict[str, Any]:
        """The `connector-runtime run` output shape (`credentials` only when they changed)."""
        out: dict[str, Any] = {"output": self.output, "logs": self.logs}
        if self.credentials is not None:
            out["credentials"] = self.credentials
        return out


@dataclass(frozen=True, slots=True)
class OAuthStart:
    """Step 1 of an OAuth flow: send the user to `url`; store `stored` until the callback.

    `stored` holds the state, PKCE verifier (oauth2) or request-token secret (oauth1). It is
    secret: keep it server-side (session, database), hand it back to `complete_oauth`.
    """

    url: str
    state: str | None
    stored: dict[str, Any] = field(repr=False)

    @property
    def code_verifier(self) -> str | None:
        return self.stored.get("codeVerifier")


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """httpx's default TLS context (certifi's CAs), built once per process and shared.

    Building one costs ~50 ms (it loads the CA bundle); a host that opens a connection per
    request would otherwise pay that on every `connect()`.
    """
    return httpx.create_ssl_context()


def _check_json(value: Any, what: str) -> None:
    """Refuse host values JSON cannot carry (datetime, bytes, sets, NaN) before any method runs.

    Inputs cross the sandbox wall as JSON and feed formulas as JSON data; without this check a
    host's datetime surfaces mid-call as an internal error. The message names the problem, not
    the value.
    """
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{what} must be JSON data: {exc}") from None
    except RecursionError:
        raise InvalidInputError(f"{what} is nested too deeply") from None


def _maybe_await(value: Any) -> Awaitable[Any] | None:
    return value if inspect.isawaitable(value) else None


class Connection:
    """One connected account: call methods, run auth flows, receive credential changes.

    Create with `Connector.connect(...)`. Use `async with` / `await aclose()` (or `with` /
    `close()` for the sync facade) so the pooled HTTP client is closed.
    """

    def __init__(
        self,
        connector: Connector,
        *,
        connector_parameters: Mapping[str, Any] | None = None,
        connection_parameters: Mapping[str, Any] | None = None,
        credentials: Mapping[str, Any] | None = None,
        auth_option_key: str | None = None,
        on_credentials_changed: OnCredentialsChanged | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        limits: Limits | None = None,
        resolvers: Resolvers | None = None,
        membrane_token: Mapping[str, Any] | None = None,
        proxy_resolver: ProxyResolver | None = None,
        http_timeout: float = 60.0,
        strict: bool = False,
    ) -> None:
        from runtime._http import Redactor, SingleFlight

        self.connector = connector
        self.loaded = connector.loaded
        self.auth_option_key = auth_option_key
        self.auth = connector.loaded.auth(auth_option_key)
        self.connector_parameters: dict[str, Any] = dict(connector_parameters or {})
        self.connection_parameters: dict[str, Any] = dict(connection_parameters or {})
        self._credentials: dict[str, Any] = dict(credentials or {})
        for what, value in (
            ("connector_parameters", self.connector_parameters),
            ("connection_parameters", self.connection_parameters),
            ("credentials", self._credentials),
        ):
            _check_json(value, what)
        self.generation = 0
        self.on_credentials_changed = on_credentials_changed
        self.limits = limits if limits is not None else connector.default_limits
        self.resolvers = resolvers
        #: read by the element layer: contract slips (output vs outputSchema) raise instead of logging
        self.strict = bool(strict)
        self._membrane_token = dict(membrane_token) if membrane_token else None
        self._proxy_resolver = proxy_resolver
        self._proxy_config: ApiClientConfig | None = None
        self.redactor = Redactor()
        self.redactor.add(
            _credential_secrets(self._credentials),
            _secret_values(self.connector_parameters),
            _secret_values(self.connection_parameters),
        )
        if self._membrane_token:
            self.redactor.add(self._membrane_token.get("secret"))
        # Redirects: apiClient requests do not follow them (the ApiClient reports a 3xx: a
        # redirect could carry the connection's key headers to another host); `fetch`/axios
        # follow them per request, as they do in Node.
        self._http = httpx.AsyncClient(
            transport=transport, verify=_tls_context(), timeout=http_timeout, follow_redirects=False
        )
        if transport is None:
            network.install(self._http)  # sockets on asyncio itself, not anyio (runtime/_http/_network.py)
        self._flight = SingleFlight()
        self._config: tuple[int, ApiClientConfig] | None = None
        self._oauth_config: dict[str, Any] | None = None
        self._runner: asyncio.Runner | None = None
        self._closed = False
        self.last_test_error: ConnectorError | None = None
        #: this connection's JS calls may run in one warm context (Sandbox.call(reuse_key=...)):
        #: what a call leaves in JS globals is seen by this connection's later calls, never by
        #: another connection's
        self._reuse_key = object()
        #: the element layer's operation models by key (runtime._elements._bind.operation_model)
        self.operation_models: dict[str, Any] = {}

    # ------------------------------------------------------------------ properties / lifecycle

    @property
    def credentials(self) -> dict[str, Any]:
        """A copy of the current credentials (store it; the connection keeps its own)."""
        return dict(self._credentials)

    @property
    def auth_type(self) -> str | None:
        return self.auth.type

    def collection_spec(self, key: str) -> Any:
        """The resolved data collection `key` (for element code)."""
        try:
            return self.loaded.collections[key]
        except KeyError:
            known = ", ".join(sorted(self.loaded.collections)) or "none"
            raise SpecError(f"data/{key}", None, f"no such data collection (known: {known})") from None

    def __repr__(self) -> str:
        return (
            f"Connection(connector={self.connector.key!r}, auth={self.auth.type!r}, "
            f"option={self.auth_option_key!r}, credentials=<{len(self._credentials)} keys>, generation={self.generation})"
        )

    async def aclose(self) -> None:
        """Close the pooled HTTP client. Idempotent."""
        if not self._closed:
            self._closed = True
            self.connector.sandbox.forget(self._reuse_key)
            await self._http.aclose()

    async def __aenter__(self) -> Connection:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def close(self) -> None:
        """Sync twin of `aclose` (also closes the private event loop of the sync facade)."""
        runner = self._runner
        if runner is None:
            if not self._closed:
                asyncio.run(self.aclose())
            return
        try:
            runner.run(self.aclose())
        finally:
            runner.close()
            self._runner = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _sync(self, coro: Awaitable[Any]) -> Any:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            if inspect.iscoroutine(coro):
                coro.close()
            raise RuntimeError("the *_sync methods cannot run inside an event loop: await the async method instead")
        if self._closed:
            if inspect.iscoroutine(coro):
                coro.close()
            self._check_open()
        if self._runner is None:
            self._runner = asyncio.Runner()
        return self._runner.run(coro)  # type: ignore[arg-type]

    def _check_open(self) -> None:
        if self._closed:
            raise ConfigurationError("this connection is closed", key="connection_closed")

    # ------------------------------------------------------------------ calling methods

    def new_call(self, limits: Limits | None = None) -> CallContext:
        """A fresh CallContext with these limits (default: the connection's)."""
        lim = limits if limits is not None else self.limits
        return CallContext(limits=lim, deadline=time.monotonic() + lim.wall_time)

    async def call(self, path: str, input: Mapping[str, Any] | None = None, *, limits: Limits | None = None) -> MethodResult:
        """Run the method at `path` (see `runtime._paths`) with `input`; the generic entry point.

        Credentials that change during the call (refresh) are handed to `on_credentials_changed`
        before this returns, and reported in `MethodResult.credentials`. A failed call raises a
        runtime error that also carries the call's `logs` and `requests` so far.
        """
        self._check_open()
        mp = parse_method_path(path)
        if input is not None and not isinstance(input, Mapping):
            raise InvalidInputError(f"{path}: input must be an object, got {type(input).__name__}")
        if input:
            _check_json(input, f"{path}: input")
        call = self.new_call(limits)
        start_generation = self.generation
        outer = sys.exc_info()[1]  # the host's own, if it calls from an `except` block
        token = _current_call.set(call)
        try:
            if mp.kind != "auth" or mp.method in ("test", "disconnect"):
                await self._refresh_if_expiring(call)
            handler = DISPATCH[mp.kind]
            output = await handler(self, mp, dict(input or {}), call)
        except ConnectorError as exc:
            # what happened before the failure stays readable (test runners, debugging)
            exc.logs = call.logs  # type: ignore[attr-defined]
            exc.requests = call.requests  # type: ignore[attr-defined]
            self._scrub_chain(exc, outer)
            raise
        finally:
            _current_call.reset(token)
        if self.generation != start_generation:
            call.credentials_changed = self.credentials
        return MethodResult(output=output, logs=call.logs, credentials=call.credentials_changed, requests=call.requests)

    def call_sync(self, path: str, input: Mapping[str, Any] | None = None, *, limits: Limits | None = None) -> MethodResult:
        """`call` for scripts and the CLI (runs on the connection's private event loop)."""
        return self._sync(self.call(path, input, limits=limits))

    # -- elements (SPEC 6-8): typed objects over the same calls; each async method has a *_sync twin

    def collection(self, key: str, *, parameters: Mapping[str, Any] | None = None) -> DataCollection:
        """Data collection `key`: list/search/find_by_id/match/create/update/delete, `records()`
        walking every page, `fields_schema()` with custom fields merged."""
        from runtime._elements import collection

        return collection(self, key, parameters=parameters)

    def change_events(self, key: str, *, parameters: Mapping[str, Any] | None = None) -> ChangeEvents:
        """Change events of collection `key` (webhook, pull-latest-records, custom-pull,
        full-scan); every state they return is plain JSON for the host to store."""
        from runtime._elements import change_events

        return change_events(self, key, parameters=parameters)

    def operation(self, key: str) -> Operation:
        """Operation `key`: `run(input)` validated against inputSchema, output checked against
        outputSchema (an error when the connection is strict, else a warning in the logs)."""
        from runtime._elements import operation

        return operation(self, key)

    def event(self, key: str) -> ConnectorEvent:
        """Connector-level event `key`: subscribe/handle/refresh/unsubscribe with host-held state."""
        from runtime._elements import event

        return event(self, key)

    def global_webhook(self, key: str) -> GlobalWebhook:
        """Global webhook `key` of the connector (one URL per connector, not per connection)."""
        from runtime._elements import global_webhook

        return global_webhook(self, key)

    async def run_method(
        self,
        impl: Any,
        inputs: Mapping[str, Any],
        call: CallContext,
        parameters: Mapping[str, Any] | None = None,
        *,
        stage: Stage | None = None,
        method_path: str | None = None,
    ) -> Any:
        """Run ONE method implementation with the SPEC §2 context; the seam for element code.

        `stage` defaults from the method key ("pre" for getOAuthConfig & co., "credentials" for
        makeApiClient/refreshCredentials, else "full" with apiClient). Errors come out as
        runtime errors carrying the method path and file (`.method_path`, `.file`, and
        `data["methodPath"]`, `data["file"]`).
        """
        if stage is None:
            stage = "pre" if impl.key in PRE_CONNECTION_METHODS else "credentials" if impl.key in CREDENTIALS_ONLY_METHODS else "full"
        ctx = build_context(
            connector_parameters=self.connector_parameters,
            connection_parameters=self.connection_parameters,
            credentials=self._credentials,
            parameters=parameters,
            inputs=inputs,
            connected=stage != "pre",
        )
        token = _current_call.set(call) if _current_call.get() is not call else None
        outer = sys.exc_info()[1]
        try:
            return await self.connector.executor(impl)(self, impl, ctx, call, stage)
        except ConnectorError as exc:
            raise self._locate(exc, impl, method_path, outer) from exc.__cause__
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug below us: never leak a traceback's secrets to the host
            err = InternalError(f"{impl.file}: {type(exc).__name__}: {self.redactor.text(str(exc))}")
            raise self._locate(err, impl, method_path, outer) from exc
        finally:
            if token is not None:
                _current_call.reset(token)

    def _locate(self, exc: ConnectorError, impl: Any, method_path: str | None, outer: BaseException | None = None) -> ConnectorError:
        """Attach the method path and file once (innermost method wins), redact the rest."""
        if getattr(exc, "file", None) is None or not hasattr(exc, "method_path"):
            if not hasattr(exc, "method_path"):
                exc.method_path = method_path or impl.key  # type: ignore[attr-defined]
            if getattr(exc, "file", None) is None:
                exc.file = impl.file  # type: ignore[attr-defined]
            if exc.data is None or isinstance(exc.data, dict):
                data = dict(exc.data or {})
                data.setdefault("methodPath", exc.method_path)  # type: ignore[attr-defined]
                data.setdefault("file", impl.file)
                exc.data = data
        exc.message = self.redactor.text(exc.message)
        exc.args = (exc.message,)
        if exc.stack:
            exc.stack = self.redactor.text(exc.stack)
        if exc.data is not None:
            exc.data = self.redactor.value(exc.data)
        self._scrub_chain(exc, outer)
        return exc

    def _scrub_chain(self, exc: BaseException, outer: BaseException | None) -> None:
        """Redact the exceptions chained to `exc` (`__cause__`, `__context__`: the JS error or
        the httpx error it was made from). They keep the raw text, and a host that logs the
        error with its traceback (`logger.exception`) prints them too: a connector's
        `throw new Error(credentials.apiKey)` reached the host's logs that way. The walk stops
        at `outer`, the exception the host was handling when it called: that one is the host's."""
        seen: set[int] = {id(exc), id(outer)}
        todo = [exc.__cause__, exc.__context__]
        while todo and len(seen) < 32:
            e = todo.pop()
            if e is None or id(e) in seen:
                continue
            seen.add(id(e))
            e.args = tuple(self.redactor.text(a) if isinstance(a, str) else a for a in e.args)
            for name in ("message", "stack"):
                value = getattr(e, name, None)
                if isinstance(value, str):
                    try:
                        setattr(e, name, self.redactor.text(value))
                    except AttributeError:  # a read-only attribute: its text is in args
                        pass
            todo += [e.__cause__, e.__context__]

    # ------------------------------------------------------------------ ExecutionHost

    def evaluate(self, program: Any, variables: Mapping[str, Any]) -> Any:
        """Evaluate a compiled mapping with the connection's host resolvers."""
        if self.resolvers is not None:
            return program.evaluate(dict(variables), resolvers=self.resolvers)
        return program.evaluate(dict(variables))

    def _api_client(self, call: CallContext) -> Any:
        from runtime._http import ApiClient

        return ApiClient(self, http=self._http, redactor=self.redactor, deadline=call.deadline, log=call.requests)

    async def api_request(
        self,
        call: CallContext,
        method: str,
        path: str,
        *,
        query: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        source: str,
    ) -> dict[str, Any]:
        """One request through the API client; returns `{data, headers, statusCode}`."""
        return await self._api_client(call).request(
            method, path, query=query, data=data, headers=headers, options={"returnFullResponse": True}
        )

    async def run_operation(self, key: str, input: Any, call: CallContext) -> Any:
        """operations/<key>/run through the same dispatch a host call uses (operation-mapping).

        Nesting is bounded: operation mappings that point at each other are a connector bug
        that must fail with a clear error, not a RecursionError deep in asyncio.
        """
        depth = _operation_depth.get()
        if depth >= MAX_OPERATION_NESTING:
            raise ConfigurationError(
                f"operation-mapping nested more than {MAX_OPERATION_NESTING} deep (at operations/{key}/run): "
                "do two operations map to each other?",
                key="operation_cycle",
            )
        token = _operation_depth.set(depth + 1)
        try:
            return await DISPATCH["operations"](self, MethodPath("operations", key, "run"), {"input": input}, call)
        finally:
            _operation_depth.reset(token)

    async def run_javascript(self, impl: Any, ctx: dict[str, Any], call: CallContext, *, stage: Stage) -> Any:
        """Call a JS method in the shared sandbox with host operations `http` (connected) and `fetch`."""
        from sandbox import HostOperationFailed

        translator = SandboxErrorTranslator(self.redactor, impl.file, self.loaded.source_lines.get(impl.file))
        # one client per JS run: `http` (apiClient, connected methods only) and `fetch`/axios
        # (every method) share its request log, deadline and redaction
        client = self._api_client(call)

        async def op_http(payload: Any) -> Any:
            if stage != "full":
                raise HostOperationFailed("no_api_client", "apiClient is not available in this method", None)
            if not isinstance(payload, Mapping):
                raise HostOperationFailed("invalid_request", "http payload must be an object", None)
            try:
                return await client.request(
                    str(payload.get("method") or "GET"),
                    str(payload.get("path") or ""),
                    query=payload.get("query"),
                    data=payload.get("data"),
                    options=payload.get("options") or None,
                    json_text=True,  # JSON bodies go to JavaScript as they came (sandbox.RawJSON)
                )
            except ConnectorError as exc:
                raise translator.to_js(exc) from exc

        async def op_fetch(payload: Any) -> Any:
            if not isinstance(payload, Mapping):
                raise HostOperationFailed("invalid_request", "fetch payload must be an object", None)
            body = payload.get("body")
            try:
                content = (
                    None if body is None
                    else base64.b64decode(body) if payload.get("bodyEncoding") == "base64"
                    else str(body)
                )
                headers = {str(k): str(v) for k, v in (payload.get("headers") or {}).items()}
            except (ValueError, TypeError, AttributeError):  # bad base64, headers not an object
                raise HostOperationFailed("invalid_request", "fetch payload is malformed", None) from None
            try:
                return await client.fetch(
                    str(payload.get("url") or ""),
                    method=str(payload.get("method") or "GET"),
                    headers=headers,
                    body=content,
                    response_encoding=str(payload.get("responseEncoding") or "text"),
                )
            except ConnectorError as exc:
                raise translator.to_js(exc) from exc

        try:
            result = await self.connector.sandbox.call(
                impl.js,
                export_fallback=camel_case(impl.key),
                args=[ctx],
                host_operations={"http": op_http, "fetch": op_fetch},
                limits=call.limits,
                wrapper=WRAPPER_WITH_API_CLIENT if stage == "full" else WRAPPER_PLAIN,
                reuse_key=self._reuse_key,
                deadline=call.deadline,
            )
        except ConnectorError:
            raise
        except Exception as exc:
            logs = getattr(exc, "logs", None)
            if logs:
                call.logs.extend(self._logs(logs))
            translated = translator.translate(exc)
            if translated is None:
                raise
            raise translated from exc
        call.logs.extend(self._logs(result.logs))
        return result.value

    def _logs(self, entries: Any) -> list[dict[str, Any]]:
        out = []
        for e in entries:
            level = getattr(e, "level", None) or (e.get("level") if isinstance(e, Mapping) else "log")
            message = getattr(e, "message", None)
            if message is None and isinstance(e, Mapping):
                message = e.get("message")
            out.append({"level": level, "message": self.redactor.text(str(message))})
        return out

    def _remaining(self, call: CallContext) -> float:
        if call.deadline is None:
            return float(call.limits.wall_time)
        return max(0.001, call.deadline - time.monotonic())

    # ------------------------------------------------------------------ AuthSession protocol

    async def api_config(self) -> ApiClientConfig:
        """makeApiClient's output for the current credentials (cached per generation)."""
        cached = self._config
        if cached is not None and cached[0] == self.generation:
            return cached[1]
        generation = self.generation
        return await self._flight.run(("config", generation), lambda: self._build_config(generation))

    async def _build_config(self, generation: int) -> ApiClientConfig:
        """Run makeApiClient for the current credentials and validate what it returned.

        A mapping makeApiClient's `responseHandlers` were compiled by the loader and kept out
        of its program (they are evaluated per response, with `response`); a JS one returns
        them as data, compiled here once per credentials generation.
        """
        from runtime._http import ApiClientConfig

        impl = self.auth.methods.get("makeApiClient")
        call = self._ambient_call()
        if impl is None:
            config = ApiClientConfig.from_output({}, source="spec.yml: auth.makeApiClient")
        else:
            value = await self.run_method(impl, {}, call, stage="credentials", method_path="auth/make-api-client")
            try:
                config = ApiClientConfig.from_output(value, source=impl.file, response_handlers=impl.response_handlers)
            except ConnectorError as exc:
                raise self._locate(exc, impl, "auth/make-api-client") from exc.__cause__
        if self.auth.type == "oauth1":
            await self._load_oauth_config(call)
        if self.auth.type == "proxy":
            await self._resolve_proxy()
        self._config = (generation, config)
        return config

    def _ambient_call(self) -> CallContext:
        call = _current_call.get()
        return call if call is not None else self.new_call()

    async def refresh(self, failed_generation: int) -> bool:
        """Refresh credentials after a 401 (single flight per generation).

        refreshCredentials if defined (result MERGED), else the standard oauth2 refresh grant
        (unless noRefreshToken or no refresh_token), else False (not refreshable).
        """
        if failed_generation != self.generation:
            return True
        if not self._refreshable():
            return False
        return await self._flight.run(("refresh", failed_generation), self._refresh_now)

    def _refreshable(self) -> bool:
        if "refreshCredentials" in self.auth.methods:
            return True
        if self.auth.type == "oauth2":
            return bool(self._credentials.get("refresh_token"))
        return False

    async def _refresh_now(self) -> bool:
        call = self._ambient_call()
        methods = self.auth.methods
        if "refreshCredentials" in methods:
            out = await self.run_method(
                methods["refreshCredentials"], {}, call, stage="credentials", method_path="auth/refresh-credentials"
            )
            if not isinstance(out, Mapping) or not out:
                return False
            new = {**self._credentials, **out}
        elif self.auth.type == "oauth2":
            config = await self._load_oauth_config(call)
            if config.get("noRefreshToken"):
                return False
            new = await self._oauth2_refresh(config, call)
            if new is None:
                return False
        else:
            return False
        await self._set_credentials(new)
        return True

    async def _refresh_if_expiring(self, call: CallContext) -> None:
        """Proactive refresh: an oauth2 token that expires within the margin is refreshed first."""

        if not self._credentials or not self._refreshable():
            return
        if not oauth2.needs_refresh(self._credentials, margin=PROACTIVE_REFRESH_MARGIN):
            return
        try:
            await self.refresh(self.generation)
        except ConnectorError as exc:
            # The token may still work; the 401 path will retry. Tell the host why it did not.
            call.logs.append({"level": "warn", "message": f"proactive credentials refresh failed: {self.redactor.text(exc.message)}"})

    def sign(self, request: httpx.Request) -> None:
        """OAuth1 signature, membrane token header or proxy settings; no-op otherwise."""
        auth_type = self.auth.type
        if auth_type == "oauth1":
            from runtime._auth import oauth1

            config = self._oauth_config or {}
            oauth1.sign_request(
                request,
                consumer_key=str(config.get("consumerKey") or ""),
                consumer_secret=str(config.get("consumerSecret") or ""),
                token=self._credentials.get("oauth_token") or None,
                token_secret=self._credentials.get("oauth_token_secret") or None,
            )
        elif auth_type in ("integration-app-token", "membrane-token"):
            from runtime._auth import make_membrane_token, sign_with_membrane_token

            cfg = self._membrane_token
            if not cfg or not cfg.get("secret"):
                raise ConfigurationError(
                    "membrane-token auth needs connect(membrane_token={'secret': ..., 'iss': ..., 'sub': ...})",
                    key="missing_token_secret",
                )
            token = make_membrane_token(
                secret=str(cfg["secret"]),
                issuer=str(cfg.get("iss") or cfg.get("workspaceKey") or ""),
                subject=str(cfg.get("sub") or cfg.get("userId") or ""),
                fields=cfg.get("fields"),
                ttl=int(cfg.get("ttl") or 3600),
            )
            sign_with_membrane_token(request, token)
        elif auth_type == "proxy" and self._proxy_config is not None:
            _apply_config(request, self._proxy_config)

    async def _resolve_proxy(self) -> None:
        from runtime._http import ApiClientConfig

        proxy_key = self.auth.raw.get("proxyKey")
        if self._proxy_resolver is None:
            raise ConfigurationError(
                f"proxy auth (proxyKey {proxy_key!r}) needs connect(proxy_resolver=...)", key="missing_proxy_resolver"
            )
        resolved = self._proxy_resolver(proxy_key)
        awaited = _maybe_await(resolved)
        if awaited is not None:
            resolved = await awaited
        if isinstance(resolved, Connection):
            config = await resolved.api_config()
        elif isinstance(resolved, ApiClientConfig):
            config = resolved
        else:
            config = ApiClientConfig.from_output(resolved, source=f"proxy resolver ({proxy_key})")
        secrets_of_config = [dict(config.headers), dict(config.query)]
        if config.auth is not None:
            secrets_of_config.append(config.auth.password)
        self.redactor.add(*secrets_of_config)
        self._proxy_config = config

    # ------------------------------------------------------------------ credentials

    async def _set_credentials(self, new: Mapping[str, Any], *, notify: bool = True) -> None:
        """Install new credentials, bump the generation, and tell the host before returning."""
        self._credentials = dict(new)
        self.generation += 1
        self.redactor.add(_credential_secrets(self._credentials))
        if notify:
            await self._notify()

    async def _notify(self) -> None:
        callback = self.on_credentials_changed
        if callback is None:
            return
        result = callback(self.credentials)
        awaited = _maybe_await(result)
        if awaited is not None:
            await awaited

    async def set_credentials(self, credentials: Mapping[str, Any]) -> None:
        """Replace the credentials (e.g. the host re-authorised out of band); notifies the host."""
        await self._set_credentials(credentials)

    # ------------------------------------------------------------------ auth flows

    def _auth_impl(self, key: str) -> Any | None:
        return self.auth.methods.get(key)

    async def _run_auth(self, key: str, inputs: Mapping[str, Any], call: CallContext, *, stage: Stage | None = None) -> Any:
        impl = self._auth_impl(key)
        if impl is None:
            raise NotSupportedError(f"auth method {key!r} is not defined by this connector")
        return await self.run_method(impl, inputs, call, stage=stage, method_path=f"auth/{key}")

    def validate_connection_input(self, value: Mapping[str, Any]) -> None:
        """Check connection input against `ui.schema`/`inputSchema`; errors name fields, never values."""
        schema = self.auth.ui_schema
        if not schema:
            return
        import jsonschema

        try:
            validator_cls = jsonschema.validators.validator_for(schema)
            validator_cls.check_schema(schema)
        except jsonschema.SchemaError as exc:
            raise ConfigurationError(f"auth ui.schema is not a valid JSON schema: {exc.message}", key="invalid_spec") from None
        problems = []
        for error in sorted(validator_cls(schema).iter_errors(dict(value)), key=lambda e: list(e.absolute_path)):
            where = ".".join(str(p) for p in error.absolute_path) or "(input)"
            if error.validator == "required":
                missing = [p for p in error.validator_value if p not in (error.instance or {})]
                problems.append(f"{where}: missing required field(s) {', '.join(missing)}")
            else:
                problems.append(f"{where}: fails {error.validator} {error.validator_value!r}"[:300])
        if problems:
            raise InvalidInputError("invalid connection input: " + "; ".join(problems), data={"problems": problems})

    async def connect_client_credentials(
        self, connection_parameters: Mapping[str, Any] | None = None, *, test: bool = True
    ) -> dict[str, Any]:
        """client-credentials (SPEC 3.1): validate input, make credentials, test, tell the host.

        Returns the new credentials. A failed test raises BadRequestError(not_authenticated)
        with the test's reason and leaves the previous credentials in place.
        """
        self._check_open()
        if self.auth.type in ("oauth1", "oauth2"):
            raise ConfigurationError(
                f"{self.auth.type} connections are made with start_oauth() and complete_oauth()", key="wrong_auth_flow"
            )
        params = dict(connection_parameters if connection_parameters is not None else self.connection_parameters)
        self.validate_connection_input(params)
        previous = (self.connection_parameters, self._credentials, self.generation)
        self.connection_parameters = params
        self._oauth_config = None  # it may depend on the connection input
        self.redactor.add(_secret_values(params))
        call = self.new_call()
        token = _current_call.set(call)
        try:
            if self._auth_impl("getCredentialsFromConnectionParameters") is not None:
                creds = await self._run_auth("getCredentialsFromConnectionParameters", {}, call, stage="pre")
                if not isinstance(creds, Mapping):
                    raise ConfigurationError(
                        "getCredentialsFromConnectionParameters must return an object", key="invalid_credentials"
                    )
            else:
                creds = dict(params)
            await self._set_credentials(creds, notify=False)
            if test and not await self.test():
                reason = self.last_test_error.message if self.last_test_error else "the connection test returned false"
                self.connection_parameters, self._credentials, _ = previous
                self.generation += 1
                raise BadRequestError(f"connection test failed: {reason}", key="not_authenticated")
        finally:
            _current_call.reset(token)
        await self._notify()
        return self.credentials

    async def test(self) -> bool:
        """auth/test: True when the credentials work. The reason of a failure is `last_test_error`."""
        self._check_open()
        result = await self.call("auth/test")
        return bool(result.output)

    async def _test(self, call: CallContext) -> bool:
        self.last_test_error = None
        impl = self._auth_impl("test")
        if impl is None:
            return True
        try:
            out = await self.run_method(impl, {}, call, stage="full", method_path="auth/test")
        except InternalError:
            raise
        except ConnectorError as exc:
            self.last_test_error = exc
            call.logs.append({"level": "warn", "message": f"connection test failed: {exc.message}"})
            return False
        from runtime._http._message import js_truthy

        if not js_truthy(out):
            call.logs.append({"level": "warn", "message": "connection test returned a falsy value"})
            return False
        return True

    async def disconnect(self) -> None:
        """auth/disconnect (e.g. revoke a token) when the connector defines it; else nothing."""
        self._check_open()
        if self._auth_impl("disconnect") is not None:
            await self.call("auth/disconnect")

    # oauth ---------------------------------------------------------------------------

    async def _load_oauth_config(self, call: CallContext) -> dict[str, Any]:
        if self._oauth_config is None:
            impl = self._auth_impl("getOAuthConfig")
            if impl is None:
                raise ConfigurationError(f"{self.auth.type} auth needs a getOAuthConfig method", key="invalid_spec")
            out = await self.run_method(impl, {}, call, stage="pre", method_path="auth/get-oauth-config")
            if not isinstance(out, Mapping):
                raise ConfigurationError(f"{impl.file}: getOAuthConfig must return an object", key="invalid_spec")
            self._oauth_config = dict(out)
            self.redactor.add(out.get("clientSecret"), out.get("consumerSecret"))
        return self._oauth_config

    def _oauth_source(self) -> str:
        impl = self._auth_impl("getOAuthConfig")
        return impl.file if impl is not None else "auth.getOAuthConfig"

    async def start_oauth(self, redirect_uri: str, state_suffix: str | None = None) -> OAuthStart:
        """OAuth step 1: the authorize URL to send the user to, and what to store until the callback.

        oauth2: state (random; `state_suffix` appended as `state:suffix`) and a PKCE S256 pair
        unless `skipPkce`. oauth1: a signed request-token call; its secret goes into `stored`.
        """
        self._check_open()
        self.validate_connection_input(self.connection_parameters)
        call = self.new_call()
        token = _current_call.set(call)
        try:
            config = await self._load_oauth_config(call)
            if self.auth.type == "oauth1":
                return await self._start_oauth1(config, redirect_uri, call)
            if self.auth.type != "oauth2":
                raise ConfigurationError(f"start_oauth needs oauth1/oauth2 auth, this connection uses {self.auth.type!r}")

            typed = oauth2.OAuth2Config.from_output(config, source=self._oauth_source())
            state = f"{oauth2.new_state()}:{state_suffix}" if state_suffix else None
            start = oauth2.start_authorization(typed, redirect_uri=redirect_uri, state=state)
            stored = {"state": start.state, "redirectUri": redirect_uri}
            if start.code_verifier:
                stored["codeVerifier"] = start.code_verifier
            return OAuthStart(url=start.url, state=start.state, stored=stored)
        finally:
            _current_call.reset(token)

    async def complete_oauth(self, query_params: Mapping[str, Any], stored: Mapping[str, Any]) -> dict[str, Any]:
        """OAuth callback: verify state, exchange the code (or verifier), install credentials.

        Returns the credentials; the host has been told through `on_credentials_changed`.
        """
        self._check_open()
        params = {str(k): (v[0] if isinstance(v, (list, tuple)) and v else v) for k, v in dict(query_params).items()}
        if params.get("error"):
            desc = params.get("error_description") or params["error"]
            raise BadRequestError(f"authorization was refused: {desc}", key="access_denied")
        call = self.new_call()
        token = _current_call.set(call)
        try:
            config = await self._load_oauth_config(call)
            if self.auth.type == "oauth1":
                creds = await self._complete_oauth1(config, params, stored, call)
            else:
                creds = await self._complete_oauth2(config, params, stored, call)
        finally:
            _current_call.reset(token)
        await self._set_credentials(creds)
        return self.credentials

    async def _complete_oauth2(
        self, config: Mapping[str, Any], params: Mapping[str, Any], stored: Mapping[str, Any], call: CallContext
    ) -> dict[str, Any]:

        expected = stored.get("state")
        if not expected or params.get("state") != expected:
            raise BadRequestError("OAuth state mismatch: the callback does not belong to this authorization", key="invalid_state")
        code = params.get("code")
        if not code:
            raise BadRequestError("OAuth callback has no code", key="bad_request")
        redirect_uri = stored.get("redirectUri")
        verifier = stored.get("codeVerifier")
        if self._auth_impl("getTokenData") is not None:
            token_response = await self._run_auth(
                "getTokenData",
                {
                    "codeVerifier": verifier,
                    "queryParameters": dict(params),
                    "redirectUri": redirect_uri,
                    "code": code,
                },
                call,
                stage="pre",
            )
        else:
            typed = oauth2.OAuth2Config.from_output(config, source=self._oauth_source())
            token_response = await self._oauth_http(
                oauth2.exchange_code(
                    self._http,
                    typed,
                    code=str(code),
                    redirect_uri=str(redirect_uri or ""),
                    code_verifier=verifier,
                    log=call.requests,
                ),
                call,
            )
        return await self._credentials_from_token_response(token_response, call, config, refresh=False)

    async def _credentials_from_token_response(
        self, token_response: Any, call: CallContext, config: Mapping[str, Any], *, refresh: bool
    ) -> dict[str, Any]:

        if not isinstance(token_response, Mapping):
            raise ConnectionProblem("OAuth token response is not an object", key="invalid_response")
        self.redactor.add(_credential_secrets(token_response))
        names = (
            ("getCredentialsFromRefreshTokenResponse",)
            if refresh
            else ("getCredentialsFromAccessTokenResponse", "getCredentialsFromTokenResponse")
        )
        for name in names:
            if self._auth_impl(name) is not None:
                inputs = {"tokenResponse": dict(token_response), "accessTokenResponse": dict(token_response)}
                stage: Stage = "credentials" if refresh else "pre"
                out = await self._run_auth(name, inputs, call, stage=stage)
                if not isinstance(out, Mapping):
                    raise ConfigurationError(f"{name} must return an object", key="invalid_credentials")
                creds = dict(out)
                if refresh:
                    creds = {**self._credentials, **creds}
                    if not creds.get("refresh_token") and self._credentials.get("refresh_token"):
                        creds["refresh_token"] = self._credentials["refresh_token"]
                return creds
        previous = self._credentials if refresh else None
        return oauth2.credentials_from_token_response(token_response, previous=previous)

    async def _oauth2_refresh(self, config: Mapping[str, Any], call: CallContext) -> dict[str, Any] | None:

        refresh_token = self._credentials.get("refresh_token")
        if not refresh_token:
            return None
        typed = oauth2.OAuth2Config.from_output(config, source=self._oauth_source())
        token_response = await self._oauth_http(
            oauth2.refresh_access_token(self._http, typed, refresh_token=str(refresh_token), log=call.requests), call
        )
        return await self._credentials_from_token_response(token_response, call, config, refresh=True)

    async def _oauth_http(self, awaitable: Awaitable[Any], call: CallContext) -> Any:
        """Run an `_auth` token request with the call's deadline; its errors are already typed."""
        try:
            return await asyncio.wait_for(awaitable, timeout=self._remaining(call))
        except TimeoutError:
            raise ConnectionProblem("OAuth token request timed out", key="timeout") from None

    async def _start_oauth1(self, config: Mapping[str, Any], redirect_uri: str, call: CallContext) -> OAuthStart:
        from runtime._auth import oauth1

        typed = oauth1.OAuth1Config.from_output(config, source=self._oauth_source())
        body = await oauth1.fetch_request_token(self._http, typed, callback_uri=redirect_uri, log=call.requests)
        token, token_secret = body["oauth_token"], body["oauth_token_secret"]
        self.redactor.add(token_secret)
        url = oauth1.build_authorize_url(typed, oauth_token=token)
        return OAuthStart(url=url, state=None, stored={"oauth_token": token, "oauth_token_secret": token_secret})

    async def _complete_oauth1(
        self, config: Mapping[str, Any], params: Mapping[str, Any], stored: Mapping[str, Any], call: CallContext
    ) -> dict[str, Any]:
        from runtime._auth import oauth1

        token = params.get("oauth_token") or stored.get("oauth_token")
        if stored.get("oauth_token") and params.get("oauth_token") and params["oauth_token"] != stored["oauth_token"]:
            raise BadRequestError("OAuth1 callback token does not match the request token", key="invalid_state")
        verifier = params.get("oauth_verifier")
        if not verifier:
            raise BadRequestError("OAuth1 callback has no oauth_verifier", key="bad_request")
        typed = oauth1.OAuth1Config.from_output(config, source=self._oauth_source())
        return dict(
            await oauth1.fetch_access_token(
                self._http,
                typed,
                oauth_token=str(token or ""),
                oauth_token_secret=str(stored.get("oauth_token_secret") or ""),
                verifier=str(verifier),
                log=call.requests,
            )
        )

    # sync twins -------------------------------------------------------------------------

    def connect_client_credentials_sync(self, connection_parameters: Mapping[str, Any] | None = None, *, test: bool = True) -> dict[str, Any]:
        return self._sync(self.connect_client_credentials(connection_parameters, test=test))

    def start_oauth_sync(self, redirect_uri: str, state_suffix: str | None = None) -> OAuthStart:
        return self._sync(self.start_oauth(redirect_uri, state_suffix))

    def complete_oauth_sync(self, query_params: Mapping[str, Any], stored: Mapping[str, Any]) -> dict[str, Any]:
        return self._sync(self.complete_oauth(query_params, stored))

    def test_sync(self) -> bool:
        return self._sync(self.test())

    def disconnect_sync(self) -> None:
        return self._sync(self.disconnect())


# ---------------------------------------------------------------------- helpers


_PLAIN_URL = re.compile(r"^https?://[^@?#\s]*$", re.IGNORECASE)


def _secret_values(value: Any) -> Any:
    """Parameter values to redact: everything except plain URLs (no user-info, no query).

    Connector and connection parameters hold secrets (client secrets, keys) but also the
    API's base URL; redacting that would blank every URL in the request log for nothing.
    """
    if isinstance(value, str):
        return None if _PLAIN_URL.match(value) else value
    if isinstance(value, Mapping):
        return [_secret_values(v) for v in value.values()]
    if isinstance(value, (list, tuple)):
        return [_secret_values(v) for v in value]
    return value


#: Credential fields that describe a token rather than being one: redacting "Bearer" or an
#: expiry date everywhere would only make logs unreadable.
_NON_SECRET_CREDENTIAL_KEYS = frozenset(
    {"token_type", "tokenType", "expires_at", "expiresAt", "expires_in", "expiresIn", "scope", "created_at", "issued_at"}
)


def _credential_secrets(credentials: Mapping[str, Any]) -> Any:
    return _secret_values({k: v for k, v in credentials.items() if k not in _NON_SECRET_CREDENTIAL_KEYS})


def _apply_config(request: httpx.Request, config: ApiClientConfig) -> None:
    """Add a proxied connection's headers, query and basic auth to a request (host-side only)."""
    for name, value in config.headers.items():
        request.headers[name] = value
    from runtime._http._message import basic_auth_header, query_items

    if config.query:
        request.url = request.url.copy_merge_params(dict(query_items(config.query)))
    if config.auth is not None:
        request.headers["Authorization"] = basic_auth_header(config.auth)


# ---------------------------------------------------------------------- dispatch
# One small function per element kind: auth lives here; data collections, operations, events
# and global webhooks carry the semantics of SPEC 6-8 in runtime._elements.


async def dispatch_auth(conn: Connection, mp: MethodPath, input: dict[str, Any], call: CallContext) -> Any:
    """auth/test -> true/false; auth/refresh-credentials -> a real refresh (merged, host told,
    reported), output the new credentials; any other auth method runs as it is."""
    if mp.method == "test":
        return await conn._test(call)
    if mp.method == "refreshCredentials":
        if not conn._refreshable():
            raise NotSupportedError("these credentials cannot be refreshed (no refreshCredentials method, no refresh_token)")
        refreshed = await conn._flight.run(("refresh", conn.generation), conn._refresh_now)
        return conn.credentials if refreshed else None
    impl = conn._auth_impl(mp.method)
    if impl is None:
        raise NotSupportedError(f"auth method {mp.method!r} is not defined by this connector")
    return await conn.run_method(impl, input, call, method_path=str(mp))


Dispatcher = Callable[[Connection, MethodPath, dict[str, Any], CallContext], Awaitable[Any]]

# The element layer imports this module only for type checking, so importing it here is safe.
from runtime._elements._bind import (  # noqa: E402
    dispatch_data,
    dispatch_events,
    dispatch_global_webhooks,
    dispatch_operations,
)

DISPATCH: dict[str, Dispatcher] = {
    "auth": dispatch_auth,
    "data": dispatch_data,
    "operations": dispatch_operations,
    "events": dispatch_events,
    "global-webhooks": dispatch_global_webhooks,
}
