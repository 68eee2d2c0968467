"""The catalogue snapshot the scorer reads (`spbe_common.catalogue.CatalogueSnapshot`, JSON).

Built from bulk Core selects into plain dicts, each scoped by the repository to the OPD the
principal sees: thousands of applications cost one query each table, no ORM objects. Service-area codes are mapped to indicator areas here; a sector the Pemda
has not chosen (profile.public_sectors) serves no indicator. A facility's users are the OPD
declared as using it plus the OPD with an active asset placed in it. An audit that names no
audited OPD audited the OPD that commissioned it. While no sector is chosen at all,
the first three sectors the applications name (alphabetically) stand in, and the snapshot's
`public_sectors` says which they were.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from spbe_common.auth import Principal
from spbe_common.catalogue import (
    PUBLIC_SECTOR_PREFIX,
    SCHEMA_VERSION,
    SECTOR_SLOTS,
    service_area_of,
)
from spbe_inventory.review import repository as review

from . import repository as repo


def build_snapshot(conn: Connection, principal: Principal, taken_at: datetime) -> dict[str, Any]:
    """The catalogue snapshot of every OPD the principal may see, as JSON-ready dicts."""
    profile = repo.profile(conn) or {}
    app_rows = repo.snapshot_applications(conn, principal)
    sectors = list(profile.get("public_sectors") or []) or default_sectors(app_rows)
    ict_opd = profile.get("ict_opd_code")
    return {
        "schema_version": SCHEMA_VERSION,
        "taken_at": taken_at.isoformat(),
        "opds": [
            {"code": r.code, "name": r.name, "manages_ict": r.code == ict_opd}
            for r in repo.snapshot_opds(conn, principal)
        ],
        "applications": _applications(conn, app_rows, sectors),
        "facilities": _facilities(conn, principal),
        "sites": _sites(conn, principal),
        "service_buses": [
            {"id": str(r.id), "name": r.name, "splp_integrated": r.splp_integrated, "apis": r.apis}
            for r in repo.snapshot_buses(conn, principal)
        ],
        "audits": _audits(conn, principal),
        "asset_management": _asset_management(profile),
        "asset_registers": [
            {
                "opd": r.opd_code,
                "active": r.active,
                "with_procurement_year": r.with_procurement_year,
                "with_condition": r.with_condition,
                "with_asset_code": r.with_asset_code,
            }
            for r in repo.snapshot_asset_registers(conn, principal)
        ],
        "reviews": _reviews(conn, principal),
        "public_sectors": sectors,
        "unreviewed_assets": {
            code: n for code, n in review.unreviewed_counts(conn, principal).items() if code
        },
    }


def default_sectors(app_rows: Any) -> list[str]:
    named = {
        code.removeprefix(PUBLIC_SECTOR_PREFIX)
        for row in app_rows
        for code in row.service_areas or []
        if code.startswith(PUBLIC_SECTOR_PREFIX)
    }
    return sorted(named)[: len(SECTOR_SLOTS)]


def _areas(codes: list[str] | None, sectors: list[str]) -> list[str]:
    areas = (service_area_of(code, sectors) for code in codes or [])
    return list(dict.fromkeys(area.value for area in areas if area is not None))


def _applications(conn: Connection, app_rows: Any, sectors: list[str]) -> list[dict[str, Any]]:
    practices = {row.application_id: row for row in repo.snapshot_practices(conn)}
    on_bus = repo.snapshot_bus_applications(conn)
    out = []
    for r in app_rows:
        p = practices.get(r.id)
        out.append(
            {
                "id": str(r.id),
                "name": r.name,
                "opd": r.opd_code,
                "kind": r.kind,
                "status": r.status,
                "service_areas": _areas(r.service_areas, sectors),
                "function_level": r.function_level,
                "uses_service_bus": bool(r.uses_service_bus) or r.id in on_bus,
                "facility": str(r.facility_id) if r.facility_id is not None else None,
                "lifecycle_documents": sorted({d["stage"] for d in p.documents}) if p else [],
                "consulted_with_ict_opd": bool(p and p.consulted_with_ict_opd),
                "controlled_by_ict_opd": bool(p and p.controlled_by_ict_opd),
                "is_service_portal": bool(p and p.is_service_portal),
                "listed_in_portal": bool(p and p.listed_in_portal),
                "licence": r.licence,
                "licence_until": r.licence_until,
            }
        )
    return out


def _facilities(conn: Connection, principal: Principal) -> list[dict[str, Any]]:
    used_by: dict[int, set[str]] = defaultdict(set)
    declared = repo.snapshot_facility_uses(conn, principal)
    placed = repo.snapshot_asset_facilities(conn, principal)
    for row in [*declared, *placed]:
        used_by[row.facility_id].add(row.opd_code)
    return [
        {
            "id": str(r.id),
            "name": r.name,
            "kind": r.kind,
            "used_by": sorted(used_by.get(r.id, ())),
            "sop": r.has_sop,
            "pdn_interconnected": r.pdn_interconnected,
        }
        for r in repo.snapshot_facilities(conn)
    ]


def _sites(conn: Connection, principal: Principal) -> list[dict[str, Any]]:
    return [
        {
            "id": str(r.id),
            "opd": r.opd_code,
            "name": r.site,
            "on_intra_network": r.on_intra_network,
            "jip_interconnected": r.jip_interconnected,
        }
        for r in repo.snapshot_sites(conn, principal)
    ]


def _audits(conn: Connection, principal: Principal) -> list[dict[str, Any]]:
    return [
        {
            "id": str(r.id),
            "kind": r.kind,
            "date": r.audited_on.isoformat(),
            "in_plan": r.in_plan,
            "standard_based": r.standard_based,
            "auditor": r.auditor,
            "scope": r.scope,
            "opds": list(r.audited_opds or [r.opd_code]),
            "coverage": r.coverage,
            "followed_up_on": _day(r.followed_up_on),
            "findings_followed_up": r.findings_followed_up,
        }
        for r in repo.snapshot_audits(conn, principal)
    ]


def _reviews(conn: Connection, principal: Principal) -> list[dict[str, Any]]:
    return [
        {
            "id": str(r.id),
            "subject": r.subject,
            "date": r.reviewed_on.isoformat(),
            "followed_up_on": _day(r.followed_up_on),
            "applications": [str(a) for a in r.application_ids or []],
            "improvements_followed_up": r.improvements_followed_up,
            "reference": r.reference,
        }
        for r in repo.snapshot_reviews(conn, principal)
    ]


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _asset_management(profile: dict[str, Any]) -> dict[str, Any]:
    return {
        "programme": bool(profile.get("asset_programme")),
        "guideline_stages": list(profile.get("asset_guideline_stages") or []),
        "strategy_by_tim_koordinasi": bool(profile.get("asset_strategy_by_tim_koordinasi")),
        "strategy_opds": list(profile.get("asset_strategy_opds") or []),
    }
