"""What an OPD's administrator does with the review queue, for the API and the web pages alike.

- accept: the discovered host becomes a person's record (name, kind, owner and its OPD declared,
  optionally linked to the application it runs);
- merge: it is really a declared asset; its observed data and services move onto that asset,
  its history rows too, and its row leaves the catalogue; `asset_merge` keeps what un-merge
  needs to put both records and their history back as they were;
- ignore (with a reason): it stays in the catalogue, out of the queue; later scans that see it
  again leave it ignored (identity resolution finds the same asset).

Each answers the item as the queue lists it; a refusal raises HTTPException (404 outside the
scope, 409 for a state that does not allow it, 422 for a target that cannot be named).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import HTTPException
from sqlalchemy import Connection

from spbe_common.api import Unprocessable
from spbe_common.auth import Principal
from spbe_common.db import lock_asset_identities
from spbe_inventory.api.listing import found
from spbe_inventory.applications import operations as applications
from spbe_inventory.applications.models import ApplicationUpdate
from spbe_inventory.assets import repository as assets
from spbe_inventory.assets.identity import Identity
from spbe_inventory.assets.models import MERGED
from spbe_inventory.assets.rules import diff, merged
from spbe_inventory.assets.service import AssetUnitOfWork, Declaration
from spbe_inventory.history.models import ChangeAction, EntityKind
from spbe_inventory.history.service import Cause, ChangeLog
from spbe_inventory.listing_repository import Page, Rows

from . import repository as repo
from .models import AcceptBody, IgnoreBody, MergeBody, ReviewState

MERGED_STATE = "merged"  # a listing state: merges that stand, rather than a state of a row
SERVICE_TEXT = ("name", "product", "version")
NOBODY = Identity(None, None, (), None, None)


def listing(
    conn: Connection, principal: Principal, page: Page, opd_code: str | None, state: str
) -> tuple[Rows, int]:
    if state == MERGED_STATE:
        return repo.merges_page(conn, principal, page, opd_code)
    rows, count = repo.queue_page(conn, principal, page, opd_code, ReviewState(state))
    return [{**row, "merged_into": None} for row in rows], count


def _item(row: dict[str, Any]) -> dict[str, Any]:
    out = {name: row[name] for name in (*repo.ITEM_COLUMNS, *repo.REVIEW_COLUMNS)}
    return {**out, "merged_into": None}


def _queued(conn: Connection, principal: Principal, asset_id: int) -> dict[str, Any]:
    """The asset of the queue, locked (404 when it is not one, or outside the scope)."""
    lock_asset_identities(conn)  # before any row lock, as every asset writer does
    row = repo.item(conn, principal, asset_id)
    if row is None or not principal.may_write(row["opd_code"]):
        raise HTTPException(404, f"no discovered asset {asset_id}")
    return row


def _record(
    conn: Connection, asset_id: int, action: ChangeAction, before: Any, after: Any, cause: Cause
) -> None:
    changes = ChangeLog()
    changes.record(EntityKind.ASSET, asset_id, action, before, after, cause)
    changes.flush(conn)


# --- accept ------------------------------------------------------------------------------------
def accept(
    conn: Connection, principal: Principal, asset_id: int, body: AcceptBody, cause: Cause
) -> dict[str, Any]:
    """The discovered host becomes a person's record; 409 when it already is one."""
    row = _queued(conn, principal, asset_id)
    if row["state"] == ReviewState.ACCEPTED:
        raise HTTPException(409, f"asset {asset_id} is already accepted")
    fields = body.model_dump(mode="json", exclude={"application_id"}, exclude_none=True)
    if row["opd_code"] is not None:
        fields["opd_code"] = row["opd_code"]  # declared: no later scan moves it to another OPD
    uow = AssetUnitOfWork(conn, ChangeLog())
    uow.load_ids([asset_id])
    uow.declare(Declaration(NOBODY, fields, cause, asset_id))
    uow.flush()  # a declared asset leaves the queue (repository.claimed)
    repo.set_state(conn, asset_id, _reviewed(ReviewState.ACCEPTED, None, cause))
    before = {"review": row["state"]}
    _record(conn, asset_id, ChangeAction.UPDATED, before, {"review": "accepted"}, cause)
    if body.application_id is not None:
        _link(conn, principal, body.application_id, asset_id, cause)
    return _item(found(repo.item(conn, principal, asset_id), f"asset {asset_id} not found"))


def _reviewed(state: ReviewState, reason: str | None, cause: Cause) -> dict[str, Any]:
    return {"state": state.value, "reason": reason, "reviewed_by": cause.actor,
            "reviewed_at": cause.at}  # fmt: skip


def _link(conn: Connection, principal: Principal, app_id: int, asset_id: int, cause: Cause) -> None:
    """The application it runs names it among its servers (its own change and history row)."""
    try:
        current = applications.detail(conn, principal, app_id)["asset_ids"]
    except HTTPException:
        raise Unprocessable(
            f"unknown application id {app_id}", ("body", "application_id")
        ) from None
    if asset_id not in current:
        update = ApplicationUpdate(asset_ids=[*current, asset_id])
        applications.update(conn, principal, app_id, update, None, cause)


# --- ignore ------------------------------------------------------------------------------------
def ignore(
    conn: Connection, principal: Principal, asset_id: int, body: IgnoreBody, cause: Cause
) -> dict[str, Any]:
    """Out of the queue with a reason; 409 unless it is unreviewed."""
    row = _queued(conn, principal, asset_id)
    if row["state"] != ReviewState.UNREVIEWED:
        raise HTTPException(409, f"asset {asset_id} is {row['state']}, not unreviewed")
    repo.set_state(conn, asset_id, _reviewed(ReviewState.IGNORED, body.reason, cause))
    after = {"review": "ignored", "review_reason": body.reason}
    _record(conn, asset_id, ChangeAction.UPDATED, {"review": row["state"]}, after, cause)
    return _item(found(repo.item(conn, principal, asset_id), f"asset {asset_id} not found"))


# --- merge -------------------------------------------------------------------------------------
def merge(
    conn: Connection, principal: Principal, asset_id: int, body: MergeBody, cause: Cause
) -> dict[str, Any]:
    """Moves the discovered host onto the declared asset `body.into` (see the module's doc)."""
    row = _queued(conn, principal, asset_id)
    if row["state"] == ReviewState.ACCEPTED:
        raise HTTPException(409, f"asset {asset_id} is a person's record: it is not merged")
    target = _target(conn, principal, body.into, asset_id)
    if repo.linked_applications(conn, asset_id):
        raise HTTPException(409, f"applications name asset {asset_id}: link them to the target")
    d_row = repo.asset_row(conn, asset_id)
    assert d_row is not None
    review = found(repo.review_of(conn, asset_id), f"asset {asset_id} not found")
    services = repo.services_of(conn, asset_id)
    target_services = repo.services_of(conn, body.into)
    moved, services_before = _merge_services(conn, services, target_services, body.into)
    changes = target_changes(target, d_row, cause.at)
    history = repo.history_ids(conn, EntityKind.ASSET.value, asset_id)
    repo.record_merge(conn, {
        "merged_id": asset_id, "into_id": body.into, "opd_code": d_row["opd_code"],
        "merged_row": repo.stored(d_row), "review": repo.stored(review),
        "services": [repo.stored(s) for s in services], "moved_service_ids": moved,
        "target_before": repo.stored({k: target[k] for k in changes}),
        "target_services_before": services_before, "history_ids": history,
        "merged_by": cause.actor, "merged_at": cause.at,
    })  # fmt: skip
    repo.take_away(conn, asset_id)  # first: the target takes over its MAC and serial
    repo.update_asset(conn, body.into, changes)
    repo.move_history(conn, history, body.into)
    _record_merge(conn, target, d_row, changes, cause)
    merged_item = {name: d_row[name] for name in repo.ITEM_COLUMNS}
    return {**merged_item, "state": MERGED_STATE, "reason": None, "reviewed_by": cause.actor,
            "reviewed_at": cause.at, "merged_into": body.into}  # fmt: skip


def _target(conn: Connection, principal: Principal, into: int, asset_id: int) -> dict[str, Any]:
    """The declared asset to merge into: writable, and a person's record (422 otherwise)."""
    target = assets.visible(conn, principal, into)
    if into == asset_id or target is None or not principal.may_write(target["opd_code"]):
        raise Unprocessable(f"unknown asset id {into}", ("body", "into"))
    review = repo.review_of(conn, into)
    if review is not None and review["state"] != ReviewState.ACCEPTED:
        raise Unprocessable(f"asset {into} is not a declared asset", ("body", "into"))
    return target


def target_changes(
    target: dict[str, Any], found_row: dict[str, Any], at: datetime
) -> dict[str, Any]:
    """The target's columns after the discovered host's observations joined its own (pure):
    what scans saw of the host fills in, what a person declared on the target still wins."""
    seen = {k: v for k, v in found_row["observed"].items() if v is not None}
    observed = {**target["observed"], **seen}
    after: dict[str, Any] = {**merged(target["declared"], observed), "observed": observed}
    times = [t for t in (target["first_seen"], found_row["first_seen"]) if t is not None]
    after["first_seen"] = min(times, default=None)
    last = [t for t in (target["last_seen"], found_row["last_seen"]) if t is not None]
    after["last_seen"] = max(last, default=None)
    if found_row["last_seen"] is not None and found_row["last_seen"] == after["last_seen"]:
        for name in ("scope", "last_scan_id", "fingerprint"):
            after[name] = found_row[name]
    changed = {k: v for k, v in after.items() if target.get(k) != v}
    return {**changed, "updated_at": at} if changed else {}


def _merge_services(
    conn: Connection,
    found_services: list[dict[str, Any]],
    target_services: list[dict[str, Any]],
    into: int,
) -> tuple[list[int], list[dict[str, Any]]]:
    """Services the target lacks move to it; one it has too takes what the host's says, where
    newer. Returns (ids moved, the target's services as they were before they changed)."""
    by_key = {(s["port"], s["protocol"]): s for s in target_services}
    moved: list[int] = []
    before: list[dict[str, Any]] = []
    for svc in found_services:
        known = by_key.get((svc["port"], svc["protocol"]))
        if known is None:
            moved.append(svc["id"])
            continue
        values = _joined_service(known, svc)
        if values:
            before.append(repo.stored(known))
            repo.update_service(conn, known["id"], values)
    repo.move_services(conn, moved, into)
    return moved, before


def _joined_service(known: dict[str, Any], svc: dict[str, Any]) -> dict[str, Any]:
    newer = svc["last_seen"] >= known["last_seen"]
    values = {"first_seen": min(known["first_seen"], svc["first_seen"]),
              "last_seen": max(known["last_seen"], svc["last_seen"])}  # fmt: skip
    for name in SERVICE_TEXT:
        values[name] = svc[name] if newer and svc[name] is not None else known[name]
    return {k: v for k, v in values.items() if known[k] != v}


def _record_merge(
    conn: Connection,
    target: dict[str, Any],
    found_row: dict[str, Any],
    changes: dict[str, Any],
    cause: Cause,
) -> None:
    """One row on the target, naming the host merged in. None stays under the host's id: its
    history now sits on the target, and SQLite may give that id to the next new asset."""
    old, new = diff(_view(target), _view({**target, **changes}))
    after = {**new, "merged_from": found_row["id"]}
    _record(conn, target["id"], ChangeAction.UPDATED, old, after, cause)


def _view(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row.get(name) for name in MERGED}


# --- un-merge ----------------------------------------------------------------------------------
def unmerge(conn: Connection, principal: Principal, merged_id: int, cause: Cause) -> dict[str, Any]:
    """Both records as they were before the merge, with their history rows (404 when no merge
    of asset `merged_id` stands in the scope). The host gets its own id back; only on SQLite,
    which gives the highest free id to the next new asset, may that id be taken by then, and
    the host comes back under a new one."""
    lock_asset_identities(conn)
    merge_row = repo.standing_merge(conn, principal, merged_id)
    if merge_row is None or not principal.may_write(merge_row["opd_code"]):
        raise HTTPException(404, f"no merge of asset {merged_id}")
    into = merge_row["into_id"]
    target = found(repo.asset_row(conn, into), f"asset {into} not found")
    restored_target = repo.restored(merge_row["target_before"])
    repo.update_asset(conn, into, restored_target)  # first: frees the MAC and serial again
    found_row = repo.restored(merge_row["merged_row"])
    review = repo.restored(merge_row["review"], repo.REVIEW)
    host_id = repo.put_back(conn, found_row, review)
    moved = set(merge_row["moved_service_ids"])
    repo.move_services(conn, sorted(moved), host_id)
    gone = [repo.restored(s, assets.SERVICE) for s in merge_row["services"] if s["id"] not in moved]
    repo.insert_services(conn, [{**s, "asset_id": host_id} for s in gone])
    for svc in merge_row["target_services_before"]:
        repo.update_service(conn, svc["id"], repo.restored(svc, assets.SERVICE))
    repo.move_history(conn, merge_row["history_ids"], host_id)
    repo.undo_merge(conn, merge_row["id"], cause.actor, cause.at)
    old, new = diff(_view(target), _view({**target, **restored_target}))
    _record(conn, into, ChangeAction.UPDATED, old, {**new, "unmerged": host_id}, cause)
    after = {**_view(found_row), "unmerged_from": into}
    _record(conn, host_id, ChangeAction.CREATED, None, after, cause)
    return _item(found(repo.item(conn, principal, host_id), f"asset {host_id} not found"))
