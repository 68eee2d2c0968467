"""Declaring applications and folding in the probes of their URLs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import HTTPException
from sqlalchemy import Connection

from spbe_common.events.enums import ApplicationKind, ApplicationStatus, Platform
from spbe_common.events.payloads import ApplicationDeclared, ApplicationObserved
from spbe_inventory.db import utcnow
from spbe_inventory.history.models import ChangeAction, EntityKind
from spbe_inventory.history.service import Cause, ChangeLog

from . import repository as repo

DEFAULTS: dict[str, Any] = {
    "description": None,
    "kind": ApplicationKind.SPECIAL.value,
    "platform": Platform.WEB.value,
    "hosting": None,
    "facility_id": None,
    "status": ApplicationStatus.ACTIVE.value,
    "function_level": None,
    "uses_service_bus": False,
    "urls": [],
    "service_areas": [],
}
# Probe fields whose change is worth a history row (response time changes every probe).
PROBE_TRACKED = ("reachable", "status_code", "tls_not_after", "error")


def declared_fields(data: ApplicationDeclared) -> dict[str, Any]:
    """The fields an application.declared (or a register's row) sets: what it names, and empty
    lists left out (an empty cell does not erase what the catalogue knows)."""
    fields = data.model_dump(mode="json", exclude_none=True, exclude={"opd", "declared_by"})
    fields["opd_code"] = data.opd
    for name in ("urls", "service_areas"):
        if not fields.get(name):
            fields.pop(name, None)
    return fields


def declare(conn: Connection, changes: ChangeLog, fields: dict[str, Any], cause: Cause) -> int:
    """Create or update the application named `fields['name']` of `fields['opd_code']`."""
    asset_ids = fields.pop("asset_ids", None)
    found = repo.by_keys(conn, [(fields["opd_code"], fields["name"])]) or _one(
        repo.by_name_any_case(conn, fields["opd_code"], fields["name"])
    )
    if not found:
        app_id = _insert(conn, changes, fields, cause)
    else:
        row = found[0]
        app_id = row["id"]
        updated = {k: v for k, v in fields.items() if row.get(k) != v}
        if updated:
            before = {k: row.get(k) for k in updated}
            row.update(updated, declared={**row["declared"], **updated}, updated_at=cause.at)
            repo.update_many(conn, [row])
            changes.record(
                EntityKind.APPLICATION, app_id, ChangeAction.UPDATED, before, updated, cause
            )
    if asset_ids is not None:
        _link_assets(conn, changes, app_id, asset_ids, cause)
    return app_id


def _one(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The one application a name in other capitals names; none when it is ambiguous."""
    return rows if len(rows) == 1 else []


def create(conn: Connection, changes: ChangeLog, fields: dict[str, Any], cause: Cause) -> int:
    """A new application; one of the same OPD and name, in any capitals, is a conflict (409)."""
    same = repo.by_name_any_case(conn, fields["opd_code"], fields["name"])
    if same:
        raise HTTPException(
            409, f"application {same[0]['name']!r} of {fields['opd_code']} already exists"
        )
    asset_ids = fields.pop("asset_ids", None)
    app_id = _insert(conn, changes, fields, cause)
    if asset_ids is not None:
        _link_assets(conn, changes, app_id, asset_ids, cause)
    return app_id


def _insert(conn: Connection, changes: ChangeLog, fields: dict[str, Any], cause: Cause) -> int:
    row = {
        **DEFAULTS,
        **fields,
        "probe": {},
        "declared": fields,
        "is_sample": False,
        "created_at": cause.at,
        "updated_at": cause.at,
    }
    app_id = repo.insert_one(conn, row)
    changes.record(EntityKind.APPLICATION, app_id, ChangeAction.CREATED, None, _public(row), cause)
    return app_id


def _link_assets(
    conn: Connection, changes: ChangeLog, app_id: int, ids: list[int], cause: Cause
) -> None:
    current = repo.asset_ids(conn, app_id)
    if sorted(set(ids)) != current:
        repo.set_asset_ids(conn, app_id, sorted(set(ids)))
        after = {"asset_ids": sorted(set(ids))}
        changes.record(
            EntityKind.APPLICATION,
            app_id,
            ChangeAction.UPDATED,
            {"asset_ids": current},
            after,
            cause,
        )


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v for k, v in row.items() if k not in {"declared", "probe", "created_at", "updated_at"}
    }


def _probe_of(data: ApplicationObserved) -> dict[str, Any]:
    probe = data.model_dump(mode="json", exclude={"tls"})
    probe["tls_not_after"] = data.tls.not_after.isoformat() if data.tls else None
    probe["tls_subject"] = data.tls.subject if data.tls else None
    probe["tls_issuer"] = data.tls.issuer if data.tls else None
    return probe


def observe(
    conn: Connection, changes: ChangeLog, probes: list[tuple[ApplicationObserved, Cause]]
) -> int:
    """Attach each probe to the applications that list its URL; returns how many matched."""
    apps = repo.all_rows(conn)
    by_url: dict[str, list[dict[str, Any]]] = {}
    for app in apps:
        for url in app["urls"]:
            by_url.setdefault(_norm(url), []).append(app)
    dirty: dict[int, dict[str, Any]] = {}
    for data, cause in probes:
        for app in by_url.get(_norm(str(data.url)), []):
            if _apply_probe(app, _probe_of(data), cause, changes):
                dirty[app["id"]] = app
    repo.update_many(conn, list(dirty.values()))
    return len(dirty)


def _apply_probe(
    app: dict[str, Any], probe: dict[str, Any], cause: Cause, changes: ChangeLog
) -> bool:
    last: datetime | None = app["last_probed_at"]
    if last is not None and cause.at < last:
        return False  # an older probe must not undo a newer one
    before = {k: app["probe"].get(k) for k in PROBE_TRACKED}
    after = {k: probe.get(k) for k in PROBE_TRACKED}
    if before != after:
        changed = [k for k in PROBE_TRACKED if before[k] != after[k]]
        changes.record(
            EntityKind.APPLICATION,
            app["id"],
            ChangeAction.UPDATED,
            {k: before[k] for k in changed},
            {k: after[k] for k in changed},
            cause,
        )
    app.update(probe=probe, last_probed_at=cause.at, updated_at=utcnow())
    return True


def _norm(url: str) -> str:
    return url.rstrip("/").lower()
