"""The regional asset register's facts (Barang Milik Daerah) and application licences on the pages:
declared through the forms, shown on the detail pages and in the history in Bahasa Indonesia, in
the Aset table and its export, filtered by condition; the Impor dry run says which column became
which field, what it ignored and which rows it skipped."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from spbe_common.auth import Role

Browser = Callable[..., Any]
REGISTERS = Path(__file__).parents[2] / "data" / "registers"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REGISTER = {
    "asset_code": "1.3.2.10.02.01.001",
    "manufacturer": "Dell",
    "model": "PowerEdge R750",
    "procurement_year": "2021",
    "condition": "baik",
    "acquisition_cost": "185000000",
    "funding_source": "APBD",
    "warranty_until": "2027-12-31",
    "notes": "Rak 2, unit 14",
}


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _facts(page: str, list_id: str) -> dict[str, str]:
    """The <dt> -> <dd> pairs of a definition list, as users read them."""
    found = re.search(rf'<dl class="facts" id="{list_id}">(.*?)</dl>', page, re.S)
    assert found, f"no list {list_id}"
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", found.group(1), re.S)
    return {_text(dt): _text(dd) for dt, dd in pairs}


def _table(page: str, table_id: str) -> list[list[str]]:
    found = re.search(rf'<table id="{table_id}">(.*?)</table>', page, re.S)
    assert found, f"no table {table_id}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", found.group(1), re.S)
    return [[_text(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S)] for r in rows]


def _message(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="e-{field}">([^<]*)</p>', page)
    return html.unescape(found.group(1)) if found else ""


def _declare(client: TestClient, name: str, serial: str, **fields: str) -> int:
    sent = {
        "csrf_token": client.csrf,
        "name": name,
        "kind": "server",
        "serial": serial,
        "opd_code": "DINKES",
        "lifecycle": "active",
        **fields,
    }
    saved = client.post("/katalog/aset/baru", data=sent)
    assert saved.status_code == 303, _text(saved.text)
    return int(saved.headers["location"].rsplit("/", 1)[1])


def _xlsx(content: bytes) -> list[dict[str, Any]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    width = len(values[0])  # a streamed sheet leaves out a row's empty cells at its end
    return [
        dict(zip(values[0], row + [None] * (width - len(row)), strict=True)) for row in values[1:]
    ]


def test_register_facts_declared_through_the_form_show_on_the_page_and_in_the_export(
    browser: Browser,
) -> None:
    operator = browser(Role.OPD_OPERATOR, ["DINKES"])
    form = operator.get("/katalog/aset/baru").text
    assert "<legend>Data Barang Milik Daerah</legend>" in form
    assert 'for="f-procurement_year"' in form and "Tahun, misalnya 2021" in form
    assert "Rupiah, misalnya 12.500.000" in form
    assert 'id="f-warranty_until" name="warranty_until" type="date"' in form
    assert '<option value="rusak_ringan">Rusak ringan</option>' in form
    asset_id = _declare(operator, "Server SIMPUS", "SRV-BMD-1", **REGISTER)

    page = operator.get(f"/katalog/aset/{asset_id}").text
    assert _facts(page, "data-bmd") == {
        "Kode barang": "1.3.2.10.02.01.001",
        "Merk": "Dell",
        "Tipe/Model": "PowerEdge R750",
        "Tahun pengadaan": "2021",
        "Kondisi": "Baik",
        "Nilai perolehan (Rp)": "Rp 185.000.000",
        "Sumber dana": "APBD",
        "Garansi s.d.": "31-12-2027",
        "Keterangan": "Rak 2, unit 14",
    }
    exported = _xlsx(operator.get("/katalog/aset/ekspor?format=xlsx&q=Server SIMPUS").content)
    assert len(exported) == 1
    row = exported[0]
    assert (row["Kode barang"], row["Merk"], row["Tipe/Model"]) == (
        "1.3.2.10.02.01.001",
        "Dell",
        "PowerEdge R750",
    )
    assert row["Tahun pengadaan"] == 2021 and row["Kondisi"] == "Baik"  # a year stays a number
    listed = _table(operator.get("/katalog/aset?q=Server SIMPUS").text, "tabel-aset")
    assert list(exported[0]) == listed[0]  # the file holds exactly the table's columns
    assert listed[1][listed[0].index("Kondisi")] == "Baik"


def test_editing_the_condition_is_history_in_bahasa_indonesia(browser: Browser) -> None:
    operator = browser(Role.OPD_OPERATOR, ["DINKES"])
    asset_id = _declare(operator, "Switch Core", "SW-BMD-1", condition="baik")
    edit = operator.get(f"/katalog/aset/{asset_id}/ubah").text
    assert '<option value="baik" selected>Baik</option>' in edit
    found = re.search(r'name="if_match" value="([^"]*)"', edit)
    assert found, "an edit form carries the record's ETag"
    etag = html.unescape(found.group(1))
    sent = {
        "csrf_token": operator.csrf,
        "if_match": etag,
        "name": "Switch Core",
        "kind": "server",
        "serial": "SW-BMD-1",
        "opd_code": "DINKES",
        "lifecycle": "active",
        "condition": "rusak_ringan",
        "acquisition_cost": "Rp 12.500.000,-",  # as people write it
    }
    saved = operator.post(f"/katalog/aset/{asset_id}/ubah", data=sent)
    assert saved.status_code == 303, _text(saved.text)
    history = _text(operator.get(f"/katalog/aset/{asset_id}").text)
    assert "Diubah" in history
    assert "Kondisi Baik Rusak ringan" in history  # Data | Sebelum | Sesudah
    assert "Nilai perolehan (Rp) - Rp 12.500.000" in history
    assert "rusak_ringan" not in history

    damaged = operator.get("/katalog/aset?condition=rusak_ringan").text
    names = [row[0] for row in _table(damaged, "tabel-aset")[1:]]
    assert names == ["Switch Core"]
    assert '<label for="f-condition">Kondisi</label>' in damaged
    api = operator.get("/api/v1/assets", params={"condition": "rusak_ringan"}).json()
    assert [a["name"] for a in api["data"]] == ["Switch Core"]


def test_register_fields_of_the_wrong_form_are_refused_next_to_the_field(
    browser: Browser,
) -> None:
    operator = browser(Role.OPD_OPERATOR, ["DINKES"])
    before = operator.get("/api/v1/assets", params={"opd_code": "DINKES"}).json()["count"]
    sent = {
        "csrf_token": operator.csrf,
        "name": "Laptop Kadis",
        "kind": "end_user_device",
        "serial": "LPT-1",
        "opd_code": "DINKES",
        "lifecycle": "active",
        "procurement_year": "th. 2020",
        "acquisition_cost": "dua belas juta",
        "warranty_until": "31/12/2027",
    }
    refused = operator.post("/katalog/aset/baru", data=sent)
    assert refused.status_code == 422
    assert _message(refused.text, "procurement_year").startswith("Isi tahun dengan empat angka")
    assert "misalnya 12.500.000 atau Rp 12.500.000" in _message(refused.text, "acquisition_cost")
    assert _message(refused.text, "warranty_until").startswith("Tanggal tidak valid.")
    assert 'value="th. 2020"' in refused.text  # what was typed is kept
    too_old = operator.post("/katalog/aset/baru", data={**sent, "procurement_year": "1900"})
    assert "antara 1950 dan 2100" in _message(too_old.text, "procurement_year")
    negative = operator.post("/katalog/aset/baru", data={**sent, "acquisition_cost": "-1"})
    assert "tidak negatif" in _message(negative.text, "acquisition_cost")
    after = operator.get("/api/v1/assets", params={"opd_code": "DINKES"}).json()["count"]
    assert after == before


def test_an_application_licence_is_declared_shown_and_exported(browser: Browser) -> None:
    operator = browser(Role.OPD_OPERATOR, ["DINKES"])
    assert 'name="licence_until" type="date"' in operator.get("/katalog/aplikasi/baru").text
    sent = {
        "csrf_token": operator.csrf,
        "name": "SIMPUS Berlisensi",
        "opd_code": "DINKES",
        "kind": "special",
        "platform": "web",
        "status": "active",
        "licence": "Microsoft 365 E3 (50 pengguna)",
        "licence_until": "2020-06-30",
    }
    saved = operator.post("/katalog/aplikasi/baru", data=sent)
    assert saved.status_code == 303, _text(saved.text)
    facts = _facts(operator.get(saved.headers["location"]).text, "data-aplikasi")
    assert facts["Lisensi"] == "Microsoft 365 E3 (50 pengguna)"
    assert facts["Masa lisensi"] == "30-06-2020 kedaluwarsa"
    exported = _xlsx(operator.get("/katalog/aplikasi/ekspor?q=Berlisensi").content)
    assert [(r["Lisensi"], r["Masa lisensi"]) for r in exported] == [
        ("Microsoft 365 E3 (50 pengguna)", "30-06-2020")
    ]


def _upload(client: TestClient, name: str, opd: str) -> str:
    data = (REGISTERS / name).read_bytes()
    answer = client.post(
        "/impor",
        data={"opd": opd, "csrf_token": client.csrf},
        files={"berkas": (name, data, XLSX)},
    )
    assert answer.status_code == 303, _text(answer.text)
    report = client.get(answer.headers["location"])
    assert report.status_code == 200
    return str(report.text)


def test_the_dry_run_shows_skipped_rows_of_a_register_as_an_opd_keeps_it(
    browser: Browser,
) -> None:
    operator = browser(Role.OPD_OPERATOR, ["DINKES"])
    page = _upload(operator, "dinkes_aset_tik.xlsx", "DINKES")
    assert "Baris yang dilewati" in page
    assert "Judul kolom dibaca dari lembar Aset TIK , baris 3." in _text(page)
    skipped = {int(row[0]): row[1] for row in _table(page, "tabel-dilewati")[1:]}
    assert skipped[1].startswith("judul di atas tabel ('DAFTAR ASET TIK DINAS KESEHATAN")
    assert skipped[2] == "baris kosong" and skipped[9] == "baris kosong"
    assert skipped[3].startswith("baris judul kolom (lembar 'Aset TIK'")
    assert skipped[25] == "baris jumlah (JUMLAH)"
    assert {skipped[n] for n in (26, 27, 28, 31, 32, 33)} == {"blok tanda tangan"}
    assert len(skipped) == 15
    columns = dict((r[0], r[1]) for r in _table(page, "tabel-kolom")[1:])
    assert columns["Merk/Type"] == (  # a combined Merk/Type is split into both
        "Merk, dipisah menjadi Merk dan Tipe/Model (Merk: teks sebelum '/', atau kata pertama)"
    )
    assert columns["Tahun Pengadaan"] == "Tahun pengadaan"
    assert columns["Kondisi"] == "Kondisi" and columns["Keterangan"] == "Keterangan"
    assert columns["No."].startswith("Diabaikan")


def test_the_dry_run_names_each_column_and_what_it_ignored(browser: Browser) -> None:
    operator = browser(Role.OPD_OPERATOR, ["RSDP"])
    page = _upload(operator, "rsdp_kib_varian.xlsx", "RSDP")
    assert "Kolom yang dibaca" in page
    assert "lembar KIB Peralatan TIK , baris 4" in _text(page)
    assert _table(page, "tabel-kolom")[1:] == [
        ["NO", "Diabaikan (dibaca untuk mengenali baris; tidak disimpan)"],
        ["NAMA BARANG", "Nama"],
        ["Kategori", "Jenis"],
        ["Merk", "Merk"],
        ["Tipe", "Tipe/Model"],
        ["IP Address", "Alamat IP"],
        ["MAC Address", "Alamat MAC"],
        ["S/N", "Nomor seri"],
        ["No. Register", "Kode barang"],
        ["Ruangan", "Lokasi"],
        ["Tahun Perolehan", "Tahun pengadaan"],
        ["Kondisi", "Kondisi"],
        ["Harga (Rp)", "Nilai perolehan (Rp)"],
        ["Sumber Dana", "Sumber dana"],
        ["Garansi", "Garansi s.d."],
        ["Catatan", "Keterangan"],
        ["Foto", "Diabaikan (tidak dipetakan)"],
    ]
    skipped = [(int(r[0]), r[1]) for r in _table(page, "tabel-dilewati")[1:]]
    assert skipped[-1] == (5, "baris nomor kolom")
    assert [n for n, _ in skipped] == [1, 2, 3, 4, 5]
