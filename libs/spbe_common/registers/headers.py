"""Which sheet and row hold the headers, and which field each header is read as. Pure.

Headers are compared case-, space- and punctuation-blind ("No. Seri" = "NO SERI" = "noseri")."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from . import values
from .enums import RegisterKind
from .get import HEAD_ROWS, RegisterRejected
from .schemas import COLUMNS, Cell, Mapping, Sheet

NUMBER = "_number"  # the `No.` column: read to recognise numbered blank rows, never imported
QUANTITY = "_quantity"  # `Jumlah`: a line standing for several items must be split
# `No. Register` beside `Kode Barang` (a KIB): the code names a class of goods, the register number
# the item; together they are the item's asset code ("kode/no. register")
REGISTER_NUMBER = "_register_number"
# A KIR's condition in three columns under one header (Baik / Kurang Baik / Rusak Berat), the
# item's ticked: "_tick:baik" is the column of that condition.
TICK = "_tick:"
# The cost in thousands of rupiah ("Harga (Rp. 000)", or "nilai dalam ribuan rupiah" above the
# table, as many KIR give it): read as rupiah x 1,000, and the report says so.
COST_IN_THOUSANDS = "_cost_in_thousands"
IN_THOUSANDS = "dibaca dalam ribuan rupiah (x 1.000)"
# A register of assets without a kind column (a KIB's `Nama Barang` only): the kind is read from
# a device word of each name ("PC Unit", "Switch"), and the report says so.
KIND_FROM_NAME = "jenis dikenali dari kata perangkat di nama (mis. PC, Switch, UPS)"
# One column for both manufacturer and model ("Merk/Type" of ad-hoc lists, a KIR's "Merk / Model"):
# split into the two (values.make_and_model), each unless the row's own Merk or Tipe column says it
MAKE_AND_MODEL = "_make_and_model"
MAKE_AND_MODEL_NOTE = (
    "dipisah menjadi Merk dan Tipe/Model (Merk: teks sebelum '/', atau kata pertama)"
)
_THOUSANDS = re.compile(
    r"(?i)\(\s*rp\.?\s*0{3}\s*\)|\(\s*0{3}\s*\)|\brp\.?\s*0{3}\b|\bribuan\s+(rupiah|rp)\b"
    r"|(?<!bukan )\bdalam\s+ribuan\b"
)
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")

_COMMON = {
    NUMBER: "No|Nomor|No Urut|Nomor Urut",
    QUANTITY: "Jumlah|Jumlah Barang|Banyaknya|Qty|Jumlah Barang/Register",
    "opd": "Kode OPD|OPD|Kode SKPD|SKPD|Kode Perangkat Daerah",
}
_ASSET = {
    "name": "Nama Perangkat|Nama Aset|Nama Asset|Nama Barang|Jenis/Nama Barang"
    "|Nama/Jenis Barang|Nama Perangkat TIK|Jenis Barang/Nama Barang|Nama Barang/Jenis Barang",
    "kind": "Jenis|Jenis Perangkat|Jenis Aset|Jenis Asset|Kategori|Kategori Perangkat|Jenis Barang",
    "manufacturer": "Merk|Merek|Merk Barang|Pabrikan|Produsen|Brand",
    "model": "Type|Tipe|Model|Type/Model|Tipe/Model",
    MAKE_AND_MODEL: "Merk/Type|Merk/Tipe|Merek/Type|Merek/Tipe|Merk/Model|Merek/Model"
    "|Merk dan Tipe|Merek dan Tipe|Merk dan Type|Merk/Type/Model",
    "addresses": "Alamat IP|IP Address|IP|Alamat IP Address|IP Addr|IPv4",
    "mac": "MAC|MAC Address|Alamat MAC",
    "serial": "No. Seri|Nomor Seri|Serial Number|SN|S/N|Serial|No. Serial|Nomor Seri Pabrik"
    "|No. Seri Pabrik|Nomor Pabrik|No. Pabrik",
    "asset_code": "Kode Barang|No. Inventaris|Nomor Inventaris"
    "|Kode Aset|Kode Inventaris|Nomor Kode Barang|Kode Barang/No. Register|No. Kode Barang",
    REGISTER_NUMBER: "No. Register|Nomor Register|No. Reg|Reg.",
    "location": "Lokasi|Ruangan|Ruang|Lokasi/Ruangan|Penempatan|Letak",
    "procurement_year": "Tahun Pengadaan|Tahun Perolehan|Tahun|Tahun Pembelian|Th. Pengadaan"
    "|Thn Pengadaan|Tahun Pembuatan|Tahun Pembuatan/Pembelian|Tahun Beli|Tanggal Perolehan"
    "|Tgl. Perolehan|Tanggal Pembelian|Tanggal Pengadaan",
    "condition": "Kondisi|Kondisi Barang|Keadaan|Keadaan Barang",
    "acquisition_cost": "Harga|Nilai Perolehan|Harga Perolehan|Harga Pembelian|Harga (Rp)"
    "|Nilai Perolehan (Rp)|Harga Perolehan (Rp)|Harga Satuan|Nilai (Rp)|Harga Satuan (Rp)"
    "|Harga Beli/Perolehan (Rp)|Harga Beli/Perolehan|Nilai Perolehan (Rupiah)|Harga (Rupiah)",
    "funding_source": "Sumber Dana|Sumber Anggaran|Asal Usul",
    "warranty_until": "Garansi|Masa Garansi|Garansi s.d.|Garansi Sampai|Akhir Garansi",
    "notes": "Keterangan|Catatan|Ket.",
    "lifecycle": "Status|Status Aset|Status Barang|Status Penggunaan|Status Perangkat",
    "owner": "Pengelola|Penanggung Jawab|Pemegang",
    "hostname": "Hostname|Nama Host",
}
_APPLICATION = {
    "name": "Nama Aplikasi|Aplikasi|Nama Sistem Informasi",
    "urls": "URL|Alamat|Alamat URL|Alamat Website|Website|Tautan|Link",
    "kind": "Jenis (umum/khusus)|Jenis|Jenis Aplikasi",
    "platform": "Platform",
    "hosting": "Hosting|Tempat Hosting|Lokasi Hosting",
    "status": "Status",
    "description": "Deskripsi|Keterangan|Catatan",
    "licence": "Lisensi|Jenis Lisensi|Licence|License",
    "licence_until": "Masa Lisensi|Lisensi s.d.|Masa Berlaku Lisensi|Lisensi Sampai",
}
NOTES = {COST_IN_THOUSANDS: IN_THOUSANDS, MAKE_AND_MODEL: MAKE_AND_MODEL_NOTE}  # how it is read
NAME_OF_REGISTER = {RegisterKind.APPLICATIONS: "Nama Aplikasi", RegisterKind.ASSETS: "Nama Aset"}


def normal(text: str) -> str:
    """'No. Seri ' -> 'noseri'."""
    return _NOT_ALNUM.sub("", text.casefold())


def _aliases(kind: RegisterKind, table: dict[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, phrases in {**table, **_COMMON}.items():
        for phrase in phrases.split("|"):
            found.setdefault(normal(phrase), name)
    for column in COLUMNS[kind]:
        found.setdefault(normal(column.header), column.field)
    return found


ALIASES: dict[RegisterKind, dict[str, str]] = {
    RegisterKind.ASSETS: _aliases(RegisterKind.ASSETS, _ASSET),
    RegisterKind.APPLICATIONS: _aliases(RegisterKind.APPLICATIONS, _APPLICATION),
}


@dataclass(frozen=True, slots=True)
class HeaderChoice:
    sheet: Sheet
    row: int  # 1-based sheet row
    kind: RegisterKind
    columns: list[Mapping]
    recognised: int
    depth: int = 1  # 2: a second header row names the columns under a group (Nomor: Pabrik)


def map_headers(kind: RegisterKind, texts: list[str]) -> list[Mapping]:
    """Each non-empty header and its field; a second column of the same field is ignored."""
    aliases, seen = ALIASES[kind], set[str]()
    columns: list[Mapping] = []
    for index, text in enumerate(texts):
        if not text:
            continue
        name = aliases.get(normal(text))
        if name is None and _THOUSANDS.search(text):
            plain = aliases.get(normal(_THOUSANDS.sub("", text)))
            name = COST_IN_THOUSANDS if plain == "acquisition_cost" else None
        if name is not None and name in seen:
            columns.append(Mapping(index, text, None, "kolom ganda untuk field yang sama"))
            continue
        seen.add(name or "")
        note = NOTES.get(name, "") if name else "tidak dipetakan"
        columns.append(Mapping(index, text, name, note))
    return columns


def in_thousands(choice: HeaderChoice) -> HeaderChoice:
    """The cost column read in thousands when a line above the table says the values are
    ("nilai dalam ribuan rupiah", "(dalam Rp 000)")."""
    above = (c.text for row in choice.sheet.rows[: choice.row - 1] for c in row if c.text)
    if not any(_THOUSANDS.search(text) for text in above):
        return choice
    columns = [
        replace(c, field=COST_IN_THOUSANDS, note=IN_THOUSANDS)
        if c.field == "acquisition_cost"
        else c
        for c in choice.columns
    ]
    return replace(choice, columns=columns)


def kind_from_name(choice: HeaderChoice) -> HeaderChoice:
    """A register of assets without a kind column: its name column says it also gives the kind."""
    if choice.kind is not RegisterKind.ASSETS or any(c.field == "kind" for c in choice.columns):
        return choice
    columns = [replace(c, note=KIND_FROM_NAME) if c.field == "name" else c for c in choice.columns]
    return replace(choice, columns=columns)


_IMPORTED = (REGISTER_NUMBER, COST_IN_THOUSANDS, MAKE_AND_MODEL)  # internal names of fields


def _score(columns: list[Mapping]) -> int:
    return sum(
        1 for c in columns if c.field and (c.field in _IMPORTED or not c.field.startswith("_"))
    )


def _candidates(sheets: list[Sheet]) -> list[HeaderChoice]:
    found: list[HeaderChoice] = []
    for sheet in sheets:
        for number, cells in enumerate(sheet.rows[:HEAD_ROWS], start=1):
            texts = ["" if c.formula else c.text for c in cells]
            for kind in (RegisterKind.APPLICATIONS, RegisterKind.ASSETS):
                columns = map_headers(kind, texts)
                if any(c.field == "name" for c in columns):
                    found.append(HeaderChoice(sheet, number, kind, columns, _score(columns)))
    return found


def _name_column(choice: HeaderChoice) -> int:
    return next(c.index for c in choice.columns if c.field == "name")


def choose_header(sheets: list[Sheet]) -> HeaderChoice:
    """The sheet and row (of the first rows of every sheet) with the most recognised headers.
    A row read both ways (a list of servers with a column 'Nama Aplikasi', a list of
    applications with a column 'Nama Perangkat') is the register whose name column comes
    first; then the first such row."""
    candidates = _candidates(sheets)
    if not candidates:
        raise RegisterRejected(
            f"baris judul kolom tidak ditemukan di {HEAD_ROWS} baris pertama lembar mana pun:"
            " perlu kolom 'Nama Aplikasi' atau 'Nama Aset' (juga 'Nama Perangkat' atau"
            " 'Nama Barang')"
        )
    most = max(c.recognised for c in candidates)
    first = next(c for c in candidates if c.recognised == most)  # in sheet and row order
    both = [c for c in candidates if c.sheet is first.sheet and c.row == first.row]
    return min(both, key=lambda c: (-c.recognised, _name_column(c)))


def _fields(columns: list[Mapping]) -> set[str]:
    return {c.field for c in columns if c.field}


def other_tables(sheets: list[Sheet], choice: HeaderChoice) -> list[str]:
    """Other sheets that hold a table of the same register (a KIR with one sheet per room):
    a header row reading the same fields as the chosen one, with a row of something below it.
    A summary ("Rekap": No, Nama Barang, Jumlah, Nilai) reads fewer, and is no such table."""
    found: list[str] = []
    fields = _fields(choice.columns)
    # not the chosen sheet's name: a CSV's readings with its other separators carry it too
    for candidate in _candidates([s for s in sheets if s.name != choice.sheet.name]):
        sheet = candidate.sheet
        same = candidate.kind is choice.kind and _fields(candidate.columns) >= fields
        if not same or candidate.recognised < 2 or sheet.name in found:
            continue
        if any(any(c.text for c in row) for row in sheet.rows[candidate.row :]):
            found.append(sheet.name)
    return found


def _is_number(cell: Cell) -> bool:
    return isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool)


def with_sub_header(choice: HeaderChoice) -> HeaderChoice:
    """The header row and, when the row under it names the columns of a group header (the
    official forms: "Nomor" over "Pabrik | Rangka", "Keadaan Barang" over "Baik (B) | Kurang
    Baik (KB) | Rusak Berat (RB)"), that second row too: each such column is read as
    "<group> <name>" ("Nomor Pabrik"), and the condition's columns as ticks of their condition.
    A second header row has text only, and only under an empty header or a group's first."""
    rows = choice.sheet.rows
    if choice.row >= len(rows):
        return choice
    below = rows[choice.row]
    head = ["" if c.formula else c.text for c in rows[choice.row - 1]]
    head += [""] * (len(below) + 1 - len(head))
    # a header merged over both rows is in both (the merge's value belongs to each row)
    sub = {i: cell.text for i, cell in enumerate(below) if cell.text and cell.text != head[i]}
    if not sub or any(cell.formula or _is_number(cell) for cell in below if cell.text):
        return choice
    starts = {i for i in sub if head[i] and not head[i + 1] and i + 1 in sub}
    if any(head[i] and i not in starts for i in sub) or all(head[i] for i in sub):
        return choice
    combined, groups, group = list(head), {}, ""
    for index, text in enumerate(head):
        group = text or group
        if index in sub:
            combined[index], groups[index] = f"{group} {sub[index]}", group
    aliases = ALIASES[choice.kind]
    columns = []
    for mapping in map_headers(choice.kind, combined):
        group = groups.get(mapping.index, "")
        if group and aliases.get(normal(group)) == "condition":
            try:
                ticked = values.condition(sub[mapping.index])
            except ValueError:
                pass
            else:
                mapping = Mapping(mapping.index, mapping.header, f"{TICK}{ticked.value}")
        columns.append(mapping)
    ticks = any(c.field and c.field.startswith(TICK) for c in columns)
    if not ticks and _score(columns) <= choice.recognised:
        return choice  # it names nothing more: not headers (a row of data under the table's)
    return replace(choice, columns=columns, recognised=_score(columns), depth=2)
