"""pytest plugin: the `fake_api` fixture (loaded from tests/conftest.py via ``pytest_plugins``).

One server per test session (starting threads per test would cost time for nothing); every
test gets it reset: no requests recorded, default routes and knobs, fresh tokens.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakeapi._server import FakeApi

__all__ = ["fake_api", "fake_api_server"]


@pytest.fixture(scope="session")
def fake_api_server() -> Iterator[FakeApi]:
    """The running server for the whole session; prefer `fake_api` (reset per test)."""
    api = FakeApi().start()
    try:
        yield api
    finally:
        api.stop()


@pytest.fixture
def fake_api(fake_api_server: FakeApi) -> Iterator[FakeApi]:
    """The fake API (``.url``, ``.requests``, knobs), reset before each test."""
    fake_api_server.reset()
    yield fake_api_server
