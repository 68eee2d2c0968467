"""Read a whole register (the dry run): every row parsed, every problem of every row reported."""

from __future__ import annotations

from pathlib import Path

from spbe_common.events.payloads import ApplicationDeclared

from .get import RegisterRejected, read_rows
from .schemas import ParsedRegister, RowError
from .transform import TRANSFORMS, detect_kind, missing_headers


def _duplicates(register: ParsedRegister) -> list[RowError]:
    seen: dict[tuple[str, ...], int] = {}
    errors: list[RowError] = []
    for number, row in zip(register.numbers, register.rows, strict=True):
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


def read_register(
    path: Path, max_bytes: int, max_rows: int, declared_by: str = ""
) -> ParsedRegister:
    """Every row parsed; `errors` lists every problem of every row at once. RegisterRejected
    when the whole file is refused (size, type, corrupt, formulas, headers)."""
    headers, rows = read_rows(path, max_bytes, max_rows)
    try:
        kind = detect_kind(headers)
    except ValueError as exc:
        raise RegisterRejected(str(exc)) from None
    missing = missing_headers(kind, headers)
    if missing:
        raise RegisterRejected("kolom wajib tidak ada: " + ", ".join(missing))
    register = ParsedRegister(kind)
    transform = TRANSFORMS[kind]
    for row in rows:
        payload, errors = transform(row, declared_by or f"import:{path.name}")
        register.errors += errors
        if payload is not None:
            register.rows.append(payload)
            register.numbers.append(row.number)
    register.errors += _duplicates(register)
    register.errors.sort(key=lambda e: e.row)
    return register
