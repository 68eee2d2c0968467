"""Writing evaluation records: every change writes a history row (before, after, cause).

Services flush, never commit: the request edge owns the transaction.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Table

from spbe_inventory.history.service import Cause

from . import repository as repo
from .models import EvaluationEntity


class EvaluationAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"


def _stamped(table: Table, values: dict[str, Any], cause: Cause) -> dict[str, Any]:
    stamps = {name: cause.at for name in ("created_at", "updated_at") if name in table.c}
    return {**values, **stamps}


def create(
    conn: Connection,
    table: Table,
    entity: EvaluationEntity,
    values: dict[str, Any],
    cause: Cause,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Insert a record; `extra` (e.g. linked ids) is logged but not a column."""
    row = repo.insert_one(conn, table, _stamped(table, values, cause))
    key = next(iter(table.primary_key.columns)).name
    after = {**values, **(extra or {})}
    repo.write_history(conn, entity, row[key], EvaluationAction.CREATED, None, after, cause)
    return row


def changed(row: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if row.get(k) != v}


def update(
    conn: Connection,
    table: Table,
    entity: EvaluationEntity,
    row: dict[str, Any],
    values: dict[str, Any],
    cause: Cause,
) -> bool:
    """Apply the fields that differ; log them before and after. False when nothing changed."""
    key = next(iter(table.primary_key.columns)).name
    diff = changed(row, values)
    if not diff:
        return False
    stamp = {"updated_at": cause.at} if "updated_at" in table.c else {}
    repo.update_one(conn, table, row[key], {**diff, **stamp})
    before = {k: row.get(k) for k in diff}
    repo.write_history(conn, entity, row[key], EvaluationAction.UPDATED, before, diff, cause)
    return True


def delete(
    conn: Connection, table: Table, entity: EvaluationEntity, row: dict[str, Any], cause: Cause
) -> None:
    key = next(iter(table.primary_key.columns)).name
    repo.delete_one(conn, table, row[key])
    before = {k: v for k, v in row.items() if k not in {"created_at", "updated_at"}}
    repo.write_history(conn, entity, row[key], EvaluationAction.DELETED, before, None, cause)


def set_bus_applications(
    conn: Connection, bus_id: int, app_ids: list[int], cause: Cause, *, created: bool = False
) -> None:
    """Replace the applications of a service bus; logged unless unchanged (or just created)."""
    current = repo.bus_application_ids(conn, [bus_id])[bus_id]
    wanted = sorted(set(app_ids))
    if wanted == current:
        return
    repo.set_bus_applications(conn, bus_id, wanted)
    if not created:
        repo.write_history(
            conn,
            EvaluationEntity.SERVICE_BUS,
            bus_id,
            EvaluationAction.UPDATED,
            {"application_ids": current},
            {"application_ids": wanted},
            cause,
        )


def put_singleton(
    conn: Connection,
    table: Table,
    entity: EvaluationEntity,
    key: int,
    current: dict[str, Any] | None,
    values: dict[str, Any],
    cause: Cause,
) -> bool:
    """Create or replace a one-per-key record (application practice, profile)."""
    if current is None:
        repo.upsert(conn, table, key, {**values, "updated_at": cause.at}, exists=False)
        repo.write_history(conn, entity, key, EvaluationAction.CREATED, None, values, cause)
        return True
    diff = changed(current, values)
    if not diff:
        return False
    repo.upsert(conn, table, key, {**diff, "updated_at": cause.at}, exists=True)
    before = {k: current.get(k) for k in diff}
    repo.write_history(conn, entity, key, EvaluationAction.UPDATED, before, diff, cause)
    return True
