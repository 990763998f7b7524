"""The seam between the API client and whoever owns the credentials.

The client never stores credentials: it asks an `AuthSession` for the current configuration
(`api_config`), asks it to refresh after a 401, and lets it sign each request. The core's
`Connection` implements the protocol; `CallbackAuthSession` is a small complete implementation
(used by tests, benchmarks and hosts that want the client without a connector).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol, runtime_checkable

import httpx

from runtime._http._config import ApiClientConfig
from runtime._http._singleflight import SingleFlight

__all__ = ["AuthSession", "CallbackAuthSession"]


@runtime_checkable
class AuthSession(Protocol):
    """What the API client needs from a connection."""

    generation: int  # bumps whenever credentials change

    async def api_config(self) -> ApiClientConfig:
        """The client configuration for the current credentials (rebuilt after they change)."""
        ...

    async def refresh(self, failed_generation: int) -> bool:
        """Refresh after a 401 seen with ``failed_generation``; single flight.

        True means "new credentials exist, retry" (also when another caller already refreshed
        past ``failed_generation``); False means the auth type cannot refresh.
        """
        ...

    def sign(self, request: httpx.Request) -> None:
        """Last touch before sending (OAuth1 signature, membrane token); usually a no-op."""
        ...


class CallbackAuthSession:
    """An `AuthSession` built from plain callables.

    ``make_config(credentials)`` builds the client config (cached per generation);
    ``refresher(credentials)`` returns new credential fields to MERGE (SPEC 3) or None when it
    cannot refresh; ``on_change(credentials)`` is awaited before the retried request goes out,
    so a host can persist new credentials; ``signer(request, credentials)`` signs requests;
    ``expiring(credentials)`` (e.g. `runtime._auth.needs_refresh`) triggers a proactive
    refresh before a request is built with credentials about to expire.
    """

    def __init__(
        self,
        credentials: Mapping[str, Any] | None,
        make_config: Callable[[Mapping[str, Any]], Awaitable[ApiClientConfig] | ApiClientConfig],
        *,
        refresher: Callable[[Mapping[str, Any]], Awaitable[Mapping[str, Any] | None]] | None = None,
        on_change: Callable[[Mapping[str, Any]], Awaitable[None] | None] | None = None,
        signer: Callable[[httpx.Request, Mapping[str, Any]], None] | None = None,
        expiring: Callable[[Mapping[str, Any]], bool] | None = None,
    ) -> None:
        self.credentials: dict[str, Any] = dict(credentials or {})
        self.generation = 0
        self.refresh_count = 0
        self._make_config = make_config
        self._refresher = refresher
        self._on_change = on_change
        self._signer = signer
        self._expiring = expiring
        self._config: tuple[int, ApiClientConfig] | None = None
        self._flight = SingleFlight()

    def __repr__(self) -> str:
        return f"CallbackAuthSession(generation={self.generation}, credentials=<{len(self.credentials)} keys>)"

    async def api_config(self) -> ApiClientConfig:
        if self._expiring is not None and self._refresher is not None and self._expiring(self.credentials):
            await self.refresh(self.generation)  # single flight: concurrent requests wait for one refresh
        cached = self._config
        if cached is not None and cached[0] == self.generation:
            return cached[1]
        generation = self.generation
        made = self._make_config(self.credentials)
        config = await made if isinstance(made, Awaitable) else made
        self._config = (generation, config)
        return config

    async def refresh(self, failed_generation: int) -> bool:
        if self._refresher is None:
            return False
        if failed_generation != self.generation:
            return True  # someone refreshed since this request was built: just retry
        return await self._flight.run(failed_generation, self._refresh_now)

    async def _refresh_now(self) -> bool:
        assert self._refresher is not None
        new = await self._refresher(dict(self.credentials))
        if not new:
            return False
        self.credentials = {**self.credentials, **new}
        self.generation += 1
        self.refresh_count += 1
        if self._on_change is not None:
            result = self._on_change(dict(self.credentials))
            if isinstance(result, Awaitable):
                await result
        return True

    def sign(self, request: httpx.Request) -> None:
        if self._signer is not None:
            self._signer(request, self.credentials)
