"""The loop that reads scan requests (topic spbe.scan-requests, group spbe-collector).

At most once: a request's offset is committed before its scan runs. A request is a click; after
a crash mid-scan it is not repeated behind the person's back (they see the scan unfinished and
ask again), and a scan longer than the broker's poll interval cannot make the group hand the same
request to another member. One request at a time: scans of one scope never overlap (scan lock).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from spbe_common.bus import Bus, Consumer, Record
from spbe_common.events import EventType, InvalidEvent, Topic, from_binary
from spbe_common.events.payloads import ScanRequested

from .service import Outcome

log = logging.getLogger(__name__)
GROUP = "spbe-collector"  # deploy/kafka/provision.py grants the collector this group
RETRY_S = 5.0

Handle = Callable[[ScanRequested], Outcome]


def decode(record: Record) -> ScanRequested | None:
    """The request a record carries, or None (logged) for anything else."""
    try:
        event = from_binary(record.headers, record.value)
    except InvalidEvent as exc:
        log.warning("scan request at %s/%s dropped: %s", record.topic, record.offset, exc.reason)
        return None
    if event.type is not EventType.SCAN_REQUESTED or not isinstance(event.data, ScanRequested):
        log.warning("%s on %s dropped: not a scan request", event.type, record.topic)
        return None
    return event.data


class ScanRequestConsumer:
    def __init__(
        self, bus: Bus, handle: Handle, *, group_id: str = GROUP, poll_timeout_s: float = 1.0
    ) -> None:
        self._bus = bus
        self._handle = handle
        self._group = group_id
        self._timeout = poll_timeout_s

    def run(self, stop: threading.Event) -> None:
        """Until `stop` is set; a broker or log that is away is waited for, never fatal."""
        while not stop.is_set():
            try:
                consumer = self._connect()
            except Exception:
                log.exception("scan requests: cannot subscribe; retrying in %.0fs", RETRY_S)
                stop.wait(RETRY_S)
                continue
            try:
                while not stop.is_set():
                    self.run_once(consumer)
            except Exception:
                log.exception("scan requests: consumer failed; reconnecting in %.0fs", RETRY_S)
                stop.wait(RETRY_S)
            finally:
                consumer.close()

    def _connect(self) -> Consumer:
        self._bus.ensure_topics([Topic.SCAN_REQUESTS.value])
        return self._bus.consumer(self._group, [Topic.SCAN_REQUESTS.value])

    def run_once(self, consumer: Consumer) -> list[Outcome]:
        """Poll one request, commit it, then act on it."""
        outcomes: list[Outcome] = []
        for record in consumer.poll(1, self._timeout):
            consumer.commit([record])
            request = decode(record)
            if request is None:
                continue
            try:
                outcomes.append(self._handle(request))
            except Exception:  # e.g. a broken scopes file: this request is lost, the loop is not
                log.exception("scan request %s failed", request.request_id)
        return outcomes
