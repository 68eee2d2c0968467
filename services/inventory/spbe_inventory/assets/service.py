"""Folding observations and declarations into the asset catalogue.

Precedence: a field a person declared wins over what scans observed, field by field, and a scan
never overwrites it; the plain columns hold the merged view. Observations older than the asset's
last sighting change nothing but may move first_seen back. Every change writes a history row.

Repeat sightings are the bulk of ingestion: an observation whose fingerprint equals the one last
applied to an active asset changes nothing but `last_seen`, so it takes a light path (no full row
is loaded, one UPDATE for the asset and one for its services).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from spbe_common.events.payloads import AssetObserved
from spbe_inventory.db import utcnow
from spbe_inventory.history.models import ChangeAction, EntityKind
from spbe_inventory.history.service import Cause, ChangeLog

from . import repository as repo
from .identity import AssetState, Identity, IdentityIndex
from .models import MERGED

DEFAULTS: dict[str, Any] = {"kind": "other", "lifecycle": "active", "addresses": []}
SERVICE_FIELDS = ("name", "product", "version")


@dataclass(frozen=True, slots=True)
class Observation:
    identity: Identity
    data: AssetObserved
    opd_code: str | None  # the OPD of the scan's scope
    at: datetime
    scan_id: str | None
    cause: Cause
    fingerprint: str  # equal fingerprints: the same observation again

    def fields(self) -> dict[str, Any]:
        """Observed values; None means "not seen", never "erase"."""
        data = self.data
        return {
            "hostname": data.hostname,
            "mac": data.mac,
            "serial": data.serial,
            "os_guess": data.os_guess,
            "vendor": data.vendor,
            "address": data.addresses[0],
            "addresses": list(data.addresses),
            "opd_code": self.opd_code,
        }

    def services(self) -> list[dict[str, Any]]:
        return [
            {
                "port": s.port,
                "protocol": s.protocol.value,
                "name": s.name,
                "product": s.product,
                "version": s.version,
            }
            for s in self.data.services
        ]


@dataclass(frozen=True, slots=True)
class Declaration:
    identity: Identity
    fields: dict[str, Any]  # declared values; only the keys present are declared
    cause: Cause
    asset_id: int | None = None  # set when a person edits a known asset


def observation_of(
    data: AssetObserved,
    raw: bytes,
    scope: str | None,
    scan_id: str | None,
    opd: str | None,
    cause: Cause,
) -> Observation:
    """`raw` is the event's data as it arrived: hashing it is cheaper than hashing the model."""
    ident = Identity(data.mac, data.serial, tuple(data.addresses), data.hostname, scope)
    digest = hashlib.blake2b(raw, digest_size=16)
    digest.update(f"|{scope}|{opd}".encode())
    return Observation(ident, data, opd, cause.at, scan_id, cause, digest.hexdigest())


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
    now = utcnow()
    row.update(
        id=None,
        first_seen=at,
        last_seen=at,
        scope=scope,
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


@dataclass
class AssetUnitOfWork:
    """Assets loaded for one batch, changed in memory, written back by `flush`."""

    conn: Connection
    changes: ChangeLog
    index: IdentityIndex = field(default_factory=IdentityIndex)
    states: dict[int, AssetState] = field(default_factory=dict)  # by id(state)
    _touches: dict[int, tuple[AssetState, datetime]] = field(default_factory=dict)

    # --- loading ------------------------------------------------------------------------
    def load(self, idents: Iterable[Identity]) -> None:
        """Light rows of every asset these identities may resolve to."""
        idents = list(idents)
        rows = repo.find_candidates(
            self.conn,
            (i.mac for i in idents if i.mac),
            (i.serial for i in idents if i.serial),
            (i.addresses[0] for i in idents if i.addresses),
        )
        known = {s.id for s in self.states.values()}
        for row in rows:
            if row["id"] not in known:
                self._keep(AssetState(row, full=False))

    def load_ids(self, ids: Sequence[int]) -> None:
        known = {s.id for s in self.states.values()}
        for row in repo.get_rows(self.conn, [i for i in ids if i not in known]):
            self._keep(AssetState(row, full=True))
        self._complete([s for s in self.states.values() if s.id in ids])

    def _keep(self, state: AssetState) -> None:
        self.states[id(state)] = state
        self.index.add(state)

    def _complete(self, states: list[AssetState]) -> None:
        """Load full rows and services of states that will change."""
        light = [s for s in states if not s.full and s.id is not None]
        full_rows = {r["id"]: r for r in repo.get_rows(self.conn, [s.id for s in light])}  # type: ignore[misc]
        for state in light:
            state.row = full_rows[state.id]
            state.full = True
        need = [s for s in states if s.services is None]
        for state in need:
            state.services = {}
        by_id = {s.id: s for s in need if s.id is not None}
        for svc in repo.services_of(self.conn, list(by_id)):
            by_id[svc["asset_id"]].services[(svc["port"], svc["protocol"])] = svc  # type: ignore[index]

    def _resolve(
        self, ident: Identity, at: datetime | None, new_rule: str
    ) -> tuple[AssetState, str]:
        state, rule = self.index.resolve(ident)
        if state is not None:
            return state, rule
        state = AssetState(_new_row(ident.scope, new_rule, at), full=True, is_new=True)
        state.services = {}
        self._keep(state)
        return state, new_rule

    # --- observations -------------------------------------------------------------------
    def observe_all(self, observations: Sequence[Observation]) -> None:
        """Two passes: find which assets really change, load only those, then apply in order."""
        self.load(o.identity for o in observations)
        targets = []
        changing = []
        for obs in observations:
            state, rule = self._resolve(obs.identity, obs.at, "new")
            targets.append((state, rule))
            if not self._is_repeat(state, obs):
                changing.append(state)
        self._complete(changing)
        for obs, (state, rule) in zip(observations, targets, strict=True):
            if state.full:
                self._observe(state, rule, obs)
            else:
                self._repeat(state, rule, obs)

    @staticmethod
    def _is_repeat(state: AssetState, obs: Observation) -> bool:
        row = state.row
        return (
            not state.is_new
            and row["fingerprint"] == obs.fingerprint
            and row["lifecycle"] == "active"
        )

    def _repeat(self, state: AssetState, rule: str, obs: Observation) -> None:
        row = state.row
        if row["last_seen"] is not None and obs.at < row["last_seen"]:
            return  # older than what we know: changes nothing
        if id(state) not in self._touches:
            self._touches[id(state)] = (state, row["last_seen"])
        row.update(last_seen=obs.at, last_scan_id=obs.scan_id, identity_rule=rule)
        if obs.identity.scope:
            row["scope"] = obs.identity.scope
        state.mark("touched")

    def _observe(self, state: AssetState, rule: str, obs: Observation) -> None:
        row = state.row
        if not state.is_new and row["last_seen"] is not None and obs.at < row["last_seen"]:
            if row["first_seen"] is None or obs.at < row["first_seen"]:
                row["first_seen"] = obs.at
                state.mark("changed")
            return  # an older sighting must not undo a newer one
        created = state.is_new and not row.get("_created")
        before = merged(row["declared"], row["observed"])
        observed = {**row["observed"], **{k: v for k, v in obs.fields().items() if v is not None}}
        observed["lifecycle"] = "active"
        row["observed"] = observed
        service_changes = self._observe_services(state, obs)
        row.update(
            last_seen=obs.at,
            first_seen=row["first_seen"] or obs.at,
            last_scan_id=obs.scan_id,
            fingerprint=obs.fingerprint,
            identity_rule=rule,
        )
        if obs.identity.scope:
            row["scope"] = obs.identity.scope
        state.mark("changed")
        self._apply(state, before, service_changes, obs.cause, created)
        self.index.add(state)

    def _observe_services(self, state: AssetState, obs: Observation) -> dict[str, Any]:
        assert state.services is not None
        changes: dict[str, Any] = {}
        for seen in obs.services():
            key = (seen["port"], seen["protocol"])
            current = state.services.get(key)
            fresh = {k: seen.get(k) for k in SERVICE_FIELDS}
            if current is None:
                state.services[key] = {
                    **seen,
                    "id": None,
                    "first_seen": obs.at,
                    "last_seen": obs.at,
                    "_dirty": "new",
                }
                changes[f"{key[0]}/{key[1]}"] = fresh
                continue
            current["last_seen"] = obs.at
            current.setdefault("_dirty", "changed")
            known = {k: v for k, v in fresh.items() if v is not None}
            if any(current.get(k) != v for k, v in known.items()):
                current.update(known)
                changes[f"{key[0]}/{key[1]}"] = known
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
            row["_created"] = True
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
            found = next((s for s in self.states.values() if s.id == decl.asset_id), None)
            if found is None:
                raise LookupError(f"asset {decl.asset_id} not found")
            state = found
        else:
            state, _ = self._resolve(decl.identity, None, "declared")
        self._complete([state])
        row = state.row
        created = state.is_new and not row.get("_created")
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
        states = []
        for row in rows:
            state = next((s for s in self.states.values() if s.id == row["id"]), None)
            if state is None:
                state = AssetState(row, full=True)
                self._keep(state)
            states.append(state)
        self._complete(states)
        marked = 0
        for state in states:
            before = merged(state.row["declared"], state.row["observed"])
            state.row["observed"] = {**state.row["observed"], "lifecycle": "missing"}
            after = merged(state.row["declared"], state.row["observed"])
            if after["lifecycle"] == "missing":
                state.row.update(after, updated_at=cause.at)
                self.changes.record(
                    EntityKind.ASSET,
                    state.id,
                    ChangeAction.MARKED_MISSING,
                    {"lifecycle": before["lifecycle"]},
                    {"lifecycle": "missing"},
                    cause,
                    state,
                )
                marked += 1
            state.mark("changed")
        self.flush()
        return marked

    # --- write back ---------------------------------------------------------------------
    def flush(self) -> None:
        states = list(self.states.values())
        new = [s for s in states if s.is_new]
        ids = repo.insert_assets(self.conn, [s.row for s in new])
        for state, new_id in zip(new, ids, strict=True):
            state.row["id"] = new_id
            state.is_new = False
            state.status = "clean"
        repo.update_assets(self.conn, [s.row for s in states if s.status == "changed"])
        repo.touch_assets(self.conn, [s.row for s in states if s.status == "touched"])
        touches = [
            (s.id, prev, s.row["last_seen"])
            for s, prev in self._touches.values()
            if prev is not None
        ]
        repo.touch_services(self.conn, touches)  # type: ignore[arg-type]
        self._touches.clear()
        self._flush_services(states)
        for state in states:
            state.status = "clean"
        self.changes.flush(self.conn)

    def _flush_services(self, states: list[AssetState]) -> None:
        new: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        for state in states:
            for svc in (state.services or {}).values():
                dirty = svc.pop("_dirty", None)
                svc["asset_id"] = state.id
                if dirty == "new":
                    new.append(svc)
                elif dirty == "changed":
                    changed.append(svc)
        repo.insert_services(self.conn, new)
        repo.update_services(self.conn, changed)
