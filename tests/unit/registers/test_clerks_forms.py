"""Registers as OPD clerks fill them in, beyond the template: the official KIB headers, text
amounts in totals rows, three officers signing side by side, group headings without a letter,
a header row below a long title block, sheets formatted far below the data, Windows CSV, and the
words of SPBE forms ("Baik (B)", "Aplikasi Khusus", "Berbasis Web", an address without https)."""

from __future__ import annotations

import tracemalloc
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from spbe_common.events.enums import (
    ApplicationKind,
    ApplicationStatus,
    AssetCondition,
    AssetKind,
    Lifecycle,
    Platform,
)
from spbe_common.events.payloads import ApplicationDeclared, AssetDeclared
from spbe_common.registers import ParsedRegister, RegisterKind, read_register, to_json
from spbe_common.registers.read import HIDDEN
from spbe_common.registers.values import kind_in_name, written_off

MiB = 1024 * 1024
HEADERS = ["No", "Nama Barang", "Nomor Seri", "Tahun Perolehan", "Harga", "Kondisi"]


Rows = Sequence[Sequence[Any]]


def xlsx(
    path: Path,
    rows: Rows,
    *,
    formatted_to: int = 0,
    merges: Sequence[str] = (),
    title: str | None = None,
    more: Mapping[str, Rows] | None = None,
    hidden: Sequence[int] = (),
) -> Path:
    """A workbook of `rows` (its first sheet, named `title`), cells merged over `merges`
    ("C2:C4"), further sheets by name (`more`), and the first sheet's rows `hidden` in Excel."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    if title:
        sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for merge in merges:
        sheet.merge_cells(merge)
    for number in hidden:
        sheet.row_dimensions[number].hidden = True
    for name, their_rows in (more or {}).items():
        other = book.create_sheet(name)
        for row in their_rows:
            other.append(list(row))
    if formatted_to:  # a border on an empty cell far below: the sheet's rows reach it
        sheet.cell(row=formatted_to, column=1).border = openpyxl.styles.Border(
            left=openpyxl.styles.Side(style="thin")
        )
    book.save(path)
    return path


def read(path: Path, max_rows: int = 10_000) -> ParsedRegister:
    return read_register(path, 5 * MiB, max_rows, opd="DINKES")


def names(register: ParsedRegister) -> list[str]:
    return [r.name for r in register.rows]


def skipped(register: ParsedRegister) -> dict[int, str]:
    return {s.row: s.reason for s in register.skipped}


def test_totals_with_text_amounts_are_skipped_and_items_named_total_are_not(tmp_path) -> None:
    register = read(
        xlsx(
            tmp_path / "jumlah.xlsx",
            [
                HEADERS,
                [1, "PC", "P1", 2020, "12.500.000", "Baik"],
                [2, "Total Station", "TS1", 2019, 85_000_000, "Baik"],
                [3, "Jumlah Pengunjung Counter (Kiosk)", "K1", 2020, "Rp 15.000.000", "Baik"],
                [None, "JUMLAH", None, None, "112.500.000", None],
                [None, "Total Nilai (Rp)", None, None, "Rp 112.500.000,00", None],
                [None, "Jumlah Perangkat Jaringan", None, None, 3, None],
                ["JUMLAH HARGA S/D HALAMAN INI", None, None, None, "=SUM(E2:E4)", None],
            ],
        )
    )
    assert register.errors == []
    assert names(register) == ["PC", "Total Station", "Jumlah Pengunjung Counter (Kiosk)"]
    assert skipped(register)[5] == "baris jumlah (JUMLAH)"
    assert skipped(register)[6] == "baris jumlah (Total Nilai (Rp))"
    assert skipped(register)[7] == "baris jumlah (Jumlah Perangkat Jaringan)"
    assert skipped(register)[8] == "baris jumlah (JUMLAH HARGA S/D HALAMAN INI)"


def test_a_csv_totals_row_is_skipped(tmp_path) -> None:
    path = tmp_path / "aset.csv"
    path.write_text(
        "No.;Nama Perangkat;S/N;Harga Perolehan (Rp)\n"
        "1;Server SIMPUS;SN1;1.250.000,00\n"
        ";JUMLAH;2 unit;1.250.000,00\n"
    )
    register = read(path)
    assert register.errors == [] and names(register) == ["Server SIMPUS"]
    assert skipped(register)[3] == "baris jumlah (JUMLAH)"


def test_three_officers_signing_side_by_side_are_not_assets(tmp_path) -> None:
    blank = [None] * 6
    register = read(
        xlsx(
            tmp_path / "kir.xlsx",
            [
                HEADERS,
                [1, "Komputer", "MJ01", 2020, None, "Baik"],
                blank,
                [None, "Mengetahui,", None, None, None, "Serang, 20 Januari 2026"],
                [None, "Kepala Dinas Kesehatan", None, "Pengurus Barang", None, "Penanggung Jawab"],
                blank,
                [None, "dr. H. AHMAD, M.Kes", None, "SITI AMINAH", None, "JOKO"],
                [None, "NIP. 19700101 199003 1 002", None, "NIP. 1980", None, "NIP. 1985"],
            ],
        )
    )
    assert register.errors == [] and names(register) == ["Komputer"]
    assert [skipped(register)[n] for n in (4, 5, 7, 8)] == ["blok tanda tangan"] * 4


def test_group_headings_without_a_letter_and_a_date_line_without_its_day(tmp_path) -> None:
    """With a No. column a lone name in capitals is a heading; one in other letters is an item
    that lacks its number. A month and year in a note is no date line of a signature."""
    register = read(
        xlsx(
            tmp_path / "kelompok.xlsx",
            [
                [*HEADERS, "Keterangan"],
                [None, "PERANGKAT JARINGAN"],
                [1, "Router Mikrotik", "MK-01", 2022, 3_500_000, "Baik", "Diterima Maret 2023"],
                [None, "Printer Epson L3110"],
                [2, "PC Sekretariat", "PC-01", 2021, 9_000_000, "Baik"],
                [3, "Komputer Hibah Januari 2020"],
                [4, "Scanner"],
                [None, None, None, None, None, "Serang,      Januari 2026"],
                [None, None, None, None, None, "Kepala Dinas PUPR"],
            ],
        )
    )
    assert register.errors == []
    assert names(register) == ["Router Mikrotik", "Printer Epson L3110", "PC Sekretariat",
                               "Komputer Hibah Januari 2020", "Scanner"]  # fmt: skip
    assert skipped(register)[2].startswith("judul kelompok")
    assert skipped(register)[8] == skipped(register)[9] == "blok tanda tangan"


def test_the_kib_b_headers_as_the_official_form_words_them(tmp_path) -> None:
    head = ["No", "Jenis Barang / Nama Barang", "No. Kode Barang", "Nomor Pabrik",
            "Tanggal Perolehan", "Harga Beli / Perolehan (Rp)", "Jumlah Barang / Register"]  # fmt: skip
    register = read(
        xlsx(
            tmp_path / "kib.xlsx",
            [
                head,
                [
                    1,
                    "Personal Computer",
                    "1.3.2.10.02.03.001",
                    "PF-9",
                    "12 Januari 2021",
                    "9.500.000",
                    1,
                ],
            ],
        )
    )
    assert register.errors == []
    assert all(c.field for c in register.columns if c.header != "No")
    (pc,) = register.rows
    assert isinstance(pc, AssetDeclared)
    assert (pc.name, pc.asset_code, pc.serial) == (
        "Personal Computer",
        "1.3.2.10.02.03.001",
        "PF-9",
    )
    assert (pc.procurement_year, pc.acquisition_cost) == (2021, 9_500_000)


def test_a_list_of_servers_naming_their_applications_is_an_asset_register(tmp_path) -> None:
    register = read(
        xlsx(
            tmp_path / "server.xlsx",
            [
                ["No", "Nama Perangkat", "Alamat IP", "Nama Aplikasi", "Lokasi"],
                [1, "Server Web 1", "10.10.1.10", "Website Pemda", "Ruang Server"],
            ],
        )
    )
    assert register.kind is RegisterKind.ASSETS and names(register) == ["Server Web 1"]
    tie = read(
        xlsx(
            tmp_path / "seri.xlsx",
            [["No", "Nama Perangkat", "Aplikasi", "Keterangan"], [1, "Server DB", "SIMPEG", None]],
        )
    )
    assert tie.kind is RegisterKind.ASSETS and names(tie) == ["Server DB"]
    apps = read(
        xlsx(
            tmp_path / "aplikasi.xlsx",
            [["No", "Nama Aplikasi", "Nama Perangkat"], [1, "SIMPEG", "Server DB"]],
        )
    )
    assert apps.kind is RegisterKind.APPLICATIONS and names(apps) == ["SIMPEG"]


def test_a_long_title_block_and_a_sheet_formatted_far_below(tmp_path) -> None:
    title = [[f"baris judul {n}"] for n in range(1, 16)]
    register = read(
        xlsx(
            tmp_path / "panjang.xlsx",
            [*title, HEADERS, [1, "PC", "P1", 2020, None, "Baik"]],
            formatted_to=11_000,
        ),
        max_rows=100,
    )
    assert register.header_row == 16 and register.errors == [] and names(register) == ["PC"]
    assert max(skipped(register)) == 16  # nothing below the last filled row is reported


def test_too_many_filled_rows_are_still_refused(tmp_path) -> None:
    rows = [HEADERS, *([n, f"PC {n}", f"S{n}", 2020, None, "Baik"] for n in range(1, 400))]
    with pytest.raises(ValueError, match="batas 100 baris data"):
        read(xlsx(tmp_path / "banyak.xlsx", rows), max_rows=100)


def test_a_windows_csv_and_a_semicolon_csv_below_notes_with_commas(tmp_path) -> None:
    windows = tmp_path / "windows.csv"
    windows.write_bytes(
        "Nama Perangkat,S/N,Lokasi\nServer Arsip,SN1,Ruang Rapat \u2013 Lt. 2\n".encode("cp1252")
    )
    register = read(windows)
    assert register.errors == [] and register.rows[0].location == "Ruang Rapat \u2013 Lt. 2"  # type: ignore[union-attr]
    notes = tmp_path / "catatan.csv"
    notes.write_text(
        "Petunjuk: isi satu baris per barang, tanpa singkatan, dan cek ulang\n"
        "Catatan: kolom harga dalam rupiah, tanpa titik, koma, atau Rp\n"
        "No.;Nama Perangkat;S/N;Kondisi\n1;Switch Core;SN2;Baik\n"
    )
    register = read(notes)
    assert register.errors == [] and names(register) == ["Switch Core"]


@pytest.mark.parametrize(
    ("said", "condition"),
    [("Baik (B)", AssetCondition.GOOD), ("Rusak Ringan (RR)", AssetCondition.LIGHTLY_DAMAGED),
     ("Kurang Baik (KB)", AssetCondition.LIGHTLY_DAMAGED),
     ("Rusak Berat (RB)", AssetCondition.BADLY_DAMAGED)],
)  # fmt: skip
def test_the_conditions_as_the_hint_words_them(tmp_path, said, condition) -> None:
    register = read(
        xlsx(tmp_path / "k.xlsx", [["Nama Barang", "Kondisi", "Jumlah"], ["PC", said, "1 Unit"]])
    )
    assert register.errors == [] and register.rows[0].condition is condition  # type: ignore[union-attr]


def test_a_condition_that_contradicts_its_bracket_is_refused(tmp_path) -> None:
    register = read(xlsx(tmp_path / "k.xlsx", [["Nama Barang", "Kondisi"], ["PC", "Baik (RB)"]]))
    assert [(e.row, e.column) for e in register.errors] == [(2, "Kondisi")]


def test_an_application_list_in_the_words_of_the_spbe_forms(tmp_path) -> None:
    register = read(
        xlsx(
            tmp_path / "aplikasi.xlsx",
            [
                ["No", "Nama Aplikasi", "Jenis Aplikasi", "Platform", "URL", "Status"],
                [
                    1,
                    "ASPAK",
                    "Aplikasi Umum",
                    "Berbasis Web",
                    "aspak.kemkes.go.id",
                    "Aktif digunakan",
                ],
                [
                    2,
                    "SIMPUS",
                    "Aplikasi Khusus",
                    "Aplikasi Web",
                    "http://10.20.0.15:8080 (lokal)",
                    "Tidak aktif digunakan",
                ],
            ],
        )
    )
    assert register.errors == []
    aspak, simpus = register.rows
    assert isinstance(aspak, ApplicationDeclared) and isinstance(simpus, ApplicationDeclared)
    assert [str(u) for u in aspak.urls] == ["https://aspak.kemkes.go.id/"]
    assert [str(u) for u in simpus.urls] == ["http://10.20.0.15:8080/"]
    assert (aspak.kind, simpus.kind) == (ApplicationKind.GENERAL, ApplicationKind.SPECIAL)
    assert aspak.platform is simpus.platform is Platform.WEB
    assert (aspak.status, simpus.status) == (ApplicationStatus.ACTIVE, ApplicationStatus.INACTIVE)


def test_the_header_row_repeated_on_a_new_page_is_skipped(tmp_path) -> None:
    register = read(
        xlsx(
            tmp_path / "halaman.xlsx",
            [HEADERS, [1, "PC", "P1", 2020, None, "Baik"], HEADERS, [2, "Laptop", "L1", 2021]],
        )
    )
    assert register.errors == [] and names(register) == ["PC", "Laptop"]
    assert skipped(register)[3] == "baris judul kolom diulang"


def test_a_table_on_a_second_sheet_is_an_error_not_rows_left_out(tmp_path) -> None:
    """A KIR kept as one sheet per room: only one sheet is read, so the file is refused
    naming the others, rather than imported without their rows."""
    more = {
        "Ruang Server": [HEADERS, [1, "Server", "S1", 2021, None, "Baik"]],
        "Petunjuk": [["Kolom", "Isi"], ["Nama Barang", "wajib"]],
    }
    rows = [HEADERS, [1, "PC TU", "T1", 2020, None, "Baik"]]
    register = read(xlsx(tmp_path / "kir.xlsx", rows, title="Ruang TU", more=more))
    (error,) = register.errors
    assert error.row is None and "lembar 'Ruang Server' juga berisi tabel aset" in error.message
    assert "hanya lembar 'Ruang TU' yang dibaca" in error.message


def test_a_value_merged_over_several_rows_belongs_to_each(tmp_path) -> None:
    rows = [
        [*HEADERS, "Lokasi"],
        [None, "PERANGKAT KOMPUTER"],  # a heading merged across the table stays a heading
        [1, "PC Loket 1", "L1", 2021, None, "Baik", "Ruang Pelayanan"],
        [2, "PC Loket 2", "L2", None, None, None, None],
        [3, "PC Loket 3", "L3", None, None, None, None],
        [4, "Access Point", "AP", 2023, None, "Baik", "Lantai 2"],
    ]
    merges = ["B2:G2", *(f"{column}3:{column}5" for column in "DFG")]
    register = read(xlsx(tmp_path / "gabung.xlsx", rows, merges=merges))
    assert register.errors == [] and skipped(register)[2].startswith("judul kelompok")
    seen = [(a.name, a.procurement_year, a.location) for a in register.rows]  # type: ignore[union-attr]
    assert seen == [("PC Loket 1", 2021, "Ruang Pelayanan"), ("PC Loket 2", 2021, "Ruang Pelayanan"),
                    ("PC Loket 3", 2021, "Ruang Pelayanan"), ("Access Point", 2023, "Lantai 2")]  # fmt: skip


def test_a_merge_is_not_spread_to_empty_rows_nor_its_price_to_each_item(tmp_path) -> None:
    """Lokasi merged down over the form's empty rows leaves them empty; a price merged over
    three cameras bought as one package is the first's only."""
    rows = [
        ["Nama Perangkat", "Nomor Seri", "Harga", "Lokasi"],
        ["Kamera 1", "K1", 20_000_000, "Ruang Server"],
        ["Kamera 2", "K2", None, None],
        ["Kamera 3", "K3", None, None],
    ]
    merges = ["C2:C4", "D2:D9"]  # Lokasi down over rows the form left empty
    register = read(xlsx(tmp_path / "paket.xlsx", rows, merges=merges))
    assert register.errors == []
    seen = [(a.name, a.acquisition_cost, a.location) for a in register.rows]  # type: ignore[union-attr]
    assert seen == [("Kamera 1", 20_000_000, "Ruang Server"), ("Kamera 2", None, "Ruang Server"),
                    ("Kamera 3", None, "Ruang Server")]  # fmt: skip
    assert max(skipped(register), default=0) <= 1  # no row after the third camera is read


def test_a_merge_claiming_a_million_rows_costs_nothing_more(tmp_path) -> None:
    """A crafted file (5 KB) merging ten columns down to the sheet's last row: the merges are
    kept as ranges, not cell by cell (that took 200 MB a merge)."""
    plain = xlsx(tmp_path / "biasa.xlsx", [["Nama Perangkat", "Lokasi"], ["PC", "Gudang"]])
    merges = "".join(f'<mergeCell ref="{c}2:{c}1048576"/>' for c in "BCDEFGHIJK")
    crafted = tmp_path / "luas.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(crafted, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"</sheetData>", f"</sheetData><mergeCells>{merges}</mergeCells>".encode()
                )
            target.writestr(item, data)
    before = tracemalloc.is_tracing()
    tracemalloc.start()
    try:
        assert names(read(crafted)) == ["PC"]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        if not before:
            tracemalloc.stop()
    assert peak < 50 * MiB


def test_merges_are_found_across_the_chunks_of_a_large_sheet() -> None:
    from io import BytesIO

    from spbe_common.registers.get import _CHUNK, _MERGE, _tags

    cut = b'<mergeCell ref="E2:E4"/>'
    xml = b"x" * (_CHUNK - 10) + cut + b"y" * 100 + b'<x:mergeCell ref="AA10:AB12"/>'
    assert list(_tags(BytesIO(xml), _MERGE)) == ["E2:E4", "AA10:AB12"]


def test_the_kir_form_with_its_two_header_rows_and_ticked_conditions(tmp_path) -> None:
    """The official KIR: headers merged over two rows, 'Keadaan Barang' over three ticked
    columns, 'Nomor' over 'Pabrik | Rangka' (the KIB B), a row of column numbers."""
    head = ["No. Urut", "Nama Barang", "Nomor", None, "Tahun Pembelian", "Keadaan Barang", None,
            None, "Keterangan"]  # fmt: skip
    rows = [
        ["KARTU INVENTARIS RUANGAN (KIR)"],
        head,
        [None, None, "Pabrik", "Rangka", None, "Baik (B)", "Kurang Baik (KB)", "Rusak Berat (RB)"],
        list(range(1, 10)),
        [1, "Komputer", "MJ0A1", "-", 2020, "v", None, None],
        [2, "Komputer", "MJ0A2", "-", 2020, None, "\u221a", None],
        [3, "Printer", "KMM01", "-", 2019, None, None, "x", "dihapuskan"],
        [4, "Scanner", "FS01", "-", 2021, "v", "v", None],
    ]
    merges = [*(f"{column}2:{column}3" for column in "ABEI"), "C2:D2", "F2:H2"]
    register = read(xlsx(tmp_path / "kir.xlsx", rows, merges=merges))
    assert skipped(register)[3] == "baris judul kolom kedua (di bawah judul kelompok)"
    assert [(a.name, a.serial, a.condition) for a in register.rows] == [  # type: ignore[union-attr]
        ("Komputer", "MJ0A1", AssetCondition.GOOD),
        ("Komputer", "MJ0A2", AssetCondition.LIGHTLY_DAMAGED),
        ("Printer", "KMM01", AssetCondition.BADLY_DAMAGED),
    ]
    (error,) = register.errors
    assert (error.row, error.column) == (8, "Keadaan Barang Baik (B)")
    assert error.message.startswith("lebih dari satu kondisi dicentang")
    mapped = {c.header: c.field for c in register.columns}
    assert mapped["Nomor Pabrik"] == "serial" and mapped["Nomor Rangka"] is None


def test_a_kir_code_shared_by_two_items_says_what_to_do(tmp_path) -> None:
    register = read(
        xlsx(
            tmp_path / "kode.xlsx",
            [
                ["Nama Barang", "No. Kode Barang", "Nomor Seri"],
                ["Komputer", "1.3.2.10.01.02.001", "A1"],
                ["Komputer", "1.3.2.10.01.02.001", "A2"],
            ],
        )
    )
    (error,) = register.errors
    assert error.row == 3 and "tambahkan kolom No. Register" in error.message


@pytest.mark.parametrize(
    ("title", "header"),
    [(None, "Harga (Rp. 000)"), ("nilai dalam ribuan rupiah", "Harga Beli / Perolehan (Rp)")],
)
def test_costs_in_thousands_are_read_as_rupiah_and_said(tmp_path, title, header) -> None:
    rows = [[title], [None]] if title else []
    rows += [["Nama Barang", "Nomor Seri", header], ["PC", "P1", "12.500"], ["UPS", "U1", "2,75"]]
    register = read(xlsx(tmp_path / "ribuan.xlsx", rows))
    assert register.errors == []
    assert [a.acquisition_cost for a in register.rows] == [12_500_000, 2_750]  # type: ignore[union-attr]
    (cost,) = [c for c in register.columns if c.header == header]
    assert cost.note == "dibaca dalam ribuan rupiah (x 1.000)"
    assert to_json(register)["columns"][header] == "acquisition_cost"


@pytest.mark.parametrize(
    "title",
    ["Harga dalam rupiah penuh, bukan ribuan", "Puskesmas melayani ribuan pasien",
     "Monitor 1366 x 1000"],
)  # fmt: skip
def test_a_title_that_only_mentions_thousands_changes_no_cost(tmp_path, title) -> None:
    rows = [[title], [None], ["Nama Barang", "Nomor Seri", "Harga"], ["PC", "P1", 1_500_000]]
    register = read(xlsx(tmp_path / "judul.xlsx", rows))
    assert register.errors == [] and register.rows[0].acquisition_cost == 1_500_000  # type: ignore[union-attr]


def test_a_cost_already_in_rupiah_under_thousands_is_an_error_to_check(tmp_path) -> None:
    rows = [["Nama Barang", "Nomor Seri", "Harga (Rp. 000)"], ["PC", "P1", "12.500.000"]]
    (error,) = read(xlsx(tmp_path / "ribuan.xlsx", rows)).errors
    assert (error.row, error.column) == (2, "Harga (Rp. 000)")
    assert (
        "tampak sudah dalam rupiah penuh" in error.message and "Rp 12.500.000.000" in error.message
    )


def test_a_utf8_csv_with_a_stray_byte_is_refused_naming_its_line(tmp_path) -> None:
    path = tmp_path / "campur.csv"
    path.write_bytes("Nama Perangkat,Lokasi\nServer,Café Lt. 2\nSwitch,Ruang\xa0Rapat\n".encode()
                     .replace(b"\xc2\xa0", b"\xa0"))  # fmt: skip
    with pytest.raises(ValueError, match="baris 3 memuat karakter yang bukan UTF-8"):
        read(path)


def test_a_summary_sheet_is_no_second_table(tmp_path) -> None:
    summary = [["No", "Nama Barang", "Jumlah", "Nilai Perolehan"], [1, "PC", 1, 9_000_000]]
    rows = [HEADERS, [1, "PC", "P1", 2020, 9_000_000, "Baik"]]
    register = read(xlsx(tmp_path / "rekap.xlsx", rows, more={"Rekap": summary}))
    assert register.errors == [] and names(register) == ["PC"]


def test_kir_condition_columns_counting_items_read_zero_as_not_ticked(tmp_path) -> None:
    rows = [
        ["Nama Barang", "Nomor Seri", "Keadaan Barang", None, None],
        [None, None, "Baik (B)", "Kurang Baik (KB)", "Rusak Berat (RB)"],
        ["PC", "P1", 1, 0, 0],
        ["Printer", "R1", 0, 0, 1],
    ]
    register = read(xlsx(tmp_path / "hitung.xlsx", rows))
    assert register.errors == []
    conditions = [a.condition for a in register.rows]  # type: ignore[union-attr]
    assert conditions == [AssetCondition.GOOD, AssetCondition.BADLY_DAMAGED]


def lifecycles(register: ParsedRegister) -> dict[str | None, Lifecycle | None]:
    return {a.name: a.lifecycle for a in register.rows}  # type: ignore[union-attr]


def warnings(register: ParsedRegister) -> list[tuple[int, str, str]]:
    return [(w.row, w.column, w.message) for w in register.warnings]


@pytest.mark.parametrize(
    ("remarks", "retired"),
    [
        ("Dihapuskan", True), ("Sudah dihapus", True), ("DIHAPUSKAN", True),
        ("Dihapus (SK Bupati No. 12 Tahun 2023)", True), ("Penghapusan 2023", True),
        ("Rusak berat, sudah dihapuskan", True), ("telah dihapus.", True),
        ("menunggu penghapusan", False), ("Usul penghapusan 2025", False),
        ("Diusulkan untuk dihapuskan", False), ("belum dihapus", False),
        ("akan dihapuskan", False), ("dalam proses penghapusan", False),
        ("Penghapusannya ditunda", False), ("Menghapus data lama", False),
        ("Dipakai staf", False), ("", False),
    ],
)  # fmt: skip
def test_remarks_name_an_item_written_off_as_a_word_not_a_proposal(remarks, retired) -> None:
    assert written_off(remarks) is retired


def test_an_item_the_remarks_say_was_written_off_is_imported_retired(tmp_path) -> None:
    """A KIB or KIR clerk keeps the line of an item written off (penghapusan BMD) and says so in
    Keterangan: it is imported retired, and the report says so; a proposal is not a write-off."""
    rows = [
        [*HEADERS, "Keterangan"],
        [1, "PC Lama", "PC-01", 2012, 7_000_000, "Rusak Berat", "Dihapus (SK Bupati No. 5)"],
        [2, "Printer Lama", "PR-01", 2013, 2_000_000, "Rusak Berat", "Penghapusan 2023"],
        [3, "PC Sekretariat", "PC-02", 2021, 9_000_000, "Baik", "Sudah dihapus"],
        [4, "UPS Ruang Server", "UP-01", 2019, 4_000_000, "RB", "usul penghapusan"],
        [5, "Laptop Kadis", "LP-01", 2023, 15_000_000, "Baik", None],
    ]
    register = read(xlsx(tmp_path / "kib.xlsx", rows))
    assert register.errors == []
    assert lifecycles(register) == {
        "PC Lama": Lifecycle.RETIRED, "Printer Lama": Lifecycle.RETIRED,
        "PC Sekretariat": Lifecycle.RETIRED, "UPS Ruang Server": None, "Laptop Kadis": None,
    }  # fmt: skip
    assert warnings(register) == [
        (2, "Keterangan",
         "'Dihapus (SK Bupati No. 5)': barang sudah dihapuskan; diimpor sebagai dihapuskan"),
        (3, "Keterangan", "'Penghapusan 2023': barang sudah dihapuskan; diimpor sebagai dihapuskan"),
        (4, "Keterangan", "'Sudah dihapus': barang sudah dihapuskan; diimpor sebagai dihapuskan"),
    ]  # fmt: skip
    report = to_json(register)
    assert report["warnings"][0] == {
        "row": 2,
        "column": "Keterangan",
        "message": "'Dihapus (SK Bupati No. 5)': barang sudah dihapuskan; diimpor sebagai dihapuskan",
    }
    assert [r["values"].get("lifecycle") for r in report["rows"]] == [
        "retired", "retired", "retired", None, None,
    ]  # fmt: skip
    assert report["rows"][0]["values"]["notes"] == "Dihapus (SK Bupati No. 5)"  # kept as written


def test_the_rows_own_status_column_wins_over_its_remarks(tmp_path) -> None:
    register = read(
        xlsx(
            tmp_path / "status.xlsx",
            [
                ["Nama Barang", "Nomor Seri", "Status", "Keterangan"],
                ["PC Aktif", "S1", "Aktif", "Dihapuskan"],
                ["PC Hilang", "S2", "Hilang", "dihapuskan"],
                ["PC Tanpa Status", "S3", None, "Dihapuskan"],
                ["PC Dihapus", "S4", "Dihapuskan", None],
                ["PC Entah", "S5", "rusak", "Dihapuskan"],
                ["PC Pinjaman", "S6", "Pinjam pakai", None],
            ],
        )
    )
    assert lifecycles(register) == {
        "PC Aktif": Lifecycle.ACTIVE, "PC Hilang": Lifecycle.MISSING,
        "PC Tanpa Status": Lifecycle.RETIRED, "PC Dihapus": Lifecycle.RETIRED,
        "PC Entah": Lifecycle.RETIRED,  # its Status says nothing known: its remarks decide
        "PC Pinjaman": None,
    }  # fmt: skip
    # a Status column of another meaning ("Pinjam pakai") never stops the import: a warning
    assert register.errors == [] and len(register.rows) == 6
    assert warnings(register)[:2] == [
        (2, "Keterangan", "'Dihapuskan' menyebut penghapusan, tetapi kolom Status 'Aktif' yang"
         " dipakai; periksa apakah barang sudah dihapuskan"),
        (3, "Keterangan", "'dihapuskan' menyebut penghapusan, tetapi kolom Status 'Hilang' yang"
         " dipakai; periksa apakah barang sudah dihapuskan"),
    ]  # fmt: skip
    assert [(w[0], w[1]) for w in warnings(register)] == [
        (2, "Keterangan"), (3, "Keterangan"), (4, "Keterangan"), (6, "Status"), (6, "Keterangan"),
        (7, "Status"),
    ]  # fmt: skip
    unknown = warnings(register)[-1][2]
    assert unknown.startswith("'Pinjam pakai' bukan status aset yang dikenal (aktif, hilang,")
    assert unknown.endswith("status aset tidak diubah")
    assert to_json(register)["columns"]["Status"] == "lifecycle"


def test_rows_hidden_in_excel_are_imported_and_reported_to_check(tmp_path) -> None:
    """Clerks hide the rows of items no longer in use instead of deleting them: neither imported
    silently nor dropped silently, but imported with a warning to check."""
    register = read(
        xlsx(
            tmp_path / "tersembunyi.xlsx",
            [
                HEADERS,
                [1, "PC Sekretariat", "PC-01", 2021, 9_000_000, "Baik"],
                [2, "PC Lama", "PC-02", 2012, 7_000_000, "Rusak Berat"],
                [],
                [3, "Printer", "PR-01", 2020, 2_000_000, "Baik"],
            ],
            hidden=[3, 4],
        )
    )
    assert register.errors == []
    assert names(register) == ["PC Sekretariat", "PC Lama", "Printer"]
    assert warnings(register) == [(3, "", HIDDEN)]  # the hidden blank row 4 is just skipped
    assert to_json(register)["warnings"] == [
        {"row": 3, "column": "", "message": "baris tersembunyi di Excel: periksa apakah barang"
         " masih dipakai"}
    ]  # fmt: skip


def kinds(register: ParsedRegister) -> list[AssetKind | None]:
    return [r.kind for r in register.rows]  # type: ignore[misc]


def test_a_kib_without_a_kind_column_takes_the_kind_from_the_device_word_of_the_name(
    tmp_path,
) -> None:
    items = ["Laptop", "PC Unit", "Printer", "Switch", "Server", "UPS", "Notebook Asus",
             "Access Point Ubiquiti", "Meja Kerja"]  # fmt: skip
    rows = [["No", "Nama Barang", "Nomor Seri"]]
    rows += [[n, name, f"SN-{n}"] for n, name in enumerate(items, start=1)]
    register = read(xlsx(tmp_path / "kib.xlsx", rows))
    assert register.errors == []
    assert kinds(register) == [
        AssetKind.END_USER_DEVICE, AssetKind.END_USER_DEVICE, AssetKind.PERIPHERAL,
        AssetKind.NETWORK_DEVICE, AssetKind.SERVER, AssetKind.POWER, AssetKind.END_USER_DEVICE,
        AssetKind.NETWORK_DEVICE, None,  # no device word: the catalogue's Lainnya
    ]  # fmt: skip
    (name,) = [c for c in register.columns if c.field == "name"]
    assert name.note == "jenis dikenali dari kata perangkat di nama (mis. PC, Switch, UPS)"


def test_a_kir_jenis_nama_barang_is_a_name_that_gives_the_kind(tmp_path) -> None:
    rows = [["No", "Jenis / Nama Barang", "Merk / Model", "Nomor Seri Pabrik"],
            [1, "Komputer", "Lenovo", "K-1"], [2, "Kamera CCTV", "Hikvision", "K-2"]]  # fmt: skip
    register = read(xlsx(tmp_path / "kir.xlsx", rows))
    assert register.errors == []
    assert kinds(register) == [AssetKind.END_USER_DEVICE, AssetKind.CCTV]


def test_an_explicit_kind_wins_over_the_name_and_an_empty_one_is_inferred(tmp_path) -> None:
    rows = [["Nama Barang", "Jenis", "Nomor Seri"], ["Laptop cadangan", "Printer", "J-1"],
            ["Switch lantai 2", None, "J-2"], ["Server aplikasi", "-", "J-3"],
            ["UPS ruang rapat", "Lainnya", "J-4"]]  # fmt: skip
    register = read(xlsx(tmp_path / "jenis.xlsx", rows))
    assert register.errors == []
    assert kinds(register) == [
        AssetKind.PERIPHERAL,
        AssetKind.NETWORK_DEVICE,
        AssetKind.SERVER,
        AssetKind.OTHER,
    ]
    assert all(c.note == "" for c in register.columns if c.field == "name")


def test_an_unknown_kind_stays_an_error_not_a_guess_from_the_name(tmp_path) -> None:
    rows = [["Nama Barang", "Jenis", "Nomor Seri"], ["Laptop", "Mebel", "E-1"]]
    (error,) = read(xlsx(tmp_path / "jenis.xlsx", rows)).errors
    assert (error.row, error.column) == (
        2,
        "Jenis",
    ) and "jenis 'Mebel' tidak dikenal" in error.message


@pytest.mark.parametrize(
    ("name", "kind"),
    [("Server Virtual SIMPEG", AssetKind.VM), ("Wireless Bridge gedung B", AssetKind.NETWORK_DEVICE),
     ("Lain-lain: UPS APC", AssetKind.POWER), ("Perangkat pengguna akhir lt 2", AssetKind.END_USER_DEVICE),
     ("Switchboard", None), ("Uppsala", None), ("Lainnya", None), ("", None)],
)  # fmt: skip
def test_the_kind_of_a_name_is_its_first_device_phrase_as_whole_words(name, kind) -> None:
    assert kind_in_name(name) == kind


def makes_and_models(register: ParsedRegister) -> list[tuple[str | None, str | None]]:
    return [(r.manufacturer, r.model) for r in register.rows]  # type: ignore[union-attr]


def test_a_merk_type_column_is_split_into_manufacturer_and_model(tmp_path) -> None:
    cells = ["Lenovo ThinkPad E14", "Lenovo / ThinkPad E14", "Lenovo/ThinkPad E14", "Rakitan",
             "HP LaserJet P1102/P1106", "Hewlett Packard / ProBook 440", "-"]  # fmt: skip
    rows = [["Nama Barang", "Merk/Type", "Nomor Seri"]]
    rows += [["Laptop", cell, f"MT-{n}"] for n, cell in enumerate(cells)]
    register = read(xlsx(tmp_path / "kib.xlsx", rows))
    assert register.errors == []
    assert makes_and_models(register) == [
        ("Lenovo", "ThinkPad E14"), ("Lenovo", "ThinkPad E14"), ("Lenovo", "ThinkPad E14"),
        ("Rakitan", None), ("HP", "LaserJet P1102/P1106"), ("Hewlett Packard", "ProBook 440"),
        (None, None),
    ]  # fmt: skip
    (column,) = [c for c in register.columns if c.header == "Merk/Type"]
    assert column.note == (
        "dipisah menjadi Merk dan Tipe/Model (Merk: teks sebelum '/', atau kata pertama)"
    )
    assert to_json(register)["columns"]["Merk/Type"] == "manufacturer"


def test_a_kir_merk_model_column_is_split_too(tmp_path) -> None:
    rows = [["No", "Jenis / Nama Barang", "Merk / Model", "Nomor Seri Pabrik"],
            [1, "Komputer", "Dell OptiPlex 3080", "K-1"]]  # fmt: skip
    assert makes_and_models(read(xlsx(tmp_path / "kir.xlsx", rows))) == [("Dell", "OptiPlex 3080")]


def test_a_merk_or_tipe_column_of_its_own_wins_for_its_field(tmp_path) -> None:
    rows = [["Nama Barang", "Merk", "Merk/Type", "Tipe", "Nomor Seri"],
            ["Laptop", "Lenovo", "ThinkPad E14", None, "W-1"],
            ["Laptop", "Lenovo", "Lenovo ThinkPad E14", None, "W-2"],
            ["Laptop", None, "Asus VivoBook 14", None, "W-3"],
            ["Laptop", None, "Asus VivoBook", "A416", "W-4"],
            ["Laptop", "Acer", "Aspire", "A514", "W-5"]]  # fmt: skip
    assert makes_and_models(read(xlsx(tmp_path / "merk.xlsx", rows))) == [
        ("Lenovo", "ThinkPad E14"), ("Lenovo", "ThinkPad E14"), ("Asus", "VivoBook 14"),
        ("Asus", "A416"), ("Acer", "A514"),
    ]  # fmt: skip
