"""Unduh register: every asset the filters select, in the import's template, within the OPD
scope; the import reads it back as it was written (text never becomes a formula)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
from fastapi.testclient import TestClient

from spbe_common.auth import Role
from spbe_common.registers import RegisterKind, read_register

Browser = Callable[..., TestClient]
OPD = "DISKOMINFOSATIK"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_an_operator_downloads_its_opd_register_and_it_reads_back(
    browser: Browser, tmp_path: Path
) -> None:
    operator = browser(Role.OPD_OPERATOR, ["DISKOMINFOSATIK"])
    api = operator.get("/api/v1/assets", params={"limit": 500}).json()
    listing = operator.get("/katalog/aset")
    assert 'id="unduh-register"' in listing.text
    answer = operator.get("/katalog/aset/ekspor", params={"format": "register"})
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].startswith('attachment; filename="register-aset')
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["Aset TIK", "Petunjuk"]
    rows = list(book["Aset TIK"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == api["count"] > 0  # every asset, not one page
    path = tmp_path / "register.xlsx"
    path.write_bytes(answer.content)
    parsed = read_register(path, 5_000_000, 10_000, opd="DISKOMINFOSATIK")
    assert parsed.kind is RegisterKind.ASSETS and not parsed.errors
    assert sorted(r.name or "" for r in parsed.rows) == sorted(a["name"] or "" for a in api["data"])


def test_text_that_looks_like_a_formula_stays_text(browser: Browser) -> None:
    admin = browser(Role.ADMIN)
    created = admin.post(
        "/api/v1/assets",
        json={"name": '=HYPERLINK("x")', "opd_code": "SETDA", "serial": "SN-RUMUS"},
        headers={"X-CSRF-Token": admin.csrf},
    )
    assert created.status_code == 201, created.text
    answer = admin.get("/katalog/aset/ekspor", params={"format": "register", "opd_code": "SETDA"})
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content))["Aset TIK"]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value == '=HYPERLINK("x")']
    assert cells and all(c.data_type == "s" for c in cells)


def test_only_the_asset_table_has_a_register(browser: Browser) -> None:
    admin = browser(Role.ADMIN)
    assert admin.get("/katalog/opd/ekspor", params={"format": "register"}).status_code == 400


def _validations(sheet: Any) -> dict[str, list[str]]:
    """Header -> the words its drop-down list allows."""
    headers = {c.column_letter: c.value for c in sheet[1]}
    return {
        headers[str(v.sqref).split(":")[0].rstrip("0123456789")]: v.formula1.strip('"').split(",")
        for v in sheet.data_validations.dataValidation
    }


# name -> (Jenis Aset, Kondisi) as the drop-down lists word kind and condition
WORDED = {
    "Aset SN-L-1": ("Lainnya", "Baik"),
    "Aset SN-L-2": ("Catu daya (UPS)", "Rusak Ringan"),
    "Aset SN-L-3": ("Perangkat pengguna akhir", "Rusak Berat"),
}


def test_the_register_writes_the_words_of_its_drop_downs_and_imports_unchanged(
    browser: Browser,
) -> None:
    """Kind and condition as the template's lists word them (Excel flags any other value), and
    the file imported again as it was downloaded changes nothing."""
    admin, operator = browser(Role.ADMIN), browser(Role.OPD_OPERATOR, [OPD])
    for serial, kind, condition in [("SN-L-1", "other", "baik"), ("SN-L-2", "power", "rusak_ringan"),
                                    ("SN-L-3", "end_user_device", "rusak_berat")]:  # fmt: skip
        body = {"name": f"Aset {serial}", "opd_code": OPD, "serial": serial, "kind": kind,
                "condition": condition}  # fmt: skip
        created = admin.post("/api/v1/assets", json=body, headers={"X-CSRF-Token": admin.csrf})
        assert created.status_code == 201, created.text
    answer = operator.get("/katalog/aset/ekspor", params={"format": "register", "opd_code": OPD})
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content))["Aset TIK"]
    allowed = _validations(sheet)
    headers = [c.value for c in sheet[1]]
    rows = [dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(2, values_only=True)]
    by_name = {r["Nama Aset"]: r for r in rows}
    written = {n: (by_name[n]["Jenis Aset"], by_name[n]["Kondisi"]) for n in WORDED}
    assert written == WORDED
    for header in ("Jenis Aset", "Kondisi"):
        assert {r[header] for r in rows} - {None} <= set(allowed[header]), header

    uploaded = operator.post(
        "/impor",
        data={"opd": OPD, "csrf_token": operator.csrf},
        files={"berkas": ("register.xlsx", answer.content, XLSX)},
    )
    assert uploaded.status_code == 303, uploaded.text
    page = operator.get(uploaded.headers["location"]).text
    actions = re.findall(r'<tr id="baris-\d+">(.*?)</tr>', page, re.S)
    assert len(actions) == len(rows) > 3
    assert all("Tidak berubah" in row for row in actions), page
