"""SQL of the Beranda (dashboard): one grouped or LIMITed query per panel, each within the
principal's OPD scope, on the tables of the domains it summarises (their repositories own them).

With 100,000 assets the per-OPD counts read only the (opd_code, lifecycle, id) index."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, false, func, select

from spbe_common.auth import Principal
from spbe_common.events.enums import ApplicationStatus, Lifecycle, ScanStatus
from spbe_inventory.applications.repository import APPLICATION
from spbe_inventory.assets.repository import ASSET
from spbe_inventory.ingest.repository import REJECTED, SCAN
from spbe_inventory.opd.repository import OPD

EXCERPT_BYTES = 240  # of a rejected event's raw value, enough to recognise it


@dataclass(frozen=True, slots=True)
class Count:
    opd_code: str | None
    status: str
    count: int


def asset_counts(conn: Connection, principal: Principal) -> list[Count]:
    """Assets per OPD and lifecycle."""
    query = (
        select(ASSET.c.opd_code, ASSET.c.lifecycle, func.count())
        .where(principal.where(ASSET.c.opd_code))
        .group_by(ASSET.c.opd_code, ASSET.c.lifecycle)
    )
    return [Count(opd, str(status), int(n)) for opd, status, n in conn.execute(query)]


def application_counts(conn: Connection, principal: Principal) -> list[Count]:
    """Applications per OPD and status."""
    query = (
        select(APPLICATION.c.opd_code, APPLICATION.c.status, func.count())
        .where(principal.where(APPLICATION.c.opd_code))
        .group_by(APPLICATION.c.opd_code, APPLICATION.c.status)
    )
    return [Count(opd, str(status), int(n)) for opd, status, n in conn.execute(query)]


def opd_names(conn: Connection, codes: Sequence[str]) -> dict[str, str]:
    """Names of the OPD with these codes (the organisation chart is read by everyone)."""
    if not codes:
        return {}
    query = select(OPD.c.code, OPD.c.name).where(OPD.c.code.in_(sorted(set(codes))))
    return {code: name for code, name in conn.execute(query)}


def missing_assets(conn: Connection, principal: Principal, limit: int) -> list[dict[str, Any]]:
    """Assets a complete scan no longer saw (lifecycle missing), most recently seen first."""
    query = (
        select(
            ASSET.c.id,
            ASSET.c.name,
            ASSET.c.hostname,
            ASSET.c.address,
            ASSET.c.opd_code,
            ASSET.c.scope,
            ASSET.c.last_seen,
        )
        .where(ASSET.c.lifecycle == Lifecycle.MISSING, principal.where(ASSET.c.opd_code))
        .order_by(ASSET.c.last_seen.desc(), ASSET.c.id.desc())
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def _probed_applications() -> Any:
    return select(
        APPLICATION.c.id,
        APPLICATION.c.name,
        APPLICATION.c.opd_code,
        APPLICATION.c.urls,
        APPLICATION.c.probe,
        APPLICATION.c.last_probed_at,
    ).where(APPLICATION.c.status != ApplicationStatus.RETIRED)


def unreachable_applications(
    conn: Connection, principal: Principal, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """Applications in use whose last probe got no answer, and how many there are."""
    where = and_(
        APPLICATION.c.status != ApplicationStatus.RETIRED,
        APPLICATION.c.probe["reachable"].as_boolean() == false(),
        principal.where(APPLICATION.c.opd_code),
    )
    query = (
        _probed_applications()
        .where(where)
        .order_by(APPLICATION.c.last_probed_at.desc(), APPLICATION.c.id)
        .limit(limit)
    )
    rows = [dict(row) for row in conn.execute(query).mappings()]
    total = conn.execute(select(func.count()).select_from(APPLICATION).where(where)).scalar_one()
    return rows, int(total)


def expiring_certificates(
    conn: Connection, principal: Principal, now: datetime, days: int, limit: int
) -> list[dict[str, Any]]:
    """Applications whose last probe saw a TLS certificate ending within `days` (or ended),
    soonest first; each row gains `not_after` (an aware datetime)."""
    not_after = APPLICATION.c.probe["tls_not_after"].as_string()
    # ISO dates compare as text: the day prefix narrows the rows, the exact instant is checked
    # below (the probe keeps the certificate's own UTC offset).
    last_day = (now + timedelta(days=days + 1)).date().isoformat()
    query = _probed_applications().where(
        not_after.is_not(None),
        func.substr(not_after, 1, 10) <= last_day,
        principal.where(APPLICATION.c.opd_code),
    )
    end = now + timedelta(days=days)
    found = []
    for row in conn.execute(query).mappings():
        ends = _instant(row["probe"]["tls_not_after"])
        if ends is not None and ends <= end:
            found.append({**row, "not_after": ends})
    found.sort(key=lambda row: (row["not_after"], row["id"]))
    return found[:limit]


def _instant(text: object) -> datetime | None:
    try:
        value = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def scan_scopes(conn: Connection, principal: Principal, limit: int) -> list[dict[str, Any]]:
    """Per scan scope of the principal's OPD: when its last complete scan finished (None: never),
    its newest scan's start, and how many scans it had; scopes longest without one first."""
    complete = case((SCAN.c.status == ScanStatus.COMPLETE, SCAN.c.finished_at))
    last_complete = func.max(complete).label("last_complete")
    query = (
        select(
            SCAN.c.scope,
            SCAN.c.opd_code,
            last_complete,
            func.max(SCAN.c.started_at).label("last_started"),
            func.count().label("scans"),
        )
        .where(principal.where(SCAN.c.opd_code))
        .group_by(SCAN.c.scope, SCAN.c.opd_code)
        .order_by(last_complete.asc().nulls_first(), SCAN.c.scope)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def rejected_count(conn: Connection, principal: Principal) -> int:
    """Events set aside hold any OPD's raw data: an OPD-scoped principal counts none."""
    if principal.opd_codes is not None:
        return 0
    return int(conn.execute(select(func.count()).select_from(REJECTED)).scalar_one())


def rejected_details(
    conn: Connection, principal: Principal, ids: Sequence[int]
) -> dict[int, dict[str, Any]]:
    """Source (CloudEvents `ce_source` header) and the start of the raw value of these rejected
    events, for the rows a page shows (the list itself: `ingest.repository.rejected_page`)."""
    if principal.opd_codes is not None or not ids:
        return {}
    query = select(
        REJECTED.c.id, REJECTED.c.headers, func.substr(REJECTED.c.value, 1, EXCERPT_BYTES)
    ).where(REJECTED.c.id.in_(list(ids)))
    return {
        row_id: {"source": _header(headers, "ce_source"), "excerpt": _text(start)}
        for row_id, headers, start in conn.execute(query)
    }


def _header(headers: object, name: str) -> str | None:
    for pair in headers if isinstance(headers, list) else []:
        if isinstance(pair, list) and len(pair) == 2 and pair[0] == name:
            return str(pair[1])
    return None


def _text(raw: object) -> str:
    data = bytes(raw) if isinstance(raw, (bytes, bytearray, memoryview)) else str(raw).encode()
    return " ".join(data.decode("utf-8", "replace").split())
