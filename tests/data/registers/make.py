"""Re-create the realistic register workbooks (fictional sample data, addresses on loopback).

They are shaped the way OPD keep their lists (see the issue and the reference notes on OPD
registers): title rows, blank rows, a `No.` column, header variants, a JUMLAH row with a formula,
a signature block. Run: .venv/bin/python tests/data/registers/make.py
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).parent
DINKES_HEADERS = [
    "No.", "Nama Perangkat", "Jenis", "Merk/Type", "Alamat IP", "Lokasi", "Tahun Pengadaan",
    "Kondisi", "Keterangan",
]  # fmt: skip
DINKES_ROWS: list[Sequence[object] | None] = [
    [1, "Server SIMPUS", "Server", "Dell PowerEdge R740", "127.30.0.10", "Ruang Server", 2020,
     "Baik", None],
    [2, "Storage Arsip", "Storage", "Synology DS920+", "127.30.0.11", "Ruang Server", "th. 2020",
     "Baik", None],
    [3, "Firewall Kantor", "Firewall", "Fortinet FortiGate 60F", "127.30.0.1", "Ruang Server",
     2021, "Baik", None],
    [4, "Router Utama", "Router", "MikroTik CCR1009", "127.30.0.2 ", "Ruang Server", "2019 ",
     "Baik", None],
    [5, "Switch Core", "Switch", "Cisco SG350-28", "127.30.0.3", "Ruang Server", 2019, "Baik",
     None],
    None,
    [6, "Access Point Lantai 1", "Access Point", "Ubiquiti UniFi AC Lite", "127.30.0.21", "Lobi",
     2022, "Baik", None],
    [7, "Access Point Aula", "Access Point", "Ubiquiti UniFi AC Lite", "127.30.0.22", "Aula",
     2022, "Rusak Ringan", "sinyal lemah"],
    [8, "Radio Puskesmas Ciruas", "Wireless Bridge", "Ubiquiti NanoStation M5", "127.30.0.30",
     "Menara", 2018, "Baik", None],
    [9, "Switch Ruang Rapat", "Switch", "TP-Link TL-SG1024D", None, "Ruang Rapat Lt. 2", 2017,
     "Baik", "unmanaged, tanpa IP"],
    None,
    [10, "Printer Sekretariat", "Printer", "Epson L3110", "127.30.0.40", "Sekretariat", 2021,
     "Baik", None],
    [11, "UPS Ruang Server", "UPS", "APC Smart-UPS 1500", None, "Ruang Server", 2020, "Baik",
     None],
    [12, "NVR CCTV", "NVR", "Hikvision DS-7608NI", "127.30.0.50", "Ruang Server", 2023, "Baik",
     None],
    [13, "Laptop Kepala Dinas", "Laptop", "Lenovo ThinkPad E14", None, "Ruang Kepala Dinas", 2022,
     "Baik", None],
    [14, "Komputer Bidang P2P", "Komputer", "HP ProDesk 400 G7", "127.30.0.60", "Bidang P2P",
     2019, "Rusak Berat", "menunggu penghapusan"],
    [15, "Komputer Bidang Yankes", "Komputer", "HP ProDesk 400 G7", "127.30.0.61",
     "Bidang Yankes", 2019, "Baik", None],
    [16, "Scanner Arsip", "Scanner", "Fujitsu fi-7160", None, "Subbag Umum", 2020, "Baik", None],
    [17, "Proyektor Aula", "Proyektor", "Epson EB-X51", None, "Aula", 2021, "RR", None],
    [18, "Server Cadangan", "Server", "Lenovo ThinkSystem SR250", "127.30.0.12", "Ruang Server",
     "th 2021", "B", None],
]  # fmt: skip


def _save(workbook: openpyxl.Workbook, name: str) -> None:
    workbook.save(HERE / name)


def _title(sheet: Worksheet, text: str, width: int) -> None:
    sheet.append([text])
    sheet.merge_cells(
        start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=width
    )
    sheet.cell(sheet.max_row, 1).font = Font(bold=True)


def _signature(sheet: Worksheet, column: int) -> None:
    """Dated and signed at the bottom right; 'Mengetahui' at the left of the same line."""
    lines: list[tuple[int, str]] = [
        (column, "Serang, 12 Januari 2026"), (2, "Mengetahui,"),
        (column, "Kepala Dinas Kesehatan"), (column, "Kabupaten Serang"), (0, ""), (0, ""),
        (column, "dr. H. Contoh Nama, M.Kes. (fiktif)"), (column, "Pembina Utama Muda"),
        (column, "NIP. 19700101 199803 1 001"),
    ]  # fmt: skip
    sheet.append([])
    start = sheet.max_row + 1
    sheet.cell(start, column, lines[0][1])
    sheet.cell(start, 2, lines[1][1])
    for offset, (where, text) in enumerate(lines[2:], start=1):
        if where:
            sheet.cell(start + offset, where, text)


def dinkes() -> None:
    """The issue's example: 'DAFTAR ASET TIK DINAS KESEHATAN KABUPATEN SERANG TAHUN 2026'."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Aset TIK"
    _title(sheet, "DAFTAR ASET TIK DINAS KESEHATAN KABUPATEN SERANG TAHUN 2026", 9)
    sheet.append([])
    sheet.append(DINKES_HEADERS)
    for row in DINKES_ROWS:
        sheet.append(list(row) if row else [])
    sheet.append([])
    sheet.append(["JUMLAH", None, "=COUNTA(B4:B24)"])
    _signature(sheet, 7)
    _save(workbook, "dinkes_aset_tik.xlsx")


def variants() -> None:
    """Header variants on a second sheet below two title rows; a notes sheet comes first."""
    workbook = openpyxl.Workbook()
    notes = workbook.active
    assert notes is not None
    notes.title = "Catatan"
    notes.append(["Catatan pengurus barang: data per 31 Desember 2025"])
    sheet = workbook.create_sheet("KIB Peralatan TIK")
    _title(sheet, "KARTU INVENTARIS BARANG (KIB) B - PERALATAN DAN MESIN (TIK)", 12)
    sheet.append(["SKPD: RSUD dr. Dradjat Prawiranegara (contoh fiktif)"])
    sheet.append([])
    sheet.append([
        "NO", "NAMA BARANG", "Kategori", "Merk", "Tipe", "IP Address", "MAC Address", "S/N",
        "No. Register", "Ruangan", "Tahun Perolehan", "Kondisi", "Harga (Rp)", "Sumber Dana",
        "Garansi", "Catatan", "Foto",
    ])  # fmt: skip
    sheet.append(list(range(1, 18)))  # the column numbers under the headers
    sheet.append([
        1, "Server SIMRS", "server", "Dell", "PowerEdge R750", "127.31.0.10",
        "00-00-5e-00-53-10", "SRV-0001", "1.3.2.10.02.01.001", "Ruang Server",
        "Tahun 2022", "B", "Rp 185.000.000", "APBD", datetime(2027, 12, 31), "", "ada",
    ])  # fmt: skip
    sheet.append([
        2, "Komputer Pendaftaran", "PC Desktop", "Lenovo", "ThinkCentre M70", "127.31.0.20",
        None, "PC-0001", "1.3.2.10.01.02.004", "Loket Pendaftaran", 2021, "Kurang Baik",
        "12.500.000,00", "BLUD", "31/12/2024", "-", None,
    ])  # fmt: skip
    sheet.append([
        3, "Kamera CCTV IGD", "IP Camera", "Hikvision", "DS-2CD1043", "-", None, "-",
        "1.3.2.10.02.05.002", "IGD", 2023, "Rusak Berat", 2750000, "Hibah", None,
        "kabel putus", None,
    ])  # fmt: skip
    _save(workbook, "rsdp_kib_varian.xlsx")


def unknown_opd() -> None:
    """A Kode OPD column: one row has a code that is not in the catalogue, one names another OPD."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["No", "Nama Aset", "Jenis Perangkat", "Alamat IP", "Kode OPD"])
    sheet.append([1, "Switch Akses", "Switch", "127.32.0.2", "DINKES"])
    sheet.append([2, "Router Puskesmas", "Router", "127.32.0.3", "DINKESS"])
    sheet.append([3, "Printer Farmasi", "Printer", None, "dinkes"])
    sheet.append([4, "Server RS", "Server", "127.32.0.4", "RSDP"])
    _save(workbook, "opd_tidak_dikenal.xlsx")


def formula() -> None:
    """A formula in a data cell (D5) among other errors; the No. column is numbered by formula."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    _title(sheet, "DATA PERANGKAT TIK DINAS SOSIAL 2026", 8)
    sheet.append([])
    sheet.append(["No.", "Nama Perangkat", "Jenis", "Merk/Type", "Alamat IP", "Tahun", "Kondisi"])
    sheet.append(
        ["=ROW()-3", "Router Kantor", "Router", "MikroTik hEX", "127.33.0.1", 2020, "Baik"]
    )
    sheet.append(["=ROW()-3", "Laptop Sekretaris", "Laptop", '=B5&" (ThinkPad)"', None, 2021, "B"])
    sheet.append(["=ROW()-3", "Mesin Absen", "Jam dinding", None, "127.33.0.300", "dulu", "Rusak"])
    sheet.append(["=ROW()-3", None, "Switch", "D-Link", "127.33.0.2", 2019, "Baik"])
    _save(workbook, "rumus_di_sel.xlsx")


def main() -> None:
    dinkes()
    variants()
    unknown_opd()
    formula()


if __name__ == "__main__":
    main()
