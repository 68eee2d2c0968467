"""Detail pages: a record, its relationships and its history timeline.

Each record is found through its domain repository's `visible` (the API detail routes' own), so
a record outside the principal's OPD answers 404 exactly like a missing id. Related records are
read through scoped repository functions too: a shared facility lists only the assets and
applications the principal may see."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from spbe_common.api import IdPath
from spbe_common.auth import Principal
from spbe_inventory.api.deps import ConnDep, PrincipalDep
from spbe_inventory.api.listing import found
from spbe_inventory.applications import repository as applications
from spbe_inventory.assets import repository as assets
from spbe_inventory.history.models import CauseKind, EntityKind
from spbe_inventory.history.repository import for_entity
from spbe_inventory.infrastructure import repository as infrastructure
from spbe_inventory.infrastructure.models import LinkMedia
from spbe_inventory.opd import repository as opd
from spbe_inventory.opd.models import OpdKind
from spbe_inventory.review import repository as review

from . import timeline
from .labels import field_label
from .render import WIB, page

router = APIRouter(include_in_schema=False)
HistoryOffset = Annotated[int, Query(ge=0, le=10_000_000)]
# Identity of an asset, in the order the page shows it; each marked declared or observed.
IDENTITY = (
    "name", "hostname", "address", "addresses", "mac", "serial", "vendor", "os_guess", "kind",
    "lifecycle", "location", "owner",
)  # fmt: skip
# The regional asset register's facts (Barang Milik Daerah), in the order of the register.
REGISTER = (
    "asset_code", "manufacturer", "model", "procurement_year", "condition", "acquisition_cost",
    "funding_source", "warranty_until", "notes",
)  # fmt: skip
LICENCE = ("licence", "licence_until")
SCANS_SHOWN = 10
ASSETS_SHOWN = 100
TLS_WARN_DAYS = 30


def asset_title(row: dict[str, Any]) -> str:
    """An asset as pages name it: its name, host name or address, else its number."""
    return str(row.get("name") or row.get("hostname") or row.get("address") or f"Aset #{row['id']}")


def referred_names(
    conn: Connection, principal: Principal, rows: list[dict[str, Any]]
) -> timeline.Names:
    """The names of the facilities and assets that history rows name by id (assets only within
    the principal's scope; an asset a merge took away, as it was then)."""
    refs = timeline.references(rows)
    names: timeline.Names = {}
    if facility_ids := refs.pop("facility_id", set()):
        names["facility_id"] = infrastructure.facility_names(conn, sorted(facility_ids))
    asset_ids = sorted(set().union(*refs.values())) if refs else []
    if not asset_ids:
        return names
    live = {r["id"]: asset_title(r) for r in assets.in_scope_rows(conn, principal, asset_ids)}
    merged = review.merged_rows(conn, principal, asset_ids)
    gone = {i: asset_title({**row, "id": i}) for i, row in merged.items()}
    for name in refs:
        # a merged host's id may be given to a new asset (SQLite): the merge's own row first
        names[name] = {**live, **gone} if name == "merged_from" else {**gone, **live}
    return names


def history(
    conn: Connection,
    principal: Principal,
    entity: EntityKind,
    entity_id: int,
    offset: int,
    scans: list[dict[str, Any]] | None = None,
) -> timeline.Timeline:
    """One page of a record's timeline, read as GET /api/v1/.../history reads it."""
    rows, total = for_entity(conn, entity, entity_id, timeline.PAGE, offset)
    names = referred_names(conn, principal, rows)
    return timeline.build(entity, rows, total, offset, scans or [], names)


# --- asset -----------------------------------------------------------------------------------


def identity_rows(asset: dict[str, Any]) -> list[dict[str, Any]]:
    """Each identity field: the value shown (declared wins), its source, and what a scan saw when
    a person declared something else."""
    declared, observed = asset["declared"] or {}, asset["observed"] or {}
    rows = []
    for name in IDENTITY:
        seen = observed.get(name)
        if name in declared:
            source = "Dinyatakan pengelola"
        elif seen not in (None, "", []):
            source = "Ditemukan pemindaian"
        else:
            source = ""
        differs = name in declared and seen not in (None, "", []) and seen != declared[name]
        rows.append(
            {
                "name": name,
                "label": field_label(name),
                "value": timeline.text(EntityKind.ASSET, name, asset.get(name)),
                "source": source,
                "seen": timeline.text(EntityKind.ASSET, name, seen) if differs else None,
            }
        )
    return rows


def facts(
    entity: EntityKind, record: dict[str, Any], names: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Declared facts as the page shows them: name, label, text ('-' when not filled in)."""
    return [
        {
            "name": name,
            "label": field_label(name),
            "text": timeline.text(entity, name, record.get(name)),
        }
        for name in names
    ]


def asset_history(
    conn: Connection, principal: Principal, asset: dict[str, Any], offset: int
) -> timeline.Timeline:
    """The timeline, with the scans of the asset's scope that ran while its events came in."""
    rows, total = for_entity(conn, EntityKind.ASSET, asset["id"], timeline.PAGE, offset)
    times = [r["at"] for r in rows if r["cause_kind"] == CauseKind.EVENT]
    scans: list[dict[str, Any]] = []
    if times and asset["scope"]:
        since, until = min(times) - timeline.LATE, max(times)
        scans = assets.scans_between(conn, principal, asset["scope"], since, until, 200)
    names = referred_names(conn, principal, rows)
    return timeline.build(EntityKind.ASSET, rows, total, offset, scans, names)


def sightings(
    conn: Connection, principal: Principal, asset: dict[str, Any]
) -> list[dict[str, Any]]:
    """Scans of the asset's scope between its first and last sighting (the last one marked)."""
    if not asset["scope"] or asset["first_seen"] is None or asset["last_seen"] is None:
        return []
    scans = assets.scans_between(
        conn, principal, asset["scope"], asset["first_seen"], asset["last_seen"], SCANS_SHOWN
    )
    return [{**scan, "last": scan["scan_id"] == asset["last_scan_id"]} for scan in scans]


@router.get("/katalog/aset/{asset_id}")
def asset_page(
    request: Request,
    asset_id: IdPath,
    conn: ConnDep,
    principal: PrincipalDep,
    riwayat: HistoryOffset = 0,
) -> Response:
    asset = found(assets.visible(conn, principal, asset_id), "asset not found")
    facility = None
    if asset["facility_id"] is not None:
        facility = infrastructure.facility_visible(conn, asset["facility_id"])
    context = {
        "title": asset_title(asset),
        "asset": asset,
        "identity": identity_rows(asset),
        "register": facts(EntityKind.ASSET, asset, REGISTER),
        "opd_name": opd.names_of(conn, [asset["opd_code"]] if asset["opd_code"] else []),
        "facility": facility,
        "services": assets.public_services(conn, asset_id),
        "applications": applications.running_on(conn, principal, asset_id),
        "scans": sightings(conn, principal, asset),
        "history": asset_history(conn, principal, asset, riwayat),
        "can_edit": principal.may_write(asset["opd_code"]),
    }
    return page(request, "detail_aset.html", context)


# --- application -----------------------------------------------------------------------------


def tls_days(probe: dict[str, Any], now: datetime) -> int | None:
    """Days until the probed certificate expires (negative: expired)."""
    not_after = probe.get("tls_not_after")
    if not not_after:
        return None
    end = datetime.fromisoformat(str(not_after))
    end = end if end.tzinfo is not None else end.replace(tzinfo=UTC)
    return (end - now).days


def hosting_chain(
    conn: Connection, principal: Principal, app: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]], dict[str, str]]:
    """(servers in scope, the facilities of the application and its servers, OPD names)."""
    servers = assets.in_scope_rows(conn, principal, applications.asset_ids(conn, app["id"]))
    facility_ids = {s["facility_id"] for s in servers} | {app["facility_id"]}
    facilities = infrastructure.facilities_by_ids(conn, sorted(i for i in facility_ids if i))
    codes = [app["opd_code"], *(s["opd_code"] for s in servers)]
    codes += [f["owner_opd_code"] for f in facilities.values()]
    return servers, facilities, opd.names_of(conn, [c for c in codes if c])


def licence_expired(app: dict[str, Any], today: date) -> bool:
    until = app.get("licence_until")
    return bool(until) and date.fromisoformat(str(until)[:10]) < today


@router.get("/katalog/aplikasi/{app_id}")
def application_page(
    request: Request,
    app_id: IdPath,
    conn: ConnDep,
    principal: PrincipalDep,
    riwayat: HistoryOffset = 0,
) -> Response:
    app = found(applications.visible(conn, principal, app_id), "application not found")
    servers, facilities, opd_names = hosting_chain(conn, principal, app)
    context = {
        "title": app["name"],
        "app": app,
        "probe": app["probe"] or {},
        "tls_days": tls_days(app["probe"] or {}, datetime.now(UTC)),
        "tls_warn_days": TLS_WARN_DAYS,
        "licence": facts(EntityKind.APPLICATION, app, LICENCE),
        "licence_expired": licence_expired(app, datetime.now(WIB).date()),
        "servers": servers,
        "facilities": facilities,
        "opd_names": opd_names,
        "history": history(conn, principal, EntityKind.APPLICATION, app_id, riwayat),
        "can_edit": principal.may_write(app["opd_code"]),
    }
    return page(request, "detail_aplikasi.html", context)


# --- OPD -------------------------------------------------------------------------------------


@router.get("/katalog/opd/{code}")
def opd_page(
    request: Request, code: str, conn: ConnDep, principal: PrincipalDep, riwayat: HistoryOffset = 0
) -> Response:
    """Every reader sees the organisation chart (as GET /api/v1/opd/{code}); the counts, sites
    and links of an OPD outside the principal's scope are not shown."""
    unit = found(opd.visible(conn, principal, code), "OPD not found")
    in_scope = principal.sees(code)
    context = {
        "title": unit["name"],
        "opd": unit,
        "in_scope": in_scope,
        "asset_counts": assets.lifecycle_counts(conn, principal, code) if in_scope else {},
        "app_counts": applications.status_counts(conn, principal, code) if in_scope else {},
        "links": infrastructure.links_of(conn, principal, code) if in_scope else [],
        "facilities": infrastructure.facilities_owned_by(conn, code),
        "history": history(conn, principal, EntityKind.OPD, unit["id"], riwayat),
        "OpdKind": OpdKind,
        "LinkMedia": LinkMedia,
    }
    return page(request, "detail_opd.html", context)


# --- facility --------------------------------------------------------------------------------


@router.get("/katalog/fasilitas/{facility_id}")
def facility_page(
    request: Request,
    facility_id: IdPath,
    conn: ConnDep,
    principal: PrincipalDep,
    riwayat: HistoryOffset = 0,
) -> Response:
    """Facilities are shared (as GET /api/v1/facilities/{id}: a Pusat Data hosts many OPD); the
    assets and applications listed are only those in the principal's scope."""
    facility = found(infrastructure.facility_visible(conn, facility_id), "facility not found")
    hosted, total = assets.in_facility(conn, principal, facility_id, ASSETS_SHOWN)
    codes = [facility["owner_opd_code"]] if facility["owner_opd_code"] else []
    context = {
        "title": facility["name"],
        "facility": facility,
        "owner_name": opd.names_of(conn, codes).get(facility["owner_opd_code"] or ""),
        "assets": hosted,
        "asset_total": total,
        "applications": applications.in_facility(conn, principal, facility_id),
        "scoped": principal.opd_codes is not None,
        "history": history(conn, principal, EntityKind.FACILITY, facility_id, riwayat),
        "can_edit": principal.may_write(facility["owner_opd_code"]),
    }
    return page(request, "detail_fasilitas.html", context)


# --- intra-network link ----------------------------------------------------------------------


@router.get("/katalog/jaringan/{link_id}")
def link_page(
    request: Request,
    link_id: IdPath,
    conn: ConnDep,
    principal: PrincipalDep,
    riwayat: HistoryOffset = 0,
) -> Response:
    """A link of one OPD's site (as GET /api/v1/network-links/{id}: 404 outside the scope)."""
    link = found(infrastructure.link_visible(conn, principal, link_id), "network link not found")
    context = {
        "title": link["site"],
        "link": link,
        "opd_name": opd.names_of(conn, [link["opd_code"]]).get(link["opd_code"]),
        "history": history(conn, principal, EntityKind.NETWORK_LINK, link_id, riwayat),
        "can_edit": principal.may_write(link["opd_code"]),
        "LinkMedia": LinkMedia,
    }
    return page(request, "detail_jaringan.html", context)
