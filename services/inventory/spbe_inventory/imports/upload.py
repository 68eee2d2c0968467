"""Register uploads: an uploaded file's name cleaned for display, the file read as a register,
and its parsed rows kept (with how the file was read) until its dry run is committed or expires."""

from __future__ import annotations

import tempfile
import unicodedata
import uuid
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from spbe_common.registers import ParsedRegister, RegisterRejected, api_field, read_register
from spbe_inventory.db import utcnow

from . import repository as repo
from .models import ImportStatus

EXPIRES_AFTER = timedelta(hours=24)
SUFFIXES = (".xlsx", ".csv")
MAX_FILENAME = 200  # register_import.filename


def clean_filename(name: str | None, limit: int = MAX_FILENAME) -> str:
    """The name as the browser sent it, without a path or control characters, for display; a
    long one is cut before its extension, which says how the file is read."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    if len(text) > limit:
        suffix = Path(text).suffix if len(Path(text).suffix) <= 10 else ""
        text = text[: limit - len(suffix) - 1].rstrip() + "…" + suffix
    return text or "tanpa-nama"


def parse_upload(
    filename: str, data: bytes, max_bytes: int, max_rows: int, opd: str | None = None
) -> ParsedRegister:
    """Read an uploaded register of OPD `opd` (rows may leave Kode OPD empty); RegisterRejected
    (Bahasa Indonesia) for a file it refuses."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise RegisterRejected("berkas harus spreadsheet .xlsx atau .csv")
    if not data:
        raise RegisterRejected("berkas kosong")
    if len(data) > max_bytes:
        raise RegisterRejected(f"berkas terlalu besar: {len(data)} byte, batas {max_bytes} byte")
    with tempfile.TemporaryDirectory(prefix="spbe-impor-") as folder:
        path = Path(folder) / f"register{suffix}"
        path.write_bytes(data)
        return read_register(path, max_bytes, max_rows, declared_by=filename, opd=opd)


def store(
    conn: Connection, account: str, opd_code: str, filename: str, register: ParsedRegister
) -> str:
    """Keep the parsed rows until the commit; expired uploads of anyone are dropped first."""
    now = utcnow()
    repo.delete_older_than(conn, now - EXPIRES_AFTER)
    import_id = str(uuid.uuid4())
    rows = [
        {"row": n, "data": payload.model_dump(mode="json", exclude_none=True)}
        for n, payload in zip(register.numbers, register.rows, strict=True)
    ]
    repo.insert_one(
        conn,
        {
            "id": import_id,
            "account": account,
            "opd_code": opd_code,
            "filename": filename,
            "kind": register.kind.value,
            "created_at": now,
            "status": ImportStatus.PENDING.value,
            "parsed": {
                "rows": rows,
                "errors": [asdict(e) for e in register.errors],
                "warnings": [asdict(w) for w in register.warnings],
                "names": {str(n): name for n, name in register.names.items()},
                **reading_of(register),
            },
        },
    )
    return import_id


def reading_of(register: ParsedRegister) -> dict[str, Any]:
    """How the file was read, for its report: the sheet and header row chosen, each header's
    field (None: ignored, with why) and the rows skipped with their reason."""
    columns = [
        {
            "header": m.header,
            "field": api_field(m.field),
            "note": m.note
            or ("dibaca untuk mengenali baris; tidak disimpan" if not api_field(m.field) else ""),
        }
        for m in register.columns
    ]
    return {
        "sheet": register.sheet,
        "header_row": register.header_row,
        "columns": columns,
        "skipped": [asdict(s) for s in register.skipped],
    }
