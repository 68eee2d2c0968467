"""Identity of declared devices without an address: the asset code within its OPD, then the
address, then (OPD, name) for a declaration with no other identity (assets/identity.py)."""

from __future__ import annotations

from typing import Any

from spbe_inventory.assets.identity import AssetState, Identity, IdentityIndex


def state(id_: int, **values: Any) -> AssetState:
    row: dict[str, Any] = {
        "id": id_, "mac": None, "serial": None, "address": None, "hostname": None, "scope": None,
        "lifecycle": "active", "opd_code": "DINKES", "asset_code": None, "name": None,
    }  # fmt: skip
    return AssetState({**row, **values}, full=False)


def declared(
    *, mac=None, serial=None, address=None, opd="DINKES", code=None, name=None
) -> Identity:
    return Identity(mac, serial, (address,) if address else (), None, None, opd, code, name)


UPS = state(1, name="UPS Ruang Server")
LAPTOP = state(2, name="Laptop Kadis", asset_code="1.3.2.10.01.02.001.000007")
SWITCH = state(3, name="Switch Rapat", serial="SN-SW-1", asset_code="REG-3")
SERVER = state(4, name="Server SIMPUS", address="127.30.0.10", asset_code="REG-4")
SCANNED = state(5, address="127.30.0.99")  # a host a scan found: no name
OLD_UPS = state(6, name="UPS Lama", lifecycle="retired")
INDEX = IdentityIndex([UPS, LAPTOP, SWITCH, SERVER, SCANNED, OLD_UPS])


def resolved(ident: Identity) -> tuple[int | None, str]:
    found, rule = INDEX.resolve(ident)
    return (found.id if found else None), rule


def test_the_asset_code_identifies_within_its_opd_only():
    assert resolved(declared(code="1.3.2.10.01.02.001.000007")) == (2, "asset_code")
    assert resolved(declared(code="1.3.2.10.01.02.001.000007", opd="RSDP")) == (None, "new")
    assert resolved(declared(code="1.3.2.10.01.02.001.000007", opd=None)) == (None, "new")


def test_mac_and_serial_come_before_the_asset_code_and_may_contradict_it():
    assert resolved(declared(serial="SN-SW-1", code="REG-4")) == (3, "serial")
    assert resolved(declared(serial="SN-OTHER", code="REG-3")) == (None, "new")
    assert resolved(declared(serial="SN-NEW", code="1.3.2.10.01.02.001.000007")) == (
        2,
        "asset_code",
    )  # the laptop had no serial: the register's code finds it and the serial is added


def test_the_asset_code_comes_before_the_address_and_a_different_code_is_another_device():
    assert resolved(declared(address="127.30.0.10", code="REG-3")) == (3, "asset_code")
    assert resolved(declared(address="127.30.0.10", code="REG-99")) == (None, "new")
    assert resolved(declared(address="127.30.0.10")) == (4, "address")


def test_opd_and_name_identify_only_a_declaration_with_nothing_else():
    assert resolved(declared(name="UPS Ruang Server")) == (1, "opd+name")
    assert resolved(declared(name="UPS Ruang Server", opd="RSDP")) == (None, "new")
    assert resolved(declared(name="UPS Ruang Server", opd=None)) == (None, "new")
    # an asset known by a code or address is not found by its name, nor the other way round
    assert resolved(declared(name="Server SIMPUS")) == (None, "new")
    assert resolved(declared(name="UPS Ruang Server", address="127.30.0.77")) == (None, "new")


def test_a_retired_asset_keeps_its_name_so_an_old_register_finds_it_again():
    assert resolved(declared(name="UPS Lama")) == (6, "opd+name")


def test_what_counts_as_an_identity():
    assert declared(name="UPS").identifies and declared(code="REG-1").identifies
    assert not declared(name="UPS", opd=None).identifies
    assert not declared(code="REG-1", opd=None).identifies
    assert not declared().identifies
    assert declared(opd=None, address="127.0.0.1").identifies


def test_a_name_or_code_the_asset_gave_up_is_no_longer_its():
    ups = state(7, name="UPS Aula")
    index = IdentityIndex([ups])
    ups.row["address"] = "127.30.0.70"  # a person gave it an address: it is known by that now
    assert index.resolve(declared(name="UPS Aula")) == (None, "new")
    coded = state(8, asset_code="REG-8")
    index.add(coded)
    coded.row["asset_code"] = "REG-80"
    assert index.holder_of_code("DINKES", "REG-8") is None


def test_an_asset_code_held_by_another_asset_is_a_conflict():
    ident = declared(serial="SN-OTHER", code="REG-3")
    assert INDEX.code_taken(ident, None) is SWITCH
    assert INDEX.code_taken(declared(code="REG-3"), SWITCH) is None
    # without an OPD of its own, the declaration's code is read in the OPD of what it resolved to
    assert (
        INDEX.code_taken(declared(opd=None, code="REG-3", address="127.30.0.10"), SERVER) is SWITCH
    )


def test_a_new_asset_is_found_again_by_code_and_name_in_the_same_batch():
    index = IdentityIndex()
    for ident in (declared(code="REG-NEW"), declared(name="Switch Tanpa IP")):
        assert index.resolve(ident) == (None, "new")
        row = {**state(0).row, "id": None, "asset_code": ident.asset_code, "name": ident.name}
        new = AssetState(row, full=True, is_new=True)
        index.add(new)
        assert index.resolve(ident)[0] is new
