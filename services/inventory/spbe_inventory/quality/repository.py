"""SQL of the inventory-quality metrics: counts per OPD over the whole catalogue (no principal:
Prometheus reads every OPD), one grouped query per figure, on SQLite and PostgreSQL alike.

An asset or application without an OPD is counted under the OPD code ""."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, false, func, or_, select

from spbe_common.events.enums import ApplicationStatus, Lifecycle, ScanStatus
from spbe_inventory.applications.repository import APPLICATION, APPLICATION_ASSET
from spbe_inventory.assets.repository import ASSET
from spbe_inventory.ingest.repository import SCAN
from spbe_inventory.opd.repository import OPD
from spbe_inventory.review.models import ReviewState
from spbe_inventory.review.repository import REVIEW

CERTIFICATE_DAYS = 30  # a certificate ending within this many days (or ended) counts as expiring


@dataclass
class Quality:
    """The figures of one reading of the catalogue."""

    opd_codes: list[str] = field(default_factory=list)
    assets: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (opd, kind, lifecycle)
    unseen: dict[str, int] = field(default_factory=dict)
    without_owner: dict[str, int] = field(default_factory=dict)
    without_application: dict[str, int] = field(default_factory=dict)
    active: dict[str, int] = field(default_factory=dict)
    with_lifecycle_data: dict[str, int] = field(default_factory=dict)
    unreviewed: dict[str, int] = field(default_factory=dict)
    applications_down: dict[str, int] = field(default_factory=dict)
    certificates_expiring: dict[str, int] = field(default_factory=dict)
    last_complete_scan: dict[str, datetime] = field(default_factory=dict)  # scope -> finished


def read(conn: Connection, now: datetime, unseen_days: int) -> Quality:
    active = ASSET.c.lifecycle == Lifecycle.ACTIVE
    return Quality(
        opd_codes=[str(code) for code in conn.scalars(select(OPD.c.code).order_by(OPD.c.code))],
        assets=asset_counts(conn),
        unseen=_per_opd(conn, and_(active, ASSET.c.last_seen < now - timedelta(days=unseen_days))),
        without_owner=_per_opd(
            conn, and_(active, or_(ASSET.c.owner.is_(None), ASSET.c.owner == ""))
        ),
        without_application=_per_opd(conn, and_(active, ~_has_application())),
        active=_per_opd(conn, active),
        with_lifecycle_data=_per_opd(
            conn,
            and_(active, ASSET.c.procurement_year.is_not(None), ASSET.c.condition.is_not(None)),
        ),
        unreviewed=unreviewed_counts(conn),
        applications_down=applications_down(conn),
        certificates_expiring=certificates_expiring(conn, now),
        last_complete_scan=last_complete_scans(conn),
    )


def asset_counts(conn: Connection) -> dict[tuple[str, str, str], int]:
    query = select(ASSET.c.opd_code, ASSET.c.kind, ASSET.c.lifecycle, func.count()).group_by(
        ASSET.c.opd_code, ASSET.c.kind, ASSET.c.lifecycle
    )
    return {(opd or "", str(kind), str(lc)): int(n) for opd, kind, lc, n in conn.execute(query)}


def _has_application() -> Any:
    return (
        select(APPLICATION_ASSET.c.asset_id)
        .where(APPLICATION_ASSET.c.asset_id == ASSET.c.id)
        .exists()
    )


def _per_opd(conn: Connection, where: Any) -> dict[str, int]:
    query = select(ASSET.c.opd_code, func.count()).where(where).group_by(ASSET.c.opd_code)
    return _by_code(conn.execute(query))


def _by_code(rows: Iterable[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for code, n in rows:
        counts[code or ""] = counts.get(code or "", 0) + int(n)
    return counts


def unreviewed_counts(conn: Connection) -> dict[str, int]:
    """Assets a scan found that nobody has reviewed yet (unmanaged or duplicate candidates)."""
    query = (
        select(ASSET.c.opd_code, func.count())
        .select_from(REVIEW.join(ASSET, ASSET.c.id == REVIEW.c.asset_id))
        .where(REVIEW.c.state == ReviewState.UNREVIEWED.value)
        .group_by(ASSET.c.opd_code)
    )
    return _by_code(conn.execute(query))


def applications_down(conn: Connection) -> dict[str, int]:
    """Active applications whose last probe got no answer."""
    query = (
        select(APPLICATION.c.opd_code, func.count())
        .where(
            APPLICATION.c.status == ApplicationStatus.ACTIVE,
            APPLICATION.c.probe["reachable"].as_boolean() == false(),
        )
        .group_by(APPLICATION.c.opd_code)
    )
    return _by_code(conn.execute(query))


def certificates_expiring(conn: Connection, now: datetime) -> dict[str, int]:
    """Active applications whose last probe saw a TLS certificate ending within 30 days."""
    not_after = APPLICATION.c.probe["tls_not_after"].as_string()
    # ISO dates compare as text: the day prefix narrows the rows, the instant is checked here
    last_day = (now + timedelta(days=CERTIFICATE_DAYS + 1)).date().isoformat()
    query = select(APPLICATION.c.opd_code, not_after).where(
        APPLICATION.c.status == ApplicationStatus.ACTIVE,
        not_after.is_not(None),
        func.substr(not_after, 1, 10) <= last_day,
    )
    end = now + timedelta(days=CERTIFICATE_DAYS)
    counts: dict[str, int] = {}
    for code, text in conn.execute(query):
        ends = _instant(text)
        if ends is not None and ends <= end:
            counts[code or ""] = counts.get(code or "", 0) + 1
    return counts


def _instant(text: object) -> datetime | None:
    try:
        value = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def last_complete_scans(conn: Connection) -> dict[str, datetime]:
    """Per scan scope, when its last complete scan finished; scopes never complete are absent."""
    query = (
        select(SCAN.c.scope, func.max(SCAN.c.finished_at))
        .where(SCAN.c.status == ScanStatus.COMPLETE, SCAN.c.finished_at.is_not(None))
        .group_by(SCAN.c.scope)
    )
    found: dict[str, datetime] = {}
    for scope, finished in conn.execute(query):
        if finished is not None:
            found[str(scope)] = _aware(finished)
    return found


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
