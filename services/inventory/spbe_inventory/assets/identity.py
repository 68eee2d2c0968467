"""Identity resolution: which catalogued asset an observation or declaration is about (pure).

Rules, in order (the first that matches wins, and the asset records its name):
1. `mac`: the same MAC address.
2. `serial`: the same serial number, unless both carry different MACs.
3. `address+hostname` / `address`: the same primary address, within the scanned scope for
   observations (any scope for declarations), when neither MAC nor serial contradicts it and the
   hostnames agree (or one is unknown); a retired asset is never matched by address.
Nothing matched: a new asset (`new` for an observation, `declared` for a declaration).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from spbe_common.events.enums import Lifecycle


@dataclass(frozen=True, slots=True)
class Identity:
    mac: str | None
    serial: str | None
    addresses: tuple[str, ...]
    hostname: str | None
    scope: str | None  # None: match an address in any scope


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


class IdentityIndex:
    def __init__(self, states: Iterable[AssetState] = ()) -> None:
        self._mac: dict[str, AssetState] = {}
        self._serial: dict[str, AssetState] = {}
        self._address: dict[str, list[AssetState]] = defaultdict(list)
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

    def resolve(self, ident: Identity) -> tuple[AssetState | None, str]:
        if ident.mac and ident.mac in self._mac:
            return self._mac[ident.mac], "mac"
        state = self._serial.get(ident.serial) if ident.serial else None
        if state is not None and _compatible(state.row, ident):
            return state, "serial"
        for address in ident.addresses[:1]:
            for state in self._address.get(address, ()):
                row = state.row
                if ident.scope is not None and row["scope"] not in (None, ident.scope):
                    continue
                if not _compatible(row, ident) or row["lifecycle"] == Lifecycle.RETIRED:
                    continue
                if ident.hostname and row["hostname"]:
                    if ident.hostname.lower() == row["hostname"].lower():
                        return state, "address+hostname"
                    continue
                return state, "address"
        return None, "new"
