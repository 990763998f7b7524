"""`runtime._http._network`: the asyncio network backend under the runtime's HTTP clients, against
real servers on 127.0.0.1 (plain TCP and TLS) that misbehave on purpose: slow readers, slow
writers, silent servers, early closes, keep-alive connections closed while idle."""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
import ssl
import struct
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpcore
import httpx
import pytest
import trustme

from runtime import Connector
from runtime._http import _network as network

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
Run = Callable[[Awaitable[Any]], Any]


@pytest.fixture(params=["asyncio", "uvloop"])
def run(request: pytest.FixtureRequest) -> Run:
    """Runs a test's coroutine on asyncio's own loop, and on uvloop (hosts served by uvicorn)."""
    if request.param == "uvloop":
        uvloop = pytest.importorskip("uvloop", reason="uvloop does not support this platform")  # a dev dependency elsewhere
        factory = uvloop.new_event_loop
    else:
        factory = asyncio.new_event_loop

    def run_on_loop(coro: Awaitable[Any]) -> Any:
        with asyncio.Runner(loop_factory=factory) as runner:
            return runner.run(coro)  # type: ignore[arg-type]

    return run_on_loop


class Server:
    """An asyncio server on 127.0.0.1 in the test's own loop; counts the connections it accepted."""

    def __init__(self, handler: Handler, tls: ssl.SSLContext | None = None) -> None:
        self.handler = handler
        self.tls = tls
        self.connections = 0
        self.tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> Server:
        async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            self.tasks.add(asyncio.current_task())  # type: ignore[arg-type]
            try:
                await self.handler(reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
                pass  # the client went away: what some tests do on purpose
            finally:
                writer.close()

        self.server = await asyncio.start_server(accept, "127.0.0.1", 0, ssl=self.tls)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.server.wait_closed()


class ThreadedServer:
    """A blocking server on 127.0.0.1 with a thread per connection: it runs while the client's
    loop is busy, and answers at moments the client's loop does not choose."""

    def __init__(self, handler: Callable[[socket.socket], None], tls: ssl.SSLContext | None = None) -> None:
        self.handler = handler
        self.tls = tls
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            self.handler(conn)
        except OSError:
            pass  # the client went away
        finally:
            conn.close()

    def __enter__(self) -> ThreadedServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.listener.close()


def recv_head(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data and (chunk := conn.recv(65536)):
        data += chunk
    return data


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """(request head, body) of one HTTP/1.1 request with a Content-Length body (or none)."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return head, (await reader.readexactly(length) if length else b"")


def response(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body


def client(*, verify: Any = True, timeout: Any = 5.0) -> httpx.AsyncClient:
    http = httpx.AsyncClient(verify=verify, timeout=timeout)
    assert network.install(http)
    return http


def backend_of(http: httpx.AsyncClient) -> Any:
    return http._transport._pool._network_backend  # type: ignore[attr-defined]


# ------------------------------------------------------------------ where it is used


def test_connections_the_runtime_creates_use_it_and_a_hosts_transport_is_left_alone(run: Run) -> None:
    connector = Connector.load("tests/connectors/apikey")
    mock = httpx.MockTransport(lambda request: httpx.Response(200, json={}))

    async def main() -> None:
        async with connector.connect(credentials={"apiKey": "k-123456"}) as conn:
            assert isinstance(backend_of(conn._http), network.AsyncioBackend)
        async with connector.connect(credentials={"apiKey": "k-123456"}, transport=mock) as conn:
            assert conn._http._transport is mock

    run(main())


def test_install_refuses_a_client_it_cannot_change(run: Run) -> None:
    async def main() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(204))) as http:
            assert not network.install(http)

    run(main())


# ------------------------------------------------------------------ plain TCP


def test_keep_alive_reuses_one_connection_and_survives_the_server_closing_it_while_idle(run: Run) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for n in range(2):  # two requests per connection, then the server closes it
            head, _ = await read_request(reader)
            writer.write(response(b"answer %d to %s" % (n, head.split(b" ")[1])))
            await writer.drain()

    async def main() -> list[bytes]:
        async with Server(handler) as server, client() as http:
            bodies = []
            for path in ("/a", "/b", "/c"):
                r = await http.get(server.url + path)
                bodies.append(r.content)
                await asyncio.sleep(0.05)  # the close after the second answer reaches the client
            assert server.connections == 2
            return bodies

    assert run(main()) == [b"answer 0 to /a", b"answer 1 to /b", b"answer 0 to /c"]


def test_a_connection_the_server_closed_while_the_loop_was_busy_is_not_reused(run: Run) -> None:
    """The server closes each connection 2 ms after answering, while the client's loop is busy
    (as with JavaScript running between two requests): the close is still in the kernel, not
    yet read by the loop, and the next request must take a new connection, not fail."""

    def answer(conn: socket.socket) -> None:
        recv_head(conn)
        conn.sendall(response(b"one"))
        time.sleep(0.002)

    async def main(url: str) -> list[bytes]:
        bodies = []
        async with client() as http:
            for _ in range(20):
                bodies.append((await http.get(url + "/")).content)
                time.sleep(0.01)  # the loop is busy while the server's close arrives
        return bodies

    with ThreadedServer(answer) as server:
        assert run(main(server.url)) == [b"one"] * 20


@pytest.fixture
def buffer_peak(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """[the most bytes a connection held unread], updated as data arrives"""
    peak = [0]
    received = network._Protocol.data_received

    def spy(self: Any, data: bytes) -> None:
        received(self, data)
        peak[0] = max(peak[0], len(self.buffer))

    monkeypatch.setattr(network._Protocol, "data_received", spy)
    return peak


#: one delivery from the loop is at most 256 KiB on top of what was held when reading paused
MOST_HELD = network.HIGH_WATER + 256 * 1024


def test_a_large_body_read_slowly_is_whole_and_never_buffered_past_the_high_water_mark(run: Run, buffer_peak: list[int]) -> None:
    body = bytes(range(256)) * (8 * 1024 * 4)  # 8 MiB

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(response(body))
        await writer.drain()

    async def main() -> bytes:
        async with Server(handler) as server, client() as http:
            chunks = []
            async with http.stream("GET", server.url + "/big") as r:
                async for chunk in r.aiter_raw():
                    chunks.append(chunk)
                    await asyncio.sleep(0.001)  # a consumer slower than loopback
            return b"".join(chunks)

    assert run(main()) == body
    assert network.HIGH_WATER < buffer_peak[0] <= MOST_HELD


def test_a_large_upload_to_a_slow_reader_arrives_whole(run: Run) -> None:
    payload = b"0123456789abcdef" * (1024 * 1024)  # 16 MiB: far more than the socket buffers hold

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")).split(b":")[1])
        got = bytearray()
        while len(got) < length:
            got += await reader.read(256 * 1024)
            await asyncio.sleep(0.001)
        writer.write(response(b"%d %d" % (len(got), hash(bytes(got)) & 0xFFFF)))
        await writer.drain()

    async def main() -> bytes:
        async with Server(handler) as server, client() as http:
            return (await http.post(server.url + "/upload", content=payload)).content

    assert run(main()) == b"%d %d" % (len(payload), hash(payload) & 0xFFFF)


def test_a_server_that_never_answers_is_a_read_timeout(run: Run) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(30)

    async def main() -> float:
        async with Server(handler) as server, client(timeout=httpx.Timeout(5.0, read=0.2)) as http:
            started = time.monotonic()
            with pytest.raises(httpx.ReadTimeout):
                await http.get(server.url + "/silent")
            return time.monotonic() - started

    assert 0.2 <= run(main()) < 3


@pytest.mark.parametrize("tls", [False, True], ids=["tcp", "tls"])
def test_a_server_that_stops_reading_is_a_write_timeout_and_the_socket_is_let_go(
    run: Run, tls: bool, ca: trustme.CA, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over TLS too, where asyncio's TLS layer would take a whole body in one write and never
    wait; and the client closes the socket at once, though bytes are still unsent (a graceful
    close would wait for a server that never reads, or for its TLS close_notify)."""
    protocols: list[Any] = []
    made = network._Protocol.connection_made

    def record(self: Any, transport: Any) -> None:
        protocols.append(self)
        made(self, transport)

    monkeypatch.setattr(network._Protocol, "connection_made", record)

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await asyncio.sleep(30)  # reads nothing more: the client's buffers fill up

    async def main() -> None:
        tls_context = tls_server_context(ca) if tls else None
        verify = trusting(ca) if tls else True
        async with Server(handler, tls=tls_context) as server, client(verify=verify, timeout=httpx.Timeout(5.0, write=0.3)) as http:
            with pytest.raises(httpx.WriteTimeout):
                await http.post(server.url + "/upload", content=b"x" * (64 * 1024 * 1024))
            for _ in range(100):
                if protocols and all(p.closed for p in protocols):
                    break
                await asyncio.sleep(0.01)
            assert protocols and all(p.closed for p in protocols), "a socket is still open after the request failed"

    run(main())


def test_a_connect_cancelled_at_any_moment_leaves_no_socket_open(run: Run) -> None:
    """asyncio's own happy-eyeballs race left one open in ~1 of 5 such cancels (Python 3.11.7):
    pytest turns the ResourceWarning of such a socket into a failure."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()

    async def main() -> int:
        backend = network.AsyncioBackend()
        completed = 0
        async with Server(handler) as server:
            for n in range(200):
                task = asyncio.create_task(backend.connect_tcp("127.0.0.1", server.port, timeout=5))
                for _ in range(n % 5):
                    await asyncio.sleep(0)
                task.cancel()
                try:
                    stream = await task
                except asyncio.CancelledError:
                    continue
                completed += 1
                await stream.aclose()
        return completed

    assert run(main()) < 200  # some were cancelled mid-way
    gc.collect()


def test_nothing_listening_is_a_connect_error(run: Run) -> None:
    async def main() -> None:
        async with Server(read_request) as server:  # take a free port, then free it
            url = server.url
        async with client() as http:
            with pytest.raises(httpx.ConnectError):
                await http.get(url + "/")

    run(main())


def test_a_body_cut_short_is_a_protocol_error_and_a_reset_connection_a_read_error(run: Run) -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly this")
        await writer.drain()

    async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly this")
        await writer.drain()
        await asyncio.sleep(0.05)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with RST, not FIN
        writer.transport.abort()

    async def main() -> None:
        async with Server(cut) as server, client() as http:
            with pytest.raises(httpx.RemoteProtocolError):
                await http.get(server.url + "/")
        async with Server(reset) as server, client() as http:
            with pytest.raises(httpx.ReadError):
                await http.get(server.url + "/")

    run(main())


def test_a_request_cancelled_while_waiting_leaves_the_client_usable(run: Run) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head, _ = await read_request(reader)
        if b"/slow" in head:
            await asyncio.sleep(30)
        writer.write(response(b"fast"))
        await writer.drain()

    async def main() -> bytes:
        async with Server(handler) as server, client() as http:
            task = asyncio.create_task(http.get(server.url + "/slow"))
            await asyncio.sleep(0.1)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return (await http.get(server.url + "/fast")).content

    assert run(main()) == b"fast"


# ------------------------------------------------------------------ TLS


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def tls_server_context(ca: trustme.CA) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(ctx)
    return ctx


def trusting(ca: trustme.CA) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ca.configure_trust(ctx)
    return ctx


def test_tls_requests_with_a_slow_consumer_and_keep_alive(run: Run, ca: trustme.CA, buffer_peak: list[int]) -> None:
    body = b"tls " * (1024 * 1024)  # 4 MiB: reading pauses and resumes through the TLS layer

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head, _ = await read_request(reader)
            writer.write(response(body if b"/big" in head else b"small"))
            await writer.drain()

    async def main() -> tuple[bytes, bytes, Any]:
        async with Server(handler, tls=tls_server_context(ca)) as server, client(verify=trusting(ca)) as http:
            small = await http.get(server.url + "/small")
            stream = small.extensions["network_stream"]
            chunks = []
            async with http.stream("GET", server.url + "/big") as r:
                async for chunk in r.aiter_raw():
                    chunks.append(chunk)
                    await asyncio.sleep(0.001)
            assert server.connections == 1
            ssl_object = stream.get_extra_info("ssl_object")
        stream.get_extra_info("server_addr")  # closed with the client: answers, does not raise
        return small.content, b"".join(chunks), ssl_object

    small, big, ssl_object = run(main())
    assert (small, big) == (b"small", body)
    assert network.HIGH_WATER < buffer_peak[0] <= MOST_HELD
    assert isinstance(ssl_object, ssl.SSLObject) and ssl_object.version() in ("TLSv1.2", "TLSv1.3")


@pytest.mark.parametrize("tls", [False, True], ids=["tcp", "tls"])
def test_an_early_answer_to_an_upload_is_read(run: Run, tls: bool, ca: trustme.CA) -> None:
    """The server answers after the headers (413), stops reading, and closes a little later
    with the body unread (a reset): the client reads the answer instead of failing on the
    write, as httpcore intends (anyio's backend fails here with a ReadError, over TCP and TLS)."""

    def refuse(conn: socket.socket) -> None:
        recv_head(conn)
        conn.sendall(b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope")
        time.sleep(0.2)

    async def main(url: str) -> list[tuple[int, bytes]]:
        async with client(verify=trusting(ca) if tls else True) as http:
            return [((r := await http.post(url + "/upload", content=b"x" * 8_000_000)).status_code, r.content) for _ in range(2)]

    with ThreadedServer(refuse, tls=tls_server_context(ca) if tls else None) as server:
        assert run(main(server.url)) == [(413, b"nope")] * 2


def test_an_upload_the_server_resets_ends_cleanly_over_tls(run: Run, ca: trustme.CA, caplog: pytest.LogCaptureFixture) -> None:
    """No write goes on into the dead connection: asyncio's TLS transport says it is closing
    only after the loop has run, and logs a warning for every write into it until then."""
    caplog.set_level(logging.WARNING, logger="asyncio")

    def reset(conn: socket.socket) -> None:
        recv_head(conn)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with a reset

    async def main(url: str) -> None:
        async with client(verify=trusting(ca)) as http:
            with pytest.raises((httpx.WriteError, httpx.ReadError, httpx.RemoteProtocolError)):
                await http.post(url + "/upload", content=b"x" * 16_000_000)

    with ThreadedServer(reset, tls=tls_server_context(ca)) as server:
        run(main(server.url))
    assert [r.getMessage() for r in caplog.records if r.name == "asyncio"] == []


def test_tls_on_a_connection_the_server_already_closed_fails_at_once(run: Run, ca: trustme.CA) -> None:
    """The loop reads eagerly, so the server's close can be taken before the handshake starts:
    a ConnectError right away, not a handshake waiting out its timeout (asyncio) or a request
    sent into a dead connection (uvloop)."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        pass  # closes at once

    async def main() -> float:
        async with Server(handler) as server:
            stream = await network.AsyncioBackend().connect_tcp("127.0.0.1", server.port, timeout=5)
            await asyncio.sleep(0.05)  # the close arrives and is read
            started = time.monotonic()
            with pytest.raises(httpcore.ConnectError, match="closed the connection before the TLS handshake"):
                await stream.start_tls(trusting(ca), server_hostname="127.0.0.1", timeout=3)
            return time.monotonic() - started

    assert run(main()) < 1


def test_an_untrusted_certificate_is_a_connect_error(run: Run, ca: trustme.CA) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)

    async def main() -> None:
        async with Server(handler, tls=tls_server_context(ca)) as server, client(verify=ssl.create_default_context()) as http:
            with pytest.raises(httpx.ConnectError, match="certificate verify failed"):
                await http.get(server.url + "/")

    run(main())


def test_a_tls_handshake_that_never_ends_is_a_connect_timeout(run: Run) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)  # accepts TCP, never speaks TLS

    async def main() -> float:
        async with Server(handler) as server, client(timeout=httpx.Timeout(5.0, connect=0.3)) as http:
            started = time.monotonic()
            with pytest.raises(httpx.ConnectTimeout):
                await http.get(server.url.replace("http://", "https://") + "/")
            return time.monotonic() - started

    assert 0.3 <= run(main()) < 3

