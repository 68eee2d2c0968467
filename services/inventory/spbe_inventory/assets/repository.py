"""All SQL of assets and services. Ingestion's hot statements go through `Bulk`.

What a request reads goes through the functions of the first section: each applies the
principal's OPD scope (a service is in scope through its asset)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, func, or_, select, text

from spbe_common.auth import Principal
from spbe_common.db import for_update, lock_asset_identities
from spbe_common.events.enums import Lifecycle
from spbe_inventory.bulk import Bulk, chunks, parse_ts
from spbe_inventory.ingest.repository import SCAN, SCAN_COLUMNS
from spbe_inventory.listing_repository import (
    ASSET_SORTABLE,
    ASSETS,
    Page,
    Rows,
    asset_conditions,
    condition_values,
    equal_to,
    list_page,
    search,
)

from .models import MERGED, NAME_ONLY, Asset, Service, ServicePublic

ASSET = Asset.__table__  # type: ignore[attr-defined]
SERVICE = Service.__table__  # type: ignore[attr-defined]

ASSET_MUTABLE = (
    *MERGED,
    "first_seen",
    "last_seen",
    "scope",
    "last_scan_id",
    "identity_rule",
    "fingerprint",
    "observed",
    "declared",
    "updated_at",
)
ASSET_JSON = ("addresses", "observed", "declared")
ASSET_TIMES = ("first_seen", "last_seen", "created_at", "updated_at")
ASSET_INSERT = (*ASSET_MUTABLE, "is_sample", "created_at")
TOUCHED = ("last_seen", "last_scan_id", "scope", "identity_rule")  # what a repeat sighting sets
LIST_COLUMNS = ASSETS.columns  # the public shape decides what a list reads
SERVICE_COLUMNS = tuple(ServicePublic.model_fields)
SERVICE_SORTABLE = ("id", "port", "name", "product", "last_seen")
LIGHT = (
    "id",
    "mac",
    "serial",
    "address",
    "hostname",
    "scope",
    "lifecycle",
    "last_seen",
    "fingerprint",
    "identity_rule",
    "opd_code",
    "asset_code",
    "name",
)


# --- what a principal reads ------------------------------------------------------------------


def page_of(
    conn: Connection,
    principal: Principal,
    page: Page,
    filters: dict[str, Any],
    q: str | None = None,
) -> tuple[Rows, int]:
    """Assets of the principal's OPD as rows (the web pages); `filters` are column == value,
    `q` an address prefix or a substring of names: the API's `asset_page`, same conditions."""
    conditions = asset_conditions(principal, filters, q)
    where = [condition.build() for condition in conditions]
    values = dict(condition_values(conditions))
    return list_page(conn, ASSET, LIST_COLUMNS, where, page, ASSET_SORTABLE, values)


def services_page(
    conn: Connection,
    principal: Principal,
    page: Page,
    filters: dict[str, Any],
    product: str | None = None,
) -> tuple[Rows, int]:
    """Services of the assets of the principal's OPD."""
    where = [*equal_to(SERVICE, filters), *search((SERVICE.c.product,), product)]
    if principal.opd_codes is not None:
        visible = select(ASSET.c.id).where(principal.where(ASSET.c.opd_code))
        where.append(SERVICE.c.asset_id.in_(visible))
    return list_page(conn, SERVICE, SERVICE_COLUMNS, where, page, SERVICE_SORTABLE)


def visible(conn: Connection, principal: Principal, asset_id: int) -> dict[str, Any] | None:
    """The full row of an asset in the principal's scope (locked for a writer), else None."""
    query = select(ASSET).where(ASSET.c.id == asset_id, principal.where(ASSET.c.opd_code))
    row = conn.execute(for_update(conn, query)).mappings().first()
    return dict(row) if row else None


def public_services(conn: Connection, asset_id: int) -> Rows:
    """The services of one asset, by port (call after `visible`)."""
    query = (
        select(*(SERVICE.c[n] for n in SERVICE_COLUMNS))
        .where(SERVICE.c.asset_id == asset_id)
        .order_by(SERVICE.c.port)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def visible_ids(conn: Connection, principal: Principal, ids: Sequence[int]) -> set[int]:
    """Those of `ids` that are assets in the principal's scope (the others count as unknown)."""
    found: set[int] = set()
    for chunk in chunks(sorted(set(ids))):
        query = select(ASSET.c.id).where(ASSET.c.id.in_(chunk), principal.where(ASSET.c.opd_code))
        found |= set(conn.execute(query).scalars())
    return found


def in_scope_rows(
    conn: Connection, principal: Principal, ids: Sequence[int]
) -> list[dict[str, Any]]:
    """Public columns of those of `ids` that are assets in the principal's scope, by id."""
    columns = (*(ASSET.c[n] for n in LIST_COLUMNS), ASSET.c.facility_id)
    rows: list[dict[str, Any]] = []
    for chunk in chunks(sorted(set(ids))):
        where = (ASSET.c.id.in_(chunk), principal.where(ASSET.c.opd_code))
        rows += [dict(r) for r in conn.execute(select(*columns).where(*where)).mappings()]
    return sorted(rows, key=lambda r: r["id"])


def in_facility(
    conn: Connection, principal: Principal, facility_id: int, limit: int
) -> tuple[Rows, int]:
    """The first `limit` assets placed in a facility (in the principal's scope), and how many.
    One statement: asset.facility_id has no index, so each read is a scan of the table."""
    total = func.count().over().label("total")
    query = (
        select(*(ASSET.c[n] for n in LIST_COLUMNS), total)
        .where(ASSET.c.facility_id == facility_id, principal.where(ASSET.c.opd_code))
        .order_by(ASSET.c.id)
        .limit(limit)
    )
    rows = [dict(r) for r in conn.execute(query).mappings()]
    count = rows[0].pop("total") if rows else 0
    for row in rows[1:]:
        del row["total"]
    return rows, int(count)


def lifecycle_counts(conn: Connection, principal: Principal, opd_code: str) -> dict[str, int]:
    """How many assets of one OPD are in each lifecycle (none outside the principal's scope)."""
    where = (ASSET.c.opd_code == opd_code, principal.where(ASSET.c.opd_code))
    query = select(ASSET.c.lifecycle, func.count()).where(*where).group_by(ASSET.c.lifecycle)
    return {str(lifecycle): int(n) for lifecycle, n in conn.execute(query)}


def scans_between(
    conn: Connection, principal: Principal, scope: str, since: datetime, until: datetime, limit: int
) -> Rows:
    """Scans of an asset's scan scope that ran between two sightings, newest first."""
    query = (
        select(*(SCAN.c[n] for n in SCAN_COLUMNS))
        .where(
            SCAN.c.scope == scope,
            principal.where(SCAN.c.opd_code),
            SCAN.c.started_at <= until,
            or_(SCAN.c.finished_at >= since, SCAN.c.finished_at.is_(None)),
        )
        .order_by(SCAN.c.started_at.desc())
        .limit(limit)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


# --- ingestion and declarations -------------------------------------------------------------


def find_candidates(
    conn: Connection,
    macs: Iterable[str],
    serials: Iterable[str],
    addresses: Iterable[str],
    codes: Iterable[tuple[str, str]] = (),
    names: Iterable[tuple[str, str]] = (),
) -> list[dict[str, Any]]:
    """Light rows of the assets sharing a MAC, a serial, a primary address, an (OPD, asset
    code) or, among assets known only so, an (OPD, name) in any capitals with the input.

    A writer resolves identities under one lock on PostgreSQL, so two writers never both
    create an asset for one MAC, serial, address, asset code or name."""
    lock_asset_identities(conn)
    bulk = Bulk(conn)
    named = sorted({name for _, name in names})
    wanted = {
        "mac": sorted(set(macs)),
        "serial": sorted(set(serials)),
        "address": sorted(set(addresses)),
        "asset_code": sorted({code for _, code in codes}),
        "name": named,
        "name_lower": sorted({name.lower() for name in named}),
    }
    # only the keys the input has: the name branch alone reads every asset without a MAC. A
    # name is matched in any capitals ("server simpus" is "Server SIMPUS"); as written too,
    # for SQLite's lower() folds ASCII letters only
    where = [bulk.in_list(c, c) for c in ("mac", "serial", "address", "asset_code") if wanted[c]]
    if named:
        exact, folded = bulk.in_list("name", "name"), bulk.in_list("lower(name)", "name_lower")
        where.append(f"(({exact} OR {folded}) AND {NAME_ONLY})")
    if not where:
        return []
    params = {column: bulk.list_param(values) for column, values in wanted.items() if values}
    sql = f"SELECT {', '.join(LIGHT)} FROM asset WHERE {' OR '.join(where)}"
    found = [dict(zip(LIGHT, row, strict=True)) for row in bulk.fetch(sql, params)]
    for row in found:
        row["last_seen"] = parse_ts(row["last_seen"])
    return found


def known_by_name_only(conn: Connection, opd: str, names: Iterable[str]) -> dict[str, int]:
    """(name in lower case -> id) of the OPD's assets known only by their name (no MAC, serial,
    asset code or address) whose name is one of `names` in any capitals (as written too: SQLite's
    lower() folds ASCII letters only)."""
    wanted = sorted(set(names))
    found: dict[str, int] = {}
    for chunk in chunks(wanted):
        folded = sorted({name.lower() for name in chunk})
        query = select(ASSET.c.id, ASSET.c.name).where(
            ASSET.c.opd_code == opd,
            text(NAME_ONLY),
            or_(func.lower(ASSET.c.name).in_(folded), ASSET.c.name.in_(chunk)),
        )
        for asset_id, name in conn.execute(query.order_by(ASSET.c.id)):
            found.setdefault(name.lower(), asset_id)
    return found


def get_rows(conn: Connection, ids: Sequence[int]) -> list[dict[str, Any]]:
    """Full rows, locked in id order when a writer reads them on PostgreSQL."""
    lock_asset_identities(conn)
    rows: list[dict[str, Any]] = []
    for chunk in chunks(sorted(set(ids))):
        query = for_update(conn, select(ASSET).where(ASSET.c.id.in_(chunk)).order_by(ASSET.c.id))
        rows += [dict(r) for r in conn.execute(query).mappings()]
    return rows


def services_of(conn: Connection, asset_ids: Sequence[int]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for chunk in chunks(sorted(set(asset_ids))):
        query = select(SERVICE).where(SERVICE.c.asset_id.in_(chunk))
        rows += [dict(r) for r in conn.execute(query).mappings()]
    return rows


@cache
def _converted(columns: tuple[str, ...]) -> tuple[list[int], list[int]]:
    """Positions of the JSON and of the timestamp columns among `columns`."""
    return (
        [i for i, name in enumerate(columns) if name in ASSET_JSON],
        [i for i, name in enumerate(columns) if name in ASSET_TIMES],
    )


def _values(bulk: Bulk, row: dict[str, Any], columns: tuple[str, ...]) -> tuple[Any, ...]:
    """A row's values in the order of `columns`, as the driver stores them."""
    out = [row[name] for name in columns]
    docs, times = _converted(columns)
    for i in docs:
        out[i] = bulk.doc(out[i])
    for i in times:
        out[i] = bulk.ts(out[i])
    return tuple(out)


def insert_assets(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert and return the new ids, in order."""
    if not rows:
        return []
    bulk = Bulk(conn)
    values = [_values(bulk, row, ASSET_INSERT) for row in rows]
    if bulk.postgres:  # ids drawn from the sequence up front: one set-based INSERT
        ids = [
            new_id
            for (new_id,) in bulk.fetch(
                "SELECT nextval(pg_get_serial_sequence('asset', 'id')) FROM generate_series(1, :n)",
                {"n": len(rows)},
            )
        ]
        bulk.insert(
            ASSET, ("id", *ASSET_INSERT), [(i, *v) for i, v in zip(ids, values, strict=True)]
        )
        return ids
    bulk.insert(ASSET, ASSET_INSERT, values)
    # SQLite serialises writers, so one executemany receives consecutive rowids
    last = bulk.last_insert_rowid()
    return list(range(last - len(rows) + 1, last + 1))


def update_assets(conn: Connection, rows: list[dict[str, Any]]) -> None:
    bulk = Bulk(conn)
    values = [(*_values(bulk, row, ASSET_MUTABLE), row["id"]) for row in rows]
    bulk.update(ASSET, ASSET_MUTABLE, ("id",), values)


def touch_assets(
    conn: Connection,
    seen: Sequence[tuple[int, datetime, str | None]],
    placed: Sequence[dict[str, Any]] = (),
) -> None:
    """Bookkeeping of repeat sightings that changed nothing else: (id, last_seen, last scan id);
    `placed`: rows whose scope or identity rule changed too."""
    bulk = Bulk(conn)
    ts = bulk.ts
    bulk.update(ASSET, ("last_seen", "last_scan_id"), ("id",), [
        (ts(last_seen), scan_id, asset_id) for asset_id, last_seen, scan_id in seen
    ])  # fmt: skip
    bulk.update(ASSET, TOUCHED, ("id",), [
        (ts(r["last_seen"]), r["last_scan_id"], r["scope"], r["identity_rule"], r["id"])
        for r in placed
    ])  # fmt: skip


def touch_services(conn: Connection, rows: Sequence[tuple[int, datetime, datetime]]) -> None:
    """(asset id, previous, new): the services seen with the asset's last sighting are seen again."""
    bulk = Bulk(conn)
    ts = bulk.ts
    bulk.update(SERVICE, ("last_seen",), ("asset_id", "last_seen"), [
        (ts(new), asset_id, ts(prev)) for asset_id, prev, new in rows
    ])  # fmt: skip


SERVICE_INSERT = ("asset_id", "port", "protocol", "name", "product", "version")


def insert_services(conn: Connection, rows: list[dict[str, Any]]) -> None:
    bulk = Bulk(conn)
    ts = bulk.ts
    bulk.insert(SERVICE, (*SERVICE_INSERT, "first_seen", "last_seen"), [
        (*(r.get(k) for k in SERVICE_INSERT), ts(r["first_seen"]), ts(r["last_seen"]))
        for r in rows
    ])  # fmt: skip


def update_services(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """By natural key (asset, port, protocol): services inserted in this batch have no id yet."""
    bulk = Bulk(conn)
    ts = bulk.ts
    columns, keys = ("name", "product", "version", "last_seen"), ("asset_id", "port", "protocol")
    bulk.update(SERVICE, columns, keys, [
        (r.get("name"), r.get("product"), r.get("version"), ts(r["last_seen"]),
         r["asset_id"], r["port"], r["protocol"])
        for r in rows
    ])  # fmt: skip


def active_in_scope_seen_before(
    conn: Connection, scope: str, before: datetime
) -> list[dict[str, Any]]:
    """Assets of a scan scope, not retired, whose last sighting predates the scan."""
    lock_asset_identities(conn)
    query = select(ASSET).where(
        ASSET.c.scope == scope,
        ASSET.c.lifecycle == Lifecycle.ACTIVE,
        or_(ASSET.c.last_seen < before, ASSET.c.last_seen.is_(None)),
    )
    query = for_update(conn, query.order_by(ASSET.c.id))
    return [dict(r) for r in conn.execute(query).mappings()]
