"""All SQL of the evaluation records, and the bulk reads of the catalogue snapshot.

Every read of a request applies the principal's OPD scope: a record's own `opd_code`, or for an
application's development practice the OPD of that application. Facilities are shared (every
reader sees them); the snapshot reads the records of the OPD the principal sees."""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    Table,
    and_,
    case,
    delete,
    distinct,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.sql import ColumnElement

from spbe_common.auth import Principal
from spbe_common.catalogue import EXAMPLES, LifecycleStage
from spbe_common.db import for_update
from spbe_common.events.enums import ApplicationKind, ApplicationStatus, Lifecycle
from spbe_inventory.applications.repository import APPLICATION
from spbe_inventory.assets.repository import ASSET
from spbe_inventory.history.models import ChangeAction, EntityKind
from spbe_inventory.history.repository import for_entity
from spbe_inventory.history.service import Cause, ChangeLog
from spbe_inventory.infrastructure.repository import FACILITY, NETWORK_LINK
from spbe_inventory.listing_repository import Page, Rows, equal_to, list_page
from spbe_inventory.opd.repository import OPD

from .models import (
    ApplicationPractice,
    ApplicationPracticeIn,
    Audit,
    AuditBase,
    EvaluationEntity,
    EvaluationProfile,
    FacilityUse,
    FacilityUseBase,
    Review,
    ReviewBase,
    ServiceBus,
    ServiceBusApplication,
)

AUDIT: Table = Audit.__table__  # type: ignore[attr-defined]
REVIEW: Table = Review.__table__  # type: ignore[attr-defined]
SERVICE_BUS: Table = ServiceBus.__table__  # type: ignore[attr-defined]
BUS_APP: Table = ServiceBusApplication.__table__  # type: ignore[attr-defined]
PRACTICE: Table = ApplicationPractice.__table__  # type: ignore[attr-defined]
FACILITY_USE: Table = FacilityUse.__table__  # type: ignore[attr-defined]
PROFILE: Table = EvaluationProfile.__table__  # type: ignore[attr-defined]
PROFILE_ID = 1


@dataclass(frozen=True, slots=True)
class Records:
    """One kind of evaluation record: its table, history entity, public columns and sort keys."""

    table: Table
    entity: EvaluationEntity
    columns: tuple[str, ...]
    sortable: tuple[str, ...]

    @property
    def key(self) -> str:
        return next(iter(self.table.primary_key.columns)).name

    def scope(self, principal: Principal) -> ColumnElement[bool]:
        """The records of the OPD the principal sees."""
        if "opd_code" in self.table.c:
            return principal.where(self.table.c.opd_code)
        if principal.opd_codes is None:
            return true()
        apps = select(APPLICATION.c.id).where(principal.where(APPLICATION.c.opd_code))
        return self.table.c.application_id.in_(apps)  # a practice is its application's


AUDITS = Records(
    AUDIT, EvaluationEntity.AUDIT, ("id", *AuditBase.model_fields), ("id", "audited_on", "kind")
)
REVIEWS = Records(
    REVIEW,
    EvaluationEntity.REVIEW,
    ("id", *ReviewBase.model_fields),
    ("id", "reviewed_on", "subject"),
)
SERVICE_BUSES = Records(
    SERVICE_BUS,
    EvaluationEntity.SERVICE_BUS,
    ("id", "name", "opd_code", "facility_id", "splp_integrated", "apis"),
    ("id", "name"),
)
FACILITY_USES = Records(
    FACILITY_USE,
    EvaluationEntity.FACILITY_USE,
    ("id", *FacilityUseBase.model_fields),
    ("id", "facility_id", "opd_code"),
)
PRACTICES = Records(
    PRACTICE,
    EvaluationEntity.APPLICATION_PRACTICE,
    ("application_id", *ApplicationPracticeIn.model_fields),
    ("application_id",),
)


def page_of(
    conn: Connection,
    records: Records,
    principal: Principal,
    page: Page,
    filters: Mapping[str, Any],
) -> tuple[Rows, int]:
    where = [records.scope(principal), *equal_to(records.table, filters)]
    return list_page(conn, records.table, records.columns, where, page, records.sortable)


def visible(
    conn: Connection, records: Records, principal: Principal, row_id: int
) -> dict[str, Any] | None:
    """A record in the principal's scope (locked for a writer), else None."""
    return by_id(conn, records.table, row_id, records.scope(principal))


def insert_one(conn: Connection, table: Table, row: dict[str, Any]) -> dict[str, Any]:
    key = next(iter(table.primary_key.columns))
    new_id = conn.execute(insert(table).returning(key), row).scalar_one()
    return dict(conn.execute(select(table).where(key == new_id)).mappings().one())


def by_id(
    conn: Connection, table: Table, row_id: int, *where: ColumnElement[bool]
) -> dict[str, Any] | None:
    key = next(iter(table.primary_key.columns))
    row = (
        conn.execute(for_update(conn, select(table).where(key == row_id, *where)))
        .mappings()
        .first()
    )
    return dict(row) if row else None


def update_one(conn: Connection, table: Table, row_id: int, values: dict[str, Any]) -> None:
    key = next(iter(table.primary_key.columns))
    conn.execute(update(table).where(key == row_id).values(values))


def delete_one(conn: Connection, table: Table, row_id: int) -> None:
    key = next(iter(table.primary_key.columns))
    conn.execute(delete(table).where(key == row_id))


def count(conn: Connection, table: Table, *where: ColumnElement[bool]) -> int:
    return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def opds_of_applications(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    """OPD code of each application id, for rows already read within the principal's scope."""
    if not ids:
        return {}
    query = select(APPLICATION.c.id, APPLICATION.c.opd_code).where(APPLICATION.c.id.in_(list(ids)))
    return {row.id: row.opd_code for row in conn.execute(query)}


# --- service bus <-> applications -----------------------------------------------------------


def bus_application_ids(conn: Connection, bus_ids: Sequence[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {bus_id: [] for bus_id in bus_ids}
    if not bus_ids:
        return found
    query = (
        select(BUS_APP.c.service_bus_id, BUS_APP.c.application_id)
        .where(BUS_APP.c.service_bus_id.in_(list(bus_ids)))
        .order_by(BUS_APP.c.application_id)
    )
    for bus_id, app_id in conn.execute(query):
        found[bus_id].append(app_id)
    return found


def set_bus_applications(conn: Connection, bus_id: int, app_ids: Sequence[int]) -> None:
    conn.execute(delete(BUS_APP).where(BUS_APP.c.service_bus_id == bus_id))
    if app_ids:
        rows = [{"service_bus_id": bus_id, "application_id": a} for a in app_ids]
        conn.execute(insert(BUS_APP), rows)


# --- one-per-key records: application practice (by application id) and the profile ---------


def upsert(conn: Connection, table: Table, key: int, values: dict[str, Any], exists: bool) -> None:
    if exists:
        update_one(conn, table, key, values)
    else:
        column = next(iter(table.primary_key.columns)).name
        conn.execute(insert(table), {**values, column: key})


def profile(conn: Connection) -> dict[str, Any] | None:
    return by_id(conn, PROFILE, PROFILE_ID)


# --- the change log: the shared one of the inventory -------------------------------------------


def write_history(
    conn: Connection,
    entity: str,
    entity_id: int,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    cause: Cause,
) -> None:
    changes = ChangeLog()
    changes.record(EntityKind(entity), entity_id, ChangeAction(action), before, after, cause)
    changes.flush(conn)


def history(
    conn: Connection, entity: str, entity_id: int, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    return for_entity(conn, EntityKind(entity), entity_id, limit, offset)


# --- bulk reads of the catalogue snapshot: plain tuples, no ORM objects -----------------------


def _rows(conn: Connection, *columns: Any, where: Sequence[Any] = ()) -> Sequence[Row[Any]]:
    return conn.execute(select(*columns).where(*where)).all()


def snapshot_opds(conn: Connection, principal: Principal) -> Sequence[Row[Any]]:
    return _rows(conn, OPD.c.code, OPD.c.name, where=[principal.where(OPD.c.code)])


def snapshot_applications(conn: Connection, principal: Principal) -> Sequence[Row[Any]]:
    """In id order: the catalogue order the summary's examples follow too."""
    a = APPLICATION.c
    query = (
        select(
            a.id, a.name, a.opd_code, a.kind, a.status, a.service_areas, a.function_level,
            a.uses_service_bus, a.facility_id, a.licence, a.licence_until,
        )
        .where(principal.where(a.opd_code))
        .order_by(a.id)
    )  # fmt: skip
    return list(conn.execute(query))


def snapshot_practices(conn: Connection) -> Sequence[Row[Any]]:
    p = PRACTICE.c
    return _rows(
        conn,
        p.application_id,
        p.documents,
        p.consulted_with_ict_opd,
        p.controlled_by_ict_opd,
        p.is_service_portal,
        p.listed_in_portal,
    )


def snapshot_bus_applications(conn: Connection) -> set[int]:
    return set(conn.execute(select(BUS_APP.c.application_id).distinct()).scalars())


def snapshot_facilities(conn: Connection) -> Sequence[Row[Any]]:
    f = FACILITY.c
    return _rows(conn, f.id, f.name, f.kind, f.has_sop, f.pdn_interconnected)


def snapshot_facility_uses(conn: Connection, principal: Principal) -> Sequence[Row[Any]]:
    u = FACILITY_USE.c
    return _rows(conn, u.facility_id, u.opd_code, where=[principal.where(u.opd_code)])


def snapshot_asset_facilities(conn: Connection, principal: Principal) -> Sequence[Row[Any]]:
    """(facility, OPD) pairs of active assets placed in a facility: the OPD uses it."""
    query = (
        select(ASSET.c.facility_id, ASSET.c.opd_code)
        .where(
            ASSET.c.facility_id.is_not(None), ASSET.c.opd_code.is_not(None),
            ASSET.c.lifecycle == Lifecycle.ACTIVE, principal.where(ASSET.c.opd_code),
        )
        .distinct()
    )  # fmt: skip
    return conn.execute(query).all()


def snapshot_asset_registers(conn: Connection, principal: Principal) -> Sequence[Row[Any]]:
    """Per OPD: its active assets, and how many carry each fact of the regional asset register."""
    a = ASSET.c
    query = (
        select(
            a.opd_code,
            func.count().label("active"),
            func.count(a.procurement_year).label("with_procurement_year"),
            func.count(a.condition).label("with_condition"),
            func.count(a.asset_code).label("with_asset_code"),
        )
        .where(
            a.opd_code.is_not(None), a.lifecycle == Lifecycle.ACTIVE, principal.where(a.opd_code)
        )
        .group_by(a.opd_code)
        .order_by(a.opd_code)
    )
    return conn.execute(query).all()


def snapshot_sites(conn: Connection, principal: Principal) -> Sequence[Row[Any]]:
    n = NETWORK_LINK.c
    where = [principal.where(n.opd_code)]
    return _rows(
        conn, n.id, n.opd_code, n.site, n.on_intra_network, n.jip_interconnected, where=where
    )


def snapshot_buses(conn: Connection, principal: Principal) -> Sequence[Row[Any]]:
    b = SERVICE_BUS.c
    where = [principal.where(b.opd_code)]
    return _rows(conn, b.id, b.name, b.splp_integrated, b.apis, where=where)


def snapshot_audits(conn: Connection, principal: Principal) -> Sequence[Row[Any]]:
    a = AUDIT.c
    return _rows(
        conn,
        a.id,
        a.kind,
        a.audited_on,
        a.in_plan,
        a.standard_based,
        a.auditor,
        a.scope,
        a.opd_code,
        a.audited_opds,
        a.coverage,
        a.followed_up_on,
        a.findings_followed_up,
        where=[principal.where(a.opd_code)],
    )


def snapshot_reviews(conn: Connection, principal: Principal) -> Sequence[Row[Any]]:
    r = REVIEW.c
    return _rows(
        conn,
        r.id,
        r.subject,
        r.reviewed_on,
        r.followed_up_on,
        r.application_ids,
        r.improvements_followed_up,
        r.reference,
        where=[principal.where(r.opd_code)],
    )


# --- the application summary of the snapshot: what the rules count, counted here --------------
# Every query reads the active applications in the principal's scope, in id order (catalogue
# order); an example list is the first EXAMPLES of them, with the whole count beside each row.


def _active_apps(principal: Principal) -> list[ColumnElement[bool]]:
    a = APPLICATION.c
    return [a.status == ApplicationStatus.ACTIVE, principal.where(a.opd_code)]


def on_service_bus() -> ColumnElement[bool]:
    """Declared as using the bus, or linked to a service bus."""
    linked = select(BUS_APP.c.application_id)
    return or_(APPLICATION.c.uses_service_bus, APPLICATION.c.id.in_(linked))


def pemda_developed() -> ColumnElement[bool]:
    """Not a shared national Aplikasi Umum (kind general)."""
    return or_(APPLICATION.c.kind.is_(None), APPLICATION.c.kind != ApplicationKind.GENERAL)


def practice_flag(name: str) -> ColumnElement[bool]:
    """A development-practice fact, false for an application that has no practice recorded."""
    return func.coalesce(PRACTICE.c[name], false())


def _json_items(conn: Connection, column: Any) -> Any:
    """The items of a JSON array column, one row each (`value`), as a joinable function."""
    if conn.dialect.name == "postgresql":
        return func.json_array_elements(column).table_valued("value")
    return func.json_each(column).table_valued("value")


def _json_text_items(conn: Connection, column: Any) -> Any:
    """The items of a JSON array of strings, one text row each (`value`)."""
    if conn.dialect.name == "postgresql":
        return func.json_array_elements_text(column).table_valued("value")
    return func.json_each(column).table_valued("value")


def lifecycle_complete(conn: Connection) -> ColumnElement[bool]:
    """The application's practice documents every life-cycle stage (one document per stage)."""
    items = _json_items(conn, PRACTICE.c.documents)
    if conn.dialect.name == "postgresql":
        stage = items.c.value.op("->>")("stage")
    else:
        stage = func.json_extract(items.c.value, "$.stage")
    stages = select(func.count(distinct(stage))).select_from(items).scalar_subquery()
    enough = func.coalesce(func.json_array_length(PRACTICE.c.documents), 0) >= len(LifecycleStage)
    return and_(enough, func.coalesce(stages, 0) >= len(LifecycleStage))


def has_code(conn: Connection, codes: Sequence[str]) -> ColumnElement[bool]:
    """The application names one of these service-area codes."""
    items = _json_text_items(conn, APPLICATION.c.service_areas)
    return exists(select(literal(1)).select_from(items).where(items.c.value.in_(list(codes))))


def _with_practice() -> Any:
    return APPLICATION.outerjoin(PRACTICE, PRACTICE.c.application_id == APPLICATION.c.id)


def summary_flags(
    conn: Connection, principal: Principal, flags: Mapping[str, ColumnElement[bool]]
) -> list[tuple[dict[str, bool], int]]:
    """How many active applications have each combination of `flags` (one GROUP BY)."""
    columns = [expression.label(name) for name, expression in flags.items()]
    query = (
        select(*columns, func.count().label("n"))
        .select_from(_with_practice())
        .where(*_active_apps(principal))
        .group_by(*columns)
    )
    return [
        ({name: bool(row._mapping[name]) for name in flags}, int(row.n))
        for row in conn.execute(query)
    ]


def summary_first(
    conn: Connection, principal: Principal, *where: ColumnElement[bool]
) -> Sequence[Row[Any]]:
    """The first EXAMPLES active applications meeting `where`, in id order (the scan stops at
    the last of them)."""
    a = APPLICATION.c
    query = (
        select(a.id, a.name, a.opd_code)
        .select_from(_with_practice())
        .where(*_active_apps(principal), *where)
        .order_by(a.id)
        .limit(EXAMPLES)
    )
    return conn.execute(query).all()


def summary_documents(conn: Connection, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """The development documents of a few applications (the examples' stages)."""
    if not ids:
        return {}
    p = PRACTICE.c
    query = select(p.application_id, p.documents).where(p.application_id.in_(list(ids)))
    return {row.application_id: row.documents or [] for row in conn.execute(query)}


def summary_distinct(
    conn: Connection, principal: Principal, *columns: Any, where: Sequence[Any] = ()
) -> Sequence[Row[Any]]:
    """Distinct values of `columns` over the active applications meeting `where`."""
    query = select(*columns).where(*_active_apps(principal), *where).distinct()
    return conn.execute(query).all()


def summary_by_opd(conn: Connection, principal: Principal, today: date) -> Sequence[Row[Any]]:
    """Per OPD: active applications, those with a licence recorded, those past licence_until."""
    a = APPLICATION.c
    licensed = and_(a.licence.is_not(None), a.licence != "")
    query = (
        select(
            a.opd_code,
            func.count().label("active"),
            func.count(case((licensed, 1))).label("with_licence"),
            func.count(case((and_(licensed, a.licence_until < today), 1))).label("expired"),
        )
        .where(*_active_apps(principal))
        .group_by(a.opd_code)
        .order_by(a.opd_code)
    )
    return conn.execute(query).all()


def summary_level_five_on_bus(
    conn: Connection, principal: Principal, ids: Sequence[int]
) -> Sequence[Row[Any]]:
    """Active applications among `ids` (named by a review) claiming level 5, on the bus."""
    if not ids:
        return []
    a = APPLICATION.c
    query = (
        select(a.id, a.name, a.opd_code, a.service_areas)
        .where(*_active_apps(principal), a.id.in_(list(ids)), a.function_level == 5)
        .where(on_service_bus())
        .order_by(a.id)
    )
    return conn.execute(query).all()


def _service_codes(conn: Connection, principal: Principal, excluded: Sequence[int]) -> Any:
    """(id, function_level, bus, code) of every service-area code each active application
    names, the `excluded` applications left out."""
    a = APPLICATION.c
    codes = _json_text_items(conn, a.service_areas)
    return (
        select(a.id, a.function_level, on_service_bus().label("bus"), codes.c.value.label("code"))
        .select_from(APPLICATION.join(codes, true()))
        .where(*_active_apps(principal), a.id.not_in(list(excluded)))
    )


def summary_service_counts(
    conn: Connection, principal: Principal, excluded: Sequence[int]
) -> Sequence[Row[Any]]:
    """Per (service-area code, claimed level, on the bus): how many active applications."""
    pairs = _service_codes(conn, principal, excluded).subquery()
    p = pairs.c
    query = select(p.code, p.function_level, p.bus, func.count(distinct(p.id)).label("n")).group_by(
        p.code, p.function_level, p.bus
    )
    return list(conn.execute(query))


def summary_service_codes(
    conn: Connection, principal: Principal, excluded: Sequence[int]
) -> Generator[Row[Any], None, None]:
    """The same pairs one by one in id order, for the first examples of each group: the
    caller stops reading once every group has them (a window function per group costs more)."""
    a = APPLICATION.c
    result = conn.execute(_service_codes(conn, principal, excluded).order_by(a.id))
    try:
        yield from result
    finally:
        result.close()


def application_names(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Name and OPD of each application id."""
    if not ids:
        return {}
    a = APPLICATION.c
    query = select(a.id, a.name, a.opd_code).where(a.id.in_(list(ids)))
    return {row.id: (row.name, row.opd_code) for row in conn.execute(query)}


def summary_sector_codes(conn: Connection, principal: Principal) -> list[str]:
    """Every service-area code the applications in scope name (any status), for the default
    sectors while none is chosen."""
    a = APPLICATION.c
    codes = _json_text_items(conn, a.service_areas)
    query = (
        select(codes.c.value)
        .select_from(APPLICATION.join(codes, true()))
        .where(principal.where(a.opd_code))
        .distinct()
    )
    return [str(value) for value in conn.execute(query).scalars()]
