"""Read a register (dry run) and commit it: every row valid, or nothing is published."""

from __future__ import annotations

from pathlib import Path

from spbe_common.bus import Producer, publish
from spbe_common.events import EventType, new_event
from spbe_common.events.payloads import ApplicationDeclared

from ..settings import SOURCE, CollectorSettings
from .get import RegisterRejected, read_rows
from .schemas import ParsedRegister, RowError
from .transform import TRANSFORMS, detect_kind, missing_headers

__all__ = ["RegisterRejected", "commit_register", "read_register"]


def _duplicates(register: ParsedRegister, numbers: list[int]) -> list[RowError]:
    seen: dict[tuple[str, ...], int] = {}
    errors: list[RowError] = []
    for number, row in zip(numbers, register.rows, strict=True):
        if isinstance(row, ApplicationDeclared):
            key, column = ("app", row.opd, row.name.casefold()), "Nama Aplikasi"
        else:
            key, column = ("asset", row.mac or "", row.serial or ""), "MAC"
            if key == ("asset", "", ""):
                continue
        if key in seen:
            errors.append(RowError(number, column, f"duplikat dari baris {seen[key]}"))
        seen.setdefault(key, number)
    return errors


def read_register(path: Path, settings: CollectorSettings, declared_by: str = "") -> ParsedRegister:
    """Every row parsed; `errors` lists every problem of every row at once (the dry run)."""
    headers, rows = read_rows(path, settings.import_max_bytes, settings.import_max_rows)
    try:
        kind = detect_kind(headers)
    except ValueError as exc:
        raise RegisterRejected(str(exc)) from None
    missing = missing_headers(kind, headers)
    if missing:
        raise RegisterRejected("kolom wajib tidak ada: " + ", ".join(missing))
    register = ParsedRegister(kind)
    numbers: list[int] = []
    transform = TRANSFORMS[kind]
    for row in rows:
        payload, errors = transform(row, declared_by or f"import:{path.name}")
        register.errors += errors
        if payload is not None:
            register.rows.append(payload)
            numbers.append(row.number)
    register.errors += _duplicates(register, numbers)
    register.errors.sort(key=lambda e: e.row)
    return register


def commit_register(register: ParsedRegister, producer: Producer) -> int:
    """Publish every row, then flush once; refuses a register with any error."""
    if register.errors:
        raise RegisterRejected(f"{len(register.errors)} kesalahan; tidak ada yang diimpor")
    type_ = (
        EventType.APPLICATION_DECLARED
        if register.kind.value == "applications"
        else EventType.ASSET_DECLARED
    )
    events = [new_event(type_, row, source=SOURCE) for row in register.rows]
    count = publish(producer, events)
    producer.flush()
    return count
