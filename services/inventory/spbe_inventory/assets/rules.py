"""Reconciliation rules of the asset catalogue: pure decisions, no I/O, no database.

- Precedence: a field a person declared wins over what scans observed, field by field; the plain
  columns hold the merged view. A declared lifecycle is therefore never changed by a scan.
- Staleness: a sighting older than the asset's last sighting changes nothing but may move
  `first_seen` back.
- Repeat sighting: the same observation again (equal fingerprint) of an active asset changes
  nothing but the sighting bookkeeping (`last_seen`, scan, scope, identity rule).
- Missing: a complete scan marks the active assets of its scope not seen since it started
  `missing` (never deleted, never when a person declared the lifecycle); an asset seen again is
  `active` once more and its history row says `reappeared`.
- History: every change yields one row, the before/after of the merged fields that changed.

Identity resolution (which asset a sighting is about) is the other half of the rules, in
`identity.py`. These functions take row values and return new ones; the unit of work in
`service.py` loads rows, calls them and writes the results.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from spbe_common.events.enums import AssetKind, Lifecycle
from spbe_inventory.history.models import ChangeAction

from .identity import Identity
from .models import MERGED

DEFAULTS: dict[str, Any] = {"kind": AssetKind.OTHER, "lifecycle": Lifecycle.ACTIVE, "addresses": []}
SERVICE_FIELDS = ("name", "product", "version")

Row = Mapping[str, Any]
ServiceKey = tuple[int, str]  # (port, protocol)


class Sighting(Protocol):
    """What one observation says about one asset."""

    @property
    def at(self) -> datetime: ...
    @property
    def scope(self) -> str | None: ...
    @property
    def scan_id(self) -> str | None: ...
    @property
    def fingerprint(self) -> str: ...
    def fields(self) -> dict[str, Any]: ...  # None means "not seen", never "erase"
    def services(self) -> list[dict[str, Any]]: ...


@dataclass(frozen=True, slots=True)
class Change:
    """One history row: the merged fields before and after."""

    action: ChangeAction
    before: dict[str, Any] | None
    after: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a rule changes: asset columns, services by key, and the history row if any."""

    row: dict[str, Any] = field(default_factory=dict)
    services: dict[ServiceKey, dict[str, Any]] = field(default_factory=dict)
    change: Change | None = None


# --- precedence -----------------------------------------------------------------------------
_MERGED_DEFAULTS = {name: DEFAULTS.get(name) for name in MERGED}


def merged(declared: Row, observed: Row) -> dict[str, Any]:
    """The merged view: declared wins field by field, then observed, then the default.

    The defaults overlaid with the few fields each side holds (its keys keep MERGED's order).
    """
    view = _MERGED_DEFAULTS.copy()
    view.update({name: value for name, value in observed.items() if name in view})
    view.update({name: value for name, value in declared.items() if name in view})
    return view


def new_row(ident: Identity, rule: str, at: datetime | None, now: datetime) -> dict[str, Any]:
    """An asset not in the catalogue yet, first seen (or declared, `at` None) at `at`.

    It carries its identity at once, so that a second sighting in the same batch finds it.
    """
    row: dict[str, Any] = {name: DEFAULTS.get(name) for name in MERGED}
    row.update(
        mac=ident.mac,
        serial=ident.serial,
        address=ident.addresses[0] if ident.addresses else None,
        hostname=ident.hostname,
        opd_code=ident.opd,
        asset_code=ident.asset_code,
        name=ident.name,
        id=None,
        first_seen=at,
        last_seen=at,
        scope=ident.scope,
        last_scan_id=None,
        identity_rule=rule,
        fingerprint=None,
        observed={},
        declared={},
        is_sample=False,
        created_at=now,
        updated_at=now,
    )
    return row


# --- history --------------------------------------------------------------------------------
def diff(before: Row, after: Row) -> tuple[dict[str, Any], dict[str, Any]]:
    """(old values, new values) of the fields of `after` that differ from `before`."""
    changed = [name for name in after if before.get(name) != after[name]]
    return {n: before.get(n) for n in changed}, {n: after[n] for n in changed}


def change_of(before: Row, after: Row, services: dict[str, Any], created: bool) -> Change | None:
    """The history row of a change from `before` to `after` (merged views), if any."""
    old, new = diff(before, after)
    if services:
        new["services"] = services
    if created:
        return Change(ChangeAction.CREATED, None, {**after, **new})
    if not new:
        return None
    if old.get("lifecycle") == Lifecycle.MISSING:
        return Change(ChangeAction.REAPPEARED, old, new)
    return Change(ChangeAction.UPDATED, old, new)


def _settled(row: Row, observed: Row, declared: Row, at: datetime, created: bool) -> Outcome:
    """Columns after `observed`/`declared` replace the row's, with the history row."""
    after = merged(declared, observed)
    change = change_of(merged(row["declared"], row["observed"]), after, {}, created)
    updates = {**after, "observed": observed, "declared": declared}
    if change is not None:
        updates["updated_at"] = at
    return Outcome(updates, {}, change)


# --- sightings ------------------------------------------------------------------------------
def is_stale(last_seen: datetime | None, at: datetime) -> bool:
    """Older than the last sighting: must not undo what a newer one said."""
    return last_seen is not None and at < last_seen


def is_repeat(row: Row, fingerprint: str) -> bool:
    """The observation last applied, again, to an asset that is still active."""
    return row["fingerprint"] == fingerprint and row["lifecycle"] == Lifecycle.ACTIVE


def bookkeeping(sighting: Sighting, rule: str) -> dict[str, Any]:
    """What every applied sighting records: when, which scan, which scope, which rule."""
    out = {"last_seen": sighting.at, "last_scan_id": sighting.scan_id, "identity_rule": rule}
    if sighting.scope:
        out["scope"] = sighting.scope
    return out


def repeat_sighting(row: Row, sighting: Sighting, rule: str) -> dict[str, Any] | None:
    """Columns a repeat sighting changes; None when it is stale (it changes nothing)."""
    if is_stale(row["last_seen"], sighting.at):
        return None
    return bookkeeping(sighting, rule)


def stale_sighting(row: Row, at: datetime) -> Outcome:
    """A stale sighting changes nothing, except that it may move `first_seen` back."""
    if row["first_seen"] is None or at < row["first_seen"]:
        return Outcome({"first_seen": at})
    return Outcome()


def observed_after(observed: Row, fields: Row) -> dict[str, Any]:
    """The observed state after a sighting: seen values replace, unseen ones stay; active."""
    out = {**observed, **{k: v for k, v in fields.items() if v is not None}}
    out["lifecycle"] = Lifecycle.ACTIVE
    return out


def services_seen(
    current: Mapping[ServiceKey, Row], seen: Sequence[Row], at: datetime
) -> tuple[dict[ServiceKey, dict[str, Any]], dict[str, Any]]:
    """(services after the sighting by key, history of those that are new or changed).

    A service seen before keeps what this sighting did not say (None) and is seen again.
    """
    out: dict[ServiceKey, dict[str, Any]] = {}
    changes: dict[str, Any] = {}
    for svc in seen:
        key = (svc["port"], svc["protocol"])
        label = f"{key[0]}/{key[1]}"
        fresh = {k: svc.get(k) for k in SERVICE_FIELDS}
        known = out.get(key) or current.get(key)
        if known is None:
            out[key] = {**svc, "id": None, "first_seen": at, "last_seen": at}
            changes[label] = fresh
            continue
        said = {k: v for k, v in fresh.items() if v is not None}
        out[key] = {**known, "last_seen": at, **said}
        if any(known.get(k) != v for k, v in said.items()):
            changes[label] = said
    return out, changes


def observe(
    row: Row,
    services: Mapping[ServiceKey, Row],
    sighting: Sighting,
    rule: str,
    created: bool,
) -> Outcome:
    """Apply one sighting to an asset (full row) and its services."""
    if is_stale(row["last_seen"], sighting.at):
        return stale_sighting(row, sighting.at)
    observed = observed_after(row["observed"], sighting.fields())
    seen, service_changes = services_seen(services, sighting.services(), sighting.at)
    after = merged(row["declared"], observed)
    change = change_of(merged(row["declared"], row["observed"]), after, service_changes, created)
    updates = {
        **after,
        **bookkeeping(sighting, rule),
        "observed": observed,
        "first_seen": row["first_seen"] or sighting.at,
        "fingerprint": sighting.fingerprint,
    }
    if change is not None:
        updates["updated_at"] = sighting.at
    return Outcome(updates, seen, change)


# --- declarations ---------------------------------------------------------------------------
def declare(row: Row, fields: Row, at: datetime, created: bool) -> Outcome:
    """A person declares `fields`: they win over any observation until declared otherwise."""
    return _settled(row, row["observed"], {**row["declared"], **fields}, at, created)


# --- missing --------------------------------------------------------------------------------
def missed_by_scan(row: Row, scope: str, started_at: datetime) -> bool:
    """A complete scan of `scope` started at `started_at` did not see this active asset."""
    return (
        row["scope"] == scope
        and row["lifecycle"] == Lifecycle.ACTIVE
        and (row["last_seen"] is None or row["last_seen"] < started_at)
    )


def mark_missing(row: Row, at: datetime) -> Outcome:
    """Scans no longer see the asset; a declared lifecycle still wins."""
    before = merged(row["declared"], row["observed"])
    observed = {**row["observed"], "lifecycle": Lifecycle.MISSING}
    after = merged(row["declared"], observed)
    if after["lifecycle"] != Lifecycle.MISSING:
        return Outcome({"observed": observed})
    change = Change(
        ChangeAction.MARKED_MISSING,
        {"lifecycle": before["lifecycle"]},
        {"lifecycle": Lifecycle.MISSING},
    )
    return Outcome({**after, "observed": observed, "updated_at": at}, {}, change)
