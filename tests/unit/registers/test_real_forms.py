"""Registers as OPD really keep them (tests/data/registers, written by make.py): the header row
below title rows, header variants, blank/total/signature rows skipped with a reason, text years,
devices without an address, an unknown OPD code, a formula in a data cell. Each asserts the exact
report that `spbe collect import --json` prints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from spbe_common.registers import check_catalogue, read_register, to_json

REGISTERS = Path(__file__).resolve().parents[2] / "data" / "registers"
CATALOGUE = {"DINKES", "RSDP", "DINSOS", "DISKOMINFOSATIK"}


def report(name: str, opd: str | None = None, known: set[str] | None = None) -> dict[str, Any]:
    register = read_register(REGISTERS / name, 5 * 1024 * 1024, 1000, opd=opd)
    if known is not None:
        check_catalogue(register, known, opd)
    return to_json(register)


def asset(row: int, name: str, kind: str, make_model: str, address: str | None, location: str,
          year: int, condition: str, notes: str | None = None) -> dict[str, Any]:  # fmt: skip
    """`make_model` as the 'Merk/Type' cell: its first word is the manufacturer."""
    make, _, model = make_model.partition(" ")
    values: dict[str, Any] = {"addresses": [address]} if address else {}
    values |= {"name": name, "kind": kind, "opd_code": "DINKES", "location": location,
               "manufacturer": make, "model": model, "procurement_year": year,
               "condition": condition}  # fmt: skip
    return {"row": row, "values": values | ({"notes": notes} if notes else {})}


DINKES_ROWS = [
    asset(4, "Server SIMPUS", "server", "Dell PowerEdge R740", "127.30.0.10", "Ruang Server",
          2020, "baik"),
    asset(5, "Storage Arsip", "storage", "Synology DS920+", "127.30.0.11", "Ruang Server", 2020,
          "baik"),
    asset(6, "Firewall Kantor", "security_device", "Fortinet FortiGate 60F", "127.30.0.1",
          "Ruang Server", 2021, "baik"),
    asset(7, "Router Utama", "network_device", "MikroTik CCR1009", "127.30.0.2", "Ruang Server",
          2019, "baik"),
    asset(8, "Switch Core", "network_device", "Cisco SG350-28", "127.30.0.3", "Ruang Server",
          2019, "baik"),
    asset(10, "Access Point Lantai 1", "network_device", "Ubiquiti UniFi AC Lite", "127.30.0.21",
          "Lobi", 2022, "baik"),
    asset(11, "Access Point Aula", "network_device", "Ubiquiti UniFi AC Lite", "127.30.0.22",
          "Aula", 2022, "rusak_ringan", "sinyal lemah"),
    asset(12, "Radio Puskesmas Ciruas", "network_device", "Ubiquiti NanoStation M5",
          "127.30.0.30", "Menara", 2018, "baik"),
    asset(13, "Switch Ruang Rapat", "network_device", "TP-Link TL-SG1024D", None,
          "Ruang Rapat Lt. 2", 2017, "baik", "unmanaged, tanpa IP"),
    asset(15, "Printer Sekretariat", "peripheral", "Epson L3110", "127.30.0.40", "Sekretariat",
          2021, "baik"),
    asset(16, "UPS Ruang Server", "power", "APC Smart-UPS 1500", None, "Ruang Server", 2020,
          "baik"),
    asset(17, "NVR CCTV", "cctv", "Hikvision DS-7608NI", "127.30.0.50", "Ruang Server", 2023,
          "baik"),
    asset(18, "Laptop Kepala Dinas", "end_user_device", "Lenovo ThinkPad E14", None,
          "Ruang Kepala Dinas", 2022, "baik"),
    asset(19, "Komputer Bidang P2P", "end_user_device", "HP ProDesk 400 G7", "127.30.0.60",
          "Bidang P2P", 2019, "rusak_berat", "menunggu penghapusan"),
    asset(20, "Komputer Bidang Yankes", "end_user_device", "HP ProDesk 400 G7", "127.30.0.61",
          "Bidang Yankes", 2019, "baik"),
    asset(21, "Scanner Arsip", "peripheral", "Fujitsu fi-7160", None, "Subbag Umum", 2020,
          "baik"),
    asset(22, "Proyektor Aula", "peripheral", "Epson EB-X51", None, "Aula", 2021,
          "rusak_ringan"),
    asset(23, "Server Cadangan", "server", "Lenovo ThinkSystem SR250", "127.30.0.12",
          "Ruang Server", 2021, "baik"),
]  # fmt: skip
DINKES_SKIPPED = [
    {"row": 1, "reason": "judul di atas tabel ('DAFTAR ASET TIK DINAS KESEHATAN KABUPATEN SERANG"
     " TAHUN 2026')"},
    {"row": 2, "reason": "baris kosong"},
    {"row": 3, "reason": "baris judul kolom (lembar 'Aset TIK', 8 kolom dikenali)"},
    {"row": 9, "reason": "baris kosong"},
    {"row": 14, "reason": "baris kosong"},
    {"row": 24, "reason": "baris kosong"},
    {"row": 25, "reason": "baris jumlah (JUMLAH)"},
    {"row": 26, "reason": "blok tanda tangan"},
    {"row": 27, "reason": "blok tanda tangan"},
    {"row": 28, "reason": "blok tanda tangan"},
    {"row": 29, "reason": "baris kosong"},
    {"row": 30, "reason": "baris kosong"},
    {"row": 31, "reason": "blok tanda tangan"},
    {"row": 32, "reason": "blok tanda tangan"},
    {"row": 33, "reason": "blok tanda tangan"},
]  # fmt: skip
DINKES_COLUMNS = {
    "No.": None, "Nama Perangkat": "name", "Jenis": "kind", "Merk/Type": "manufacturer",
    "Alamat IP": "addresses", "Lokasi": "location", "Tahun Pengadaan": "procurement_year",
    "Kondisi": "condition", "Keterangan": "notes",
}  # fmt: skip


def test_the_dinkes_register_of_the_issue_reads_whole() -> None:
    assert report("dinkes_aset_tik.xlsx", opd="DINKES", known=CATALOGUE) == {
        "valid": 18,
        "errors": [],
        "warnings": [],
        "skipped": DINKES_SKIPPED,
        "columns": DINKES_COLUMNS,
        "rows": DINKES_ROWS,
    }


def test_without_an_opd_every_row_says_so_at_once() -> None:
    found = report("dinkes_aset_tik.xlsx")
    assert found["valid"] == 0 and found["rows"] == []
    assert found["errors"] == [
        {"row": r["row"], "column": "Kode OPD",
         "message": "wajib diisi (atau pilih satu OPD untuk seluruh berkas: --opd)"}
        for r in DINKES_ROWS
    ]  # fmt: skip


def test_header_variants_on_a_second_sheet_below_two_title_rows() -> None:
    assert report("rsdp_kib_varian.xlsx", opd="RSDP", known=CATALOGUE) == {
        "valid": 3,
        "errors": [],
        "warnings": [],
        "skipped": [
            {"row": 1, "reason": "judul di atas tabel ('KARTU INVENTARIS BARANG (KIB) B -"
             " PERALATAN DAN MESIN (TIK)')"},
            {"row": 2, "reason": "judul di atas tabel ('SKPD: RSUD dr. Dradjat Prawiranegara"
             " (contoh fiktif)')"},
            {"row": 3, "reason": "baris kosong"},
            {"row": 4, "reason": "baris judul kolom (lembar 'KIB Peralatan TIK', 15 kolom"
             " dikenali)"},
            {"row": 5, "reason": "baris nomor kolom"},
        ],
        "columns": {
            "NO": None, "NAMA BARANG": "name", "Kategori": "kind", "Merk": "manufacturer",
            "Tipe": "model", "IP Address": "addresses", "MAC Address": "mac", "S/N": "serial",
            "No. Register": "asset_code", "Ruangan": "location",
            "Tahun Perolehan": "procurement_year", "Kondisi": "condition",
            "Harga (Rp)": "acquisition_cost", "Sumber Dana": "funding_source",
            "Garansi": "warranty_until", "Catatan": "notes", "Foto": None,
        },
        "rows": [
            {"row": 6, "values": {
                "mac": "00:00:5E:00:53:10", "serial": "SRV-0001", "addresses": ["127.31.0.10"],
                "name": "Server SIMRS", "kind": "server", "opd_code": "RSDP",
                "location": "Ruang Server", "manufacturer": "Dell", "model": "PowerEdge R750",
                "procurement_year": 2022, "condition": "baik", "acquisition_cost": 185000000,
                "funding_source": "APBD", "asset_code": "1.3.2.10.02.01.001",
                "warranty_until": "2027-12-31"}},
            {"row": 7, "values": {
                "serial": "PC-0001", "addresses": ["127.31.0.20"], "name": "Komputer Pendaftaran",
                "kind": "end_user_device", "opd_code": "RSDP", "location": "Loket Pendaftaran",
                "manufacturer": "Lenovo", "model": "ThinkCentre M70", "procurement_year": 2021,
                "condition": "rusak_ringan", "acquisition_cost": 12500000,
                "funding_source": "BLUD", "asset_code": "1.3.2.10.01.02.004",
                "warranty_until": "2024-12-31"}},
            {"row": 8, "values": {
                "name": "Kamera CCTV IGD", "kind": "cctv", "opd_code": "RSDP", "location": "IGD",
                "manufacturer": "Hikvision", "model": "DS-2CD1043", "procurement_year": 2023,
                "condition": "rusak_berat", "acquisition_cost": 2750000,
                "funding_source": "Hibah", "asset_code": "1.3.2.10.02.05.002",
                "notes": "kabel putus"}},
        ],
    }  # fmt: skip


def test_an_unknown_opd_code_is_reported_by_the_dry_run() -> None:
    found = report("opd_tidak_dikenal.xlsx", known=CATALOGUE)
    assert found["errors"] == [
        {"row": 3, "column": "Kode OPD", "message": "OPD 'DINKESS' tidak ada di katalog"}
    ]
    assert [(r["row"], r["values"]["opd_code"]) for r in found["rows"]] == [
        (2, "DINKES"), (4, "DINKES"), (5, "RSDP"),
    ]  # fmt: skip
    assert found["valid"] == 3
    assert found["columns"] == {
        "No": None, "Nama Aset": "name", "Jenis Perangkat": "kind", "Alamat IP": "addresses",
        "Kode OPD": "opd_code",
    }  # fmt: skip


def test_one_opd_per_file_refuses_a_row_of_another() -> None:
    found = report("opd_tidak_dikenal.xlsx", opd="DINKES", known=CATALOGUE)
    assert found["errors"] == [
        {"row": 3, "column": "Kode OPD",
         "message": "baris ini untuk OPD DINKESS, bukan OPD yang dipilih (DINKES)"},
        {"row": 5, "column": "Kode OPD",
         "message": "baris ini untuk OPD RSDP, bukan OPD yang dipilih (DINKES)"},
    ]  # fmt: skip
    assert found["valid"] == 2


def test_an_unknown_opd_for_the_whole_file_is_one_error() -> None:
    found = report("dinkes_aset_tik.xlsx", opd="DINKESX", known=CATALOGUE)
    assert (found["valid"], found["rows"]) == (0, [])
    assert found["errors"] == [
        {"row": None, "column": "Kode OPD",
         "message": "OPD 'DINKESX' yang dipilih untuk berkas ini tidak ada di katalog"}
    ]  # fmt: skip


def test_a_formula_in_a_data_cell_is_refused_naming_the_cell_among_every_other_error() -> None:
    assert report("rumus_di_sel.xlsx", opd="DINSOS", known=CATALOGUE) == {
        "valid": 1,
        "errors": [
            {"row": 5, "column": "Merk/Type",
             "message": "rumus (formula) tidak diizinkan di sel D5; isi nilainya"},
            {"row": 6, "column": "Jenis",
             "message": "jenis 'Jam dinding' tidak dikenal; pakai misalnya Server, Switch,"
             " Router, Access Point, Firewall, Storage, Printer, UPS, CCTV, Laptop, Komputer"
             " atau Lainnya"},
            {"row": 6, "column": "Alamat IP",
             "message": "'127.33.0.300' bukan alamat IP yang valid"},
            {"row": 6, "column": "Tahun", "message": "'dulu' bukan tahun (contoh 2020)"},
            {"row": 6, "column": "Kondisi",
             "message": "kondisi 'Rusak' tidak dikenal; pilih Baik (B), Rusak Ringan (RR) atau"
             " Rusak Berat (RB)"},
            {"row": 7, "column": "Nama Perangkat", "message": "wajib diisi"},
        ],
        "warnings": [],
        "skipped": [
            {"row": 1, "reason": "judul di atas tabel ('DATA PERANGKAT TIK DINAS SOSIAL 2026')"},
            {"row": 2, "reason": "baris kosong"},
            {"row": 3, "reason": "baris judul kolom (lembar 'Sheet', 6 kolom dikenali)"},
        ],
        "columns": {
            "No.": None, "Nama Perangkat": "name", "Jenis": "kind",
            "Merk/Type": "manufacturer", "Alamat IP": "addresses", "Tahun": "procurement_year",
            "Kondisi": "condition",
        },
        "rows": [
            {"row": 4, "values": {
                "addresses": ["127.33.0.1"], "name": "Router Kantor", "kind": "network_device",
                "opd_code": "DINSOS", "manufacturer": "MikroTik", "model": "hEX",
                "procurement_year": 2020,
                "condition": "baik"}},
        ],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("NAMA  PERANGKAT", "name"), ("nama_barang", "name"), ("Jenis Perangkat", "kind"),
        ("MERK / TYPE", "manufacturer"), ("Merek", "manufacturer"), ("ip address", "addresses"),
        ("No. Seri", "serial"), ("Serial Number", "serial"), ("S/N", "serial"),
        ("Kode Barang", "asset_code"), ("No. Inventaris", "asset_code"),
        ("Tahun Perolehan", "procurement_year"), ("Nilai Perolehan", "acquisition_cost"),
        ("Masa Garansi", "warranty_until"), ("Kode OPD", "opd_code"), ("OPD", "opd_code"),
        ("Keterangan:", "notes"), ("Ruangan", "location"),
    ],
)  # fmt: skip
def test_header_variants_are_case_space_and_punctuation_blind(
    tmp_path: Path, header: str, field: str
) -> None:
    path = tmp_path / "varian.csv"
    first = "Nama Aset" if field != "name" else header
    other = header if field != "name" else "Lokasi"
    path.write_text(f"{first};{other}\nx;y\n", encoding="utf-8")
    columns = to_json(read_register(path, 1024 * 1024, 10, opd="DINKES"))["columns"]
    assert columns[" ".join(header.split())] == field  # the header as shown: spaces collapsed


def test_a_kib_code_and_register_number_make_one_asset_code_per_item(tmp_path: Path) -> None:
    """Two laptops of one class share the KIB's Kode Barang; the register number tells them
    apart, so they stay two assets."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["No.", "Nama Barang", "Jenis", "Kode Barang", "No. Register", "Kondisi"])
    sheet.append([1, "Laptop Sekretaris", "Laptop", "1.3.2.10.02.03.001", "0001", "B"])
    sheet.append([2, "Laptop Bendahara", "Laptop", "1.3.2.10.02.03.001", "0002", "B"])
    sheet.append([3, "Printer TU", "Printer", None, "0007", "RR"])
    path = tmp_path / "kib.xlsx"
    book.save(path)
    found = report(str(path), opd="DINKES")
    assert found["columns"]["Kode Barang"] == found["columns"]["No. Register"] == "asset_code"
    assert [r["values"]["asset_code"] for r in found["rows"]] == [
        "1.3.2.10.02.03.001/0001",
        "1.3.2.10.02.03.001/0002",
        "0007",
    ]
    assert found["errors"] == []
