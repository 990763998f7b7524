"""The loopback fake API used by integration tests (see `_routes.py` for its endpoints)."""

from __future__ import annotations

from tests.fakeapi._routes import DEFAULT_ROUTES, FakeState, route
from tests.fakeapi._server import FakeApi, Fault, RecordedRequest, Reply, RouteHandler

__all__ = ["DEFAULT_ROUTES", "FakeApi", "FakeState", "Fault", "RecordedRequest", "Reply", "RouteHandler", "route"]
