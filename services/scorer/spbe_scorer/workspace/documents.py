"""Bukti dukung: what a file is (by its content, never its name), the checks on an upload's
title, name and linked catalogue records, and the rows of scorer_document.

Accepted: PDF, PNG, JPEG, and the ZIP-based office files (DOCX, XLSX, PPTX by their
`[Content_Types].xml` and part folder; ODT, ODS by their `mimetype` entry). The name's extension
must agree with the content, and the media type kept is the one detected.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from sqlalchemy import Connection, insert, select, update

from spbe_scorer.db import utcnow
from spbe_scorer.tables import DOCUMENT

MAX_TITLE = 300
MAX_FILENAME = 255
MAX_RECORDS = 50
RECORD_KINDS = (
    "application", "facility", "asset", "site", "service_bus", "audit", "review", "opd",
)  # fmt: skip
RECORD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
UNSAFE_NAME = re.compile(r"[^\w .()+,\-]")  # \w is Unicode: Indonesian names keep their letters
MAX_MIMETYPE_ENTRY = 200  # the ODF `mimetype` entry is one short line


@dataclass(frozen=True)
class FileType:
    name: str  # what people call it: "PDF", "DOCX"
    media_type: str
    extensions: tuple[str, ...]


PDF = FileType("PDF", "application/pdf", (".pdf",))
PNG = FileType("PNG", "image/png", (".png",))
JPEG = FileType("JPEG", "image/jpeg", (".jpg", ".jpeg"))
OOXML = "application/vnd.openxmlformats-officedocument."
DOCX = FileType("DOCX", OOXML + "wordprocessingml.document", (".docx",))
XLSX = FileType("XLSX", OOXML + "spreadsheetml.sheet", (".xlsx",))
PPTX = FileType("PPTX", OOXML + "presentationml.presentation", (".pptx",))
ODT = FileType("ODT", "application/vnd.oasis.opendocument.text", (".odt",))
ODS = FileType("ODS", "application/vnd.oasis.opendocument.spreadsheet", (".ods",))
ACCEPTED = (PDF, PNG, JPEG, DOCX, XLSX, PPTX, ODT, ODS)
ACCEPTED_NAMES = ", ".join(t.name for t in ACCEPTED)

MAGIC = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
ZIP_MAGIC = b"PK\x03\x04"
OOXML_PARTS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))
ODF_TYPES = {ODT.media_type: ODT, ODS.media_type: ODS}


class DocumentError(Exception):
    """An upload refused; `status` is the HTTP answer, `field` the form field at fault."""

    status = 422

    def __init__(self, message: str, field: str = "file") -> None:
        self.field = field
        super().__init__(message)


class Unsupported(DocumentError):
    status = 415


# --- what a file is ----------------------------------------------------------------------------
def detect(file: BinaryIO) -> FileType | None:
    """The type of a complete, seekable file by its content; None when it is none we accept."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(ZIP_MAGIC):
        return _office_type(file)
    return None


def _office_type(file: BinaryIO) -> FileType | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            if "[Content_Types].xml" in names:
                return _ooxml_type(names)
            if "mimetype" in names:
                return _odf_type(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        return None
    return None


def _ooxml_type(names: Sequence[str]) -> FileType | None:
    for folder, kind in OOXML_PARTS:
        if any(name.startswith(folder) for name in names):
            return kind
    return None


def _odf_type(archive: zipfile.ZipFile) -> FileType | None:
    if archive.getinfo("mimetype").file_size > MAX_MIMETYPE_ENTRY:
        return None  # never inflate a large entry to read what should be one line
    mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
    return ODF_TYPES.get(mimetype)


def checked_type(file: BinaryIO, filename: str) -> FileType:
    """The detected type, when it is accepted and the name's extension agrees (else 415)."""
    kind = detect(file)
    if kind is None:
        raise Unsupported(
            f"the file's content is not a type accepted as bukti dukung ({ACCEPTED_NAMES});"
            " the type is read from the content, not the name"
        )
    extension = _extension(filename)
    if extension not in kind.extensions:
        raise Unsupported(
            f"the file's content is {kind.name} but its name ends in {extension or '(nothing)'};"
            f" name it {kind.extensions[0]}"
        )
    return kind


def _extension(filename: str) -> str:
    stem, dot, suffix = filename.rpartition(".")
    return f".{suffix.lower()}" if dot and stem else ""


# --- the form fields ---------------------------------------------------------------------------
def clean_filename(raw: str | None) -> str:
    """The name without folders, control or unusual characters, at most 255 characters and
    keeping its extension; 422 when nothing is left."""
    name = unicodedata.normalize("NFC", (raw or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r"\s+", " ", UNSAFE_NAME.sub("_", name)).strip(" .")
    if not name:
        raise DocumentError("the file has no usable name", "file")
    stem, dot, suffix = name.rpartition(".")
    if len(name) > MAX_FILENAME and dot and len(suffix) < 16:
        return stem[: MAX_FILENAME - len(suffix) - 1] + dot + suffix
    return name[:MAX_FILENAME]


def clean_title(raw: str | None) -> str:
    title = " ".join((raw or "").split())
    if not title:
        raise DocumentError("a title is required", "title")
    if len(title) > MAX_TITLE:
        raise DocumentError(f"the title is longer than {MAX_TITLE} characters", "title")
    if any(unicodedata.category(c) == "Cc" for c in title):
        raise DocumentError("the title holds a control character", "title")
    return title


def parse_records(raw: Sequence[str]) -> list[dict[str, str]]:
    """Catalogue records a document concerns, each "kind:id"; repeated ones kept once."""
    values = [item for value in raw for item in value.split(",") if item.strip()]
    if len(values) > MAX_RECORDS:
        raise DocumentError(f"at most {MAX_RECORDS} records", "records")
    records: list[dict[str, str]] = []
    for value in values:
        record = _record(value.strip())
        if record not in records:
            records.append(record)
    return records


def _record(value: str) -> dict[str, str]:
    kind, colon, ident = value.partition(":")
    if not colon or kind not in RECORD_KINDS:
        raise DocumentError(
            f"a record is written kind:id with kind one of {', '.join(RECORD_KINDS)};"
            f" got {value[:40]!r}",
            "records",
        )
    if not RECORD_ID.fullmatch(ident):
        raise DocumentError(
            f"the id of record {value[:40]!r} must be 1-64 letters, digits, '.', '_' or '-'",
            "records",
        )
    return {"kind": kind, "id": ident}


# --- rows ----------------------------------------------------------------------------------------
PUBLIC_KEYS = (
    "id", "period_id", "indicator", "title", "filename", "media_type", "size", "sha256",
    "records", "uploaded_by", "uploaded_at",
)  # fmt: skip


def public(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in PUBLIC_KEYS}


def add(conn: Connection, values: dict[str, Any]) -> dict[str, Any]:
    """A new row; `values` has every column but id, uploaded_at and removed_*."""
    row = {**values, "uploaded_at": utcnow()}
    new_id = conn.execute(insert(DOCUMENT).values(**row).returning(DOCUMENT.c.id)).scalar_one()
    return {**row, "id": new_id, "removed_by": None, "removed_at": None}


def get(conn: Connection, document_id: int, lock: bool = False) -> dict[str, Any] | None:
    """A document that is not removed."""
    query = select(DOCUMENT).where(DOCUMENT.c.id == document_id, DOCUMENT.c.removed_at.is_(None))
    row = conn.execute(query.with_for_update() if lock else query).mappings().first()
    return None if row is None else dict(row)


def of_period(
    conn: Connection, period_id: int, indicator: str | None = None
) -> list[dict[str, Any]]:
    """The documents kept for a period (or one indicator of it), oldest first."""
    query = select(DOCUMENT).where(
        DOCUMENT.c.period_id == period_id, DOCUMENT.c.removed_at.is_(None)
    )
    if indicator is not None:
        query = query.where(DOCUMENT.c.indicator == indicator)
    rows = conn.execute(query.order_by(DOCUMENT.c.indicator, DOCUMENT.c.id)).mappings()
    return [dict(r) for r in rows]


def remove(conn: Connection, document_id: int, account: str) -> None:
    """Soft: the row stays (with who removed it and when); the stored file stays too."""
    conn.execute(
        update(DOCUMENT)
        .where(DOCUMENT.c.id == document_id)
        .values(removed_by=account, removed_at=utcnow())
    )
