"""Reconciliation rules, as properties over any order of sightings, declarations and scans."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from spbe_common.events.enums import Lifecycle
from spbe_inventory.assets import rules
from spbe_inventory.history.models import ChangeAction

from .rules_builders import Asset, Seen, at, new_asset

maybe = st.none() | st.sampled_from(["a", "b", "c"])
ports = st.tuples(st.sampled_from([22, 80, 443]), maybe, maybe, maybe)
sightings = st.builds(
    Seen,
    at=st.integers(0, 20).map(at),
    scope=st.sampled_from(["s1", "s2", None]),
    hostname=maybe,
    os_guess=maybe,
    vendor=maybe,
    address=st.sampled_from(["127.0.0.10", "127.0.0.11"]),
    opd_code=maybe,
    ports=st.lists(ports, max_size=3, unique_by=lambda p: p[0]).map(tuple),  # as nmap reports
)
declarations = st.dictionaries(
    st.sampled_from(["hostname", "os_guess", "owner", "lifecycle"]), st.text("xyz", max_size=2)
).map(lambda d: {k: (Lifecycle.RETIRED.value if k == "lifecycle" else v) for k, v in d.items()})
# one step of a history: a sighting, a complete scan that missed the asset, or a declaration
steps = st.one_of(sightings, st.integers(0, 20).map(lambda m: ("missed", m)), declarations)


def run(asset: Asset, step: Any) -> None:
    if isinstance(step, Seen):
        asset.observe(step)
    elif isinstance(step, tuple):
        asset.mark_missing(at(step[1]))
    else:
        asset.declare(step, at(0))


def merged_view_is_consistent(asset: Asset) -> bool:
    return asset.view() == rules.merged(asset.row["declared"], asset.row["observed"])


@settings(max_examples=200)
@given(st.lists(steps, max_size=8), declarations, st.lists(steps, max_size=8))
def test_a_declared_field_always_wins_whatever_the_order(before, declared, after):
    asset = new_asset(None)
    for step in [*before, declared, *after]:
        run(asset, step)
    final = {**declared}
    for step in after:
        if isinstance(step, dict):
            final.update(step)
    assert {k: asset.row[k] for k in final} == final
    assert merged_view_is_consistent(asset)


@settings(max_examples=200)
@given(st.lists(steps, max_size=8), sightings)
def test_applying_the_same_observation_twice_changes_nothing(history, seen):
    asset = new_asset(None)
    for step in history:
        run(asset, step)
    asset.observe(seen)
    row, services = copy.deepcopy(asset.row), copy.deepcopy(asset.services)
    outcome = asset.observe(seen)
    assert outcome.change is None
    assert asset.row == row and asset.services == services
    fresh = not rules.is_stale(row["last_seen"], seen.at)
    if fresh and rules.is_repeat(asset.row, seen.fingerprint):  # the light path agrees
        updates = rules.repeat_sighting(asset.row, seen, asset.row["identity_rule"])
        assert updates is not None and {**asset.row, **updates} == row


@settings(max_examples=200)
@given(st.lists(steps, max_size=8), sightings, sightings)
def test_an_older_observation_never_undoes_a_newer_one(history, newer, older):
    if older.at >= newer.at:
        older, newer = Seen(**{**vars(older), "at": at(-1)}), newer
    asset = new_asset(None)
    for step in history:
        run(asset, step)
    asset.observe(newer)
    if asset.row["last_seen"] != newer.at:
        return  # `newer` was itself older than the history
    row, services = copy.deepcopy(asset.row), copy.deepcopy(asset.services)
    outcome = asset.observe(older)
    assert outcome.change is None
    assert asset.row == {**row, "first_seen": min(row["first_seen"], older.at)}
    assert asset.services == services
    assert rules.repeat_sighting(asset.row, older, "mac") is None


@settings(max_examples=200)
@given(st.lists(steps, max_size=12))
def test_every_change_is_in_the_history_and_the_view_is_the_merge(history):
    asset = new_asset(None)
    for step in history:
        before, recorded = asset.view(), len(asset.history)
        run(asset, step)
        after = asset.view()
        changed = {k for k in after if before[k] != after[k]}
        if changed:
            assert len(asset.history) == recorded + 1
            assert changed <= set(asset.history[-1].after)
        assert merged_view_is_consistent(asset)
    actions = [c.action for c in asset.history]
    assert actions.count(ChangeAction.CREATED) <= 1
    assert ChangeAction.CREATED not in actions[1:]


@settings(max_examples=200)
@given(st.lists(steps, max_size=8), st.integers(0, 20), sightings)
def test_a_missed_asset_seen_again_reappears_unless_its_lifecycle_is_declared(history, m, seen):
    asset = new_asset(None)
    for step in history:
        run(asset, step)
    asset.observe(Seen(at=at(-2)))  # so that it exists (and is no longer new)
    asset.mark_missing(at(m))
    declared = "lifecycle" in asset.row["declared"]
    assert (asset.row["lifecycle"] == Lifecycle.MISSING) is not declared
    outcome = asset.observe(Seen(**{**vars(seen), "at": at(30)}))
    assert asset.row["lifecycle"] == (
        asset.row["declared"]["lifecycle"] if declared else Lifecycle.ACTIVE
    )
    reappeared = outcome.change is not None and outcome.change.action is ChangeAction.REAPPEARED
    assert reappeared is not declared


def test_an_asset_seen_twice_out_of_order_keeps_the_newer_sighting():
    """Both sightings can arrive in one batch, before the asset is in the catalogue."""
    asset = new_asset(at(5))
    asset.observe(Seen(at=at(5), hostname="new-name"))
    asset.observe(Seen(at=at(1), hostname="old-name"))
    assert asset.row["hostname"] == "new-name"
    assert (asset.row["first_seen"], asset.row["last_seen"]) == (at(1), at(5))
