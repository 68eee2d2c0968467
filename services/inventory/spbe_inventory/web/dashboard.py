"""Beranda (dashboard) and Kejadian ditolak (rejected events).

Every panel is read through `dashboard_repository` within the principal's OPD scope, and shown
only when the role may read what it summarises."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from math import ceil
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from spbe_common.auth import Permission, Principal
from spbe_common.events.enums import Lifecycle
from spbe_inventory import dashboard_repository as repo
from spbe_inventory.api.deps import ConnDep, PrincipalDep
from spbe_inventory.ingest import repository as ingest
from spbe_inventory.listing_repository import Page
from spbe_inventory.review import repository as review

from .labels import label
from .render import page

router = APIRouter(include_in_schema=False)

LIST_LIMIT = 10  # rows of each list panel; the catalogue pages show the rest
SCOPE_LIMIT = 50
CHART_OPD = 15  # bars of the chart: the OPD with most assets
CERT_DAYS = 30
STALE_SCAN = timedelta(days=7)
REJECTED_PER_PAGE = 50
EXCERPT_CHARS = 160
NEWEST = "-id"  # ids grow as events are set aside: newest first on the primary key, no sort
LIFECYCLE_COLOURS = {
    Lifecycle.ACTIVE: "#2e7d32",
    Lifecycle.MISSING: "#c62828",
    Lifecycle.RETIRED: "#546e7a",
}


@dataclass
class OpdRow:
    """One OPD's counts: assets per lifecycle, applications per status."""

    code: str | None
    name: str = ""
    assets: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    applications: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def asset_total(self) -> int:
        return sum(self.assets.values())

    @property
    def application_total(self) -> int:
        return sum(self.applications.values())


def per_opd(assets: list[repo.Count], applications: list[repo.Count]) -> list[OpdRow]:
    """Rows per OPD, most assets first (then by code)."""
    rows: dict[str | None, OpdRow] = {}
    for count in assets:
        rows.setdefault(count.opd_code, OpdRow(count.opd_code)).assets[count.status] += count.count
    for count in applications:
        row = rows.setdefault(count.opd_code, OpdRow(count.opd_code))
        row.applications[count.status] += count.count
    return sorted(rows.values(), key=lambda r: (-r.asset_total, r.code or "~"))


def totals(counts: list[repo.Count]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for count in counts:
        out[count.status] += count.count
    return out


def asset_chart(rows: list[OpdRow]) -> dict[str, Any]:
    """Chart.js config (drawn by static/app.js): assets of the top OPD, stacked by lifecycle."""
    top = [row for row in rows if row.asset_total][:CHART_OPD]
    datasets = [
        {
            "label": label(Lifecycle, state),
            "data": [row.assets.get(state, 0) for row in top],
            "color": colour,
        }
        for state, colour in LIFECYCLE_COLOURS.items()
    ]
    return {
        "type": "bar",
        "data": {"labels": [row.code or "Tanpa OPD" for row in top], "datasets": datasets},
        "options": {
            "indexAxis": "y",
            # counts: whole ticks only (no "0,5 aset")
            "scales": {
                "x": {"stacked": True, "beginAtZero": True, "ticks": {"precision": 0}},
                "y": {"stacked": True},
            },
            "plugins": {"legend": {"position": "bottom"}},
        },
    }


def age(now: datetime, then: datetime | None) -> str:
    """How long ago, as staff say it: menit, jam, hari."""
    if then is None:
        return "-"
    if then.tzinfo is None:  # the catalogue stores UTC
        then = then.replace(tzinfo=UTC)
    minutes = max(0, int((now - then).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} menit"
    if minutes < 48 * 60:
        return f"{minutes // 60} jam"
    return f"{minutes // (24 * 60)} hari"


def scan_panel(now: datetime, scopes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each scope with the age of its last complete scan and how worrying that is."""
    out = []
    for scope in scopes:
        last = scope["last_complete"]
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        state = "bad" if last is None else ("warn" if now - last > STALE_SCAN else "ok")
        out.append({**scope, "last_complete": last, "age": age(now, last), "state": state})
    return out


def catalogue_panels(conn: Connection, principal: Principal, now: datetime) -> dict[str, Any]:
    assets = repo.asset_counts(conn, principal)
    applications = repo.application_counts(conn, principal)
    rows = per_opd(assets, applications)
    names = repo.opd_names(conn, [row.code for row in rows if row.code])
    for row in rows:
        row.name = names.get(row.code or "", "")
    unreachable, unreachable_total = repo.unreachable_applications(conn, principal, LIST_LIMIT)
    return {
        "opd_rows": rows,
        "asset_totals": totals(assets),
        "application_totals": totals(applications),
        "chart": asset_chart(rows),
        "missing": repo.missing_assets(conn, principal, LIST_LIMIT),
        "unreachable": unreachable,
        "unreachable_total": unreachable_total,
        "certificates": repo.expiring_certificates(conn, principal, now, CERT_DAYS, LIST_LIMIT),
        "cert_days": CERT_DAYS,
        "scopes": scan_panel(now, repo.scan_scopes(conn, principal, SCOPE_LIMIT)),
        "unreviewed": sum(review.unreviewed_counts(conn, principal).values()),
    }


def rejected_panel(conn: Connection, principal: Principal) -> dict[str, Any]:
    rows, total = ingest.rejected_page(conn, principal, Page(5, 0, NEWEST))
    return {"rejected": rows, "rejected_total": total}


@router.get("/beranda", response_class=HTMLResponse)
def beranda(request: Request, conn: ConnDep, principal: PrincipalDep) -> HTMLResponse:
    now = datetime.now(UTC)
    context: dict[str, Any] = {"title": "Beranda", "now": now}
    if principal.can(Permission.CATALOGUE_READ):
        context.update(catalogue_panels(conn, principal, now))
    if principal.can(Permission.REJECTED_READ):
        context.update(rejected_panel(conn, principal))
    return page(request, "beranda.html", context)


def excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


@router.get("/kejadian-ditolak", response_class=HTMLResponse)
def rejected_events(
    request: Request,
    conn: ConnDep,
    principal: PrincipalDep,
    page_no: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    """Events set aside by ingestion, newest first: the rows of GET /api/v1/rejected-events."""
    offset = (page_no - 1) * REJECTED_PER_PAGE
    rows, total = ingest.rejected_page(conn, principal, Page(REJECTED_PER_PAGE, offset, NEWEST))
    pages = max(1, ceil(total / REJECTED_PER_PAGE))
    if page_no > pages:
        raise HTTPException(404, "no such page")
    details = repo.rejected_details(conn, principal, [row["id"] for row in rows])
    for row in rows:
        found = details.get(row["id"], {})
        row["source"] = found.get("source")
        row["excerpt"] = excerpt(found.get("excerpt", ""))
    context = {
        "title": "Kejadian ditolak",
        "rows": rows,
        "total": total,
        "page_no": page_no,
        "pages": pages,
    }
    return page(request, "kejadian_ditolak.html", context)
