"""Scan requests from the inventory: checked against the scopes file, then scanned at once.

A request names only a scope key and its OPD; what is scanned (ranges, ports, profile) comes from
the scopes file, inside the allowlist, as for a scheduled scan: nothing a person typed reaches
nmap. A request that cannot be honoured is dropped with a log line (see `RequestRefused`); a scope
already being scanned ends the request as a failed scan, so the person who asked is told.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from spbe_common.events import Event, EventType, new_event
from spbe_common.events.enums import ScanStatus
from spbe_common.events.payloads import SCAN_REQUEST_TTL_S, ScanCompleted, ScanRequested

from ..scans.lock import ScanAlreadyRunning
from ..scopes.schemas import ValidatedScope
from ..scopes.service import ScopeRefused, validate_opd
from ..settings import SOURCE

log = logging.getLogger(__name__)
TTL = timedelta(seconds=SCAN_REQUEST_TTL_S)
BUSY = "a scan of this scope is already running"

LoadScopes = Callable[[], list[ValidatedScope]]
RunScan = Callable[[ValidatedScope, str], object]
Publish = Callable[[Sequence[Event]], None]
Clock = Callable[[], datetime]


class Outcome(StrEnum):
    SCANNED = "scanned"
    BUSY = "busy"
    REFUSED = "refused"


class RequestRefused(ValueError):
    """A request that is dropped. There is no truthful scan.completed to send for it: its scope
    is unknown here or another OPD's (so its ranges must not be told), or the person stopped
    waiting long ago (the inventory shows a request not started within the TTL as failed)."""


def _now() -> datetime:
    return datetime.now(UTC)


def check(
    request: ScanRequested, scopes: Iterable[ValidatedScope], now: datetime
) -> ValidatedScope:
    """The configured scope the request names, or RequestRefused with the reason."""
    if now - request.requested_at > TTL:
        raise RequestRefused(f"requested at {request.requested_at.isoformat()}: too old, dropped")
    scope = next((s for s in scopes if s.key == request.scope), None)
    if scope is None:
        raise RequestRefused(f"no scope named {request.scope!r} in the scopes file")
    try:
        opd = validate_opd(request.opd)
    except ScopeRefused as exc:
        raise RequestRefused(str(exc)) from None
    if scope.opd != opd:
        raise RequestRefused(f"scope {scope.key!r} does not belong to OPD {opd}")
    return scope


def busy_event(scope: ValidatedScope, request: ScanRequested, now: datetime) -> Event:
    """The request ends as a failed scan of its own id: the running scan goes on unchanged."""
    data = ScanCompleted(
        scan_id=request.request_id,
        scope=scope.payload(),
        profile=scope.profile,
        status=ScanStatus.FAILED,
        started_at=now,
        finished_at=now,
        hosts_up=0,
        chunks_total=0,
        error=BUSY,
    )
    return new_event(
        EventType.SCAN_COMPLETED,
        data,
        source=SOURCE,
        scan_id=request.request_id,
        scope=scope.key,
        event_id=f"{request.request_id}-busy",
    )


class ScanRequestHandler:
    """Runs the scan a request asks for, with the request id as scan id."""

    def __init__(
        self, load_scopes: LoadScopes, run_scan: RunScan, publish: Publish, clock: Clock = _now
    ) -> None:
        self._load_scopes = load_scopes
        self._run_scan = run_scan
        self._publish = publish
        self._clock = clock

    def handle(self, request: ScanRequested) -> Outcome:
        try:
            scope = check(request, self._load_scopes(), self._clock())
        except RequestRefused as exc:
            log.warning(
                "scan request %s by %s refused: %s", request.request_id, request.requested_by, exc
            )
            return Outcome.REFUSED
        log.info(
            "scan request %s by %s: scanning %s",
            request.request_id,
            request.requested_by,
            scope.key,
        )
        try:
            self._run_scan(scope, request.request_id)
        except ScanAlreadyRunning:
            log.warning("scan request %s: %s (%s)", request.request_id, BUSY, scope.key)
            self._publish([busy_event(scope, request, self._clock())])
            return Outcome.BUSY
        return Outcome.SCANNED
