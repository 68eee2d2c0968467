"""Writes of OPD, each with its history row: what POST and PATCH /api/v1/opd do, for every edge.

The caller owns the transaction and flushes `changes` (services never commit)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from spbe_inventory.history.models import ChangeAction, EntityKind
from spbe_inventory.history.service import Cause, ChangeLog

from . import repository as repo
from .models import OpdCreate


def create(conn: Connection, body: OpdCreate, cause: Cause, changes: ChangeLog) -> int:
    """A new OPD (never sample data); its id."""
    after = body.model_dump(mode="json")
    opd_id = repo.insert_one(conn, {**after, "is_sample": False, "created_at": cause.at})
    changes.record(EntityKind.OPD, opd_id, ChangeAction.CREATED, None, after, cause)
    return opd_id


def update(
    conn: Connection, row: dict[str, Any], fields: dict[str, Any], cause: Cause, changes: ChangeLog
) -> dict[str, Any]:
    """Set the `fields` (JSON values) of OPD `row` that differ from it; the values changed."""
    values = {k: v for k, v in fields.items() if row.get(k) != v}
    if values:
        repo.update_one(conn, row["id"], values)
        before = {k: row.get(k) for k in values}
        changes.record(EntityKind.OPD, row["id"], ChangeAction.UPDATED, before, values, cause)
    return values
