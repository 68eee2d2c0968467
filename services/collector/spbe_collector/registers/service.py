"""Read a register (dry run) and commit it: every row valid, or nothing is published.

Reading and validation are the shared register contract (`spbe_common.registers`); this module
adds the collector's limits and the publishing."""

from __future__ import annotations

from pathlib import Path

from spbe_common import registers
from spbe_common.bus import Producer, publish
from spbe_common.events import EventType, new_event
from spbe_common.registers import ParsedRegister, RegisterKind, RegisterRejected

from ..settings import SOURCE, CollectorSettings

__all__ = ["RegisterRejected", "commit_register", "read_register"]


def read_register(path: Path, settings: CollectorSettings, declared_by: str = "") -> ParsedRegister:
    """Every row parsed; `errors` lists every problem of every row at once (the dry run)."""
    return registers.read_register(
        path, settings.import_max_bytes, settings.import_max_rows, declared_by
    )


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
