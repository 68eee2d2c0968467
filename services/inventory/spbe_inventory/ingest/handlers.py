"""One batch handler per event type, found in one registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from sqlalchemy import Connection, select

from spbe_common.events import EventType
from spbe_common.events.enums import ScanStatus
from spbe_common.events.fast import Received, fast_twin
from spbe_common.events.payloads import (
    ApplicationDeclared,
    ApplicationObserved,
    AssetDeclared,
    AssetObserved,
    ScanCompleted,
    ScanStarted,
)
from spbe_inventory.applications import service as applications
from spbe_inventory.assets.identity import NO_IDENTITY, Identity
from spbe_inventory.assets.models import REGISTER_FIELDS
from spbe_inventory.assets.service import AssetUnitOfWork, Declaration, observation_of
from spbe_inventory.history.models import CauseKind
from spbe_inventory.history.service import Cause, ChangeLog
from spbe_inventory.opd.models import Opd

from . import repository as repo
from .reasons import Reason, Rejection


@dataclass
class BatchContext:
    conn: Connection
    changes: ChangeLog = field(default_factory=ChangeLog)
    rejected: dict[str, Rejection] = field(default_factory=dict)  # event id -> why
    raw: dict[str, bytes] = field(default_factory=dict)  # event id -> data as it arrived
    _assets: AssetUnitOfWork | None = None
    _opd_codes: set[str] | None = None

    @property
    def assets(self) -> AssetUnitOfWork:
        if self._assets is None:
            self._assets = AssetUnitOfWork(self.conn, self.changes)
        return self._assets

    def opd_codes(self) -> set[str]:
        if self._opd_codes is None:
            self._opd_codes = set(self.conn.execute(select(Opd.code)).scalars())
        return self._opd_codes

    def reject(self, event: Received, code: Reason, text: str) -> None:
        self.rejected[event.id] = Rejection(code, text)

    def known_opd(self, event: Received, opd: str) -> bool:
        """False (and the event set aside) when the OPD register has no such code."""
        if opd in self.opd_codes():
            return True
        self.reject(event, Reason.UNKNOWN_OPD, f"unknown OPD code {opd!r}")
        return False


Handler = Callable[[BatchContext, list[Received]], None]
HANDLERS: dict[EventType, Handler] = {}


def handles(event_type: EventType) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[event_type] = handler
        return handler

    return register


def cause_of(event: Received) -> Cause:
    """The event's time in `datetime.UTC`: every later comparison and conversion is cheap."""
    return Cause(CauseKind.EVENT, event.id, event.time.astimezone(UTC))


def _data(event: Received, kind: type[Any]) -> Any:
    """The payload: the pydantic model, or its fast decoder's Struct of the same fields."""
    assert type(event.data) is fast_twin(kind) or isinstance(event.data, kind)  # fast path first
    return event.data


@handles(EventType.SCAN_STARTED)
def scan_started(ctx: BatchContext, events: list[Received]) -> None:
    rows = []
    for event in events:
        data: ScanStarted = _data(event, ScanStarted)
        if not ctx.known_opd(event, data.scope.opd):
            continue
        rows.append(
            {
                "scan_id": data.scan_id,
                "scope": data.scope.key,
                "opd_code": data.scope.opd,
                "ranges": data.scope.ranges,
                "profile": data.profile,
                "status": "running",
                "started_at": data.started_at,
                "marked_missing": 0,
            }
        )
    repo.start_scans(ctx.conn, rows)


def _scan_known(ctx: BatchContext, event: Received, scan_opd: dict[str, str]) -> bool:
    """An observation of a scan is taken only when its scan (and so its OPD) is known."""
    if event.scanid is None:
        return True
    opd = scan_opd.get(event.scanid)
    if opd is None:
        why = f"unknown scan {event.scanid!r} (its scan.started was set aside or lost)"
        ctx.reject(event, Reason.UNKNOWN_SCAN, why)
        return False
    return ctx.known_opd(event, opd)


@handles(EventType.ASSET_OBSERVED)
def asset_observed(ctx: BatchContext, events: list[Received]) -> None:
    scan_opd = repo.scan_opd(ctx.conn, sorted({e.scanid for e in events if e.scanid}))
    observations = [
        observation_of(
            _data(e, AssetObserved),
            ctx.raw[e.id],
            e.scope,
            e.scanid,
            scan_opd.get(e.scanid or ""),
            cause_of(e),
        )
        for e in events
        if _scan_known(ctx, e, scan_opd)
    ]
    ctx.assets.observe_all(observations)
    ctx.assets.flush()


@handles(EventType.SCAN_COMPLETED)
def scan_completed(ctx: BatchContext, events: list[Received]) -> None:
    for event in events:
        data: ScanCompleted = _data(event, ScanCompleted)
        if not ctx.known_opd(event, data.scope.opd):
            continue
        marked = 0
        if data.status is ScanStatus.COMPLETE:  # only a complete scan may mark anything missing
            marked = ctx.assets.mark_missing(data.scope.key, data.started_at, cause_of(event))
        repo.finish_scan(
            ctx.conn,
            {
                "scan_id": data.scan_id,
                "scope": data.scope.key,
                "opd_code": data.scope.opd,
                "ranges": data.scope.ranges,
                "profile": data.profile,
                "status": data.status.value,
                "started_at": data.started_at,
                "finished_at": data.finished_at,
                "hosts_up": data.hosts_up,
                "marked_missing": marked,
                "chunks_total": data.chunks_total,
                "chunks_failed": data.chunks_failed,
                "error": data.error,
            },
        )


DECLARED_ASSET_FIELDS = (
    "name",
    "kind",
    "hostname",
    "mac",
    "serial",
    "location",
    "owner",
    "lifecycle",
    *REGISTER_FIELDS,
)


def declaration_of(data: AssetDeclared, cause: Cause) -> Declaration:
    values = data.model_dump(mode="json")  # dates as ISO text, as the API stores them
    fields: dict[str, Any] = {n: values[n] for n in DECLARED_ASSET_FIELDS if values[n] is not None}
    if data.opd is not None:
        fields["opd_code"] = data.opd
    addresses = tuple(str(a) for a in data.addresses)
    if addresses:
        fields.update(address=addresses[0], addresses=list(addresses))
    ident = Identity(
        data.mac, data.serial, addresses, data.hostname, None, data.opd, data.asset_code, data.name
    )
    return Declaration(ident, fields, cause)


def code_conflict(uow: AssetUnitOfWork, decl: Declaration) -> str | None:
    """Why `decl` may not be applied: its asset code is another asset's (MAC or serial differ)."""
    ident = decl.identity
    holder = uow.index.code_taken(ident, uow.index.resolve(ident)[0])
    if holder is None:
        return None
    return (
        f"asset code {ident.asset_code!r} is already asset {holder.id or 'declared earlier'}"
        " of the same OPD, whose MAC or serial differs"
    )


@handles(EventType.ASSET_DECLARED)
def asset_declared(ctx: BatchContext, events: list[Received]) -> None:
    declarations = []
    for event in events:
        data: AssetDeclared = _data(event, AssetDeclared)
        if data.opd is not None and not ctx.known_opd(event, data.opd):
            continue
        decl = declaration_of(data, cause_of(event))
        if decl.identity.identifies:
            declarations.append((event, decl))
        else:
            ctx.reject(event, Reason.NO_IDENTITY, NO_IDENTITY)
    uow = ctx.assets
    uow.load(d.identity for _, d in declarations)
    for event, decl in declarations:
        conflict = code_conflict(uow, decl)
        if conflict is None:
            uow.declare(decl)
        else:
            ctx.reject(event, Reason.CONFLICT, conflict)
    uow.flush()


@handles(EventType.APPLICATION_DECLARED)
def application_declared(ctx: BatchContext, events: list[Received]) -> None:
    for event in events:
        data: ApplicationDeclared = _data(event, ApplicationDeclared)
        if not ctx.known_opd(event, data.opd):
            continue
        fields = applications.declared_fields(data)
        applications.declare(ctx.conn, ctx.changes, fields, cause_of(event))
    ctx.changes.flush(ctx.conn)


@handles(EventType.APPLICATION_OBSERVED)
def application_observed(ctx: BatchContext, events: list[Received]) -> None:
    probes = [(_data(e, ApplicationObserved), cause_of(e)) for e in events]
    applications.observe(ctx.conn, ctx.changes, probes)
    ctx.changes.flush(ctx.conn)
