"""Identity resolution: MAC, then serial, then address within the scope plus hostname."""

from __future__ import annotations

from typing import Any

from spbe_inventory.assets.identity import AssetState, Identity, IdentityIndex
from spbe_inventory.assets.service import merged


def state(
    id_: int, *, mac=None, serial=None, address=None, hostname=None, scope="s1", lifecycle="active"
) -> AssetState:
    row: dict[str, Any] = {
        "id": id_,
        "mac": mac,
        "serial": serial,
        "address": address,
        "hostname": hostname,
        "scope": scope,
        "lifecycle": lifecycle,
    }
    return AssetState(row, full=False)


def ident(*, mac=None, serial=None, address=None, hostname=None, scope="s1") -> Identity:
    return Identity(mac, serial, (address,) if address else (), hostname, scope)


INDEX = IdentityIndex(
    [
        state(1, mac="02:00:00:00:00:01", address="127.0.0.10"),
        state(2, serial="SN-2", address="127.0.0.20"),
        state(3, address="127.0.0.30", hostname="db"),
        state(4, address="127.0.0.40", scope="other"),
        state(5, address="127.0.0.50", lifecycle="retired"),
        state(6, address="127.0.0.60", mac="02:00:00:00:00:06"),
    ]
)


def resolved(i: Identity) -> tuple[int | None, str]:
    found, rule = INDEX.resolve(i)
    return (found.id if found else None), rule


def test_mac_wins_over_everything_else():
    assert resolved(ident(mac="02:00:00:00:00:01", serial="SN-2", address="127.0.0.30")) == (
        1,
        "mac",
    )


def test_serial_comes_second():
    assert resolved(ident(serial="SN-2", address="127.0.0.10")) == (2, "serial")


def test_address_with_agreeing_hostname_within_scope():
    assert resolved(ident(address="127.0.0.30", hostname="DB")) == (3, "address+hostname")
    assert resolved(ident(address="127.0.0.30")) == (3, "address")


def test_address_with_a_different_hostname_is_another_asset():
    assert resolved(ident(address="127.0.0.30", hostname="web")) == (None, "new")


def test_address_matches_only_inside_the_scanned_scope_but_any_scope_when_declared():
    assert resolved(ident(address="127.0.0.40")) == (None, "new")
    assert resolved(ident(address="127.0.0.40", scope=None)) == (4, "address")


def test_retired_assets_and_contradicting_macs_do_not_match_by_address():
    assert resolved(ident(address="127.0.0.50")) == (None, "new")
    assert resolved(ident(address="127.0.0.60", mac="02:00:00:00:00:99")) == (None, "new")


def test_declared_fields_win_field_by_field():
    view = merged(
        {"owner": "Aptika", "hostname": "srv-a"},
        {"hostname": "scan-a", "os_guess": "Linux", "lifecycle": "missing"},
    )
    assert view["owner"] == "Aptika" and view["hostname"] == "srv-a"
    assert view["os_guess"] == "Linux" and view["lifecycle"] == "missing"
    assert merged({"lifecycle": "retired"}, {"lifecycle": "active"})["lifecycle"] == "retired"
    assert merged({}, {})["kind"] == "other"
