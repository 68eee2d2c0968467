"""nmap XML (-oX) to AssetObserved payloads, incrementally and without I/O. Pure.

A SAX-style expat parser keeps only the host being read, so memory stays flat on large sweeps.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from xml.parsers import expat

from spbe_common.events.enums import Protocol
from spbe_common.events.payloads import AssetObserved, ObservedService

_PROTOCOLS = {p.value for p in Protocol}
_ADDRESS_TYPES = ("ipv4", "ipv6")
Attrs = dict[str, str]


def _clip(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else None


@dataclass(slots=True)
class _Port:
    attrs: Attrs
    state: str | None = None
    service: Attrs | None = None

    def to_service(self) -> ObservedService | None:
        protocol = self.attrs.get("protocol", "tcp")
        if self.state != "open" or protocol not in _PROTOCOLS:
            return None
        get = (self.service or {}).get
        return ObservedService(
            port=int(self.attrs.get("portid", "0")),
            protocol=Protocol(protocol),
            name=_clip(get("name"), 64),
            product=_clip(get("product"), 200),
            version=_clip(get("version"), 100),
        )


@dataclass(slots=True)
class _Host:
    """What has been read of one <host> so far."""

    up: bool = True
    addresses: list[str] = field(default_factory=list)
    mac: Attrs | None = None
    hostname: str | None = None
    os_guess: str | None = None
    ports: list[_Port] = field(default_factory=list)

    def to_asset(self) -> AssetObserved | None:
        if not self.up or not self.addresses:
            return None
        fields: dict[str, object] = {"addresses": self.addresses}
        if self.ports:
            fields["services"] = [s for s in (p.to_service() for p in self.ports) if s is not None]
        if self.mac:
            fields["mac"] = self.mac.get("addr")
            fields["vendor"] = _clip(self.mac.get("vendor"), 200)
        if self.hostname:
            fields["hostname"] = _clip(self.hostname, 253)
        if self.os_guess:
            fields["os_guess"] = _clip(self.os_guess, 200)
        return AssetObserved.model_validate(fields)  # only what was seen: the common case is fast


@dataclass(slots=True)
class RunStats:
    exit: str | None = None
    error: str | None = None
    hosts_up: int | None = None
    truncated: bool = False


class NmapXmlStream:
    """Feed raw bytes as they arrive; get each finished host back as an AssetObserved."""

    def __init__(self) -> None:
        self._parser = expat.ParserCreate()
        self._parser.buffer_text = True
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._host: _Host | None = None
        self._port: _Port | None = None
        self._ready: list[AssetObserved] = []
        self.stats = RunStats()

    def feed(self, data: bytes) -> list[AssetObserved]:
        """The hosts completed by this block; raises expat.ExpatError on malformed XML."""
        self._parser.Parse(data, False)
        ready, self._ready = self._ready, []
        return ready

    def close(self) -> list[AssetObserved]:
        """The hosts still buffered; a document cut short (killed nmap) is marked truncated."""
        try:
            self._parser.Parse(b"", True)
        except expat.ExpatError:
            self.stats.truncated = True
        ready, self._ready = self._ready, []
        return ready

    def _start(self, tag: str, attrs: Attrs) -> None:
        host = self._host
        if tag == "host":
            self._host = _Host()
        elif host is None:
            self._start_outside(tag, attrs)
        elif tag == "address":
            self._on_address(host, attrs)
        elif tag == "status":
            host.up = attrs.get("state") == "up"
        elif tag == "hostname" and host.hostname is None:
            host.hostname = attrs.get("name")
        elif tag == "port":
            self._port = _Port(attrs)
            host.ports.append(self._port)
        elif self._port is not None:
            self._on_port_detail(self._port, tag, attrs)
        elif tag == "osmatch" and host.os_guess is None:  # nmap sorts matches by accuracy
            host.os_guess = attrs.get("name")

    @staticmethod
    def _on_address(host: _Host, attrs: Attrs) -> None:
        kind = attrs.get("addrtype")
        if kind in _ADDRESS_TYPES and attrs.get("addr"):
            host.addresses.append(attrs["addr"])
        elif kind == "mac":
            host.mac = attrs

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
        if tag == "port":
            self._port = None
        elif tag == "host" and self._host is not None:
            asset = self._host.to_asset()
            self._host = None
            if asset is not None:
                self._ready.append(asset)


def parse_xml(blocks: Iterable[bytes]) -> Iterator[AssetObserved]:
    """Every host of a complete or partial XML document given as byte blocks."""
    stream = NmapXmlStream()
    for block in blocks:
        yield from stream.feed(block)
    yield from stream.close()


def merge(base: AssetObserved, detail: AssetObserved) -> AssetObserved:
    """A later stage's view of the same host wins for the ports it reports."""
    detailed = {(s.port, s.protocol): s for s in detail.services}
    services = [detailed.pop((s.port, s.protocol), s) for s in base.services]
    return base.model_copy(
        update={
            "services": services + list(detailed.values()),
            "os_guess": detail.os_guess or base.os_guess,
            "hostname": detail.hostname or base.hostname,
            "mac": detail.mac or base.mac,
            "vendor": detail.vendor or base.vendor,
        }
    )
