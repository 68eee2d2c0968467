"""Read a register file into header-keyed rows (I/O), refusing anything malformed or risky."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from .schemas import SheetRow

_ZIP_EXPANSION_LIMIT = 20  # uncompressed XLSX may be at most this many times the byte limit


class RegisterRejected(ValueError):
    """The whole file is refused; the message (Bahasa Indonesia) says why. Nothing is published."""


def _check_size(path: Path, max_bytes: int) -> None:
    if not path.is_file():
        raise RegisterRejected(f"file {path} tidak ditemukan")
    size = path.stat().st_size
    if size > max_bytes:
        raise RegisterRejected(f"file terlalu besar: {size} byte, batas {max_bytes} byte")


def _check_zip(path: Path, max_bytes: int) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
            if total > max_bytes * _ZIP_EXPANSION_LIMIT:
                raise RegisterRejected("isi XLSX terlalu besar setelah diekstrak")
            if archive.testzip() is not None:
                raise RegisterRejected("file XLSX rusak (CRC zip tidak cocok)")
    except (zipfile.BadZipFile, EOFError):
        raise RegisterRejected("file XLSX rusak atau bukan XLSX (zip tidak valid)") from None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise RegisterRejected(f"file XLSX tidak dapat dibaca: {exc}") from None
    try:
        sheet = workbook.worksheets[0]
        formulas: list[str] = []
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            formulas += [c.coordinate for c in cells if getattr(c, "data_type", None) == "f"]
            if formulas:
                raise RegisterRejected(
                    "rumus (formula) tidak diizinkan; ganti dengan nilai di sel "
                    + ", ".join(formulas[:10])
                )
            yield number, [c.value for c in cells]
    finally:
        workbook.close()


def _csv_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RegisterRejected("file CSV harus berenkode UTF-8") from None
    if "\x00" in text:
        raise RegisterRejected("file CSV berisi data biner")
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise RegisterRejected(f"file CSV tidak valid: {exc}") from None


def _rows_of(path: Path, max_bytes: int) -> Iterator[tuple[int, list[Any]]]:
    suffix = path.suffix.lower()
    _check_size(path, max_bytes)
    if suffix == ".xlsx":
        _check_zip(path, max_bytes)
        return _xlsx_rows(path)
    if suffix == ".csv":
        return _csv_rows(path)
    raise RegisterRejected(
        f"jenis file {suffix or '(tanpa ekstensi)'} tidak didukung; pakai .xlsx atau .csv"
    )


def read_rows(path: Path, max_bytes: int, max_rows: int) -> tuple[list[str], list[SheetRow]]:
    """The header row and every non-empty data row, keyed by header."""
    rows = _rows_of(path, max_bytes)
    header_row = next(rows, None)
    if header_row is None:
        raise RegisterRejected("file kosong: baris judul kolom tidak ada")
    headers = [_cell_text(v) for v in header_row[1]]
    data: list[SheetRow] = []
    for number, values in rows:
        texts = [_cell_text(v) for v in values]
        if not any(texts):
            continue
        if len(data) >= max_rows:
            raise RegisterRejected(f"terlalu banyak baris: batas {max_rows} baris data")
        data.append(SheetRow(number, _keyed(headers, texts)))
    return headers, data


def _keyed(headers: Sequence[str], texts: Sequence[str]) -> dict[str, str]:
    return {h: (texts[i] if i < len(texts) else "") for i, h in enumerate(headers) if h}
