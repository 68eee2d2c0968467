"""Collects change-log rows during a unit of work and writes them in one statement."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection

from spbe_inventory.bulk import Bulk
from spbe_inventory.db import utcnow

from .models import CauseKind, ChangeAction, EntityKind, HistoryEntry

HISTORY = HistoryEntry.__table__  # type: ignore[attr-defined]


class HasId(Protocol):
    @property
    def id(self) -> int | None: ...


@dataclass(slots=True)  # one per event: a frozen dataclass's __init__ costs four times as much
class Cause:
    """Why a change happened: an event id, a request id (with its acting user), or sample data."""

    kind: CauseKind
    id: str
    at: datetime
    actor: str | None = None

    @classmethod
    def request(cls, request_id: str, actor: str | None = None) -> Cause:
        return cls(CauseKind.REQUEST, request_id, utcnow(), actor)


@dataclass(slots=True)
class PendingChange:
    entity: EntityKind
    entity_id: int | None
    action: ChangeAction
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    cause: Cause
    ref: HasId | None = None  # a record whose id is known only after its insert


@dataclass
class ChangeLog:
    pending: list[PendingChange] = field(default_factory=list)

    def record(
        self,
        entity: EntityKind,
        entity_id: int | None,
        action: ChangeAction,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        cause: Cause,
        ref: HasId | None = None,
    ) -> None:
        self.pending.append(PendingChange(entity, entity_id, action, before, after, cause, ref))

    def flush(self, conn: Connection) -> int:
        """Insert the pending rows (after the records they name have their ids)."""
        if not self.pending:
            return 0
        bulk = Bulk(conn)
        rows = [_row(change, bulk) for change in self.pending]
        bulk.insert(HISTORY, COLUMNS, rows)
        self.pending.clear()
        return len(rows)


COLUMNS = ("entity", "entity_id", "action", "before", "after", "cause_kind", "cause_id", "actor", "at")  # fmt: skip


def _row(change: PendingChange, bulk: Bulk) -> tuple[Any, ...]:
    entity_id = change.entity_id
    if entity_id is None and change.ref is not None:
        entity_id = change.ref.id
    cause = change.cause
    return (
        change.entity.value,
        entity_id,
        change.action.value,
        bulk.doc(change.before),
        bulk.doc(change.after),
        cause.kind.value,
        cause.id,
        cause.actor,
        bulk.ts(cause.at),
    )
