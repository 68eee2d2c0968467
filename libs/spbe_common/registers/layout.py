"""Which rows below the headers are data, and why the others are skipped. Pure.

OPD forms carry blank rows between groups, group headings ("A. PERANGKAT JARINGAN"), a row of
column numbers under the headers, a `JUMLAH` row (often `=COUNTA(...)`) and a signature block
("Mengetahui", "Kepala Dinas ...", "NIP. ...", "Serang, 12 Januari 2026")."""

from __future__ import annotations

import re

from .headers import NUMBER
from .schemas import Cell, Mapping
from .values import MONTHS, words

_TOTAL = re.compile(r"^(jumlah|total|sub ?total|grand total)\b")
_GROUP = re.compile(r"^([A-Z]|[IVXL]+|\d{1,2})[.)]\s+\S")
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE_LINE = re.compile(rf"^[a-z .]+ \d{{1,2}} ({_MONTH}) \d{{4}}$")
_SIGNATURE = re.compile(
    r"^(mengetahui|menyetujui|disetujui|diperiksa|dibuat|yang membuat|yang menyerahkan"
    r"|yang menerima|kepala|sekretaris|plt|plh|an |a n |pengurus barang|penyimpan barang"
    r"|penanggung jawab|pejabat|nip\b|pembina|penata|ttd|tanda tangan|kasubag|kasubbag"
    r"|kuasa pengguna|pengguna barang)"
)
SIGNATURE = "blok tanda tangan"
SIGNATURE_WIDTH = 2  # a signature line fills one cell, or two when two officers sign side by side


def _filled(cells: list[Cell]) -> list[Cell]:
    return [c for c in cells if c.text]


def _is_number(cell: Cell) -> bool:
    return isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool)


def _column_numbers(filled: list[Cell]) -> bool:
    texts = [c.text for c in filled]
    return len(texts) >= 3 and texts == [str(n) for n in range(1, len(texts) + 1)]


def _total(filled: list[Cell]) -> str | None:
    labels = [c for c in filled if not c.formula and not _is_number(c)]
    if all(c.formula for c in filled):
        return f"baris jumlah (rumus di sel {filled[0].coordinate})"
    if len(labels) == 1 and _TOTAL.match(words(labels[0].text)):
        return f"baris jumlah ({labels[0].text})"
    return None


def signature_start(filled: list[Cell]) -> bool:
    return len(filled) <= SIGNATURE_WIDTH and any(
        _SIGNATURE.match(words(c.text)) or _DATE_LINE.match(words(c.text)) for c in filled
    )


class Layout:
    """Classifies the rows below the header row, in order (the signature block is a state)."""

    def __init__(self, columns: list[Mapping]) -> None:
        self.fields = {c.index: c.field for c in columns}
        self.in_signature = False

    def skip_reason(self, cells: list[Cell]) -> str | None:
        """Why this row is not data, or None when it is."""
        filled = _filled(cells)
        reason = self._reason(filled)
        if not filled:
            return reason  # blank lines inside a signature block leave room for the signature
        if self.in_signature and reason is None and len(filled) <= SIGNATURE_WIDTH:
            return SIGNATURE
        self.in_signature = reason == SIGNATURE
        return reason

    def _reason(self, filled: list[Cell]) -> str | None:
        if not filled:
            return "baris kosong"
        read = [c for c in filled if self._field(c) not in (None, NUMBER)]
        if not read and all(self._field(c) == NUMBER for c in filled):
            return "baris kosong (hanya nomor urut)"
        if _column_numbers(filled):
            return "baris nomor kolom"
        total = _total(filled)
        if total:
            return total
        if signature_start(filled):
            return SIGNATURE
        if len(filled) == 1 and (_GROUP.match(filled[0].text) or not read):
            return f"judul kelompok atau teks di luar tabel ('{filled[0].text[:60]}')"
        return None

    def _field(self, cell: Cell) -> str | None:
        return self.fields.get(_column_index(cell.coordinate))


def _column_index(coordinate: str) -> int:
    letters = coordinate.rstrip("0123456789")
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1
