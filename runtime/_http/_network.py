"""The sockets under the runtime's HTTP connections: httpcore's network backend, on asyncio.

httpx's pool (httpcore) reads and writes through a network backend; the default one is built on
anyio, and every read and write there pays for a cancel scope with a loop timer, an exception-
mapping context manager, and on reads a `pause_reading`/`resume_reading` pair (two epoll
changes), on writes a checkpoint. Against the loopback benchmark server this backend takes
0.22-0.35 ms off a GET's 1.4-1.7 ms of client CPU (`benchmarks/RESULTS.md`, fourth session).
httpcore once had a native asyncio backend and declined to bring it back, so this is ours:

- the event loop reads each connection as data arrives (a protocol, not a stream); `read`
  returns what is buffered without waiting, and waits on one future otherwise. Reading pauses
  above HIGH_WATER buffered bytes and resumes below LOW_WATER, so a slow consumer of a large
  body never holds much more than that in memory;
- writes go to the transport in slices, waiting whenever it holds too much (see `write`);
- a timeout is a `call_later` that fails that future, only when a read or a write must wait;
- connecting tries a host's addresses in parallel (aiohappyeyeballs, as aiohttp does), TLS is
  `loop.start_tls` bounded by the connect timeout, and closing aborts: httpcore closes a
  connection only when it has no further use for it.

Reading eagerly changes what the loop knows when, and three places account for it (each found
in review, each with a test): whether an idle connection is still usable (`is_readable`) is
answered from what the loop has read and else by a `poll()` of the socket, because while the
loop is busy (JavaScript between two requests) a server's close waits unread in the kernel; a
connection the server closed or spoke on before TLS fails at once in `start_tls`; and an
upload yields to the loop when the server has answered, so that the answer is read before a
write meets the server's reset (asyncio's transport reads nothing after a failed write).

Errors are httpcore's (ConnectError, ConnectTimeout, ReadError, ReadTimeout, WriteError,
WriteTimeout), which httpx turns into its own as with the default backend. It runs on asyncio's
loops and on uvloop. Only the default transport of a client the runtime creates gets this
backend (`install`): a host's transport and httpx's proxy transports are left as they are.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import aiohappyeyeballs
import httpcore
import httpx

try:  # what anyio's backend asks too; private to httpcore, so checked: without it, `install` declines
    from httpcore._utils import is_socket_readable
except ImportError:  # pragma: no cover - another httpcore
    is_socket_readable = None  # type: ignore[assignment]

__all__ = ["HIGH_WATER", "LOW_WATER", "AsyncioBackend", "install"]

#: buffered bytes above which a connection stops reading (httpcore reads 64 KiB at a time)
HIGH_WATER = 256 * 1024
#: and below which it reads again
LOW_WATER = 64 * 1024
#: as anyio: a second address is tried when the first has not connected in this time
_HAPPY_EYEBALLS_DELAY = 0.25
#: the most bytes handed to the transport at once (see `_Stream.write`)
_WRITE_SLICE = 64 * 1024
#: httpcore's names for what it asks of a stream -> asyncio's
_EXTRA_INFO = {"ssl_object": "ssl_object", "client_addr": "sockname", "server_addr": "peername", "socket": "socket"}


class _Protocol(asyncio.Protocol):
    """What the event loop delivers for one connection, until `read`/`write` take it."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False  # no more data will come (the peer's FIN, or the connection is gone)
        self.lost: BaseException | None = None  # why the connection broke, if it did
        self.closed = False
        self.reading_paused = False
        self.writing_paused = False
        self.reader: asyncio.Future[None] | None = None
        self.drainer: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > HIGH_WATER and not self.reading_paused and self.transport is not None:
            self.reading_paused = True
            self.transport.pause_reading()
        _wake(self.reader)

    def eof_received(self) -> bool:
        self.eof = True
        _wake(self.reader)
        return False  # the transport closes itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = self.eof = True
        self.lost = exc
        _wake(self.reader)
        _wake(self.drainer)

    def pause_writing(self) -> None:
        self.writing_paused = True

    def resume_writing(self) -> None:
        self.writing_paused = False
        _wake(self.drainer)


def _wake(waiter: asyncio.Future[None] | None) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


async def _wait(protocol: _Protocol, slot: str, timeout: float | None) -> None:
    """Wait until the protocol wakes `slot` ("reader" or "drainer"); TimeoutError after `timeout`."""
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[None] = loop.create_future()
    setattr(protocol, slot, waiter)
    timer = loop.call_later(timeout, _expire, waiter) if timeout is not None else None
    try:
        await waiter
    finally:
        setattr(protocol, slot, None)
        if timer is not None:
            timer.cancel()


class _Stream(httpcore.AsyncNetworkStream):
    def __init__(self, transport: asyncio.Transport, protocol: _Protocol, tcp: asyncio.Transport | None = None) -> None:
        self._transport = transport
        self._protocol = protocol
        #: the TCP transport (under TLS, the one below): asyncio's TLS transport says it is
        #: closing only once the loop has run, and a write that never waits never lets it
        self._tcp = tcp if tcp is not None else transport

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        p = self._protocol
        while not p.buffer:
            if p.eof:
                if p.lost is not None:
                    raise httpcore.ReadError(f"the connection was lost: {p.lost!r}")
                return b""
            try:
                await _wait(p, "reader", timeout)
            except TimeoutError:
                raise httpcore.ReadTimeout("timed out reading from the server") from None
        buffer = p.buffer
        if len(buffer) <= max_bytes:
            data = bytes(buffer)
            buffer.clear()
        else:
            data = bytes(buffer[:max_bytes])
            del buffer[:max_bytes]
        if p.reading_paused and len(buffer) < LOW_WATER and not p.closed:
            p.reading_paused = False
            p.transport.resume_reading()  # type: ignore[union-attr]
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """Hand `buffer` to the transport a slice at a time, waiting while it holds too much.

        Slices, because asyncio's TLS layer takes any one write whole and its flow control only
        sees its own buffers: a 64 MiB body written at once would sit encrypted in memory and
        never wait, never time out. The timeout bounds each wait for the transport to drain, so
        a slow but steady reader is not cut off."""
        if not buffer:
            return
        p = self._protocol
        view = memoryview(buffer)
        for start in range(0, len(view), _WRITE_SLICE):
            if start and self._kernel_has_input():
                # the server answered while we upload (a 413, a 401) and may close: let the loop
                # read the answer before a write meets the reset, after which asyncio's
                # transport reads no more and the answer would be lost (httpcore reads it
                # after a failed write). Two turns: the first runs this task before the read.
                await asyncio.sleep(0)
                await asyncio.sleep(0)
            if p.closed or self._tcp.is_closing() or self._transport.is_closing():
                raise httpcore.WriteError("the connection is closed")
            self._transport.write(view[start : start + _WRITE_SLICE])
            while p.writing_paused and not p.closed:
                try:
                    await _wait(p, "drainer", timeout)
                except TimeoutError:
                    raise httpcore.WriteTimeout("timed out writing to the server") from None
        if p.closed and p.lost is not None:
            raise httpcore.WriteError(f"the connection was lost: {p.lost!r}")

    async def aclose(self) -> None:
        # abort, not close: close() keeps the socket until its unsent bytes are written (a
        # server that stopped reading keeps it forever) and over TLS waits up to 30 s for the
        # server's close_notify. httpcore closes a connection when it has no further use for it.
        self._transport.abort()
        await asyncio.sleep(0)  # the loop closes the socket in its next turn: let it, before returning

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        p = self._protocol
        if p.eof or p.buffer or self._transport.is_closing():
            # the loop reads eagerly: a close (or bytes) the server sent first is already taken
            self._transport.abort()
            what = "sent data" if p.buffer else "closed the connection"
            raise httpcore.ConnectError(f"the server {what} before the TLS handshake")
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(
                    self._transport, self._protocol, ssl_context, server_side=False, server_hostname=server_hostname
                )
        except TimeoutError:
            self._transport.abort()
            raise httpcore.ConnectTimeout("timed out in the TLS handshake") from None
        except (OSError, ssl.SSLError) as exc:  # SSLError (certificate problems) is an OSError too
            self._transport.abort()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        if transport is None or self._transport.is_closing():  # uvloop may hand back TLS over a closed connection
            self._transport.abort()
            raise httpcore.ConnectError("the connection closed during the TLS handshake")
        p.transport = transport  # type: ignore[assignment]  # pausing reads now pauses the TLS layer
        return _Stream(transport, p, self._transport)  # type: ignore[arg-type]

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # for an idle connection: the server closed it, or sent junk
            p = self._protocol
            # what the loop has read, or else what it has not read yet: while the loop is busy
            # (JavaScript running between two requests) a server's close waits in the kernel
            return bool(p.buffer) or p.eof or self._kernel_has_input()
        key = _EXTRA_INFO.get(info)
        return self._transport.get_extra_info(key) if key is not None else None

    def _kernel_has_input(self) -> bool:
        """Bytes or a close the kernel holds that the loop has not read yet (a closed socket: True)."""
        return is_socket_readable(self._tcp.get_extra_info("socket"))


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend on asyncio's transports (see the module docstring)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                addresses = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
                local = await loop.getaddrinfo(local_address, 0, type=socket.SOCK_STREAM) if local_address else None
                # a host's addresses tried in parallel, as anyio does; aiohappyeyeballs closes
                # every socket but the winner even when the connect is cancelled (asyncio's own
                # race left one open in ~1 of 5 cancels), and works on uvloop, which has no race
                sock = await aiohappyeyeballs.start_connection(
                    addresses, local_addr_infos=local, happy_eyeballs_delay=_HAPPY_EYEBALLS_DELAY
                )
                try:
                    for option in socket_options or ():
                        sock.setsockopt(*option)
                    transport, protocol = await loop.create_connection(_Protocol, sock=sock)
                except BaseException:
                    sock.close()
                    raise
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"timed out connecting to {host}:{port}") from None
        except (OSError, RuntimeError) as exc:  # uvloop reports some connect failures as RuntimeError
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        return _Stream(transport, protocol)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


_BACKEND = AsyncioBackend()


def install(http: httpx.AsyncClient) -> bool:
    """Give `http`'s default transport this backend, before it opens any connection; only for
    clients the runtime created (a host's own `AsyncHTTPTransport` would pass the checks). False,
    nothing changed, when the transport is not httpx's pool or httpcore lacks what this needs."""
    if is_socket_readable is None:
        return False
    transport = getattr(http, "_transport", None)
    pool = getattr(transport, "_pool", None)
    if type(transport) is not httpx.AsyncHTTPTransport or type(pool) is not httpcore.AsyncConnectionPool:
        return False
    if not isinstance(getattr(pool, "_network_backend", None), httpcore.AsyncNetworkBackend) or pool.connections:
        return False
    pool._network_backend = _BACKEND
    return True
