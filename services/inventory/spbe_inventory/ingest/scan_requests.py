"""Scans asked for on the pages: a scan.requested command to the collector, and how far it got.

The inventory knows a scope from the scans it has ingested (key and OPD of their ScanScope), so a
person may ask only for a scope the collector already scans for their OPD; the collector checks
again against its own scopes file. The request is stored, committed, and only then published: a
request the bus refuses is marked undelivered and shown as failed.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine

from spbe_common.auth import Principal
from spbe_common.bus import Bus, Producer, publish
from spbe_common.db import begin_write
from spbe_common.events import EventType, new_event
from spbe_common.events.payloads import SCAN_REQUEST_TTL_S, ScanRequested

from . import repository as repo

log = logging.getLogger(__name__)
SOURCE = "spbe-inventory"
TTL = timedelta(seconds=SCAN_REQUEST_TTL_S)
RUNNING_AT_MOST = timedelta(hours=6)  # a scan "running" longer lost its collector: not waited on
NOT_STARTED = "Kolektor tidak memulai pemindaian dalam 15 menit."
UNDELIVERED = "Permintaan tidak sampai ke kolektor (bus pesan tidak menjawab)."


class ScanState(StrEnum):
    WAITING = "waiting"
    RUNNING = "running"
    COMPLETE = "complete"
    PARTIAL = "partial"
    FAILED = "failed"


FINISHED = frozenset({ScanState.COMPLETE, ScanState.PARTIAL, ScanState.FAILED})


class UnknownScope(LookupError):
    """Not a scope of the principal's OPD (or none the inventory has seen a scan of)."""


class EventPublisher:
    """One producer for the app, made on first use; each publish is flushed (durable) at once."""

    def __init__(self, bus: Bus) -> None:
        self._bus = bus
        self._producer: Producer | None = None
        self._lock = threading.Lock()

    def send(self, event: Any) -> None:
        with self._lock:
            if self._producer is None:
                self._producer = self._bus.producer()
            publish(self._producer, [event])
            self._producer.flush()

    def close(self) -> None:
        with self._lock:
            if self._producer is not None:
                self._producer.close()
                self._producer = None


@dataclass(frozen=True)
class Progress:
    """What the scan page shows: where a request or scan is, and the scan row once there is one."""

    scan_id: str
    scope: str
    opd_code: str
    state: ScanState
    scan: dict[str, Any] | None
    requested_by: str | None = None
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


def scopes(conn: Connection, principal: Principal) -> list[dict[str, Any]]:
    """The scopes of the principal's OPD, each with its newest scan."""
    return repo.latest_scans(conn, principal)


def _existing(conn: Connection, scope: str, now: datetime) -> str | None:
    """A scan of the scope already running or asked for: follow it instead of asking again."""
    return repo.running_scan(conn, scope, now - RUNNING_AT_MOST) or repo.waiting_request(
        conn, scope, now - TTL
    )


def request_scan(
    engine: Engine, publisher: EventPublisher, principal: Principal, scope_key: str
) -> str:
    """The id to follow: a new request (committed, then published) or the one under way."""
    now = datetime.now(UTC)
    with begin_write(engine) as conn:
        known = {row["scope"]: row for row in scopes(conn, principal)}.get(scope_key)
        if known is None:
            raise UnknownScope(scope_key)
        under_way = _existing(conn, scope_key, now)
        if under_way is not None:
            return under_way
        request = ScanRequested(
            request_id=uuid.uuid4().hex,
            scope=scope_key,
            opd=known["opd_code"],
            requested_by=principal.name,
            requested_at=now,
        )
        repo.add_scan_request(conn, _row(request))
    _send(engine, publisher, request)
    return request.request_id


def _row(request: ScanRequested) -> dict[str, Any]:
    return {
        "request_id": request.request_id,
        "scope": request.scope,
        "opd_code": request.opd,
        "requested_by": request.requested_by,
        "requested_at": request.requested_at,
    }


def _send(engine: Engine, publisher: EventPublisher, request: ScanRequested) -> None:
    event = new_event(
        EventType.SCAN_REQUESTED,
        request,
        source=SOURCE,
        scope=request.scope,
        event_id=request.request_id,
    )
    try:
        publisher.send(event)
    except Exception:  # the broker or the event log is away: say so on the page, not a 500
        log.exception("scan request %s not delivered", request.request_id)
        with begin_write(engine) as conn:
            repo.mark_undelivered(conn, request.request_id)


def progress(conn: Connection, principal: Principal, scan_id: str) -> Progress | None:
    """Where a scan (or the request for it) is; None outside the principal's OPD or unknown."""
    scan = repo.scan_result(conn, principal, scan_id)
    if scan is not None:
        state = _state(scan["status"])
        asked = repo.scan_request(conn, principal, scan_id)
        by = asked["requested_by"] if asked else None
        return Progress(scan_id, scan["scope"], scan["opd_code"], state, scan, by, scan["error"])
    asked = repo.scan_request(conn, principal, scan_id)
    if asked is None:
        return None
    return _waiting(asked, datetime.now(UTC))


def _state(status: str) -> ScanState:
    try:
        return ScanState(status)
    except ValueError:  # a status newer than this code: not finished as far as we know
        return ScanState.RUNNING


def _waiting(asked: dict[str, Any], now: datetime) -> Progress:
    error = None
    if asked["undelivered"]:
        error = UNDELIVERED
    elif now - asked["requested_at"] > TTL:
        error = NOT_STARTED
    state = ScanState.FAILED if error else ScanState.WAITING
    return Progress(
        asked["request_id"],
        asked["scope"],
        asked["opd_code"],
        state,
        None,
        asked["requested_by"],
        error,
    )
