"""Blocking twins of the element API, made one way for every class and function.

The runtime's async methods are the API; scripts get `*_sync` twins (as `Connection.call_sync`).
Here they are generated, never written by hand:

    @sync_twins("list", "pages")          # adds list_sync (a result) and pages_sync (an iterator)
    class DataCollection: ...

    handle_webhook_request_sync = sync_function(handle_webhook_request)   # first arg: the connection

A twin runs the coroutine on the connection's own event loop (`Connection._sync`: one loop for
the connection's whole life, so pooled HTTP connections stay valid), found through the
instance's `blocking` attribute, which the bind functions set. Without one (elements built on
plain Python runners in tests) each call gets a private loop. An async iterator becomes a sync
iterator stepping the same loop; leaving the loop early closes the async one.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

__all__ = ["Blocking", "iterate_blocking", "run_blocking", "sync_function", "sync_twins"]

#: Runs an awaitable to completion from sync code (e.g. `Connection._sync`).
Blocking = Callable[[Awaitable[Any]], Any]
C = TypeVar("C", bound=type)


def _as_coroutine(awaitable: Awaitable[Any]) -> Any:
    async def wait() -> Any:
        return await awaitable

    return wait()


def run_blocking(blocking: Blocking | None, awaitable: Awaitable[Any]) -> Any:
    """Await `awaitable` from sync code with `blocking`, or on a private loop without one."""
    coro = awaitable if inspect.iscoroutine(awaitable) else _as_coroutine(awaitable)
    if blocking is None:
        return asyncio.run(coro)
    return blocking(coro)


def iterate_blocking(blocking: Blocking | None, items: AsyncIterator[Any]) -> Iterator[Any]:
    """`items` as a sync iterator (every step on the same loop; closed if the caller stops early)."""
    if blocking is None:
        with asyncio.Runner() as runner:
            yield from iterate_blocking(lambda coro: runner.run(coro), items)
        return
    while True:
        try:
            item = run_blocking(blocking, items.__anext__())
        except StopAsyncIteration:
            return
        try:
            yield item
        except GeneratorExit:
            close = getattr(items, "aclose", None)
            if close is not None:
                run_blocking(blocking, close())
            raise


def _twin(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    is_iterator = inspect.isasyncgenfunction(method)

    def twin(self: Any, *args: Any, **kwargs: Any) -> Any:
        blocking = getattr(self, "blocking", None)
        result = getattr(self, name)(*args, **kwargs)
        if is_iterator or not inspect.isawaitable(result):
            return iterate_blocking(blocking, result)
        return run_blocking(blocking, result)

    twin.__name__ = twin.__qualname__ = f"{name}_sync"
    twin.__doc__ = f"Blocking twin of `{name}` (for scripts; not inside an event loop)."
    return twin


def sync_twins(*names: str) -> Callable[[C], C]:
    """Class decorator: add `<name>_sync` for each async method (or async-iterator method) named."""

    def decorate(cls: C) -> C:
        for name in names:
            method = getattr(cls, name, None)
            if not (inspect.iscoroutinefunction(method) or inspect.isasyncgenfunction(method)):
                raise TypeError(f"{cls.__name__}.{name} is not an async method or async generator")
            setattr(cls, f"{name}_sync", _twin(name, method))
        return cls

    return decorate


def sync_function(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
    """The blocking twin of an async function whose first argument is a Connection."""

    @functools.wraps(fn)
    def twin(connection: Any, *args: Any, **kwargs: Any) -> Any:
        return run_blocking(getattr(connection, "_sync", None), fn(connection, *args, **kwargs))

    twin.__name__ = twin.__qualname__ = f"{fn.__name__}_sync"
    twin.__doc__ = f"Blocking twin of `{fn.__name__}` (for scripts; not inside an event loop)."
    return twin
