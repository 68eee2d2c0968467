"""Folding observations and declarations into the asset catalogue.

Precedence: a field a person declared wins over what scans observed, field by field, and a scan
never overwrites it; the plain columns hold the merged view. Observations older than the asset's
last sighting change nothing but may move first_seen back. Every change writes a history row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from spbe_common.events.payloads import AssetObserved
from sqlalchemy import Connection

from spbe_inventory.db import utcnow
from spbe_inventory.history.models import ChangeAction, EntityKind
from spbe_inventory.history.service import Cause, ChangeLog

from . import repository as repo
from .identity import AssetState, Identity, IdentityIndex

# Fields whose value is the merge of declared and observed state.
MERGED = (
    "name",
    "kind",
    "hostname",
    "mac",
    "serial",
    "opd_code",
    "location",
    "owner",
    "facility_id",
    "address",
    "addresses",
    "os_guess",
    "vendor",
    "lifecycle",
)
DEFAULTS: dict[str, Any] = {"kind": "other", "lifecycle": "active", "addresses": []}


@dataclass(frozen=True, slots=True)
class Observation:
    identity: Identity
    fields: dict[str, Any]  # observed values; None means "not seen", never "erase"
    services: tuple[dict[str, Any], ...]
    at: datetime
    scan_id: str | None
    cause: Cause


@dataclass(frozen=True, slots=True)
class Declaration:
    identity: Identity
    fields: dict[str, Any]  # declared values; only the keys present are declared
    cause: Cause
    asset_id: int | None = None  # set when a person edits a known asset


def observation_of(
    data: AssetObserved, scope: str | None, scan_id: str | None, opd: str | None, cause: Cause
) -> Observation:
    addresses = tuple(str(a) for a in data.addresses)
    fields = {
        "hostname": data.hostname,
        "mac": data.mac,
        "serial": data.serial,
        "os_guess": data.os_guess,
        "vendor": data.vendor,
        "address": addresses[0],
        "addresses": list(addresses),
        "opd_code": opd,
    }
    services = tuple(s.model_dump(mode="json") for s in data.services)
    ident = Identity(data.mac, data.serial, addresses, data.hostname, scope)
    return Observation(ident, fields, services, cause.at, scan_id, cause)


def merged(declared: dict[str, Any], observed: dict[str, Any]) -> dict[str, Any]:
    return {
        name: declared[name] if name in declared else observed.get(name, DEFAULTS.get(name))
        for name in MERGED
    }


def _diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    changed = [name for name in after if before.get(name) != after[name]]
    return {n: before.get(n) for n in changed}, {n: after[n] for n in changed}


def _new_row(scope: str | None, rule: str, at: datetime | None) -> dict[str, Any]:
    row: dict[str, Any] = {name: DEFAULTS.get(name) for name in MERGED}
    row.update(
        id=None,
        first_seen=at,
        last_seen=at,
        scope=scope,
        last_scan_id=None,
        identity_rule=rule,
        observed={},
        declared={},
        is_sample=False,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    return row


@dataclass
class AssetUnitOfWork:
    """Assets loaded for one batch, changed in memory, written back by `flush`."""

    conn: Connection
    changes: ChangeLog
    index: IdentityIndex = field(default_factory=IdentityIndex)
    states: list[AssetState] = field(default_factory=list)

    def load(self, idents: Iterable[Identity]) -> None:
        idents = list(idents)
        rows = repo.find_candidates(
            self.conn,
            (i.mac for i in idents if i.mac),
            (i.serial for i in idents if i.serial),
            (i.addresses[0] for i in idents if i.addresses),
        )
        self._adopt(rows)

    def load_ids(self, ids: Sequence[int]) -> None:
        self._adopt(repo.get_rows(self.conn, ids))

    def _adopt(self, rows: list[dict[str, Any]]) -> None:
        known = {s.id for s in self.states}
        fresh = [AssetState(row) for row in rows if row["id"] not in known]
        for state in fresh:
            self.index.add(state)
        self.states += fresh
        self._load_services([s for s in fresh])

    def _load_services(self, states: list[AssetState]) -> None:
        by_id = {s.id: s for s in states}
        for state in states:
            state.services = {}
        for svc in repo.services_of(self.conn, [i for i in by_id if i is not None]):
            services = by_id[svc["asset_id"]].services
            assert services is not None
            services[(svc["port"], svc["protocol"])] = svc

    def by_id(self, asset_id: int) -> AssetState | None:
        return next((s for s in self.states if s.id == asset_id), None)

    def _resolve(
        self, ident: Identity, at: datetime | None, new_rule: str
    ) -> tuple[AssetState, bool]:
        state, rule = self.index.resolve(ident)
        if state is not None:
            if state.row["identity_rule"] != rule and rule != "new":
                state.row["identity_rule"] = rule
                state.mark("touched")
            return state, False
        state = AssetState(_new_row(ident.scope, new_rule, at), is_new=True)
        state.services = {}
        self.states.append(state)
        return state, True

    # --- observations -------------------------------------------------------------------
    def observe(self, obs: Observation) -> None:
        state, created = self._resolve(obs.identity, obs.at, "new")
        row = state.row
        if not created and row["last_seen"] is not None and obs.at < row["last_seen"]:
            if row["first_seen"] is None or obs.at < row["first_seen"]:
                row["first_seen"] = obs.at
                state.mark("changed")
            return  # an older sighting must not undo a newer one
        before = merged(row["declared"], row["observed"])
        observed = {**row["observed"], **{k: v for k, v in obs.fields.items() if v is not None}}
        observed["lifecycle"] = "active"
        row["observed"] = observed
        service_changes = self._observe_services(state, obs)
        self._touch(state, obs, created)
        self._apply(state, before, service_changes, obs.cause, created)
        self.index.add(state)

    def _touch(self, state: AssetState, obs: Observation, created: bool) -> None:
        row = state.row
        row["last_seen"] = obs.at
        row["first_seen"] = row["first_seen"] or obs.at
        if obs.identity.scope:
            row["scope"] = obs.identity.scope
        row["last_scan_id"] = obs.scan_id
        state.mark("touched")

    def _observe_services(self, state: AssetState, obs: Observation) -> dict[str, Any]:
        assert state.services is not None
        changes: dict[str, Any] = {}
        for seen in obs.services:
            key = (seen["port"], seen["protocol"])
            label = f"{key[0]}/{key[1]}"
            current = state.services.get(key)
            if current is None:
                state.services[key] = {
                    **seen,
                    "id": None,
                    "first_seen": obs.at,
                    "last_seen": obs.at,
                    "_dirty": "new",
                }
                changes[label] = {k: seen.get(k) for k in ("name", "product", "version")}
                continue
            current["last_seen"] = obs.at
            current.setdefault("_dirty", "touched")
            fresh = {
                k: seen.get(k) for k in ("name", "product", "version") if seen.get(k) is not None
            }
            if any(current.get(k) != v for k, v in fresh.items()):
                current.update(fresh)
                if current["_dirty"] != "new":
                    current["_dirty"] = "changed"
                changes[label] = fresh
        return changes

    def _apply(
        self,
        state: AssetState,
        before: dict[str, Any],
        services: dict[str, Any],
        cause: Cause,
        created: bool,
    ) -> None:
        row = state.row
        after = merged(row["declared"], row["observed"])
        row.update(after)
        old, new = _diff(before, after)
        if services:
            new["services"] = services
        if created:
            self.changes.record(
                EntityKind.ASSET, None, ChangeAction.CREATED, None, {**after, **new}, cause, state
            )
        elif new:
            action = (
                ChangeAction.REAPPEARED
                if old.get("lifecycle") == "missing"
                else ChangeAction.UPDATED
            )
            self.changes.record(EntityKind.ASSET, state.id, action, old, new, cause, state)
        if created or new:
            row["updated_at"] = cause.at
            state.mark("changed")

    # --- declarations -------------------------------------------------------------------
    def declare(self, decl: Declaration) -> AssetState:
        if decl.asset_id is not None:
            found = self.by_id(decl.asset_id)
            if found is None:
                raise LookupError(f"asset {decl.asset_id} not found")
            state, created = found, False
        else:
            state, created = self._resolve(decl.identity, None, "declared")
        row = state.row
        before = merged(row["declared"], row["observed"])
        row["declared"] = {**row["declared"], **decl.fields}
        self._apply(state, before, {}, decl.cause, created)
        self.index.add(state)
        return state

    # --- scans --------------------------------------------------------------------------
    def mark_missing(self, scope: str, started_at: datetime, cause: Cause) -> int:
        """A complete scan of `scope` did not see these assets: missing, never deleted."""
        self.flush()
        rows = repo.active_in_scope_seen_before(self.conn, scope, started_at)
        self._adopt(rows)
        marked = 0
        for row_id in (r["id"] for r in rows):
            state = self.by_id(row_id)
            assert state is not None
            before = merged(state.row["declared"], state.row["observed"])
            state.row["observed"] = {**state.row["observed"], "lifecycle": "missing"}
            after = merged(state.row["declared"], state.row["observed"])
            if after["lifecycle"] == "missing":
                state.row.update(after)
                self.changes.record(
                    EntityKind.ASSET,
                    row_id,
                    ChangeAction.MARKED_MISSING,
                    {"lifecycle": before["lifecycle"]},
                    {"lifecycle": "missing"},
                    cause,
                    state,
                )
                marked += 1
            state.row["updated_at"] = cause.at
            state.mark("changed")
        self.flush()
        return marked

    # --- write back ---------------------------------------------------------------------
    def flush(self) -> None:
        new = [s for s in self.states if s.is_new]
        ids = repo.insert_assets(
            self.conn, [{k: v for k, v in s.row.items() if k != "id"} for s in new]
        )
        for state, new_id in zip(new, ids, strict=True):
            state.row["id"] = new_id
            state.is_new = False
            state.status = "clean"
        repo.update_assets(self.conn, [s.row for s in self.states if s.status == "changed"])
        repo.touch_assets(self.conn, [s.row for s in self.states if s.status == "touched"])
        self._flush_services()
        for state in self.states:
            state.status = "clean"
        self.changes.flush(self.conn)

    def _flush_services(self) -> None:
        groups: dict[str, list[dict[str, Any]]] = {"new": [], "changed": [], "touched": []}
        for state in self.states:
            for svc in (state.services or {}).values():
                dirty = svc.pop("_dirty", None)
                if dirty:
                    svc["asset_id"] = state.id
                    groups[dirty].append(svc)
        repo.insert_services(
            self.conn, [{k: v for k, v in s.items() if k != "id"} for s in groups["new"]]
        )
        repo.update_services(self.conn, groups["changed"])
        repo.touch_services(self.conn, groups["touched"])
        if groups["new"]:  # their ids are needed if they change again in this batch
            ids = [
                s
                for s in self.states
                if any(v.get("id") is None for v in (s.services or {}).values())
            ]
            self._load_services(ids)
