"""Which rows below the headers are data, and why the others are skipped. Pure.

OPD forms carry blank rows between groups, group headings ("A. PERANGKAT JARINGAN"), a row of
column numbers under the headers, a `JUMLAH` row (often `=COUNTA(...)`) and a signature block
("Mengetahui", "Kepala Dinas ...", "NIP. ...", "Serang, 12 Januari 2026")."""

from __future__ import annotations

import re

from .headers import NUMBER
from .schemas import Cell, Mapping
from .values import MONTHS, rupiah, words

# a totals row's label starts with the word ("JUMLAH", "Sub Total A", "Jumlah Nilai Perolehan");
# an item that starts with it ("Total Station") has its number in the No. column
_TOTAL = re.compile(r"^(jumlah|total|sub ?total|grand total)\b")
_GROUP = re.compile(r"^([A-Z]|[IVXL]+|\d{1,2})[.)]\s+\S")
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE_LINE = re.compile(rf"^[a-z .]+ \d{{1,2}} ({_MONTH}) \d{{4}}$")
# "Serang,      Januari 2026": the place, a comma and the day left blank for the pen
_BLANK_DAY = re.compile(rf"(?i)^[a-z .]+,\s+({_MONTH})\s+\d{{4}}$")
_SIGNATURE = re.compile(
    r"^(mengetahui|menyetujui|disetujui|diperiksa|dibuat|yang membuat|yang menyerahkan"
    r"|yang menerima|kepala|sekretaris|plt|plh|an |a n |pengurus barang|penyimpan barang"
    r"|penanggung jawab|pejabat|nip\b|pembina|penata|ttd|tanda tangan|kasubag|kasubbag"
    r"|kuasa pengguna|pengguna barang)"
)
_UNIT = re.compile(r"(?i)\s*(unit|buah|bh|pcs)\.?$")
SIGNATURE = "blok tanda tangan"
# a signature line fills one cell, or two when two officers sign side by side; a line of more
# cells starts the block only when every cell is a signature's ("Kepala ... | Pengurus Barang |
# Penanggung Jawab Ruangan"), and then the block's lines may be as wide
SIGNATURE_WIDTH = 2


def _filled(cells: list[Cell]) -> list[Cell]:
    return [c for c in cells if c.text]


def _is_number(cell: Cell) -> bool:
    """A number, also as text ('21.500.000', 'Rp 1.250.000,00', '2 unit' in a CSV or a cell
    formatted as text)."""
    if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
        return True
    text = _UNIT.sub("", cell.text)
    try:
        rupiah(text, None)
    except ValueError:
        return False
    return True


def _column_numbers(filled: list[Cell]) -> bool:
    texts = [c.text for c in filled]
    return len(texts) >= 3 and texts == [str(n) for n in range(1, len(texts) + 1)]


def _total(filled: list[Cell], numbered: bool) -> str | None:
    """A totals row: formulas only, or one label starting with Jumlah/Total beside numbers and
    formulas (numbers also as text: every cell of a CSV is); not when it has an item number."""
    labels = [c for c in filled if not c.formula and not _is_number(c)]
    if all(c.formula for c in filled):
        return f"baris jumlah (rumus di sel {filled[0].coordinate})"
    if len(labels) == 1 and not numbered and _TOTAL.match(words(labels[0].text)):
        return f"baris jumlah ({labels[0].text})"
    return None


def _signs(cell: Cell) -> bool:
    said = words(cell.text)
    return bool(_SIGNATURE.match(said) or _DATE_LINE.match(said) or _BLANK_DAY.match(cell.text))


def signature_start(filled: list[Cell]) -> bool:
    if len(filled) <= SIGNATURE_WIDTH:
        return any(_signs(c) for c in filled)
    return all(_signs(c) for c in filled)


class Layout:
    """Classifies the rows below the header row, in order (the signature block is a state)."""

    def __init__(self, columns: list[Mapping]) -> None:
        self.fields = {c.index: c.field for c in columns}
        # the header row again (a table printed over several pages repeats it)
        self.header = {(c.index, words(c.header)) for c in columns}
        # with a `No.` column, every item has its number: one cell alone is a group heading
        # ("PERANGKAT JARINGAN", "Perangkat Komputer") even without "A." before it
        self.numbered = NUMBER in self.fields.values()
        self.in_signature = False
        self.signature_width = SIGNATURE_WIDTH

    def skip_reason(self, cells: list[Cell]) -> str | None:
        """Why this row is not data, or None when it is."""
        filled = _filled(cells)
        reason = self._reason(filled)
        if not filled:
            return reason  # blank lines inside a signature block leave room for the signature
        if self.in_signature and reason is None and len(filled) <= self.signature_width:
            return SIGNATURE
        if reason == SIGNATURE:
            width = self.signature_width if self.in_signature else SIGNATURE_WIDTH
            self.signature_width = max(width, len(filled))
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
        if {(_column_index(c.coordinate), words(c.text)) for c in filled} <= self.header:
            return "baris judul kolom diulang"
        total = _total(filled, any(self._field(c) == NUMBER and _is_number(c) for c in filled))
        if total:
            return total
        if signature_start(filled):
            return SIGNATURE
        # with a No. column, a lone cell in capitals is a group heading ("PERANGKAT JARINGAN");
        # a lone name in other letters stays an item (one may lack its number)
        alone = filled[0].text
        heading = self.numbered and not self.in_signature and alone.isupper()
        if len(filled) == 1 and (_GROUP.match(alone) or not read or heading):
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
