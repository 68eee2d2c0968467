"""nmap XML (-oX) to observed hosts, incrementally and without I/O. Pure.

A SAX-style expat parser keeps only the host being read, so memory stays flat on large sweeps.
Every value is checked here against the asset.observed contract (canonical addresses, MAC
pattern, lengths, port range, list bounds) as it is read, so a sweep of 65,536 hosts builds no
pydantic model per host; `ObservedHost.payload()` validates one the slow way when wanted.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from xml.parsers import expat

from spbe_common.events.enums import Protocol
from spbe_common.events.limits import MAX_ADDRESSES, MAX_SERVICES
from spbe_common.events.payloads import MAC_PATTERN, AssetObserved

_PROTOCOLS = {p.value: p for p in Protocol}
# What nmap writes for a host of a discovery sweep (status, its address, optionally a MAC with
# vendor, no names with -n, optionally round-trip times), attribute values free of `<`, `&` and
# `"`: such a block is well-formed by construction and is read by this expression without expat
# calling back into Python eight times. Anything else (ports, OS, escapes) goes to expat.
_TEXT = r'[^"<&\x00-\x1f\x7f-\xff]*'  # printable ASCII that needs no unescaping
_SIMPLE_HOST = re.compile(
    (
        r"<host(?: [a-z]+={v})*>{s}"
        r'<status state="([a-z]+)"(?: [a-z_]+={v})*/>{s}'
        r'<address addr="([0-9A-Fa-f.:]+)" addrtype="(ipv[46])"/>{s}'
        r'(?:<address addr="([0-9A-Fa-f:-]+)" addrtype="mac"(?: vendor="({t})")?/>{s})?'
        r"<hostnames>{s}</hostnames>{s}"
        r"(?:<times(?: [a-z]+={v})*/>{s})?"
        r"</host>"
    )
    .format(v=f'"{_TEXT}"', t=_TEXT, s=r"[ \t\r\n]*")
    .encode()
)
_HOLD_LIMIT = 1024  # a simple host is ~250 bytes: a longer unfinished one is not simple
_FAMILIES = {"ipv4": socket.AF_INET, "ipv6": socket.AF_INET6}
_MAC = re.compile(MAC_PATTERN)
Attrs = dict[str, str]


def _clip(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else None


def _canonical_address(kind: str | None, text: str | None) -> str | None:
    """The payload's canonical form (inet_pton/inet_ntop, as its validator does), else None."""
    family = _FAMILIES.get(kind or "")
    if family is None or not text:
        return None
    try:
        return socket.inet_ntop(family, socket.inet_pton(family, text))
    except (OSError, ValueError):
        return None


def _canonical_mac(text: str | None) -> str | None:
    mac = text.upper().replace("-", ":") if text else None
    return mac if mac and _MAC.match(mac) else None


@dataclass(slots=True)
class ObservedService:
    """One open port, in the contract's terms (ObservedService)."""

    port: int
    protocol: Protocol = Protocol.TCP
    name: str | None = None
    product: str | None = None
    version: str | None = None

    def data(self) -> dict[str, object]:
        data: dict[str, object] = {"port": self.port, "protocol": self.protocol.value}
        for key in ("name", "product", "version"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass(slots=True)
class ObservedHost:
    """One live host: the `data` of its asset.observed event, every value already checked."""

    addresses: list[str] = field(default_factory=list)
    mac: str | None = None
    hostname: str | None = None
    vendor: str | None = None
    os_guess: str | None = None
    services: list[ObservedService] = field(default_factory=list)

    def data(self) -> dict[str, object]:
        """The JSON `data`, in the field order and exclude_none form of AssetObserved's dump."""
        if not (self.mac or self.hostname or self.vendor or self.os_guess or self.services):
            return {"addresses": self.addresses, "services": []}  # a discovery sweep's host
        data: dict[str, object] = {"addresses": self.addresses}
        for key in ("mac", "hostname", "vendor", "os_guess"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        data["services"] = [s.data() for s in self.services]
        return data

    def payload(self) -> AssetObserved:
        """The validated contract model (the slow path: tests and the encoder's self-check)."""
        return AssetObserved.model_validate(self.data())


@dataclass(slots=True)
class _Port:
    attrs: Attrs
    state: str | None = None
    service: Attrs | None = None

    def to_service(self) -> ObservedService | None:
        protocol = _PROTOCOLS.get(self.attrs.get("protocol", "tcp"))
        port = self.attrs.get("portid", "0")
        valid_port = port.isascii() and port.isdigit() and int(port) <= 65535
        if self.state != "open" or protocol is None or not valid_port:
            return None
        get = (self.service or {}).get
        return ObservedService(
            int(port),
            protocol,
            _clip(get("name"), 64),
            _clip(get("product"), 200),
            _clip(get("version"), 100),
        )


@dataclass(slots=True)
class RunStats:
    exit: str | None = None
    error: str | None = None
    hosts_up: int | None = None
    truncated: bool = False


class NmapXmlStream:
    """Feed raw bytes as they arrive; get each finished live host back as an ObservedHost."""

    def __init__(self, *, simple_hosts: bool = True) -> None:
        """`simple_hosts=False`: expat reads every host (the reference the fast path is tested
        against)."""
        self._simple = simple_hosts
        self._parser = expat.ParserCreate()
        self._parser.buffer_text = True
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._host: ObservedHost | None = None
        self._up = False
        self._port: _Port | None = None
        self._ready: list[ObservedHost] = []
        self._held = b""  # the start of a host that may be simple, until its end arrives
        self.stats = RunStats()

    def feed(self, data: bytes) -> list[ObservedHost]:
        """The hosts completed by this block; raises expat.ExpatError on malformed XML."""
        if not self._simple:
            self._parser.Parse(data, False)
            ready, self._ready = self._ready, []
            return ready
        data, self._held = self._held + data, b""
        cut = self._unfinished_simple_host(data)
        data, self._held = data[:cut], data[cut:]
        start = 0
        for match in _SIMPLE_HOST.finditer(data):
            gap = data[start : match.start()]
            if gap.strip(b" \t\r\n"):  # in document order; blanks between hosts mean nothing
                self._parser.Parse(gap, False)
            start = match.start()
            if self._host is None:  # else it is inside a host expat reads: expat's to judge
                self._simple_host(match)
                start = match.end()
        self._parser.Parse(data[start:], False)
        ready, self._ready = self._ready, []
        return ready

    def close(self) -> list[ObservedHost]:
        """The hosts still buffered; a document cut short (killed nmap) is marked truncated."""
        try:
            self.feed(b"")
            self._parser.Parse(self._held, True)
        except expat.ExpatError:
            self.stats.truncated = True
        self._held = b""
        ready, self._ready = self._ready, []
        return ready

    @staticmethod
    def _unfinished_simple_host(data: bytes) -> int:
        """Where a host that may still turn out simple begins (held for the next block), else
        the end: everything else goes to expat at once, so a malformed document fails early."""
        last = max(data.rfind(b"<host>"), data.rfind(b"<host "))
        if last < 0 or len(data) - last > _HOLD_LIMIT or b"</host>" in data[last:]:
            return len(data)
        tail = data[last:]
        if b"</" in tail.replace(b"</hostnames>", b""):
            return len(data)
        return last

    def _simple_host(self, match: re.Match[bytes]) -> None:
        state, address, kind, mac, vendor = match.groups()
        if state != b"up":
            return
        canonical = _canonical_address(kind.decode(), address.decode())
        if canonical is None:
            return
        host = ObservedHost([canonical])
        if mac is not None:
            host.mac = _canonical_mac(mac.decode())
            host.vendor = _clip(vendor.decode() if vendor else None, 200)
        self._ready.append(host)

    def _start(self, tag: str, attrs: Attrs) -> None:
        host = self._host
        if tag == "host":
            self._host, self._up = ObservedHost(), True
        elif host is None:
            self._start_outside(tag, attrs)
        elif tag == "status":
            self._up = attrs.get("state") == "up"
        elif tag == "address":
            self._on_address(host, attrs)
        elif tag == "hostname" and host.hostname is None:
            host.hostname = _clip(attrs.get("name"), 253)
        elif tag == "port":
            self._port = _Port(attrs)
        elif self._port is not None:
            self._on_port_detail(self._port, tag, attrs)
        elif tag == "osmatch" and host.os_guess is None:  # nmap sorts matches by accuracy
            host.os_guess = _clip(attrs.get("name"), 200)

    @staticmethod
    def _on_address(host: ObservedHost, attrs: Attrs) -> None:
        kind = attrs.get("addrtype")
        if kind == "mac":
            host.mac = _canonical_mac(attrs.get("addr"))
            host.vendor = _clip(attrs.get("vendor"), 200)
            return
        address = _canonical_address(kind, attrs.get("addr"))
        if address is not None and len(host.addresses) < MAX_ADDRESSES:
            host.addresses.append(address)

    @staticmethod
    def _on_port_detail(port: _Port, tag: str, attrs: Attrs) -> None:
        if tag == "state":
            port.state = attrs.get("state")
        elif tag == "service":
            port.service = attrs

    def _start_outside(self, tag: str, attrs: Attrs) -> None:
        if tag == "finished":
            self.stats.exit = attrs.get("exit")
            self.stats.error = attrs.get("errormsg")
        elif tag == "hosts":
            self.stats.hosts_up = int(attrs.get("up", "0"))

    def _end(self, tag: str) -> None:
        if tag == "host":
            host, self._host = self._host, None
            if host is not None and self._up and host.addresses:
                self._ready.append(host)
        elif tag == "port" and self._port is not None:
            service = self._port.to_service()
            self._port = None
            services = self._host.services if self._host is not None else None
            if service is not None and services is not None and len(services) < MAX_SERVICES:
                services.append(service)


def parse_xml(blocks: Iterable[bytes]) -> Iterator[ObservedHost]:
    """Every host of a complete or partial XML document given as byte blocks."""
    stream = NmapXmlStream()
    for block in blocks:
        yield from stream.feed(block)
    yield from stream.close()


def merge(base: ObservedHost, detail: ObservedHost) -> ObservedHost:
    """A later stage's view of the same host wins for the ports it reports."""
    detailed = {(s.port, s.protocol): s for s in detail.services}
    services = [detailed.pop((s.port, s.protocol), s) for s in base.services]
    return replace(
        base,
        services=(services + list(detailed.values()))[:MAX_SERVICES],
        os_guess=detail.os_guess or base.os_guess,
        hostname=detail.hostname or base.hostname,
        mac=detail.mac or base.mac,
        vendor=detail.vendor or base.vendor,
    )
