"""Reconciliation rules, case by case: precedence, staleness, repeats, services, missing, history."""

from __future__ import annotations

from typing import Any

import pytest

from spbe_common.events.enums import Lifecycle
from spbe_inventory.assets import rules
from spbe_inventory.assets.identity import AssetState, Identity, IdentityIndex
from spbe_inventory.history.models import ChangeAction

from .rules_builders import T0, Seen, at, catalogued, new_asset


@pytest.mark.parametrize(
    ("declared", "observed", "name", "expected"),
    [
        ({"hostname": "srv-a"}, {"hostname": "scan-a"}, "hostname", "srv-a"),
        ({}, {"hostname": "scan-a"}, "hostname", "scan-a"),
        ({"hostname": None}, {"hostname": "scan-a"}, "hostname", None),  # declared empty wins
        ({}, {}, "hostname", None),
        ({}, {}, "kind", "other"),
        ({}, {}, "lifecycle", Lifecycle.ACTIVE),
        ({}, {}, "addresses", []),
        ({"lifecycle": "retired"}, {"lifecycle": "active"}, "lifecycle", "retired"),
        ({}, {"lifecycle": "missing"}, "lifecycle", Lifecycle.MISSING),
    ],
)
def test_merged_declared_wins_then_observed_then_default(declared, observed, name, expected):
    assert rules.merged(declared, observed)[name] == expected


@pytest.mark.parametrize(
    ("last_seen", "when", "stale"),
    [(None, at(0), False), (at(5), at(4), True), (at(5), at(5), False), (at(5), at(6), False)],
)
def test_only_a_sighting_older_than_the_last_is_stale(last_seen, when, stale):
    assert rules.is_stale(last_seen, when) is stale


@pytest.mark.parametrize(
    ("fingerprint", "lifecycle", "repeat"),
    [
        ("f1", "active", True),
        ("f2", "active", False),
        ("f1", "missing", False),  # seen again after being missed: a real change
        ("f1", "retired", False),
    ],
)
def test_repeat_is_the_same_observation_of_an_active_asset(fingerprint, lifecycle, repeat):
    assert rules.is_repeat({"fingerprint": "f1", "lifecycle": lifecycle}, fingerprint) is repeat


def test_a_repeat_sighting_updates_only_the_bookkeeping():
    row = {"last_seen": at(0), "scope": "s1"}
    updates = rules.repeat_sighting(row, Seen(at=at(1), scan_id="scan-2", scope="s2"), "mac")
    assert updates == {
        "last_seen": at(1),
        "last_scan_id": "scan-2",
        "identity_rule": "mac",
        "scope": "s2",
    }
    assert "scope" not in (rules.repeat_sighting(row, Seen(at=at(1), scope=None), "mac") or {})
    assert rules.repeat_sighting(row, Seen(at=at(-1)), "mac") is None


def test_a_new_asset_is_created_with_what_was_seen():
    asset = new_asset(at(0))
    outcome = asset.observe(Seen(hostname="web", ports=((80, "http", "nginx", "1.25"),)))
    assert outcome.change is not None and outcome.change.action is ChangeAction.CREATED
    assert outcome.change.before is None
    assert outcome.change.after["hostname"] == "web"
    assert outcome.change.after["services"] == {
        "80/tcp": {"name": "http", "product": "nginx", "version": "1.25"}
    }
    assert asset.row["first_seen"] == asset.row["last_seen"] == T0
    assert asset.row["updated_at"] == T0
    assert asset.row["observed"]["lifecycle"] == Lifecycle.ACTIVE
    assert asset.services[(80, "tcp")]["first_seen"] == T0


def test_a_changed_field_writes_its_before_and_after():
    asset = catalogued(hostname="web", os_guess="Linux 5")
    outcome = asset.observe(Seen(at=at(1), hostname="web", os_guess="Linux 6"))
    assert outcome.change == rules.Change(
        ChangeAction.UPDATED, {"os_guess": "Linux 5"}, {"os_guess": "Linux 6"}
    )
    assert asset.row["updated_at"] == at(1) and asset.row["last_seen"] == at(1)


def test_an_unseen_value_is_not_erased():
    asset = catalogued(hostname="web", os_guess="Linux")
    outcome = asset.observe(Seen(at=at(1)))
    assert outcome.change is None and "updated_at" not in outcome.row
    assert asset.row["hostname"] == "web" and asset.row["os_guess"] == "Linux"


def test_a_stale_sighting_changes_nothing_but_may_move_first_seen_back():
    asset = catalogued(hostname="web")
    before = dict(asset.row)
    assert asset.observe(Seen(at=at(-5), hostname="old")) == rules.Outcome({"first_seen": at(-5)})
    assert asset.row == {**before, "first_seen": at(-5)}
    asset.row["last_seen"] = at(10)
    assert asset.observe(Seen(at=at(-1), hostname="old")) == rules.Outcome()


@pytest.mark.parametrize(
    ("known", "seen", "after", "change"),
    [
        (None, (80, "http", None, None), ("http", None, None), {"name": "http", "product": None, "version": None}),
        (("http", "nginx", "1.0"), (80, "http", "nginx", "1.0"), ("http", "nginx", "1.0"), None),
        (("http", "nginx", "1.0"), (80, None, None, "1.1"), ("http", "nginx", "1.1"), {"version": "1.1"}),
        (("http", "nginx", "1.0"), (80, None, None, None), ("http", "nginx", "1.0"), None),
    ],
)  # fmt: skip
def test_services_keep_what_a_sighting_did_not_say(known, seen, after, change):
    current: dict[Any, Any] = {}
    if known:
        name, product, version = known
        current[(80, "tcp")] = {
            "id": 3, "port": 80, "protocol": "tcp", "name": name, "product": product,
            "version": version, "first_seen": at(0), "last_seen": at(0),
        }  # fmt: skip
    sighting = Seen(at=at(1), ports=(seen,))
    services, changes = rules.services_seen(current, sighting.services(), at(1))
    svc = services[(80, "tcp")]
    assert (svc["name"], svc["product"], svc["version"]) == after
    assert svc["last_seen"] == at(1)
    assert svc["first_seen"] == (at(0) if known else at(1))
    assert changes == ({"80/tcp": change} if change else {})
    if known:
        assert current[(80, "tcp")]["last_seen"] == at(0)  # the input is not changed


def test_a_service_listed_twice_in_one_sighting_is_one_service():
    seen = Seen(ports=((22, "ssh", None, None), (22, None, "OpenSSH", "9.6")))
    services, changes = rules.services_seen({}, seen.services(), T0)
    assert list(services) == [(22, "tcp")]
    assert services[(22, "tcp")]["product"] == "OpenSSH"
    assert services[(22, "tcp")]["name"] == "ssh"
    assert changes == {"22/tcp": {"product": "OpenSSH", "version": "9.6"}}


def test_a_declaration_wins_over_later_scans_field_by_field():
    asset = catalogued(hostname="scan-name", os_guess="Linux")
    outcome = asset.declare({"hostname": "srv-a", "owner": "Aptika"}, at(1))
    assert outcome.change == rules.Change(
        ChangeAction.UPDATED,
        {"hostname": "scan-name", "owner": None},
        {"hostname": "srv-a", "owner": "Aptika"},
    )
    asset.observe(Seen(at=at(2), hostname="other", os_guess="BSD"))
    assert asset.row["hostname"] == "srv-a" and asset.row["os_guess"] == "BSD"
    assert asset.row["observed"]["hostname"] == "other"  # observed state is kept apart


def test_declaring_what_is_already_declared_writes_no_history():
    asset = catalogued()
    asset.declare({"owner": "Aptika"}, at(1))
    outcome = asset.declare({"owner": "Aptika"}, at(2))
    assert outcome.change is None and asset.row["updated_at"] == at(1)


def test_a_first_declaration_creates_the_asset():
    asset = new_asset(None, scope=None, rule="declared")
    outcome = asset.declare({"serial": "SN-1", "kind": "server"}, at(1))
    assert outcome.change is not None and outcome.change.action is ChangeAction.CREATED
    assert outcome.change.after["serial"] == "SN-1" and asset.row["kind"] == "server"
    assert asset.row["first_seen"] is None and asset.row["updated_at"] == at(1)


@pytest.mark.parametrize(
    ("row", "missed"),
    [
        ({"scope": "s1", "lifecycle": "active", "last_seen": at(-1)}, True),
        ({"scope": "s1", "lifecycle": "active", "last_seen": None}, True),
        ({"scope": "s1", "lifecycle": "active", "last_seen": at(0)}, False),  # seen by this scan
        ({"scope": "s1", "lifecycle": "active", "last_seen": at(1)}, False),
        ({"scope": "s2", "lifecycle": "active", "last_seen": at(-1)}, False),  # another scope
        ({"scope": None, "lifecycle": "active", "last_seen": at(-1)}, False),
        ({"scope": "s1", "lifecycle": "missing", "last_seen": at(-1)}, False),  # already
        ({"scope": "s1", "lifecycle": "retired", "last_seen": at(-1)}, False),
    ],
)
def test_a_complete_scan_misses_the_active_assets_of_its_scope_it_did_not_see(row, missed):
    assert rules.missed_by_scan(row, "s1", at(0)) is missed


def test_a_missed_asset_is_marked_missing_and_reappears_when_seen_again():
    asset = catalogued(hostname="web")
    outcome = asset.mark_missing(at(1))
    assert outcome.change == rules.Change(
        ChangeAction.MARKED_MISSING, {"lifecycle": "active"}, {"lifecycle": "missing"}
    )
    assert asset.row["lifecycle"] == Lifecycle.MISSING and asset.row["updated_at"] == at(1)
    outcome = asset.observe(Seen(at=at(2), hostname="web"))
    assert outcome.change == rules.Change(
        ChangeAction.REAPPEARED, {"lifecycle": "missing"}, {"lifecycle": "active"}
    )
    assert asset.row["lifecycle"] == Lifecycle.ACTIVE


@pytest.mark.parametrize("declared", [Lifecycle.ACTIVE, Lifecycle.RETIRED])
def test_a_declared_lifecycle_is_never_changed_by_scans(declared):
    asset = catalogued()
    asset.declare({"lifecycle": declared.value}, at(1))
    outcome = asset.mark_missing(at(2))
    assert outcome.change is None and "updated_at" not in outcome.row
    assert asset.row["lifecycle"] == declared
    assert asset.row["observed"]["lifecycle"] == Lifecycle.MISSING  # what scans saw, kept apart
    outcome = asset.observe(Seen(at=at(3)))
    assert outcome.change is None and asset.row["lifecycle"] == declared


@pytest.mark.parametrize(
    ("before", "after", "diff"),
    [
        ({"a": 1}, {"a": 1}, ({}, {})),
        ({"a": 1}, {"a": 2}, ({"a": 1}, {"a": 2})),
        ({}, {"a": None}, ({}, {})),  # absent and None are the same
        ({}, {"a": 0}, ({"a": None}, {"a": 0})),
        ({"a": 1, "b": 2}, {"a": 1}, ({}, {})),  # only the fields of `after` count
    ],
)
def test_diff_names_the_fields_that_changed(before, after, diff):
    assert rules.diff(before, after) == diff


def _state(id_: int, **row: Any) -> AssetState:
    base = {"mac": None, "serial": None, "address": None, "hostname": None, "scope": "s1"}
    return AssetState({"id": id_, "lifecycle": "active", **base, **row}, full=False)


@pytest.mark.parametrize(
    ("ident", "expected"),
    [
        (Identity("M1", "S2", ("127.0.0.3",), None, "s1"), (1, "mac")),
        (Identity("M9", "S2", (), None, "s1"), (None, "new")),  # serial, but the MACs differ
        (Identity(None, "S2", ("127.0.0.3",), None, "s1"), (2, "serial")),
        (Identity(None, None, ("127.0.0.3",), "DB", "s1"), (3, "address+hostname")),
        (Identity(None, None, ("127.0.0.3",), None, "s1"), (3, "address")),
        (Identity(None, None, ("127.0.0.3",), None, "s2"), (None, "new")),  # another scope
        (Identity(None, None, ("127.0.0.4",), None, None), (None, "new")),  # retired
        (Identity(None, None, ("127.0.0.9", "127.0.0.3"), None, "s1"), (None, "new")),
    ],
)
def test_identity_is_resolved_in_order(ident, expected):
    index = IdentityIndex(
        [
            _state(1, mac="M1", address="127.0.0.1"),
            _state(2, mac="M2", serial="S2", address="127.0.0.2"),
            _state(3, address="127.0.0.3", hostname="db"),
            _state(4, address="127.0.0.4", lifecycle="retired"),
        ]
    )
    found, rule = index.resolve(ident)
    assert ((found.id if found else None), rule) == expected


@pytest.mark.parametrize(
    ("first", "again", "rule"),
    [
        (Identity("M1", None, ("127.0.0.9",), None, "s1"), Identity("M1", None, (), None, "s1"), "mac"),
        (Identity(None, "S1", (), None, None), Identity(None, "S1", (), None, None), "serial"),
        (Identity(None, None, ("127.0.0.9",), "web", "s1"), Identity(None, None, ("127.0.0.9",), "WEB", "s1"), "address+hostname"),
        (Identity(None, None, ("127.0.0.9",), None, "s1"), Identity(None, None, ("127.0.0.9",), None, "s1"), "address"),
    ],
)  # fmt: skip
def test_a_new_asset_is_found_again_in_the_same_batch(first, again, rule):
    """Two sightings of one host in one batch make one asset, not two."""
    index = IdentityIndex()
    state = AssetState(rules.new_row(first, "new", T0, T0), full=True, is_new=True)
    index.add(state)
    assert index.resolve(again) == (state, rule)
