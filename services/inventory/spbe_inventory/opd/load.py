"""`spbe opd load`: the regency's list of OPD from a CSV or XLSX file, upserted by code.

get (`read_table`: file -> rows of text) -> transform (`parse_table`, pure: validated rows, or
every problem with its row number) -> load (`plan` against the catalogue, `apply` through
`opd.service`, which writes the history rows). All or nothing: the caller writes only a file
without problems, in one transaction. Nothing is ever deleted, and no row is marked as sample.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection

from spbe_common.registers import RegisterRejected
from spbe_common.registers.get import read_sheets
from spbe_inventory.db import utcnow
from spbe_inventory.history.models import CauseKind
from spbe_inventory.history.service import Cause, ChangeLog

from . import repository as repo
from . import service
from .models import OpdCreate, OpdKind

HEAD_ROWS = 15  # title rows above the header row of a spreadsheet fit in these
# Headers a regency writes (Bahasa Indonesia) and the API's field names, compared lower-case
# without spaces or punctuation: "Kode OPD" = "kode_opd" = "kodeopd".
HEADERS = {
    "code": ("kode", "kode opd", "kode unit", "kode perangkat daerah", "code"),
    "name": ("nama", "nama opd", "nama unit", "nama perangkat daerah", "perangkat daerah", "name"),
    "abbreviation": ("singkatan", "akronim", "nama singkat", "abbreviation"),
    "kind": ("jenis", "jenis opd", "tipe", "kind"),
    "aliases": ("alias", "aliases", "nama lain"),
}
COLUMN = {field: words[0] for field, words in HEADERS.items()}  # how problems name a column
# Values of `jenis`: the API's (OpdKind) and the words a regency uses.
KINDS = {
    **{kind.value: kind for kind in OpdKind},
    "sekretariat": OpdKind.SECRETARIAT,
    "badan": OpdKind.AGENCY,
    "dinas": OpdKind.AGENCY,
    "badan/dinas": OpdKind.AGENCY,
    "inspektorat": OpdKind.AGENCY,
    "satuan": OpdKind.AGENCY,
    "satpol pp": OpdKind.AGENCY,
    "rsud": OpdKind.HOSPITAL,
    "rumah sakit": OpdKind.HOSPITAL,
    "rumah sakit daerah": OpdKind.HOSPITAL,
}
CLI_ACTOR = "cli"  # history's actor of a load: the command line, not an account
KIND_WORDS = (
    "sekretariat, badan, dinas, inspektorat, satpol pp, rsud, kecamatan (or the API's values)"
)
ALIAS_SEPARATORS = re.compile(r"[|;]")  # not ",": names of OPD hold commas
_NOT_ALNUM = re.compile(r"[\W_]+")


class LoadRefused(ValueError):
    """The file cannot be read at all; the message says why."""


@dataclass(frozen=True, slots=True)
class Problem:
    row: int | None  # the file's row (1 = its first line), None: the file as a whole
    message: str

    def __str__(self) -> str:
        return self.message if self.row is None else f"row {self.row}: {self.message}"


@dataclass(frozen=True, slots=True)
class OpdRow:
    row: int
    body: OpdCreate
    given: frozenset[str]  # the fields the file has a column for (the others are left as they are)


@dataclass(slots=True)
class OpdList:
    rows: list[OpdRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


# --- get ----------------------------------------------------------------------------------------
def read_table(path: Path, max_bytes: int, max_rows: int) -> list[list[str]]:
    """The rows of a .csv file, or of the first sheet of an .xlsx workbook, as text."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise LoadRefused(f"{path.name}: expected a .csv or .xlsx file")
    if path.stat().st_size > max_bytes:
        raise LoadRefused(f"{path.name}: larger than {max_bytes} bytes")
    if suffix == ".csv":
        rows = csv_rows(path.read_bytes())
    else:
        try:
            sheets = read_sheets(path, max_bytes, max_rows)
        except RegisterRejected as exc:
            raise LoadRefused(f"{path.name}: {exc}") from None
        rows = [[cell.text for cell in cells] for cells in sheets[0].rows] if sheets else []
    if len(rows) > max_rows + HEAD_ROWS:
        raise LoadRefused(f"{path.name}: more than {max_rows} rows")
    return rows


def csv_rows(data: bytes) -> list[list[str]]:
    """UTF-8 text (with or without BOM) separated by "," or, as Excel in Indonesia saves, ";"."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LoadRefused("the file is not UTF-8 text (save it as 'CSV UTF-8')") from None
    if "\x00" in text:
        raise LoadRefused("the file holds binary data, not CSV text")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        return [
            [" ".join(value.split()) for value in values]
            for values in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as exc:
        raise LoadRefused(f"the file is not valid CSV: {exc}") from None


# --- transform ----------------------------------------------------------------------------------
def normal(text: str) -> str:
    return _NOT_ALNUM.sub("", text.casefold())


_FIELD_OF = {normal(word): name for name, words in HEADERS.items() for word in words}
_KIND_OF = {normal(word): kind for word, kind in KINDS.items()}


def parse_table(rows: Sequence[Sequence[str]]) -> OpdList:
    """The OPD of a table whose header row (one of the first rows) names at least kode and nama;
    every problem of the file, each with its row number."""
    out = OpdList()
    start = _header_row(rows)
    if start is None:
        out.problems.append(Problem(None, "no header row with the columns kode and nama"))
        return out
    columns = _columns(rows[start], start + 1, out)
    first_row_of: dict[str, int] = {}
    for index in range(start + 1, len(rows)):
        cells = rows[index]
        if not any(text.strip() for text in cells):
            continue
        values = {name: _cell(cells, i) for i, name in columns.items()}
        parsed = _row(index + 1, values, out.problems)
        if parsed is None:
            continue
        code = parsed.body.code
        if code in first_row_of:
            out.problems.append(
                Problem(index + 1, f"code {code} is also on row {first_row_of[code]}")
            )
            continue
        first_row_of[code] = index + 1
        out.rows.append(parsed)
    if not out.rows and not out.problems:
        out.problems.append(Problem(None, "no OPD below the header row"))
    return out


def _header_row(rows: Sequence[Sequence[str]]) -> int | None:
    for index, cells in enumerate(rows[:HEAD_ROWS]):
        names = {_FIELD_OF.get(normal(text)) for text in cells}
        if {"code", "name"} <= names:
            return index
    return None


def _columns(header: Sequence[str], number: int, out: OpdList) -> dict[int, str]:
    """Column index -> field; an unknown header is ignored (reported), a field twice is a problem."""
    columns: dict[int, str] = {}
    for index, text in enumerate(header):
        name = _FIELD_OF.get(normal(text))
        if name is None:
            if text.strip():
                out.ignored_columns.append(text.strip())
        elif name in columns.values():
            out.problems.append(Problem(number, f"two columns mean {COLUMN[name]} ({name})"))
        else:
            columns[index] = name
    return columns


def _cell(cells: Sequence[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


def _row(number: int, values: dict[str, str], problems: list[Problem]) -> OpdRow | None:
    """The row as the API's OpdCreate, or None after adding each of its problems to `problems`."""
    found = {name: "a formula, not a value" for name, v in values.items() if v.startswith("=")}
    found |= {name: "missing" for name in ("code", "name") if not values[name]}
    kind = values.get("kind", "")
    if kind and normal(kind) not in _KIND_OF:
        found.setdefault("kind", f"{kind!r} is not one of {KIND_WORDS}")
    messages = [f"{COLUMN[name]} ({name}): {what}" for name, what in found.items()]
    body = None
    checked = {name: "" if name in found else text for name, text in values.items()}
    try:  # the rest of the row too: errors of the fields found above are not repeated
        body = OpdCreate.model_validate(_body(checked))
    except ValidationError as exc:
        errors = [e for e in exc.errors() if not e["loc"] or e["loc"][0] not in found]
        messages += [_message(error) for error in errors]
    if messages or body is None:
        problems.extend(Problem(number, message) for message in messages)
        return None
    return OpdRow(number, body, frozenset(values))


def _body(values: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {"code": values["code"], "name": values["name"]}
    if "abbreviation" in values:
        body["abbreviation"] = values["abbreviation"] or None
    if "kind" in values:
        body["kind"] = _KIND_OF[normal(values["kind"])] if values["kind"] else OpdKind.AGENCY
    if "aliases" in values:
        parts = ALIAS_SEPARATORS.split(values["aliases"])
        body["aliases"] = [part.strip() for part in parts if part.strip()]
    return body


def _message(error: Any) -> str:
    """A validation error in the words of the file: 'kode: String should match pattern ...'."""
    name = str(error["loc"][0]) if error["loc"] else ""
    where = f"{COLUMN[name]} ({name})" if name in COLUMN else name
    if name == "code" and error["type"] == "string_pattern_mismatch":
        return f"{where}: {error['input']!r} is not a code (A-Z, 0-9, '-' and '_', at most 32)"
    return f"{where}: {error['msg']}"


# --- load ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Change:
    code: str
    action: str  # created, updated or unchanged
    before: dict[str, Any] | None  # the changed fields' values in the catalogue (updated)
    after: dict[str, Any]  # the new OPD (created) or its changed fields (updated)

    def __str__(self) -> str:
        if self.action == "created":
            return f"created {self.code}: {self.after['name']}"
        before = self.before or {}
        values = ", ".join(f"{k} {before.get(k)!r} -> {v!r}" for k, v in self.after.items())
        return f"{self.action} {self.code}" + (f": {values}" if values else "")


@dataclass(slots=True)
class Summary:
    changes: list[Change]

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)

    def __str__(self) -> str:
        created, updated = self.count("created"), self.count("updated")
        return f"created {created}, updated {updated}, unchanged {self.count('unchanged')}"


def cause_of(filename: str) -> Cause:
    """History shows a load as an import of the file ("impor ...") by the command line."""
    return Cause(CauseKind.REQUEST, f"impor {filename} (spbe opd load)"[:128], utcnow(), CLI_ACTOR)


def plan(conn: Connection, rows: Sequence[OpdRow]) -> Summary:
    """What loading `rows` changes in the catalogue (nothing is written)."""
    changes = []
    for row in rows:
        current = repo.by_code(conn, row.body.code)
        if current is None:
            changes.append(Change(row.body.code, "created", None, row.body.model_dump(mode="json")))
            continue
        fields = row.body.model_dump(mode="json", include=set(row.given - {"code"}))
        after = {k: v for k, v in fields.items() if current.get(k) != v}
        before = {k: current.get(k) for k in after}
        action = "updated" if after else "unchanged"
        changes.append(Change(row.body.code, action, before or None, after))
    return Summary(changes)


def apply(conn: Connection, rows: Sequence[OpdRow], cause: Cause) -> Summary:
    """Create the new OPD and update the changed fields of the others, with their history."""
    summary = plan(conn, rows)
    bodies = {row.body.code: row.body for row in rows}
    changes = ChangeLog()
    for change in summary.changes:
        if change.action == "created":
            service.create(conn, bodies[change.code], cause, changes)
        elif change.action == "updated":
            current = repo.by_code(conn, change.code)
            assert current is not None  # planned in this transaction
            service.update(conn, current, change.after, cause, changes)
    changes.flush(conn)
    return summary
