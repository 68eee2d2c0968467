"""The machine-readable report of a read register (`spbe collect import --json`):
`valid`, `errors`, `warnings`, `skipped`, `columns`, `rows`, with values under the API's field
names."""

from __future__ import annotations

from typing import Any

from openpyxl.utils import get_column_letter

from .headers import COST_IN_THOUSANDS, MAKE_AND_MODEL, REGISTER_NUMBER, TICK
from .schemas import ParsedRegister, RowError, RowWarning

API_NAMES = {"opd": "opd_code"}  # the event payload's field -> the API's


def api_values(payload: Any) -> dict[str, Any]:
    """A payload's declared values under the API's field names (unset and empty left out)."""
    data = payload.model_dump(mode="json", exclude_none=True, exclude={"declared_by"})
    return {API_NAMES.get(k, k): v for k, v in data.items() if v != []}


def to_json(register: ParsedRegister | None, refused: list[RowError] | None = None) -> dict:
    """`register` None: the whole file was refused (`refused` says why)."""
    errors = [*(refused or []), *(register.errors if register else [])]
    if register is None:
        return {
            "valid": 0, "errors": _errors(errors), "warnings": [], "skipped": [], "columns": {},
            "rows": [],
        }  # fmt: skip
    return {
        "valid": len(register.rows),
        "errors": _errors(errors),
        "warnings": _errors(register.warnings),
        "skipped": [{"row": s.row, "reason": s.reason} for s in register.skipped],
        "columns": {
            _unique(register, m.index, m.header): api_field(m.field) for m in register.columns
        },
        "rows": [
            {"row": n, "values": api_values(r)}
            for n, r in zip(register.numbers, register.rows, strict=True)
        ],
    }


def importable(register: ParsedRegister | None) -> bool:
    return register is not None and not register.errors and bool(register.rows)


def _errors(errors: list[RowError] | list[RowWarning]) -> list[dict[str, Any]]:
    return [{"row": e.row, "column": e.column, "message": e.message} for e in errors]


def api_field(name: str | None) -> str | None:
    """The API's name of the field a column fills; None when it is ignored or read only to
    recognise rows (No., Jumlah)."""
    if name == REGISTER_NUMBER:
        return "asset_code"  # joined to Kode Barang
    if name == COST_IN_THOUSANDS:
        return "acquisition_cost"
    if name == MAKE_AND_MODEL:
        return "manufacturer"  # and the model: the column's note says how it is split
    if name is not None and name.startswith(TICK):
        return "condition"  # one of the condition's three columns
    if name is None or name.startswith("_"):
        return None  # read to recognise rows (No., Jumlah), never imported
    return API_NAMES.get(name, name)


def _unique(register: ParsedRegister, index: int, header: str) -> str:
    same = [m for m in register.columns if m.header == header]
    if len(same) < 2:
        return header
    return f"{header} ({get_column_letter(index + 1)})"
