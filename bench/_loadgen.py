"""A closed-loop HTTP/1.1 keep-alive load generator: asyncio protocols on raw sockets.

Each connection sends one GET, waits for the whole response (Content-Length framing), then sends
the next, cycling through the given paths. Latencies are kept only for responses that finish
inside the measured window (after the warm-up). Loopback targets only.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

HEADER_END = b"\r\n\r\n"


@dataclass
class Tally:
    """What the connections saw; latencies in nanoseconds, only inside the measured window."""

    measure_from: float = 0.0
    measure_until: float = 0.0
    latencies_ns: list[int] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    bytes_in: int = 0

    def record(self, status: int, started_ns: int, size: int) -> None:
        now = time.perf_counter()
        if not self.measure_from <= now < self.measure_until:
            return
        self.latencies_ns.append(time.perf_counter_ns() - started_ns)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.bytes_in += size
        if status >= 400:
            self.errors += 1


def build_requests(
    host: str, port: int, paths: Sequence[str], headers: dict[str, str] | None = None
) -> list[bytes]:
    extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    head = (
        f"Host: {host}:{port}\r\nAccept: application/json\r\n{extra}Connection: keep-alive\r\n\r\n"
    )
    return [f"GET {path} HTTP/1.1\r\n{head}".encode("ascii") for path in paths]


class Connection(asyncio.Protocol):
    """One keep-alive connection that always has exactly one request in flight."""

    def __init__(self, requests: list[bytes], start: int, tally: Tally, stop_at: float) -> None:
        self.requests = requests
        self.next = start
        self.tally = tally
        self.stop_at = stop_at
        self.buffer = bytearray()
        self.expected = -1  # total bytes of the current response once its head is parsed
        self.status = 0
        self.sent_ns = 0
        self.transport: Any = None  # uvloop's transports do not subclass asyncio.Transport
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self._send()

    def _send(self) -> None:
        request = self.requests[self.next % len(self.requests)]
        self.next += 1
        self.sent_ns = time.perf_counter_ns()
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.expected < 0 and not self._parse_head():
            return
        if len(self.buffer) < self.expected:
            return
        self.tally.record(self.status, self.sent_ns, self.expected)
        del self.buffer[: self.expected]
        self.expected = -1
        if time.perf_counter() >= self.stop_at:
            self._finish()
        else:
            self._send()

    def _parse_head(self) -> bool:
        end = self.buffer.find(HEADER_END)
        if end < 0:
            return False
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        self.status = int(head[0].split(" ", 2)[1])
        length = 0
        for line in head[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        self.expected = end + len(HEADER_END) + length
        return True

    def _finish(self) -> None:
        if self.transport is not None:
            self.transport.close()
        if not self.done.done():
            self.done.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        if time.perf_counter() < self.stop_at:
            self.tally.errors += 1  # the server hung up during the run
        if not self.done.done():
            self.done.set_result(None)


async def _run(
    host: str,
    port: int,
    paths: Sequence[str],
    connections: int,
    warmup_s: float,
    duration_s: float,
    headers: dict[str, str] | None = None,
) -> Tally:
    loop = asyncio.get_running_loop()
    requests = build_requests(host, port, paths, headers)
    now = time.perf_counter()
    tally = Tally(measure_from=now + warmup_s, measure_until=now + warmup_s + duration_s)
    step = max(1, len(requests) // connections)
    protocols: list[Connection] = []
    for n in range(connections):
        factory = partial(Connection, requests, n * step, tally, tally.measure_until)
        _, proto = await loop.create_connection(factory, host, port)
        protocols.append(proto)
    try:  # a server that stops answering must not hang the bench
        await asyncio.wait_for(
            asyncio.gather(*(p.done for p in protocols)), warmup_s + duration_s + 10
        )
    except TimeoutError:
        tally.errors += sum(1 for p in protocols if not p.done.done())
    finally:
        for proto in protocols:
            proto._finish()
    return tally


def run(
    host: str,
    port: int,
    paths: Sequence[str],
    *,
    connections: int = 16,
    warmup_s: float = 2.0,
    duration_s: float = 10.0,
    headers: dict[str, str] | None = None,
) -> Tally:
    """Drive `connections` keep-alive connections for warm-up + duration seconds."""
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"load goes to loopback only, not {host}")
    main = _run(host, port, paths, connections, warmup_s, duration_s, headers)
    try:
        import uvloop  # installed with uvicorn[standard]; about twice as fast as asyncio's loop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def percentile(sorted_values: Sequence[int], fraction: float) -> int:
    if not sorted_values:
        return 0
    index = min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))
    return sorted_values[index]
