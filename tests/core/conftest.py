"""Fixtures of the core tests: loaded test connectors (once per session).

`fake_api` comes from the tests.fakeapi plugin loaded by tests/conftest.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

import pytest

from tests.connectors import path as connector_path

T = TypeVar("T")

_LOADED: dict[str, Any] = {}


def load(name: str) -> Any:
    """The test connector `name`, loaded once per session (loading compiles everything)."""
    from runtime import Connector

    if name not in _LOADED:
        _LOADED[name] = Connector.load(connector_path(name))
    return _LOADED[name]


def run(coro: Awaitable[T]) -> T:
    """Run one test's async body on a fresh event loop."""
    return asyncio.run(coro)  # type: ignore[arg-type]


@pytest.fixture
def apikey(fake_api: Any) -> Any:
    return load("apikey")
