"""asset.observed records of one scan, encoded without building two pydantic models per host.

`to_binary(new_event(...))` costs ~45 us a host; a sweep of a /16 publishes 65,536 of them. The
headers that do not change within a scan are taken once from that reference encoder (so they
follow the envelope if it changes); per host only the id, the time and the subject are set and
the data dumped. The first host of every batch is also encoded the reference way: if the two
ever differ, the scan falls back to the reference encoder for the rest of its hosts.
"""

from __future__ import annotations

import logging
from datetime import datetime

import orjson

from spbe_common.events import TOPIC_OF, Event, EventType, Headers, new_event, to_binary

from .transform import ObservedHost

log = logging.getLogger(__name__)
_TYPE = EventType.ASSET_OBSERVED
_TEMPLATE_HOST = ObservedHost(["192.0.2.1"])
_PER_EVENT = ("ce_id", "ce_time", "ce_subject")


def event_id(scan_id: str, sequence: int) -> str:
    """Ids from the scan id and a counter: unique, and cheaper than a uuid4 per host."""
    return f"{scan_id}-{sequence}"


def subject(host: ObservedHost) -> str:
    """natural_key() of an asset.observed payload: MAC, else first address."""
    return f"mac:{host.mac}" if host.mac else f"ip:{host.addresses[0]}"


def value(host: ObservedHost) -> bytes:
    """The record value: `data` as JSON. A discovery host is one canonical address (digits, hex,
    '.' and ':', nothing to escape), joined in directly: orjson's 1 KiB buffer costs more."""
    if len(host.addresses) == 1 and not (
        host.mac or host.hostname or host.vendor or host.os_guess or host.services
    ):
        return b'{"addresses":["' + host.addresses[0].encode() + b'"],"services":[]}'
    return orjson.dumps(host.data())


class AssetRecords:
    """Encodes the asset.observed events of one scan: `batch()` gives (headers, value) pairs."""

    topic = TOPIC_OF[_TYPE].value

    def __init__(self, scan_id: str, scope: str, source: str) -> None:
        self._source, self._scan_id, self._scope = source, scan_id, scope
        template = self._reference_event(_TEMPLATE_HOST, event_id(scan_id, 0), None)
        self.key = template.key()
        self._headers, _ = to_binary(template)
        names = [name for name, _ in self._headers]
        self._slots = [names.index(name) for name in _PER_EVENT if name in names]
        self.fast = len(self._slots) == len(_PER_EVENT)

    def batch(
        self, hosts: list[ObservedHost], first: int, time: datetime
    ) -> list[tuple[Headers, bytes]]:
        """One record per host, numbered from `first` in the scan; all stamped with `time`."""
        ids = [f"{self._scan_id}-{n}" for n in range(first, first + len(hosts))]  # event_id()
        if self.fast and hosts and not self._agrees(hosts[0], ids[0], time):
            log.warning("asset.observed fast encoding differs from the envelope's; not used")
            self.fast = False
        if not self.fast:
            return [self._reference(h, i, time) for h, i in zip(hosts, ids, strict=True)]
        return self._encode(hosts, ids, time)

    def _encode(
        self, hosts: list[ObservedHost], ids: list[str], time: datetime
    ) -> list[tuple[Headers, bytes]]:
        stamp = time.isoformat().encode()
        template, (at_id, at_time, at_subject) = self._headers, self._slots
        records: list[tuple[Headers, bytes]] = []
        append = records.append
        for host, id_ in zip(hosts, ids, strict=True):
            headers = template.copy()
            headers[at_id] = ("ce_id", id_.encode())
            headers[at_time] = ("ce_time", stamp)
            headers[at_subject] = ("ce_subject", subject(host).encode())
            append((headers, value(host)))
        return records

    def _agrees(self, host: ObservedHost, id_: str, time: datetime) -> bool:
        return self._encode([host], [id_], time)[0] == self._reference(host, id_, time)

    def _reference(self, host: ObservedHost, id_: str, time: datetime) -> tuple[Headers, bytes]:
        return to_binary(self._reference_event(host, id_, time))

    def _reference_event(self, host: ObservedHost, id_: str, time: datetime | None) -> Event:
        return new_event(
            _TYPE,
            host.payload(),
            source=self._source,
            scan_id=self._scan_id,
            scope=self._scope,
            time=time,
            event_id=id_,
        )
