"""Single flight: concurrent callers asking for the same thing share one execution.

Why: ten concurrent API calls that all hit 401 with the same credentials must refresh the
token once, not ten times (many providers rotate refresh tokens, so a second refresh with the
old token would fail and kill the connection).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

__all__ = ["SingleFlight"]

T = TypeVar("T")


class SingleFlight:
    """Runs at most one ``fn`` per key at a time; callers that arrive meanwhile await its result.

    The work runs in its own task, so a caller that is cancelled does not cancel the work for
    the others. An exception is delivered to every waiting caller.
    """

    def __init__(self) -> None:
        self._inflight: dict[Hashable, asyncio.Task[Any]] = {}

    def __repr__(self) -> str:
        return f"SingleFlight(inflight={len(self._inflight)})"

    def inflight(self, key: Hashable) -> bool:
        """True while work for ``key`` is running."""
        return key in self._inflight

    async def run(self, key: Hashable, fn: Callable[[], Awaitable[T]]) -> T:
        """Result of ``fn()``, shared with every concurrent caller using the same ``key``."""
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.ensure_future(fn())
            self._inflight[key] = task

            def _done(t: asyncio.Task[Any], key: Hashable = key) -> None:
                if self._inflight.get(key) is t:
                    del self._inflight[key]
                if not t.cancelled():
                    t.exception()  # mark retrieved: every waiter sees it, asyncio must not log it

            task.add_done_callback(_done)
        return await asyncio.shield(task)
