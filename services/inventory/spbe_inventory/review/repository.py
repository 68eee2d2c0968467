"""All SQL of the review queue. What a request reads or changes is found through the principal's
OPD scope (the discovered asset's OPD; a merge by the OPD of the row it took away)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from spbe_common.auth import Principal
from spbe_common.db import UTCDateTime, for_update
from spbe_common.events.enums import Lifecycle
from spbe_inventory.applications.models import ApplicationAsset
from spbe_inventory.assets.repository import ASSET, SERVICE
from spbe_inventory.bulk import Bulk, chunks
from spbe_inventory.history.service import HISTORY
from spbe_inventory.listing_repository import Page, Rows

from .models import AssetMerge, AssetReview, ReviewState

REVIEW = AssetReview.__table__  # type: ignore[attr-defined]
MERGE = AssetMerge.__table__  # type: ignore[attr-defined]
APPLICATION_ASSET = ApplicationAsset.__table__
ITEM_COLUMNS = (
    "id", "name", "kind", "hostname", "address", "mac", "opd_code", "os_guess", "first_seen",
    "last_seen",
)  # fmt: skip
REVIEW_COLUMNS = ("state", "reason", "reviewed_by", "reviewed_at")


# --- what a principal reads --------------------------------------------------------------------
def queue_page(
    conn: Connection, principal: Principal, page: Page, opd_code: str | None, state: ReviewState
) -> tuple[Rows, int]:
    """Assets in one review state, in the principal's scope; newest sightings first."""
    where = [REVIEW.c.state == state.value, principal.where(ASSET.c.opd_code)]
    if opd_code is not None:
        where.append(ASSET.c.opd_code == opd_code)
    joined = ASSET.join(REVIEW, REVIEW.c.asset_id == ASSET.c.id)
    columns = [*(ASSET.c[n] for n in ITEM_COLUMNS), *(REVIEW.c[n] for n in REVIEW_COLUMNS)]
    query = (
        select(*columns)
        .select_from(joined)
        .where(*where)
        .order_by(ASSET.c.last_seen.desc(), ASSET.c.id)
        .limit(page.limit)
        .offset(page.offset)
    )
    rows = [dict(r) for r in conn.execute(query).mappings()]
    count = conn.execute(select(func.count()).select_from(joined).where(*where)).scalar_one()
    return rows, int(count)


def merges_page(
    conn: Connection, principal: Principal, page: Page, opd_code: str | None
) -> tuple[Rows, int]:
    """Merges that stand (not undone), newest first: the rows they took away, as they were."""
    where = [MERGE.c.undone_at.is_(None), principal.where(MERGE.c.opd_code)]
    if opd_code is not None:
        where.append(MERGE.c.opd_code == opd_code)
    query = select(MERGE).where(*where).order_by(MERGE.c.id.desc())
    found = conn.execute(query.limit(page.limit).offset(page.offset)).mappings()
    rows = [_merged_item(dict(r)) for r in found]
    count = conn.execute(select(func.count()).select_from(MERGE).where(*where)).scalar_one()
    return rows, int(count)


def _merged_item(merge: dict[str, Any]) -> dict[str, Any]:
    row = restored(merge["merged_row"])
    out = {name: row.get(name) for name in ITEM_COLUMNS}
    out.update(
        state="merged",
        reason=None,
        reviewed_by=merge["merged_by"],
        reviewed_at=merge["merged_at"],
        merged_into=merge["into_id"],
    )
    return out


def unreviewed_counts(conn: Connection, principal: Principal) -> dict[str | None, int]:
    """How many assets wait in each OPD's queue (OPD outside the scope are not counted)."""
    query = (
        select(ASSET.c.opd_code, func.count())
        .select_from(ASSET.join(REVIEW, REVIEW.c.asset_id == ASSET.c.id))
        .where(REVIEW.c.state == ReviewState.UNREVIEWED.value, principal.where(ASSET.c.opd_code))
        .group_by(ASSET.c.opd_code)
    )
    return {code: int(n) for code, n in conn.execute(query)}


MERGE_TARGETS_SHOWN = 300  # per OPD: the suggestions of a merge form, not a listing


def merge_targets(
    conn: Connection, principal: Principal, opd_codes: Sequence[str]
) -> dict[str, Rows]:
    """Per OPD, the assets a discovered host of that OPD may be merged into: a person's records
    (never queued, or accepted), not retired; first those still without a MAC or address (a
    register's entry waiting for the host a scan found), then by name."""
    found: dict[str, Rows] = {code: [] for code in opd_codes}
    if not found:
        return found
    unidentified = (ASSET.c.mac.is_(None) & ASSET.c.address.is_(None)).label("unidentified")
    numbered = (
        select(
            ASSET.c.id, ASSET.c.name, ASSET.c.kind, ASSET.c.asset_code, ASSET.c.address,
            ASSET.c.hostname, ASSET.c.opd_code,
            func.row_number()
            .over(
                partition_by=ASSET.c.opd_code,
                order_by=(unidentified.desc(), ASSET.c.name, ASSET.c.id),
            )
            .label("n"),
        )
        .select_from(ASSET.outerjoin(REVIEW, REVIEW.c.asset_id == ASSET.c.id))
        .where(
            ASSET.c.opd_code.in_(sorted(found)),
            principal.where(ASSET.c.opd_code),
            ASSET.c.lifecycle != Lifecycle.RETIRED.value,
            (REVIEW.c.asset_id.is_(None)) | (REVIEW.c.state == ReviewState.ACCEPTED.value),
        )
        .subquery()
    )  # fmt: skip
    query = (
        select(numbered)
        .where(numbered.c.n <= MERGE_TARGETS_SHOWN)
        .order_by(numbered.c.opd_code, numbered.c.n)
    )
    for row in conn.execute(query).mappings():
        found[row["opd_code"]].append(dict(row))
    return found


def item(conn: Connection, principal: Principal, asset_id: int) -> dict[str, Any] | None:
    """An asset of the queue (any review state) in the principal's scope, locked for a writer."""
    query = (
        select(ASSET, *(REVIEW.c[n] for n in REVIEW_COLUMNS), REVIEW.c.discovered_at)
        .select_from(ASSET.join(REVIEW, REVIEW.c.asset_id == ASSET.c.id))
        .where(ASSET.c.id == asset_id, principal.where(ASSET.c.opd_code))
    )
    row = conn.execute(for_update(conn, query)).mappings().first()
    return dict(row) if row else None


def review_of(conn: Connection, asset_id: int) -> dict[str, Any] | None:
    query = select(REVIEW).where(REVIEW.c.asset_id == asset_id)
    row = conn.execute(for_update(conn, query)).mappings().first()
    return dict(row) if row else None


def standing_merge(conn: Connection, principal: Principal, merged_id: int) -> dict[str, Any] | None:
    """The merge that took asset `merged_id` away and is not undone, in the principal's scope."""
    query = select(MERGE).where(
        MERGE.c.merged_id == merged_id,
        MERGE.c.undone_at.is_(None),
        principal.where(MERGE.c.opd_code),
    )
    row = conn.execute(for_update(conn, query)).mappings().first()
    return dict(row) if row else None


def merged_rows(
    conn: Connection, principal: Principal, ids: Sequence[int]
) -> dict[int, dict[str, Any]]:
    """The rows merges took away (each asset as it was merged), by its id, in the principal's
    scope; of an asset merged more than once, the newest merge."""
    found: dict[int, dict[str, Any]] = {}
    for chunk in chunks(sorted(set(ids))):
        query = (
            select(MERGE.c.merged_id, MERGE.c.merged_row)
            .where(MERGE.c.merged_id.in_(chunk), principal.where(MERGE.c.opd_code))
            .order_by(MERGE.c.id)
        )
        found.update({row.merged_id: dict(row.merged_row) for row in conn.execute(query)})
    return found


def linked_applications(conn: Connection, asset_id: int) -> list[int]:
    query = select(APPLICATION_ASSET.c.application_id).where(
        APPLICATION_ASSET.c.asset_id == asset_id
    )
    return sorted(conn.execute(query).scalars())


# --- ingestion: who enters the queue, who leaves it --------------------------------------------
def discovered(conn: Connection, ids: Sequence[int], at: datetime) -> None:
    """New assets a scan created: unreviewed."""
    if not ids:
        return
    bulk = Bulk(conn)  # a first scan queues thousands: one set-based INSERT, not one per row
    state, stamp = ReviewState.UNREVIEWED.value, bulk.ts(at)
    bulk.insert(REVIEW, ("asset_id", "state", "discovered_at"), [(i, state, stamp) for i in ids])


def claimed(conn: Connection, claims: dict[int, tuple[str | None, datetime]]) -> None:
    """A person declared these assets (id -> who, when): that person's records, out of the
    queue. One read finds the few that were in it (most declared assets never were)."""
    queued: list[int] = []
    for chunk in chunks(sorted(claims)):
        query = select(REVIEW.c.asset_id).where(
            REVIEW.c.asset_id.in_(chunk), REVIEW.c.state != ReviewState.ACCEPTED.value
        )
        queued += conn.execute(query).scalars()
    for asset_id in queued:
        actor, at = claims[asset_id]
        values = {"state": ReviewState.ACCEPTED.value, "reviewed_by": actor, "reviewed_at": at}
        set_state(conn, asset_id, values)


def set_state(conn: Connection, asset_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(REVIEW).where(REVIEW.c.asset_id == asset_id).values(**values))


# --- merge and un-merge ------------------------------------------------------------------------
def asset_row(conn: Connection, asset_id: int) -> dict[str, Any] | None:
    query = for_update(conn, select(ASSET).where(ASSET.c.id == asset_id))
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def services_of(conn: Connection, asset_id: int) -> list[dict[str, Any]]:
    query = select(SERVICE).where(SERVICE.c.asset_id == asset_id).order_by(SERVICE.c.id)
    return [dict(r) for r in conn.execute(for_update(conn, query)).mappings()]


def history_ids(conn: Connection, entity: str, entity_id: int) -> list[int]:
    where = (HISTORY.c.entity == entity, HISTORY.c.entity_id == entity_id)
    return sorted(conn.execute(select(HISTORY.c.id).where(*where)).scalars())


def move_history(conn: Connection, ids: Sequence[int], entity_id: int) -> None:
    for chunk in chunks(sorted(ids)):
        conn.execute(update(HISTORY).where(HISTORY.c.id.in_(chunk)).values(entity_id=entity_id))


def update_asset(conn: Connection, asset_id: int, values: dict[str, Any]) -> None:
    if values:
        conn.execute(update(ASSET).where(ASSET.c.id == asset_id).values(**values))


def take_away(conn: Connection, asset_id: int) -> None:
    """The merged-away asset leaves the catalogue (its review row first: it names the asset)."""
    conn.execute(delete(REVIEW).where(REVIEW.c.asset_id == asset_id))
    conn.execute(delete(SERVICE).where(SERVICE.c.asset_id == asset_id))
    conn.execute(delete(ASSET).where(ASSET.c.id == asset_id))


def put_back(conn: Connection, row: dict[str, Any], review: dict[str, Any]) -> int:
    """The merged-away asset again, with its review row; under its own id when that is free
    (SQLite gives the highest free id to the next insert), else a new one. Returns the id."""
    if asset_row(conn, row["id"]) is not None:
        row = {k: v for k, v in row.items() if k != "id"}
    key = conn.execute(insert(ASSET).values(**row)).inserted_primary_key
    assert key is not None
    conn.execute(insert(REVIEW).values(**{**review, "asset_id": key[0]}))
    return int(key[0])


def move_services(conn: Connection, ids: Sequence[int], asset_id: int) -> None:
    for chunk in chunks(sorted(ids)):
        conn.execute(update(SERVICE).where(SERVICE.c.id.in_(chunk)).values(asset_id=asset_id))


def update_service(conn: Connection, service_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(SERVICE).where(SERVICE.c.id == service_id).values(**values))


def insert_services(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Services again, each under its own id when that is free (see `put_back`)."""
    for row in rows:
        taken = conn.execute(select(SERVICE.c.id).where(SERVICE.c.id == row["id"])).first()
        conn.execute(insert(SERVICE).values(**({k: v for k, v in row.items() if k != "id"}
                                                if taken else row)))  # fmt: skip


def record_merge(conn: Connection, row: dict[str, Any]) -> int:
    key = conn.execute(insert(MERGE).values(**row)).inserted_primary_key
    assert key is not None
    return int(key[0])


def undo_merge(conn: Connection, merge_id: int, actor: str | None, at: datetime) -> None:
    conn.execute(update(MERGE).where(MERGE.c.id == merge_id).values(undone_by=actor, undone_at=at))


# --- rows kept as JSON -------------------------------------------------------------------------
def stored(row: dict[str, Any]) -> dict[str, Any]:
    """A row as JSON keeps it: times and dates as ISO text, decimals as text."""
    return {k: _plain(v) for k, v in row.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def restored(row: dict[str, Any], table: Any = ASSET) -> dict[str, Any]:
    """A stored row with its times as datetimes again (the columns the table has now)."""
    out = {}
    for name, value in row.items():
        if name not in table.c:
            continue
        if value is not None and isinstance(table.c[name].type, UTCDateTime):
            value = datetime.fromisoformat(value)
        out[name] = value
    return out
