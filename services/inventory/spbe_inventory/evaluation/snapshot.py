"""The catalogue snapshot the scorer reads (`spbe_common.catalogue.CatalogueSnapshot`, JSON).

Built from bulk Core selects into plain dicts, each scoped by the repository to the OPD the
principal sees: thousands of applications cost one query each table, no ORM objects. Service-area codes are mapped to indicator areas here; a sector the Pemda
has not chosen (profile.public_sectors) serves no indicator. A facility's users are the OPD
declared as using it plus the OPD with an active asset placed in it. An audit that names no
audited OPD audited the OPD that commissioned it. While no sector is chosen at all,
the first three sectors the applications name (alphabetically) stand in, and the snapshot's
`public_sectors` says which they were.

With `summary=True` (`?applications=summary`, what the scorer asks for) no application is
listed: `application_summary` counts the active ones as the rules do, in the database
(repository `summary_*`: one GROUP BY over the rules' flags, and per count its first examples by
`ORDER BY id LIMIT`), service areas counted by GROUP BY and their examples read in id order
until every group has them. Its size does not grow with the catalogue beyond the OPD,
facilities and service groups it names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from contextlib import closing
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, not_

from spbe_common.auth import Principal
from spbe_common.catalogue import (
    EXAMPLES,
    PUBLIC_SECTOR_PREFIX,
    PUBLIC_SERVICE_AREAS,
    SCHEMA_VERSION,
    SECTOR_SLOTS,
    LifecycleStage,
    service_area_of,
)
from spbe_inventory.applications.repository import APPLICATION
from spbe_inventory.review import repository as review

from . import repository as repo


def build_snapshot(
    conn: Connection, principal: Principal, taken_at: datetime, *, summary: bool = False
) -> dict[str, Any]:
    """The catalogue snapshot of every OPD the principal may see, as JSON-ready dicts; with
    `summary`, its applications counted instead of listed."""
    profile = repo.profile(conn) or {}
    chosen = list(profile.get("public_sectors") or [])
    if summary:
        app_rows: Any = []
        sectors = chosen or default_sectors(repo.summary_sector_codes(conn, principal))
    else:
        app_rows = repo.snapshot_applications(conn, principal)
        sectors = chosen or default_sectors(
            code for row in app_rows for code in row.service_areas or []
        )
    ict_opd = profile.get("ict_opd_code")
    reviews = _reviews(conn, principal)
    snapshot = {
        "schema_version": SCHEMA_VERSION,
        "taken_at": taken_at.isoformat(),
        "opds": [
            {"code": r.code, "name": r.name, "manages_ict": r.code == ict_opd}
            for r in repo.snapshot_opds(conn, principal)
        ],
        "applications": _applications(conn, app_rows, sectors) if app_rows else [],
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
        "reviews": reviews,
        "public_sectors": sectors,
        "unreviewed_assets": {
            code: n for code, n in review.unreviewed_counts(conn, principal).items() if code
        },
    }
    if summary:
        named = sorted({int(app_id) for r in reviews for app_id in r["applications"]})
        snapshot["application_summary"] = _summary(conn, principal, sectors, taken_at.date(), named)
    return snapshot


def default_sectors(codes: Iterable[str]) -> list[str]:
    named = {
        code.removeprefix(PUBLIC_SECTOR_PREFIX)
        for code in codes
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


def _summary(
    conn: Connection, principal: Principal, sectors: list[str], today: date, named: list[int]
) -> dict[str, Any]:
    """`ApplicationSummary`: the active applications counted as the rules count them."""
    a = APPLICATION.c

    flags = {
        "pemda": repo.pemda_developed(),
        "complete": repo.lifecycle_complete(conn),
        "consulted": repo.practice_flag("consulted_with_ict_opd"),
        "controlled": repo.practice_flag("controlled_by_ict_opd"),
        "bus": repo.on_service_bus(),
        "portal": repo.practice_flag("is_service_portal"),
        "public": repo.has_code(conn, _public_codes(sectors)),
        "listed": repo.practice_flag("listed_in_portal"),
    }
    counts = repo.summary_flags(conn, principal, flags)

    def examples(**wanted: bool) -> dict[str, Any]:
        """The applications whose flags are as `wanted`: how many, and the first of them."""
        count = sum(n for found, n in counts if all(found[k] == v for k, v in wanted.items()))
        where = [flags[k] if v else not_(flags[k]) for k, v in wanted.items()]
        rows = repo.summary_first(conn, principal, *where) if count else []
        return {"count": count, "first": [_ref(r) for r in rows]}

    incomplete = examples(pemda=True, complete=False)
    documents = repo.summary_documents(conn, [int(r["id"]) for r in incomplete["first"]])
    for ref in incomplete["first"]:
        ref["stages"] = _stages(documents.get(int(ref["id"]), []))
    reviewed = repo.summary_level_five_on_bus(conn, principal, named)
    facility_opds: dict[str, list[str]] = defaultdict(list)
    where = [a.facility_id.is_not(None)]
    for row in repo.summary_distinct(conn, principal, a.facility_id, a.opd_code, where=where):
        facility_opds[str(row.facility_id)].append(row.opd_code)
    bus = flags["bus"]
    return {
        "pemda": sum(n for found, n in counts if found["pemda"]),
        "lifecycle_complete": examples(pemda=True, complete=True),
        "lifecycle_incomplete": incomplete,
        "consulted": examples(pemda=True, consulted=True),
        "not_consulted": examples(pemda=True, consulted=False),
        "controlled": examples(pemda=True, controlled=True),
        "not_controlled": examples(pemda=True, controlled=False),
        "on_service_bus": examples(bus=True),
        "service_bus_opds": [
            row.opd_code for row in repo.summary_distinct(conn, principal, a.opd_code, where=[bus])
        ],
        "facility_opds": {fid: sorted(codes) for fid, codes in facility_opds.items()},
        "by_opd": [
            {
                "opd": r.opd_code,
                "active": r.active,
                "with_licence": r.with_licence,
                "licence_expired": r.expired,
            }
            for r in repo.summary_by_opd(conn, principal, today)
        ],
        "services": _service_groups(conn, principal, sectors, [r.id for r in reviewed]),
        "reviewed": [
            {**_ref(r), "service_areas": _areas(r.service_areas, sectors)} for r in reviewed
        ],
        "portals": examples(portal=True),
        "portals_on_bus": examples(portal=True, bus=True),
        "public_listed": examples(portal=False, public=True, listed=True),
        "public_unlisted": examples(portal=False, public=True, listed=False),
    }


def _ref(row: Any) -> dict[str, Any]:
    return {"id": str(row.id), "name": row.name, "opd": row.opd_code, "order": row.id}


def _stages(documents: list[dict[str, Any]]) -> list[str]:
    documented = {d.get("stage") for d in documents}
    return [stage.value for stage in LifecycleStage if stage.value in documented]


def _public_codes(sectors: list[str]) -> list[str]:
    """The inventory's service-area codes that serve a public-service area (42-47)."""
    plain = [area.value for area in PUBLIC_SERVICE_AREAS if area not in SECTOR_SLOTS]
    chosen = [f"{PUBLIC_SECTOR_PREFIX}{s}" for s in sectors[: len(SECTOR_SLOTS)]]
    return sorted(plain) + chosen


def _service_groups(
    conn: Connection, principal: Principal, sectors: list[str], excluded: list[int]
) -> list[dict[str, Any]]:
    """Per (area, claimed level, on the bus): how many active applications, the first ones."""
    areas: dict[str, str | None] = {}

    def area_of(code: str) -> str | None:
        if code not in areas:
            area = service_area_of(code, sectors)
            areas[code] = area.value if area is not None else None
        return areas[code]

    counts: dict[tuple[str, int | None, bool], int] = {}
    for row in repo.summary_service_counts(conn, principal, excluded):
        if (area := area_of(row.code)) is not None:
            counts[(area, row.function_level, bool(row.bus))] = row.n
    first: dict[tuple[str, int | None, bool], list[int]] = {key: [] for key in counts}
    wanted = sum(min(n, EXAMPLES) for n in counts.values())
    with closing(repo.summary_service_codes(conn, principal, excluded)) as rows:
        for row in rows:
            if not wanted:
                break
            if (area := area_of(row.code)) is None:
                continue
            key = (area, row.function_level, bool(row.bus))
            ids = first[key]
            # ids[-1]: the same code twice in one application (its rows come together)
            if len(ids) < min(counts[key], EXAMPLES) and (not ids or ids[-1] != row.id):
                ids.append(row.id)
                wanted -= 1
    names = repo.application_names(conn, [i for ids in first.values() for i in ids])
    return [
        {
            "area": area,
            "function_level": level,
            "uses_service_bus": bus,
            "applications": {
                "count": count,
                "first": [
                    {"id": str(i), "name": names[i][0], "opd": names[i][1], "order": i}
                    for i in first[(area, level, bus)]
                ],
            },
        }
        for (area, level, bus), count in counts.items()
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
