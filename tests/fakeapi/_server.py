"""A real HTTP/1.1 server on 127.0.0.1 for integration tests: routing, recording, faults.

Why stdlib threads: the server must run beside any event loop a test uses (including the
ones `asyncio.run` creates and closes), serve concurrent slow requests (`Promise.all` tests),
and stop cleanly; a `ThreadingHTTPServer` in a daemon thread does all of that with no
dependency. The API's behaviour lives in a route table (`_routes.py`), so adding an endpoint
is one decorated function.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = ["FakeApi", "Fault", "RecordedRequest", "Reply", "RouteHandler"]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as it went over the wire."""

    method: str
    path: str
    query_list: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]  # lower-cased names
    body: bytes
    raw_path: str = ""  # path + '?' + query exactly as sent

    @property
    def query(self) -> dict[str, str]:
        """Query parameters (the last value wins when a name repeats; see ``query_list``)."""
        return dict(self.query_list)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.text, keep_blank_values=True))

    def bearer(self) -> str | None:
        value = self.headers.get("authorization", "")
        return value[7:] if value[:7].lower() == "bearer " else None


@dataclass
class Reply:
    """What a route answers. ``body``: bytes/str as is, anything else as JSON."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, body: Any, status: int = 200, **headers: str) -> Reply:
        return cls(status, body, {"Content-Type": "application/json", **headers})

    def encode(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        lower = {k.lower() for k in headers}
        if self.body is None:
            return b"", headers
        if isinstance(self.body, bytes):
            data = self.body
        elif isinstance(self.body, str):
            data = self.body.encode("utf-8")
            if "content-type" not in lower:
                headers["Content-Type"] = "text/plain; charset=utf-8"
        else:
            data = json.dumps(self.body).encode("utf-8")
            if "content-type" not in lower:
                headers["Content-Type"] = "application/json"
        return data, headers


RouteHandler = Callable[[RecordedRequest, "FakeApi"], Reply]


@dataclass
class Fault:
    """A canned failure served instead of the route to the next ``remaining`` matching requests."""

    path_prefix: str
    remaining: int
    reply: Reply


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like real APIs (and needed for fair benchmarks)
    timeout = 10  # idle keep-alive connections end on their own
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms stalls
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # tests read `fake_api.requests`, not stderr

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        recorded = RecordedRequest(
            method=self.command,
            path=parts.path,
            query_list=tuple(parse_qsl(parts.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            raw_path=self.path,
        )
        reply = self.server.api.handle(recorded)
        data, headers = reply.encode()
        self.send_response(reply.status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD" and data:
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default 5 drops SYNs when 10 clients connect at once (1 s stalls)

    def __init__(self, api: FakeApi) -> None:
        self.api = api
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # a client that gave up (timeout tests) closes the socket mid-reply: expected, not news
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class FakeApi:
    """The fake API: ``url``, ``requests`` (what went over the wire), routes and scenario knobs.

    Knobs (all reset by `reset`): ``fail_next`` / ``rate_limit`` (canned faults) here; the
    fields and helpers of `FakeState` (valid keys and passwords, OAuth2 token lifetime and
    rotation, ``issue_access_token``, ``expire_access_tokens``, ...) read and write through
    this object too (``fake_api.api_key``, ``fake_api.access_token_ttl = 5``).
    Endpoints: see `tests/fakeapi/_routes.py`; add one per test with `add_route`.
    """

    def __init__(self) -> None:
        from tests.fakeapi._routes import DEFAULT_ROUTES, FakeState

        self._default_routes = DEFAULT_ROUTES
        self._state_factory = FakeState
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""
        self.reset()

    # lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeApi:
        self._server = _Server(self)
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeApi:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"FakeApi(url={self.url!r}, requests={len(self.requests)})"

    # state -------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget requests, faults, tokens and per-test routes; knobs back to defaults."""
        with self._lock:
            self.requests: list[RecordedRequest] = []
            self.routes: dict[tuple[str, str], RouteHandler] = dict(self._default_routes)
            self.faults: list[Fault] = []
            self.state = self._state_factory()

    @property
    def lock(self) -> threading.Lock:
        """Hold it while mutating `state` from a route (requests run on several threads)."""
        return self._lock

    def add_route(self, method: str, path: str, handler: RouteHandler) -> None:
        """Serve ``handler`` for ``method`` (or "*") and exact ``path`` until the next reset."""
        self.routes[(method.upper(), path)] = handler

    def fail_next(self, count: int, reply: Reply, *, path_prefix: str = "/") -> None:
        """Answer the next ``count`` requests under ``path_prefix`` with ``reply``."""
        with self._lock:
            self.faults.append(Fault(path_prefix, count, reply))

    def rate_limit(self, count: int, *, retry_after: str | None = "0.05", path_prefix: str = "/") -> None:
        """The next ``count`` requests under ``path_prefix`` get 429 (with Retry-After unless None)."""
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        self.fail_next(count, Reply.json({"error": "rate_limited"}, 429, **headers), path_prefix=path_prefix)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """Recorded requests whose path is ``path``."""
        return [r for r in list(self.requests) if r.path == path]

    def __getattr__(self, name: str) -> Any:
        # knobs and helpers of the state object (e.g. fake_api.expire_access_tokens()) read
        # through the api object, so tests write `fake_api.api_key`
        state = self.__dict__.get("state")
        if state is not None and hasattr(state, name):
            return getattr(state, name)
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        # `fake_api.access_token_ttl = 1` must tune the knob, not shadow it on the api object
        state = self.__dict__.get("state")
        if state is not None and name in getattr(type(state), "__dataclass_fields__", {}):
            setattr(state, name, value)
        else:
            object.__setattr__(self, name, value)

    # serving -----------------------------------------------------------------------------
    def handle(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            for fault in self.faults:
                if fault.remaining > 0 and request.path.startswith(fault.path_prefix):
                    fault.remaining -= 1
                    return fault.reply
            handler = self.routes.get((request.method, request.path)) or self.routes.get(("*", request.path))
        if handler is None:
            return Reply.json({"error": "not_found", "message": f"no route {request.method} {request.path}"}, 404)
        try:
            return handler(request, self)
        except Exception as exc:  # a bug in a route must show up in the test, not hang it
            return Reply.json({"error": "fake_api_route_crashed", "message": repr(exc)}, 599)
