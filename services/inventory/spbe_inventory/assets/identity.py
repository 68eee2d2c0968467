"""Identity resolution: which catalogued asset an observation or declaration is about (pure).

Rules, in order (the first that matches wins, and the asset records its name):
1. `mac`: the same MAC address.
2. `serial`: the same serial number, unless both carry different MACs.
3. `asset_code`: the same asset code (kode barang / nomor register) within the same OPD, unless
   MAC or serial contradicts it. Register numbers are given by each OPD (pengguna barang), so
   the code is a key per OPD, never across the catalogue.
4. `address+hostname` / `address`: the same primary address, within the scanned scope for
   observations (any scope for declarations), when neither MAC, serial nor asset code contradicts
   it and the hostnames agree (or one is unknown); a retired asset is never matched by address.
5. `opd+name`: a declaration with none of the above (a UPS, a laptop, an unmanaged switch)
   is the asset of the same OPD and name (in any capitals) that has none of them either.
Nothing matched: a new asset (`new` for an observation, `declared` for a declaration).
Rules 3 and 5 are the natural keys of the partial unique indexes uq_asset_opd_code and
uq_asset_opd_name; a retired asset keeps its code and name (re-importing an old register
finds it again rather than creating it anew).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from spbe_common.events.enums import Lifecycle


@dataclass(slots=True)  # one per event: a frozen dataclass's __init__ costs four times as much
class Identity:
    mac: str | None
    serial: str | None
    addresses: tuple[str, ...]
    hostname: str | None
    scope: str | None  # None: match an address in any scope
    opd: str | None = None  # the OPD a declaration names: the asset code and name are per OPD
    asset_code: str | None = None
    name: str | None = None

    @property
    def code_key(self) -> tuple[str, str] | None:
        return (self.opd, self.asset_code) if self.opd and self.asset_code else None

    @property
    def name_key(self) -> tuple[str, str] | None:
        """Only a declaration with no other identity is known by its OPD and name."""
        if self.mac or self.serial or self.addresses or self.code_key or not self.opd:
            return None
        return (self.opd, self.name.lower()) if self.name else None

    @property
    def identifies(self) -> bool:
        """Whether it names anything a later declaration can find again."""
        return bool(self.mac or self.serial or self.addresses or self.code_key or self.name_key)


NO_IDENTITY = (
    "a declared asset needs a MAC, a serial, an address, or its OPD with an asset code or a name"
)


class AssetState:
    """One asset row held in memory during a batch, with what must be written back."""

    __slots__ = ("full", "is_new", "row", "services", "status")

    def __init__(self, row: dict[str, Any], full: bool, is_new: bool = False) -> None:
        self.row = row
        self.full = full  # False: only the columns identity resolution needs
        self.is_new = is_new
        self.status = "clean"  # clean -> touched (bookkeeping only) -> changed
        self.services: dict[tuple[int, str], dict[str, Any]] | None = None

    @property
    def id(self) -> int | None:
        return self.row.get("id")

    def mark(self, status: str) -> None:
        if status == "changed" or self.status == "clean":
            self.status = status


def _compatible(row: dict[str, Any], ident: Identity) -> bool:
    if ident.mac and row["mac"] and row["mac"] != ident.mac:
        return False
    return not (ident.serial and row["serial"] and row["serial"] != ident.serial)


def code_key(row: dict[str, Any]) -> tuple[str, str] | None:
    """(OPD, asset code) of a row, the key of rule 3."""
    opd, code = row.get("opd_code"), row.get("asset_code")
    return (opd, code) if opd and code else None


def name_key(row: dict[str, Any]) -> tuple[str, str] | None:
    """(OPD, name in lower case) of a row that has no MAC, serial, asset code or address: the
    key of rule 5 (a name is the same in any capitals)."""
    if row["mac"] or row["serial"] or row.get("asset_code") or row["address"]:
        return None
    opd, name = row.get("opd_code"), row.get("name")
    return (opd, name.lower()) if opd and name else None


class IdentityIndex:
    def __init__(self, states: Iterable[AssetState] = ()) -> None:
        self._mac: dict[str, AssetState] = {}
        self._serial: dict[str, AssetState] = {}
        self._address: dict[str, list[AssetState]] = defaultdict(list)
        self._code: dict[tuple[str, str], AssetState] = {}
        self._name: dict[tuple[str, str], AssetState] = {}
        for state in states:
            self.add(state)

    def add(self, state: AssetState) -> None:
        row = state.row
        if row["mac"]:
            self._mac[row["mac"]] = state
        if row["serial"]:
            self._serial[row["serial"]] = state
        if row["address"] and state not in self._address[row["address"]]:
            self._address[row["address"]].append(state)
        if key := code_key(row):
            self._code[key] = state
        if key := name_key(row):
            self._name[key] = state

    def holder_of_code(self, opd: str | None, code: str | None) -> AssetState | None:
        """The asset that holds (OPD, asset code) now (a key an asset gave up is not held)."""
        state = self._code.get((opd, code)) if opd and code else None
        return state if state is not None and code_key(state.row) == (opd, code) else None

    def code_taken(self, ident: Identity, state: AssetState | None) -> AssetState | None:
        """Another asset than `state` (what `ident` resolved to) holding the asset code that
        `ident` declares: declaring it would give one register entry to two assets."""
        opd = ident.opd or (state.row.get("opd_code") if state is not None else None)
        holder = self.holder_of_code(opd, ident.asset_code)
        return holder if holder is not None and holder is not state else None

    def _by_name(self, ident: Identity) -> AssetState | None:
        state = self._name.get(ident.name_key) if ident.name_key else None
        return state if state is not None and name_key(state.row) == ident.name_key else None

    def resolve(self, ident: Identity) -> tuple[AssetState | None, str]:
        if ident.mac and ident.mac in self._mac:
            return self._mac[ident.mac], "mac"
        state = self._serial.get(ident.serial) if ident.serial else None
        if state is not None and _compatible(state.row, ident):
            return state, "serial"
        state = self.holder_of_code(ident.opd, ident.asset_code)
        if state is not None and _compatible(state.row, ident):
            return state, "asset_code"
        state, rule = self._by_address(ident)
        if state is not None:
            return state, rule
        state = self._by_name(ident)
        return (state, "opd+name") if state is not None else (None, "new")

    def _by_address(self, ident: Identity) -> tuple[AssetState | None, str]:
        for address in ident.addresses[:1]:
            for state in self._address.get(address, ()):
                row = state.row
                if ident.scope is not None and row["scope"] not in (None, ident.scope):
                    continue
                if not _compatible(row, ident) or row["lifecycle"] == Lifecycle.RETIRED:
                    continue
                if ident.asset_code and row.get("asset_code") not in (None, ident.asset_code):
                    continue  # another entry of the register
                if ident.hostname and row["hostname"]:
                    if ident.hostname.lower() == row["hostname"].lower():
                        return state, "address+hostname"
                    continue
                return state, "address"
        return None, "new"
