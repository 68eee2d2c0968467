"""Read a register (dry run), check its OPD codes against the inventory's catalogue, and commit it:
every row valid, or nothing is published.

Reading and validation are the shared register contract (`spbe_common.registers`); this module
adds the collector's limits, the catalogue check (GET /api/v1/opd with the collector's service
token, as the scorer reads the inventory) and the publishing."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from spbe_common import registers
from spbe_common.bus import Producer, publish
from spbe_common.events import EventType, new_event
from spbe_common.registers import ParsedRegister, RegisterKind, RegisterRejected

from ..inventory import InventoryUnavailable, make_inventory_client, opd_catalogue
from ..settings import SOURCE, CollectorSettings

__all__ = [
    "InventoryUnavailable",
    "RegisterRejected",
    "check_opd",
    "commit_register",
    "make_inventory_client",
    "opd_catalogue",
    "read_register",
    "sample_opd",
]


def read_register(
    path: Path, settings: CollectorSettings, declared_by: str = "", opd: str | None = None
) -> ParsedRegister:
    """Every row parsed; `errors` lists every problem of every row at once (the dry run)."""
    return registers.read_register(
        path, settings.import_max_bytes, settings.import_max_rows, declared_by, opd
    )


def check_opd(register: ParsedRegister, catalogue: dict[str, str], opd: str | None) -> None:
    """Rows (or the file's `opd`) naming an OPD the catalogue lacks become errors."""
    registers.check_catalogue(register, catalogue.keys(), opd)


def sample_opd() -> list[tuple[str, str]]:
    """The sample catalogue's OPD (for a template written while the inventory is down); empty
    when the inventory's package data is not installed alongside."""
    try:
        text = (
            resources.files("spbe_inventory.sample")
            .joinpath("kabupaten_serang.yaml")
            .read_text(encoding="utf-8")
        )
    except (ModuleNotFoundError, FileNotFoundError):
        return []
    return [(o["code"], o["name"]) for o in yaml.safe_load(text).get("opd", [])]


def commit_register(register: ParsedRegister, producer: Producer) -> int:
    """Publish every row, then flush once; refuses a register with any error."""
    if register.errors:
        raise RegisterRejected(f"{len(register.errors)} kesalahan; tidak ada yang diimpor")
    type_ = (
        EventType.APPLICATION_DECLARED
        if register.kind is RegisterKind.APPLICATIONS
        else EventType.ASSET_DECLARED
    )
    events = [new_event(type_, row, source=SOURCE) for row in register.rows]
    count = publish(producer, events)
    producer.flush()
    return count
