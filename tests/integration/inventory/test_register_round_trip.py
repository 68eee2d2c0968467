"""Issue 11's round trip: the template filled in as an OPD fills it (devices without an
address among them), imported the way `spbe collect import` imports it (read, published to the
bus, ingested by the inventory's consumer), exported from the catalogue, imported again:
nothing changes and history has no new row. The same file twice makes each device once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from harness import InventoryHarness

from spbe_collector.registers.service import commit_register, read_register
from spbe_collector.settings import CollectorSettings
from spbe_common.registers import COLUMNS, RegisterKind
from spbe_common.registers.template import write_template

OPD = "DINKES"
# Template columns: Nama Aset, Jenis Aset, Merk, Tipe, Alamat IP, MAC, Nomor Seri, Kode Barang,
# Lokasi, Tahun Pengadaan, Kondisi, Nilai Perolehan (Rp), Sumber Dana, Garansi s.d.,
# Keterangan, Kode OPD
ROWS: list[list[Any]] = [
    ["Server SIMPUS", "Server", "Dell", "PowerEdge R740", "127.30.0.10", "02:00:5E:30:00:10",
     "SRV-740-01", "1.3.2.10.02.01.001.000001", "Ruang Server", 2020, "Baik", 185000000, "APBD",
     "2025-12-31", None, OPD],
    ["Switch Core", "Perangkat jaringan", "Cisco", "SG350-28", "127.30.0.3", None, None,
     "1.3.2.10.02.02.001.000004", "Ruang Server", 2019, "Baik", 12500000, "APBD", None, None, OPD],
    ["Switch Ruang Rapat", "Perangkat jaringan", "TP-Link", "TL-SG1024D", None, None, None,
     None, "Ruang Rapat Lt. 2", 2017, "Baik", None, None, None, "unmanaged, tanpa IP", OPD],
    ["UPS Ruang Server", "Catu daya (UPS)", "APC", "Smart-UPS 1500", None, None, "AS1500-77",
     None, "Ruang Server", 2020, "Rusak Ringan", 9800000, "DAK", None, None, OPD],
    ["Laptop Kepala Dinas", "Perangkat pengguna akhir", "Lenovo", "ThinkPad E14", None, None,
     None, "1.3.2.10.01.02.001.000007", "Ruang Kepala Dinas", 2022, "Baik", 14250000, "APBD",
     "2025-06-30", None, OPD],
    ["Proyektor Aula", "Periferal", "Epson", "EB-X51", None, None, None, None, "Aula", 2021,
     "Rusak Berat", None, "Hibah", None, "menunggu penghapusan", OPD],
]  # fmt: skip


def fill_template(path: Path) -> Path:
    """The template as `spbe collect template assets` writes it, its example row replaced."""
    write_template(RegisterKind.ASSETS, path, [(OPD, "Dinas Kesehatan")])
    book = openpyxl.load_workbook(path)
    sheet = book["Aset TIK"]
    sheet.delete_rows(2)
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS[RegisterKind.ASSETS]]
    for row in ROWS:
        sheet.append(row)
    book.save(path)
    return path


def collect_import(inventory: InventoryHarness, path: Path) -> int:
    """What `spbe collect import FILE --opd DINKES` does once its dry run passed."""
    register = read_register(path, CollectorSettings(), opd=OPD)
    assert register.errors == []
    producer = inventory.bus.producer()
    try:
        count = commit_register(register, producer)
    finally:
        producer.close()
    inventory.drain()
    return count


def catalogue(inventory: InventoryHarness) -> list[dict[str, Any]]:
    return inventory.rows("SELECT * FROM asset ORDER BY id")


def history(inventory: InventoryHarness) -> list[dict[str, Any]]:
    return inventory.rows("SELECT * FROM history WHERE entity = 'asset' ORDER BY id")


@pytest.fixture
def dinkes(inventory: InventoryHarness) -> InventoryHarness:
    body = {"code": OPD, "name": "Dinas Kesehatan", "kind": "agency"}
    response = inventory.client.post("/api/v1/opd", json=body)
    assert response.status_code == 201, response.text
    return inventory


def test_the_same_file_twice_makes_each_device_once(dinkes: InventoryHarness, tmp_path: Path):
    path = fill_template(tmp_path / "aset_dinkes.xlsx")
    assert collect_import(dinkes, path) == len(ROWS)
    first, first_history = catalogue(dinkes), history(dinkes)
    assert sorted(a["name"] for a in first) == sorted(r[0] for r in ROWS)
    by_name = {a["name"]: a for a in first}
    assert by_name["Switch Ruang Rapat"]["address"] is None  # known by (OPD, name)
    assert by_name["UPS Ruang Server"]["serial"] == "AS1500-77"
    assert by_name["Laptop Kepala Dinas"]["asset_code"] == "1.3.2.10.01.02.001.000007"
    assert by_name["UPS Ruang Server"]["condition"] == "rusak_ringan"
    assert by_name["Server SIMPUS"]["acquisition_cost"] == 185000000
    assert dinkes.rows("SELECT count(*) AS n FROM rejected_event") == [{"n": 0}]

    assert collect_import(dinkes, path) == len(ROWS)
    assert catalogue(dinkes) == first
    assert history(dinkes) == first_history
    assert dinkes.rows("SELECT count(*) AS n FROM rejected_event") == [{"n": 0}]


def exported_by_api(inventory: InventoryHarness, tmp_path: Path) -> Path:
    """The OPD's assets as GET /api/v1/assets answers them, written in the template's columns."""
    assets = inventory.get("/api/v1/assets", opd_code=OPD, limit=500)["data"]
    assert len(assets) == len(ROWS)
    path = tmp_path / "ekspor_api.xlsx"
    write_template(RegisterKind.ASSETS, path, [(OPD, "Dinas Kesehatan")])
    book = openpyxl.load_workbook(path)
    sheet = book["Aset TIK"]
    sheet.delete_rows(2)
    for asset in assets:
        sheet.append([_cell(asset, c.field) for c in COLUMNS[RegisterKind.ASSETS]])
    book.save(path)
    return path


def _cell(asset: dict[str, Any], field: str) -> Any:
    value = {"addresses": ";".join(asset["addresses"]), "opd": asset["opd_code"]}.get(field)
    return value if value is not None else asset.get(field)


def exported_by_page(inventory: InventoryHarness, tmp_path: Path) -> Path:
    """The OPD's register downloaded from the Aset page (Unduh register)."""
    response = inventory.client.get(
        "/katalog/aset/ekspor", params={"format": "register", "opd_code": OPD}
    )
    assert response.status_code == 200, response.text
    path = tmp_path / "ekspor_aset.xlsx"
    path.write_bytes(response.content)
    return path


def round_trip(inventory: InventoryHarness, tmp_path: Path, export: Any) -> None:
    collect_import(inventory, fill_template(tmp_path / "aset_dinkes.xlsx"))
    before, before_history = catalogue(inventory), history(inventory)
    assert len(before_history) == len(ROWS)  # one 'created' row each

    assert collect_import(inventory, export(inventory, tmp_path)) == len(ROWS)

    assert catalogue(inventory) == before
    assert history(inventory) == before_history
    assert inventory.rows("SELECT count(*) AS n FROM rejected_event") == [{"n": 0}]


def test_template_import_export_by_api_reimport_changes_nothing(
    dinkes: InventoryHarness, tmp_path: Path
):
    round_trip(dinkes, tmp_path, exported_by_api)


def test_template_import_page_export_reimport_changes_nothing(
    dinkes: InventoryHarness, tmp_path: Path
):
    round_trip(dinkes, tmp_path, exported_by_page)
