"""Folding observations and declarations into the asset catalogue: load rows, apply the rules
of `rules.py` (precedence, staleness, repeat sightings, missing marking, history), write rows.

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
from spbe_inventory.review import repository as review

from . import repository as repo
from . import rules
from .identity import AssetState, Identity, IdentityIndex
from .rules import merged

__all__ = [
    "AssetUnitOfWork",
    "Declaration",
    "Observation",
    "merged",
    "observation_of",
]


@dataclass(slots=True)  # one per event: a frozen dataclass's __init__ costs four times as much
class Observation:
    identity: Identity
    data: AssetObserved
    opd_code: str | None  # the OPD of the scan's scope
    at: datetime
    scan_id: str | None
    cause: Cause
    fingerprint: str  # equal fingerprints: the same observation again

    @property
    def scope(self) -> str | None:
        return self.identity.scope

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


@dataclass
class AssetUnitOfWork:
    """Assets loaded for one batch, changed in memory, written back by `flush`."""

    conn: Connection
    changes: ChangeLog
    index: IdentityIndex = field(default_factory=IdentityIndex)
    states: dict[int, AssetState] = field(default_factory=dict)  # by id(state)
    # repeat sightings: the state, and its last_seen, scope and identity rule before them
    _touches: dict[int, tuple[AssetState, datetime | None, str | None, str]] = field(
        default_factory=dict
    )
    # the review queue: assets a scan created, and assets a person declared (who leave it)
    _discovered: list[AssetState] = field(default_factory=list)
    _declared: dict[int, tuple[AssetState, Cause]] = field(default_factory=dict)

    # --- loading ------------------------------------------------------------------------
    def load(self, idents: Iterable[Identity]) -> None:
        """Light rows of every asset these identities may resolve to."""
        idents = list(idents)
        rows = repo.find_candidates(
            self.conn,
            (i.mac for i in idents if i.mac),
            (i.serial for i in idents if i.serial),
            (i.addresses[0] for i in idents if i.addresses),
            (i.code_key for i in idents if i.code_key),
            ((i.opd, i.name) for i in idents if i.name_key and i.opd and i.name),
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
        state = AssetState(rules.new_row(ident, new_rule, at, utcnow()), True, is_new=True)
        state.services = {}
        self._keep(state)
        if new_rule == "new":
            self._discovered.append(state)
        return state, new_rule

    def _state_of(self, asset_id: int | None) -> AssetState | None:
        return next((s for s in self.states.values() if s.id == asset_id), None)

    def _by_id(self) -> dict[int, AssetState]:
        return {s.id: s for s in self.states.values() if s.id is not None}

    def _apply(self, state: AssetState, outcome: rules.Outcome, cause: Cause) -> None:
        """Write a rule's outcome into the state, and its history row into the change log."""
        state.row.update(outcome.row)
        if outcome.services:
            services = state.services
            assert services is not None
            for key, svc in outcome.services.items():
                svc.setdefault("_dirty", "changed" if key in services else "new")
                services[key] = svc
        change = outcome.change
        if change is not None:
            if change.action is ChangeAction.CREATED:
                state.row["_created"] = True
            self.changes.record(
                EntityKind.ASSET, state.id, change.action, change.before, change.after, cause, state
            )
        if outcome.row:
            state.mark("changed")

    def _created(self, state: AssetState) -> bool:
        """The first change of an asset that is not in the catalogue yet creates it."""
        return state.is_new and not state.row.get("_created")

    # --- observations -------------------------------------------------------------------
    def observe_all(self, observations: Sequence[Observation]) -> None:
        """Two passes: find which assets really change, load only those, then apply in order."""
        self.load(o.identity for o in observations)
        targets = []
        changing = []
        for obs in observations:
            state, rule = self._resolve(obs.identity, obs.at, "new")
            targets.append((state, rule))
            if state.is_new or not rules.is_repeat(state.row, obs.fingerprint):
                changing.append(state)
        self._complete(changing)
        for obs, (state, rule) in zip(observations, targets, strict=True):
            if state.full:
                self._observe(state, rule, obs)
            else:
                self._repeat(state, rule, obs)

    def _repeat(self, state: AssetState, rule: str, obs: Observation) -> None:
        row = state.row
        updates = rules.repeat_sighting(row, obs, rule)
        if updates is None:
            return
        if id(state) not in self._touches:
            self._touches[id(state)] = (state, row["last_seen"], row["scope"], row["identity_rule"])
        row.update(updates)
        state.mark("touched")

    def _observe(self, state: AssetState, rule: str, obs: Observation) -> None:
        assert state.services is not None
        outcome = rules.observe(state.row, state.services, obs, rule, self._created(state))
        self._apply(state, outcome, obs.cause)
        self.index.add(state)

    # --- declarations -------------------------------------------------------------------
    def declare(self, decl: Declaration) -> AssetState:
        if decl.asset_id is not None:
            found = self._state_of(decl.asset_id)
            if found is None:
                raise LookupError(f"asset {decl.asset_id} not found")
            state = found
        else:
            state, _ = self._resolve(decl.identity, None, "declared")
        self._complete([state])
        outcome = rules.declare(state.row, decl.fields, decl.cause.at, self._created(state))
        self._apply(state, outcome, decl.cause)
        self.index.add(state)
        self._declared[id(state)] = (state, decl.cause)
        return state

    # --- scans --------------------------------------------------------------------------
    def mark_missing(self, scope: str, started_at: datetime, cause: Cause) -> int:
        """A complete scan of `scope` did not see these assets: missing, never deleted."""
        self.flush()
        states = []
        by_id = self._by_id()
        for row in repo.active_in_scope_seen_before(self.conn, scope, started_at):
            if not rules.missed_by_scan(row, scope, started_at):
                continue
            state = by_id.get(row["id"])
            if state is None:
                state = AssetState(row, full=True)
                self._keep(state)
            states.append(state)
        self._complete(states)
        marked = 0
        for state in states:
            outcome = rules.mark_missing(state.row, cause.at)
            self._apply(state, outcome, cause)
            marked += outcome.change is not None
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
        self._flush_touches()
        self._flush_services(states)
        for state in states:
            state.status = "clean"
        self._flush_review()
        self.changes.flush(self.conn)

    def _flush_touches(self) -> None:
        """Repeat sightings: last_seen and scan of the asset (scope and identity rule only where
        they changed; a changed asset is written whole), its services seen last time again."""
        seen, placed, services = [], [], []
        for state, last_seen, scope, rule in self._touches.values():
            row = state.row
            if last_seen is not None:
                services.append((row["id"], last_seen, row["last_seen"]))
            if state.status != "touched":
                continue
            if row["scope"] == scope and row["identity_rule"] == rule:
                seen.append((row["id"], row["last_seen"], row["last_scan_id"]))
            else:
                placed.append(row)
        repo.touch_assets(self.conn, seen, placed)
        repo.touch_services(self.conn, services)
        self._touches.clear()

    def _flush_review(self) -> None:
        """A host a scan created waits for review; a person's declaration takes it out."""
        declared = {id(s) for s, _ in self._declared.values()}
        found = [s.id for s in self._discovered if id(s) not in declared and s.id is not None]
        review.discovered(self.conn, found, utcnow())
        claims = {s.id: (c.actor, c.at) for s, c in self._declared.values() if s.id is not None}
        review.claimed(self.conn, claims)
        self._discovered.clear()
        self._declared.clear()

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
