"""A loaded connector: compiled once, connected many times.

`Connector.load(path)` parses and compiles everything (through the loader) and picks each
method's executor; `connector.connect(...)` makes a `Connection` from the host's stored data.
All connectors of a process share one `Sandbox` carrying the runtime's JS extensions
(`apiClient`, `axios`), built on first use: building it is the expensive part, and every call
still gets its own isolated JS context from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runtime._execute import Executor, executor_for
from runtime._js import extensions

if TYPE_CHECKING:
    import httpx

    from runtime._connection import Connection, OnCredentialsChanged, ProxyResolver
    from runtime._formulas import Resolvers
    from runtime._loader import LoadedConnector
    from sandbox import Limits, Sandbox

__all__ = ["Connector", "shared_sandbox"]


@cache
def shared_sandbox() -> Sandbox:
    """The process-wide Sandbox with the runtime's extensions (built once, lazily)."""
    from sandbox import Sandbox

    return Sandbox(extensions=extensions())


class Connector:
    """A connector directory, loaded and compiled. Immutable; safe to share between connections."""

    def __init__(self, loaded: LoadedConnector, *, limits: Limits | None = None, sandbox: Sandbox | None = None) -> None:
        from sandbox import Limits

        self.loaded = loaded
        self.default_limits = limits if limits is not None else Limits()
        self._sandbox = sandbox

    @classmethod
    def load(cls, path: str | Path, *, limits: Limits | None = None) -> Connector:
        """Load and compile the connector at `path`; raises ConnectorLoadError listing every problem."""
        from runtime._loader import load_connector

        return cls(load_connector(Path(path)), limits=limits)

    @property
    def sandbox(self) -> Sandbox:
        if self._sandbox is None:
            self._sandbox = shared_sandbox()
        return self._sandbox

    @property
    def spec(self) -> Any:
        return self.loaded.spec

    @property
    def root(self) -> Path:
        return Path(self.loaded.root)

    @property
    def key(self) -> str:
        return self.loaded.spec.key or self.root.name

    @property
    def name(self) -> str | None:
        return self.loaded.spec.name

    def __repr__(self) -> str:
        return f"Connector(key={self.key!r}, root={str(self.root)!r})"

    def auth(self, option_key: str | None = None) -> Any:
        """The resolved auth spec for an option (or the common one)."""
        return self.loaded.auth(option_key)

    def executor(self, impl: Any) -> Executor:
        """The executor for `impl` (its kind was fixed when the loader compiled it): one dict lookup."""
        return executor_for(impl.kind)

    def connect(
        self,
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
        strict: bool = False,
    ) -> Connection:
        """A connection from the host's stored data (all optional: a new connection has none).

        `on_credentials_changed(credentials)` (sync or async) is awaited whenever credentials
        change, before the call that changed them returns. `transport` routes every request
        (tests, replay servers). `membrane_token` = {secret, iss, sub, fields} for
        membrane-token auth; `proxy_resolver(proxyKey)` returns another Connection or its API
        client settings for proxy auth. `strict=True` turns connector contract slips the runtime
        otherwise only logs as warnings (an operation output that breaks its `outputSchema`)
        into errors: for test suites and connector development.
        """
        from runtime._connection import Connection

        return Connection(
            self,
            connector_parameters=connector_parameters,
            connection_parameters=connection_parameters,
            credentials=credentials,
            auth_option_key=auth_option_key,
            on_credentials_changed=on_credentials_changed,
            transport=transport,
            limits=limits,
            resolvers=resolvers,
            membrane_token=membrane_token,
            proxy_resolver=proxy_resolver,
            strict=strict,
        )
