"""The loopback replay server: a real HTTP/1.1 server on 127.0.0.1 answering from exchanges.

Why a real server and not `httpx.MockTransport`: the connector's whole HTTP path (the API client,
auth headers, retries, connection pooling, body encoding) runs exactly as in production; only
the host changes. `ReplayTransport` is what a connection is given: it sends every request to
this server, keeping method, path, query, headers and body, and tags it with the case it belongs
to (`x-replay-case`), so one server serves many cases running at once.

The server runs its own asyncio loop in a daemon thread, so it answers even while the caller's
loop is busy (or blocked in synchronous code), and stops cleanly with its connections.
`ServerProcess` runs the same server in a child process, so a benchmark measures the CPU and
memory of the runtime alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import json
import os
import select
import ssl
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from runtime._suite._match import ReceivedRequest, closest_exchange, request_mismatches
from runtime._suite._model import Exchange

__all__ = ["Replay", "ReplayServer", "ReplayTransport", "ServerProcess", "Unexpected"]

CASE_HEADER = "x-replay-case"
HOST_HEADER = "x-replay-host"
UNEXPECTED_STATUS = 599
_HEAD_LIMIT = 1 << 20


@dataclass
class Unexpected:
    """A request no exchange answered, with the closest expected exchange and what differs."""

    request: ReceivedRequest
    closest: Exchange | None
    mismatches: list[str]
    note: str = ""

    def text(self) -> str:
        host = f" (host {self.request.host})" if self.request.host else ""
        lines = [f"unexpected request: {self.request.describe()}{host}"]
        if self.closest is None:
            lines.append("  the case expects no requests at all")
            return "\n".join(lines)
        lines.append(f"  closest expected: {self.closest.label()} at {self.closest.where}")
        if self.note:
            lines.append(f"  {self.note}")
        lines.extend(f"    {m}" for m in self.mismatches)
        return "\n".join(lines)


class Replay:
    """The exchanges of one case (or one bench run) and how they were used.

    Every exchange must be used exactly `times` times, in any order. `reuse=True` (bench) lets
    any exchange answer any number of times.
    """

    def __init__(self, exchanges: Sequence[Exchange], *, reuse: bool = False) -> None:
        self.exchanges = list(exchanges)
        self.reuse = reuse
        self.uses = [0] * len(self.exchanges)
        self.received: list[ReceivedRequest] = []
        self.unexpected: list[Unexpected] = []
        self._lock = threading.Lock()
        self._encoded = [ex.response.encode() for ex in self.exchanges]

    def answer(self, request: ReceivedRequest) -> tuple[int, list[tuple[str, str]], bytes]:
        """Pick the first matching exchange with uses left; else record an `Unexpected` (599)."""
        with self._lock:
            if not self.reuse:
                self.received.append(request)
            used_up: Exchange | None = None
            for pos, ex in enumerate(self.exchanges):
                if not request_mismatches(ex.request, request):
                    if self.reuse or self.uses[pos] < ex.times:
                        self.uses[pos] += 1
                        return self._encoded[pos]
                    used_up = used_up or ex
            if used_up is not None:
                miss = Unexpected(request, used_up, [], note=f"it matches, but was already used {used_up.times} time(s)"
                                  " (add `times:` to the exchange to allow more)")
            else:
                available = {ex.index for pos, ex in enumerate(self.exchanges) if self.uses[pos] < ex.times}
                found = closest_exchange(self.exchanges, request, prefer=available)
                miss = Unexpected(request, found[0] if found else None, found[1] if found else [])
            self.unexpected.append(miss)
        body = json.dumps({"error": "unexpected request: no recorded exchange matches it"}).encode()
        return UNEXPECTED_STATUS, [("Content-Type", "application/json")], body

    def unused(self) -> list[tuple[Exchange, int]]:
        """(exchange, times it was used) for every exchange used fewer times than expected."""
        with self._lock:
            return [(ex, self.uses[pos]) for pos, ex in enumerate(self.exchanges) if self.uses[pos] < ex.times]


class ReplayServer:
    """HTTP/1.1 server on 127.0.0.1 (random free port) serving registered `Replay`s.

    Requests carry `x-replay-case: <id>`; a request without it goes to the only replay
    registered (the bench's case). Use as a context manager or `start()` / `stop()`.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._replays: dict[str, Replay] = {}
        self._ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # lifecycle ---------------------------------------------------------------------------
    def start(self) -> ReplayServer:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._server = loop.run_until_complete(
                    asyncio.start_server(self._handle, self.host, self.port, limit=_HEAD_LIMIT))
                self.port = self._server.sockets[0].getsockname()[1]
            except BaseException as exc:  # noqa: BLE001 - reported to the starting thread
                self._error = exc
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self._shutdown())
                loop.close()

        self._thread = threading.Thread(target=run, name="replay-server", daemon=True)
        self._thread.start()
        ready.wait()
        if self._error is not None:
            raise self._error
        return self

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        if tasks:
            # closing the writers ends every handler; no cancel (3.11's stream callback chokes on it)
            _, pending = await asyncio.wait(tasks, timeout=5)
            for t in pending:
                t.cancel()
        await self._server.wait_closed()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._thread = None

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # replays -----------------------------------------------------------------------------
    def add(self, replay: Replay) -> str:
        """Register a replay; returns the id its transport must send."""
        rid = str(next(self._ids))
        self._replays[rid] = replay
        return rid

    def remove(self, rid: str) -> None:
        self._replays.pop(rid, None)

    def transport(self, rid: str) -> ReplayTransport:
        return ReplayTransport(self.url, rid)

    # HTTP --------------------------------------------------------------------------------
    def _route(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        rid = None
        host = ""
        kept: list[tuple[str, str]] = []
        for k, v in headers:
            if k == CASE_HEADER:
                rid = v
            elif k == HOST_HEADER:
                host = v
            else:
                kept.append((k, v))
        replay = self._replays.get(rid) if rid is not None else (
            next(iter(self._replays.values())) if len(self._replays) == 1 else None)
        if replay is None:
            msg = json.dumps({"error": f"no replay registered for case {rid!r}"}).encode()
            return UNEXPECTED_STATUS, [("Content-Type", "application/json")], msg
        return replay.answer(ReceivedRequest.from_target(method, target, kept, body, host=host))

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                except asyncio.LimitOverrunError:
                    writer.write(b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    return
                lines = head.decode("latin-1").split("\r\n")
                try:
                    method, target, version = lines[0].split(" ", 2)
                except ValueError:
                    writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    return
                headers: list[tuple[str, str]] = []
                for line in lines[1:]:
                    if line:
                        name, _, value = line.partition(":")
                        headers.append((name.strip().lower(), value.strip()))
                hmap = dict(headers)
                try:
                    if "chunked" in hmap.get("transfer-encoding", "").lower():
                        body = await _read_chunked(reader)
                    else:
                        body = await reader.readexactly(int(hmap.get("content-length", "0") or 0))
                except ValueError:  # a malformed length or chunk size
                    writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    return
                try:
                    status, resp_headers, resp_body = self._route(method, target, headers, body)
                except Exception as exc:  # noqa: BLE001 - a bug here must reach the case, not hang it
                    status, resp_headers = 500, [("Content-Type", "text/plain; charset=utf-8")]
                    resp_body = f"replay server error: {type(exc).__name__}: {exc}".encode()
                keep_alive = version == "HTTP/1.1" and hmap.get("connection", "").lower() != "close"
                out = [f"HTTP/1.1 {status} {_reason(status)}"]
                out.extend(f"{k}: {v}" for k, v in resp_headers if k.lower() not in ("content-length", "connection", "transfer-encoding"))
                out.append(f"Content-Length: {len(resp_body)}")
                out.append("Connection: keep-alive" if keep_alive else "Connection: close")
                writer.write(("\r\n".join(out) + "\r\n\r\n").encode() + (resp_body if method != "HEAD" else b""))
                await writer.drain()
                if not keep_alive:
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            return
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await writer.wait_closed()


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            # trailers until an empty line
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)


def _reason(status: int) -> str:
    from http import HTTPStatus

    if status == UNEXPECTED_STATUS:
        return "Unexpected Request"
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Status"


@functools.cache
def _no_tls() -> ssl.SSLContext:
    """The replay server speaks plain HTTP: one idle TLS context for every transport.

    httpx would otherwise build one per transport, loading the CA bundle (~20-90 ms each).
    """
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class ReplayTransport(httpx.AsyncBaseTransport):
    """Sends every request to the replay server, whatever its host, keeping everything else.

    Path, query string, headers (including the original Host) and body are unchanged; the
    original host travels in `x-replay-host` for messages, and `x-replay-case` names the case.
    """

    def __init__(self, server_url: str, case_id: str | None = None) -> None:
        self._target = httpx.URL(server_url)
        self._case_id = case_id
        self._inner = httpx.AsyncHTTPTransport(verify=_no_tls())

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url.copy_with(scheme=self._target.scheme, host=self._target.host, port=self._target.port)
        headers = [(k, v) for k, v in request.headers.raw]
        headers.append((HOST_HEADER.encode(), request.url.netloc))
        if self._case_id is not None:
            headers.append((CASE_HEADER.encode(), self._case_id.encode()))
        body = await request.aread()
        rerouted = httpx.Request(request.method, url, headers=headers, content=body, extensions=request.extensions)
        return await self._inner.handle_async_request(rerouted)

    async def aclose(self) -> None:
        await self._inner.aclose()


class ServerProcess:
    """The replay server in a child process, for benchmarks (exchanges reused any number of times).

    The child prints its URL on stdout once listening; stopping it closes stdin.
    """

    START_TIMEOUT = 60.0

    def __init__(self, exchanges_file: str) -> None:
        self._args = [sys.executable, "-m", "runtime._suite._serve", exchanges_file]
        self._proc: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> ServerProcess:
        env = dict(os.environ)
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self._proc = subprocess.Popen(self._args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True, env=env)
        assert self._proc.stdout is not None
        ready, _, _ = select.select([self._proc.stdout], [], [], self.START_TIMEOUT)
        line = self._proc.stdout.readline().strip() if ready else "(no answer in time)"
        if not line.startswith("http://"):
            self._proc.kill()
            err = self._proc.stderr.read() if self._proc.stderr else ""
            self.stop()
            raise RuntimeError(f"replay server process failed to start: {line} {err}".strip())
        self.url = line
        return self

    def stop(self) -> None:
        if self._proc is None:
            return
        with contextlib.suppress(Exception):
            assert self._proc.stdin is not None
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        for stream in (self._proc.stdout, self._proc.stderr):
            if stream is not None:
                stream.close()
        self._proc = None

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
