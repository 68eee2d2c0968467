"""Impor: an OPD operator uploads a register, reads the dry run row by row, then commits it; all
rows or nothing, only by the account that uploaded it, only for its OPD, once, within 24 hours."""

from __future__ import annotations

import html
import io
import logging
import re
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from harness import web_session
from sqlalchemy import Engine, func, select, update

from spbe_common.auth import Role
from spbe_common.db import begin_write
from spbe_common.registers import COLUMNS, RegisterKind
from spbe_inventory import migrate
from spbe_inventory.api.app import create_app
from spbe_inventory.api.security import SESSION_COOKIE
from spbe_inventory.db import make_engine, utcnow
from spbe_inventory.imports.models import RegisterImport
from spbe_inventory.sample.service import load_sample
from spbe_inventory.settings import InventorySettings

OPD = "DISKOMINFOSATIK"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORTS = RegisterImport.__table__  # type: ignore[attr-defined]
Browser = Callable[..., TestClient]


def workbook(
    kind: RegisterKind, rows: Sequence[dict[str, str]], hidden: Sequence[int] = ()
) -> bytes:
    """An XLSX with the register template's headers and the given cells (by header), the sheet
    rows `hidden` in Excel."""
    headers = [c.header for c in COLUMNS[kind]]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    for number in hidden:
        sheet.row_dimensions[number].hidden = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def plain_workbook(rows: Sequence[Sequence[Any]]) -> bytes:
    """An XLSX of `rows` as they are (an OPD's own headers, not the template's)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def asset(name: str, **cells: str) -> dict[str, str]:
    return {"Nama Aset": name, "Kode OPD": OPD, "Jenis Aset": "server", **cells}


def upload(
    client: Any, data: bytes, filename: str = "aset.xlsx", opd: str = OPD, media: str = XLSX
) -> Any:
    return client.post(
        "/impor",
        data={"opd": opd, "csrf_token": client.csrf},
        files={"berkas": (filename, data, media)},
    )


def import_id(response: Any) -> str:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert re.fullmatch(r"/impor/[0-9a-f-]{36}", location)
    return location.rsplit("/", 1)[1]


def report_rows(page: str) -> dict[int, str]:
    """Sheet row -> the text of its report row."""
    rows = re.findall(r'<tr id="baris-(\d+)">(.*?)</tr>', page, re.S)
    return {
        int(n): " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split()) for n, body in rows
    }


def dry_run_of(client: Any, ident: str) -> str:
    """The `uji_coba` the dry-run page's save form carries ("" when the page has no form)."""
    found = re.search(r'name="uji_coba" value="([^"]*)"', client.get(f"/impor/{ident}").text)
    return found.group(1) if found else ""


FORGED = "0" * 64  # a save form of no dry run shown (the page offered none)


def commit(client: Any, ident: str, uji_coba: str | None = None) -> Any:
    """Save as the page's form does: with the `uji_coba` of the dry run read just before."""
    shown = dry_run_of(client, ident) if uji_coba is None else uji_coba
    return client.post(
        f"/impor/{ident}/simpan", data={"csrf_token": client.csrf, "uji_coba": shown}
    )


def stored_imports(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(IMPORTS)).scalar_one())


def test_operator_uploads_reads_the_dry_run_commits_and_sees_the_records(
    browser: Browser,
) -> None:
    operator = browser(Role.OPD_OPERATOR, [OPD])
    form = operator.get("/impor")
    assert form.status_code == 200 and "Impor register OPD" in form.text
    assert f'<option value="{OPD}"' in form.text and 'value="SETDA"' not in form.text
    sheet = workbook(
        RegisterKind.ASSETS,
        [
            asset("srv-baru (uji)", **{"Alamat IP": "127.10.0.50", "MAC": "02:00:5E:10:00:50"}),
            asset("srv-web-01 diperbarui", MAC="02:00:5E:10:00:11", Lokasi="Ruang server baru"),
            asset("nas-uji", **{"Jenis Aset": "penyimpanan", "Nomor Seri": "SN-UJI-1"}),
        ],
    )
    ident = import_id(upload(operator, sheet))

    page = operator.get(f"/impor/{ident}")
    assert page.status_code == 200 and "Hasil uji coba" in page.text
    rows = report_rows(page.text)
    assert sorted(rows) == [2, 3, 4]
    assert "srv-baru (uji) Data baru" in rows[2]
    assert rows[3] == (  # what changes, before → after
        "3 srv-web-01 diperbarui Diperbarui Yang berubah (2) Nama: srv-web-01 (contoh) →"
        " srv-web-01 diperbarui Lokasi: Ruang Server Diskominfosatik (contoh fiktif) → Ruang"
        " server baru Periksa Sel kosong tidak mengubah data: Alamat IP"  # its address is kept
    )
    assert "nas-uji Data baru" in rows[4]
    assert 'id="form-simpan"' in page.text
    listed = operator.get("/api/v1/assets", params={"q": "srv-baru"})
    assert listed.json()["count"] == 0  # a dry run writes nothing

    done = commit(operator, ident)
    assert done.status_code == 303 and done.headers["location"] == f"/impor/{ident}"
    result = operator.get(f"/impor/{ident}")
    assert "Impor tersimpan ke katalog" in result.text
    links = re.findall(r'href="/katalog/aset/(\d+)"', result.text)
    assert len(links) == 3

    new = operator.get("/api/v1/assets", params={"q": "srv-baru"}).json()["data"]
    assert [(a["name"], a["opd_code"], a["address"]) for a in new] == [
        ("srv-baru (uji)", OPD, "127.10.0.50")
    ]
    assert str(new[0]["id"]) in links
    history = operator.get(f"/api/v1/assets/{new[0]['id']}/history").json()["data"]
    account = operator.get("/api/v1/auth/me").json()["name"]
    assert history[0]["action"] == "created"
    assert history[0]["cause_id"] == f"impor aset.xlsx oleh {account}"
    assert history[0]["actor"] == account
    web01 = operator.get("/api/v1/assets", params={"q": "02:00:5E:10:00:11"}).json()["data"]
    assert web01[0]["name"] == "srv-web-01 diperbarui"
    assert web01[0]["location"] == "Ruang server baru"
    updated = operator.get(f"/api/v1/assets/{web01[0]['id']}/history").json()["data"]
    assert updated[0]["action"] == "updated"
    assert updated[0]["cause_id"] == f"impor aset.xlsx oleh {account}"

    again = commit(operator, ident)  # committed once only
    assert again.status_code == 409 and "sudah disimpan" in again.text
    assert operator.get("/api/v1/assets", params={"q": "srv-baru"}).json()["count"] == 1


def test_a_save_after_the_catalogue_changed_is_refused_with_the_fresh_dry_run(
    browser: Browser,
) -> None:
    """The dry run is recomputed in the save's transaction; when it is not the one the operator
    read (`uji_coba`), nothing is saved and the page shows the new one."""
    operator = browser(Role.OPD_OPERATOR, [OPD])
    to_store = workbook(RegisterKind.ASSETS, [asset("srv-web-01", MAC="02:00:5E:10:00:11",
                                                    Lokasi="Gudang")])  # fmt: skip
    ident = import_id(upload(operator, to_store))
    read = dry_run_of(operator, ident)
    assert re.fullmatch(r"[0-9a-f]{64}", read)
    assert (
        "Ruang Server Diskominfosatik (contoh fiktif) → Gudang"
        in report_rows(operator.get(f"/impor/{ident}").text)[2]
    )
    meanwhile = workbook(RegisterKind.ASSETS, [asset("srv-web-01", MAC="02:00:5E:10:00:11",
                                                     Lokasi="Ruang rapat")])  # fmt: skip
    assert commit(operator, import_id(upload(operator, meanwhile))).status_code == 303

    stale = commit(operator, ident, read)
    assert stale.status_code == 409
    text = html.unescape(stale.text)
    assert "Tidak disimpan: data katalog berubah sejak uji coba" in text
    assert "Ruang rapat → Gudang" in report_rows(stale.text)[2]  # the fresh dry run
    fresh = re.search(r'name="uji_coba" value="([0-9a-f]{64})"', stale.text)
    assert fresh and fresh.group(1) != read
    web01 = operator.get("/api/v1/assets", params={"q": "02:00:5E:10:00:11"}).json()["data"]
    assert web01[0]["location"] == "Ruang rapat"  # nothing of the stale save was written

    assert commit(operator, ident, fresh.group(1)).status_code == 303
    web01 = operator.get("/api/v1/assets", params={"q": "02:00:5E:10:00:11"}).json()["data"]
    assert web01[0]["location"] == "Gudang"


def test_a_save_without_its_dry_run_is_refused_and_saves_nothing(browser: Browser) -> None:
    operator = browser(Role.OPD_OPERATOR, [OPD])
    sheet = workbook(RegisterKind.ASSETS, [asset("srv-tanpa-uji", **{"Nomor Seri": "SN-TU"})])
    ident = import_id(upload(operator, sheet))
    refused = operator.post(f"/impor/{ident}/simpan", data={"csrf_token": operator.csrf})
    assert refused.status_code == 400
    assert "Tidak disimpan: permintaan simpan tidak membawa hasil uji coba" in html.unescape(
        refused.text
    )
    assert 'name="uji_coba"' in refused.text  # the dry run, to save from
    assert operator.get("/api/v1/assets", params={"q": "srv-tanpa-uji"}).json()["count"] == 0
    assert commit(operator, ident).status_code == 303


EMPTY_CELLS = "Sel kosong tidak mengubah data: "


def test_empty_cells_of_a_known_record_are_said_to_change_nothing(browser: Browser) -> None:
    """An empty cell never clears what the catalogue holds; the dry run names those columns on
    the rows of known records (a new record has nothing to keep)."""
    operator = browser(Role.OPD_OPERATOR, [OPD])
    sheet = workbook(
        RegisterKind.ASSETS,
        [
            asset("srv-web-01 (contoh)", MAC="02:00:5E:10:00:11"),  # no Lokasi, no Alamat IP
            asset("srv-kosong-baru", **{"Nomor Seri": "SN-KOSONG"}),
        ],
    )
    ident = import_id(upload(operator, sheet))
    rows = report_rows(operator.get(f"/impor/{ident}").text)
    assert "srv-web-01 (contoh) Tidak berubah" in rows[2]
    assert f"Periksa {EMPTY_CELLS}Alamat IP, Lokasi" in rows[2]
    assert EMPTY_CELLS not in rows[3]
    assert commit(operator, ident).status_code == 303
    web01 = operator.get("/api/v1/assets", params={"q": "02:00:5E:10:00:11"}).json()["data"]
    assert web01[0]["location"] == "Ruang Server Diskominfosatik (contoh fiktif)"  # kept
    assert web01[0]["address"]

    apps = workbook(
        RegisterKind.APPLICATIONS,
        [{"Nama Aplikasi": "PPID", "Kode OPD": OPD, "Deskripsi": "Layanan informasi (uji)"}],
    )
    app_rows = report_rows(operator.get(f"/impor/{import_id(upload(operator, apps))}").text)
    assert "PPID Diperbarui" in app_rows[2]
    assert f"{EMPTY_CELLS}URL, Jenis (umum/khusus), Platform, Hosting, Status" in app_rows[2]


def test_reimporting_the_same_file_changes_nothing(browser: Browser) -> None:
    operator = browser(Role.OPD_OPERATOR, [OPD])
    sheet = workbook(RegisterKind.ASSETS, [asset("srv-dua", **{"Alamat IP": "127.10.0.60"})])
    first = import_id(upload(operator, sheet))
    assert commit(operator, first).status_code == 303
    second = import_id(upload(operator, sheet))
    rows = report_rows(operator.get(f"/impor/{second}").text)
    assert "srv-dua Tidak berubah" in rows[2]
    assert "Sel kosong" not in rows[2]  # empty where nothing is stored (or a default): no word


def test_an_empty_cell_over_a_default_nobody_entered_is_not_named(browser: Browser) -> None:
    """A known asset's stored kind "Lainnya" is the default of a row that gave none: an empty
    Jenis cell keeps nothing anyone wrote, so the warning names only Lokasi, which it keeps."""
    operator = browser(Role.OPD_OPERATOR, [OPD])
    first = asset("Mesin antrean (uji bawaan)", **{"Jenis Aset": "", "Nomor Seri": "SN-BAWAAN"})
    sheet = workbook(RegisterKind.ASSETS, [{**first, "Lokasi": "Lobi pelayanan"}])
    assert commit(operator, import_id(upload(operator, sheet))).status_code == 303
    stored = operator.get("/api/v1/assets", params={"q": "uji bawaan"}).json()["data"]
    assert [(a["kind"], a["location"]) for a in stored] == [("other", "Lobi pelayanan")]

    again = import_id(upload(operator, workbook(RegisterKind.ASSETS, [first])))  # no Lokasi
    rows = report_rows(operator.get(f"/impor/{again}").text)
    assert "Mesin antrean (uji bawaan) Tidak berubah" in rows[2]
    assert rows[2].endswith(f"Periksa {EMPTY_CELLS}Lokasi")  # not "Jenis Aset, Lokasi"


def column_reading(page: str) -> dict[str, str]:
    """The dry run's 'Kolom yang dibaca': header -> how it was read, as the page says it."""
    table = page.split('id="tabel-kolom"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", table, re.S)
    return {plain_text(header): plain_text(read) for header, read in cells}


def plain_text(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def test_the_dry_run_says_costs_were_read_in_thousands(browser: Browser) -> None:
    operator = browser(Role.OPD_OPERATOR, [OPD])
    kir = plain_workbook(
        [["No", "Jenis / Nama Barang", "Nomor Seri", "Harga (Rp. 000)"],
         [1, "Komputer", "KIR-RIBUAN-1", "2.100"]]
    )  # fmt: skip
    page = operator.get(f"/impor/{import_id(upload(operator, kir))}").text
    reading = column_reading(page)
    assert reading["Harga (Rp. 000)"] == (
        "Nilai perolehan (Rp), dibaca dalam ribuan rupiah (x 1.000)"
    )
    assert reading["Nomor Seri"] == "Nomor seri"
    assert "Data baru" in report_rows(page)[2]


def test_a_kib_without_a_kind_column_imports_the_kind_its_names_say(browser: Browser) -> None:
    operator = browser(Role.OPD_OPERATOR, [OPD])
    kib = plain_workbook(
        [["No", "Nama Barang", "Nomor Seri"], [1, "PC Unit (uji jenis)", "KIB-JENIS-1"],
         [2, "UPS (uji jenis)", "KIB-JENIS-2"], [3, "Meja Kerja (uji jenis)", "KIB-JENIS-3"]]
    )  # fmt: skip
    ident = import_id(upload(operator, kib))
    reading = column_reading(operator.get(f"/impor/{ident}").text)
    assert reading["Nama Barang"] == (
        "Nama, jenis dikenali dari kata perangkat di nama (mis. PC, Switch, UPS)"
    )
    assert commit(operator, ident).status_code == 303
    found = operator.get("/api/v1/assets", params={"q": "uji jenis"}).json()["data"]
    assert sorted((a["serial"], a["kind"]) for a in found) == [
        ("KIB-JENIS-1", "end_user_device"),
        ("KIB-JENIS-2", "power"),
        ("KIB-JENIS-3", "other"),
    ]


def test_a_merk_type_column_fills_manufacturer_and_model(browser: Browser) -> None:
    operator = browser(Role.OPD_OPERATOR, [OPD])
    kib = plain_workbook(
        [["Nama Barang", "Merk/Type", "Nomor Seri"], ["Laptop (uji merk)", "Lenovo ThinkPad E14",
         "KIB-MERK-1"], ["Printer (uji merk)", "HP / LaserJet P1102", "KIB-MERK-2"]]
    )  # fmt: skip
    ident = import_id(upload(operator, kib))
    reading = column_reading(operator.get(f"/impor/{ident}").text)
    assert reading["Merk/Type"] == (
        "Merk, dipisah menjadi Merk dan Tipe/Model (Merk: teks sebelum '/', atau kata pertama)"
    )
    assert commit(operator, ident).status_code == 303
    found = operator.get("/api/v1/assets", params={"q": "uji merk"}).json()["data"]
    assert sorted((a["serial"], a["manufacturer"], a["model"]) for a in found) == [
        ("KIB-MERK-1", "Lenovo", "ThinkPad E14"),
        ("KIB-MERK-2", "HP", "LaserJet P1102"),
    ]


def test_a_row_written_off_is_retired_and_a_hidden_row_is_flagged_in_the_dry_run(
    browser: Browser,
) -> None:
    """The register says in Keterangan that srv-web-01 was written off (penghapusan BMD): the
    dry run shows it as Dihapuskan, the commit retires it. A row hidden in Excel is imported,
    and the dry run asks to check it."""
    operator = browser(Role.OPD_OPERATOR, [OPD])
    web01 = "02:00:5E:10:00:11"
    sheet = workbook(
        RegisterKind.ASSETS,
        [
            asset("srv-web-01", MAC=web01, Keterangan="Dihapuskan (SK Bupati No. 7 Tahun 2024)"),
            asset("srv-tersembunyi", **{"Alamat IP": "127.10.0.80"}),
            asset("srv-usul", **{"Alamat IP": "127.10.0.81", "Keterangan": "usul penghapusan"}),
        ],
        hidden=[3],
    )
    ident = import_id(upload(operator, sheet))
    page = operator.get(f"/impor/{ident}")
    rows = report_rows(page.text)
    assert rows[2].startswith("2 srv-web-01 Diperbarui Dihapuskan")
    assert (
        "Periksa Kolom Keterangan: 'Dihapuskan (SK Bupati No. 7 Tahun 2024)': barang sudah"
        " dihapuskan; diimpor sebagai dihapuskan"
    ) in rows[2]
    assert rows[3] == (
        "3 srv-tersembunyi Data baru Yang disimpan (3) Nama: srv-tersembunyi Jenis: Server"
        " Alamat IP utama: 127.10.0.80 Periksa baris tersembunyi di Excel: periksa apakah barang"
        " masih dipakai"
    )
    assert rows[4] == (  # a proposal is no write-off
        "4 srv-usul Data baru Yang disimpan (4) Nama: srv-usul Jenis: Server Alamat IP utama:"
        " 127.10.0.81 Keterangan: usul penghapusan -"
    )
    assert '<li id="jumlah-dihapuskan"><strong>1</strong> Dihapuskan</li>' in page.text
    assert 'id="form-simpan"' in page.text  # warnings do not stop the import

    assert commit(operator, ident).status_code == 303
    found = operator.get("/api/v1/assets", params={"q": web01}).json()["data"]
    assert [(a["name"], a["lifecycle"]) for a in found] == [("srv-web-01", "retired")]
    hidden = operator.get("/api/v1/assets", params={"q": "srv-tersembunyi"}).json()["data"]
    proposed = operator.get("/api/v1/assets", params={"q": "srv-usul"}).json()["data"]
    assert [a["lifecycle"] for a in hidden + proposed] == ["active", "active"]


def test_a_new_row_named_as_an_asset_known_by_name_only_is_flagged(browser: Browser) -> None:
    """An OPD first recorded "Server Arsip" by its name alone; its register now lists it with a
    serial. The row would make a second asset (a serial may tell two of one name apart), so
    the dry run asks to check it and names the asset to complete instead."""
    operator = browser(Role.OPD_OPERATOR, [OPD])
    first = import_id(upload(operator, workbook(RegisterKind.ASSETS, [asset("Server Arsip")])))
    assert commit(operator, first).status_code == 303
    (known,) = operator.get("/api/v1/assets", params={"q": "Server Arsip"}).json()["data"]

    sheet = workbook(
        RegisterKind.ASSETS,
        [
            asset("server arsip", **{"Nomor Seri": "SN-ARSIP-1"}),
            asset("Server Arsip", Lokasi="Gudang"),  # the same asset, by its name: no warning
            asset("Server Cadangan", **{"Nomor Seri": "SN-CADANGAN-1"}),
        ],
    )
    rows = report_rows(operator.get(f"/impor/{import_id(upload(operator, sheet))}").text)
    assert rows[2] == (
        "2 server arsip Data baru Yang disimpan (3) Nama: server arsip Jenis: Server Nomor seri:"
        f" SN-ARSIP-1 Periksa Kolom Nama Aset: nama sama dengan aset {known['id']} yang"
        " tercatat tanpa MAC, nomor seri, kode barang dan alamat IP; jika barang yang sama,"
        f" lengkapi aset {known['id']} lewat halaman ubahnya dan hapus baris ini, agar tidak"
        " tercatat dua kali"
    )
    assert rows[3] == "3 Server Arsip Diperbarui Yang berubah (1) Lokasi: - → Gudang -"
    assert rows[4] == (
        "4 Server Cadangan Data baru Yang disimpan (3) Nama: Server Cadangan Jenis: Server"
        " Nomor seri: SN-CADANGAN-1 -"
    )


def kir_per_room(rooms: dict[str, list[dict[str, str]]]) -> bytes:
    """A KIR kept as clerks do: one sheet per room, each with the template's headers."""
    headers = [c.header for c in COLUMNS[RegisterKind.ASSETS]]
    book = openpyxl.Workbook()
    book.remove(book.worksheets[0])
    for room, rows in rooms.items():
        sheet = book.create_sheet(room)
        sheet.append(headers)
        for row in rows:
            sheet.append([row.get(h, "") for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def file_problems(page: str) -> list[str]:
    """The texts under "Masalah pada berkas", above the rows."""
    found = re.search(r'<section[^>]*id="masalah-berkas".*?</section>', page, re.S)
    assert found, "no 'Masalah pada berkas' on the page"
    assert page.index('id="masalah-berkas"') < page.index('id="tabel-impor"')
    assert "Masalah pada berkas" in found.group(0)
    items = re.findall(r"<li[^>]*>(.*?)</li>", found.group(0), re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", i)).split()) for i in items]


def test_a_kir_with_one_room_per_sheet_is_a_problem_of_the_file_not_a_500(
    browser: Browser,
) -> None:
    """A problem of no one row (here: rooms on other sheets would be left out) is shown above
    the rows under its own heading; it used to be sorted among the rows and answer 500."""
    operator = browser(Role.OPD_OPERATOR, [OPD])
    sheet = kir_per_room(
        {
            "Ruang Server": [asset("srv-kir-1", **{"Nomor Seri": "SN-KIR-1"})],
            "Ruang Rapat": [asset("pc-kir-2", **{"Nomor Seri": "SN-KIR-2"})],
        }
    )
    ident = import_id(upload(operator, sheet))
    page = operator.get(f"/impor/{ident}")
    assert page.status_code == 200
    problems = file_problems(page.text)
    assert len(problems) == 1 and "lembar 'Ruang Rapat' juga berisi tabel aset" in problems[0]
    assert "srv-kir-1 Data baru" in report_rows(page.text)[2]  # the rows read are still shown
    assert 'id="form-simpan"' not in page.text and 'id="impor-ditolak"' in page.text
    refused = commit(operator, ident, FORGED)
    assert refused.status_code == 409 and "masalah pada berkas" in refused.text
    assert operator.get("/api/v1/assets", params={"q": "srv-kir-1"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("judul-saja.xlsx", workbook(RegisterKind.ASSETS, [])),
        ("judul-saja.csv", b"Nama Aset;Kode OPD;Nomor Seri\r\n"),
    ],
)
def test_a_file_of_headers_only_is_a_problem_of_the_whole_file(
    browser: Browser, filename: str, data: bytes
) -> None:
    operator = browser(Role.OPD_OPERATOR, [OPD])
    ident = import_id(upload(operator, data, filename))
    page = operator.get(f"/impor/{ident}")
    assert page.status_code == 200
    assert file_problems(page.text) == [
        "berkas hanya berisi judul kolom (baris 1), tanpa baris data: isi baris aset di bawah"
        " judul kolom, lalu unggah lagi"
    ]
    assert report_rows(page.text) == {}  # no row made of the header row
    assert 'id="form-simpan"' not in page.text and 'id="impor-ditolak"' in page.text
    assert commit(operator, ident, FORGED).status_code == 409


def test_applications_register_creates_and_updates(browser: Browser) -> None:
    operator = browser(Role.OPD_OPERATOR, [OPD])
    sheet = workbook(
        RegisterKind.APPLICATIONS,
        [
            {"Nama Aplikasi": "PPID", "Kode OPD": OPD, "Deskripsi": "Layanan informasi (uji)"},
            {"Nama Aplikasi": "Aplikasi Uji", "Kode OPD": OPD, "URL": "https://uji.example.id"},
        ],
    )
    ident = import_id(upload(operator, sheet, "aplikasi.xlsx"))
    rows = report_rows(operator.get(f"/impor/{ident}").text)
    assert "PPID Diperbarui" in rows[2] and "Aplikasi Uji Data baru" in rows[3]
    assert commit(operator, ident).status_code == 303
    apps = operator.get("/api/v1/applications", params={"opd_code": OPD, "q": "uji"}).json()
    by_name = {a["name"]: a for a in apps["data"]}
    assert by_name["PPID"]["description"] == "Layanan informasi (uji)"
    assert by_name["Aplikasi Uji"]["urls"] == ["https://uji.example.id/"]
    history = operator.get(f"/api/v1/applications/{by_name['PPID']['id']}/history").json()
    assert history["data"][0]["cause_id"].startswith("impor aplikasi.xlsx oleh ")


def test_a_file_with_one_bad_row_cannot_be_committed(browser: Browser) -> None:
    operator = browser(Role.OPD_OPERATOR, [OPD])
    sheet = workbook(
        RegisterKind.ASSETS,
        [
            asset("srv-baik", **{"Alamat IP": "127.10.0.70"}),
            asset("srv-buruk", **{"Alamat IP": "300.1.1.1"}),
        ],
    )
    ident = import_id(upload(operator, sheet))
    page = operator.get(f"/impor/{ident}")
    rows = report_rows(page.text)
    assert "srv-baik Data baru" in rows[2]
    assert rows[3].startswith("3 srv-buruk Bermasalah")  # named, so the clerk finds the row
    assert "Kolom Alamat IP: '300.1.1.1' bukan alamat IP" in rows[3]
    assert 'id="form-simpan"' not in page.text and "1 baris bermasalah" in page.text
    refused = commit(operator, ident, FORGED)
    assert refused.status_code == 409 and "1 baris bermasalah; tidak ada yang disimpan" in (
        refused.text
    )
    assert operator.get("/api/v1/assets", params={"q": "srv-baik"}).json()["count"] == 0


def test_rows_of_another_opd_or_its_assets_are_errors(browser: Browser) -> None:
    operator = browser(Role.OPD_OPERATOR, [OPD])
    sheet = workbook(
        RegisterKind.ASSETS,
        [
            {**asset("srv-setda", **{"Alamat IP": "127.10.0.80"}), "Kode OPD": "SETDA"},
            asset("vm-jdih diambil", **{"Alamat IP": "127.10.0.21"}),  # an asset of SETDA
            asset("srv-kembar", **{"Alamat IP": "127.10.0.90"}),
            asset("srv-kembar lagi", **{"Alamat IP": "127.10.0.90"}),
        ],
    )
    rows = report_rows(operator.get(f"/impor/{import_id(upload(operator, sheet))}").text)
    assert "baris ini untuk OPD SETDA, bukan OPD yang dipilih (DISKOMINFOSATIK)" in rows[2]
    assert "sudah tercatat pada aset OPD lain" in rows[3]
    assert "srv-kembar Data baru" in rows[4]
    assert "sama dengan baris 4" in rows[5]
    outside = upload(operator, sheet, opd="SETDA")  # an OPD outside the account's scope
    assert outside.status_code == 422 and "Pilih OPD" in outside.text


def test_another_account_cannot_see_or_commit_an_import(browser: Browser, engine: Engine) -> None:
    owner = browser(Role.OPD_OPERATOR, [OPD])
    colleague = browser(Role.OPD_OPERATOR, [OPD])
    admin = browser(Role.ADMIN)
    sheet = workbook(RegisterKind.ASSETS, [asset("srv-rahasia", **{"Alamat IP": "127.10.0.99"})])
    ident = import_id(upload(owner, sheet))
    for other in (colleague, admin):
        assert other.get(f"/impor/{ident}").status_code == 404
        assert commit(other, ident).status_code == 404
        assert "srv-rahasia" not in other.get("/impor").text
    assert browser(Role.VIEWER).get(f"/impor/{ident}").status_code == 403
    assert owner.get("/impor/bukan-uuid").status_code == 404
    assert owner.get("/api/v1/assets", params={"q": "srv-rahasia"}).json()["count"] == 0
    assert "aset.xlsx" in owner.get("/impor").text
    with begin_write(engine) as conn:  # 25 hours later the upload has expired
        conn.execute(update(IMPORTS).values(created_at=utcnow().replace(year=2000)))
    expired = owner.get(f"/impor/{ident}")
    assert "sudah kedaluwarsa" in expired.text and 'id="form-simpan"' not in expired.text
    assert commit(owner, ident).status_code == 409


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("catatan.txt", b"bukan spreadsheet", "berkas harus spreadsheet .xlsx atau .csv"),
        ("rusak.xlsx", b"PK\x03\x04 bukan zip", "rusak atau bukan XLSX"),
        ("kosong.csv", b"", "berkas kosong"),
        ("judul.csv", b"Nama,Alamat\nx,y\n", "'Nama Aplikasi' atau 'Nama Aset'"),
    ],
)
def test_refused_files_say_why_and_store_nothing(
    browser: Browser, engine: Engine, filename: str, data: bytes, message: str
) -> None:
    operator = browser(Role.OPD_OPERATOR, [OPD])
    refused = upload(operator, data, filename, media="application/octet-stream")
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    assert f"Berkas {filename} ditolak" in text and message in text
    assert stored_imports(engine) == 0


def with_broken_part(data: bytes, part: str) -> bytes:
    """The workbook `data` with one part of its zip cut in half: a sound zip, broken XML."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as good, zipfile.ZipFile(out, "w") as broken:
        for info in good.infolist():
            content = good.read(info.filename)
            broken.writestr(
                info, content[: len(content) // 2] if info.filename == part else content
            )
    return out.getvalue()


GOOD = workbook(RegisterKind.ASSETS, [asset("srv-rusak", **{"Nomor Seri": "SN-RUSAK"})])


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("zip-rusak.xlsx", GOOD[: len(GOOD) // 2], "file XLSX rusak atau bukan XLSX"),
        ("xml-rusak.xlsx", with_broken_part(GOOD, "xl/worksheets/sheet1.xml"),
         "file XLSX rusak atau tidak dapat dibaca"),
        ("gaya-rusak.xlsx", with_broken_part(GOOD, "xl/styles.xml"),
         "file XLSX rusak atau tidak dapat dibaca"),
        ("acak.xlsx", bytes(range(256)) * 8, "file XLSX rusak atau bukan XLSX"),
        ("ansi.csv", bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 4, "file CSV bukan UTF-8 maupun"),
    ],
)  # fmt: skip
def test_an_unreadable_file_is_refused_on_the_page_and_its_cause_logged(
    browser: Browser, engine: Engine, caplog: pytest.LogCaptureFixture, filename: str,
    data: bytes, message: str,
) -> None:  # fmt: skip
    operator = browser(Role.OPD_OPERATOR, [OPD])
    with caplog.at_level(logging.WARNING, logger="spbe_inventory.web.imports"):
        refused = upload(operator, data, filename, media="application/octet-stream")
    assert refused.status_code == 422
    assert f"Berkas {filename} ditolak: {message}" in html.unescape(refused.text)
    assert stored_imports(engine) == 0
    logged = [r for r in caplog.records if filename in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # the parser's own error, for the operator


def test_a_long_file_name_is_shortened_keeping_its_extension(browser: Browser) -> None:
    operator = browser(Role.OPD_OPERATOR, [OPD])
    account = operator.get("/api/v1/auth/me").json()["name"]
    long_name = "Kartu Inventaris Ruangan Dinas Komunikasi " * 8 + ".xlsx"  # 336 characters
    sheet = workbook(RegisterKind.ASSETS, [asset("srv-nama-panjang", **{"Nomor Seri": "SN-NP"})])
    ident = import_id(upload(operator, sheet, long_name))  # was refused: "harus .xlsx atau .csv"
    page = html.unescape(operator.get(f"/impor/{ident}").text)
    shown = re.search(r"<h1>Impor (.*?)</h1>", page, re.S)
    assert shown and shown.group(1).endswith("….xlsx")
    assert len(shown.group(1)) == 200 and shown.group(1).startswith("Kartu Inventaris Ruangan")
    assert commit(operator, ident).status_code == 303
    found = operator.get("/api/v1/assets", params={"q": "srv-nama-panjang"}).json()["data"]
    history = operator.get(f"/api/v1/assets/{found[0]['id']}/history").json()["data"]
    cause = history[0]["cause_id"]  # the account kept whole, the name cut before its extension
    assert len(cause) <= 128 and cause.startswith("impor Kartu Inventaris")
    assert cause.endswith(f"….xlsx oleh {account}")


def test_the_upload_has_its_own_body_limit(engine: Engine, tmp_path: Path) -> None:
    settings = InventorySettings(
        data_dir=tmp_path, max_body_bytes=4 * 1024, import_max_bytes=40 * 1024
    )
    client = TestClient(create_app(settings, engine), follow_redirects=False)
    secret, csrf = web_session(engine, Role.OPD_OPERATOR, [OPD])
    client.cookies.set(SESSION_COOKIE, secret)
    client.csrf = csrf  # type: ignore[attr-defined]
    cells = [asset(f"srv-{i}", **{"Nomor Seri": f"SN-{i:04}"}) for i in range(400)]
    sheet = workbook(RegisterKind.ASSETS, cells)
    assert 4 * 1024 < len(sheet) < 40 * 1024  # above the API's limit, below the upload's
    assert upload(client, sheet).status_code == 303
    big = client.post(
        "/api/v1/assets",
        content=b'{"name": "' + b"x" * 5000 + b'"}',
        headers={"content-type": "application/json", "x-csrf-token": csrf},
    )
    assert big.status_code == 413  # the rest of the API keeps its own limit
    too_big = b"Nama Aset,Kode OPD,Nomor Seri\n" + b"srv,DISKOMINFOSATIK,SN\n" * 2000
    refused = upload(client, too_big, "besar.csv", media="text/csv")
    assert refused.status_code == 422 and "berkas terlalu besar" in refused.text
    assert stored_imports(engine) == 1
    client.close()


def test_the_commit_holds_on_postgresql(fresh_database_url: str, tmp_path: Path) -> None:
    """Row locks, the asset identity lock and the JSON column are PostgreSQL-specific."""
    engine = make_engine(fresh_database_url)
    try:
        migrate.upgrade(engine)
        with begin_write(engine) as conn:
            load_sample(conn)
        client = TestClient(create_app(InventorySettings(data_dir=tmp_path), engine))
        client.follow_redirects = False
        secret, csrf = web_session(engine, Role.OPD_OPERATOR, [OPD])
        client.cookies.set(SESSION_COOKIE, secret)
        client.csrf = csrf  # type: ignore[attr-defined]
        sheet = workbook(
            RegisterKind.ASSETS,
            [
                asset("srv-pg", **{"Alamat IP": "127.10.0.55"}),
                asset("core-sw", MAC="02:00:5E:10:00:01"),
            ],
        )
        ident = import_id(upload(client, sheet))
        rows = report_rows(client.get(f"/impor/{ident}").text)
        assert "srv-pg Data baru" in rows[2] and "core-sw Diperbarui" in rows[3]
        assert commit(client, ident).status_code == 303
        assert commit(client, ident).status_code == 409
        found = client.get("/api/v1/assets", params={"q": "srv-pg"}).json()
        assert found["count"] == 1 and found["data"][0]["opd_code"] == OPD
        client.close()
    finally:
        engine.dispose()


def test_the_page_does_not_ask_for_the_kode_opd_it_takes_from_the_form(browser: Browser) -> None:
    """The OPD is chosen on the page, so Kode OPD is not among the columns marked required."""
    page = browser(Role.OPD_OPERATOR, [OPD]).get("/impor").text
    assert "<code>Nama Aset</code>*" in page and "<code>Kode OPD</code>," in page
    assert "<code>Kode OPD</code>*" not in page
