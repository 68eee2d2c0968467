"""Unduh register: every asset the filters select, in the import's template, within the OPD
scope; the import reads it back as it was written (text never becomes a formula)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
from fastapi.testclient import TestClient

from spbe_common.auth import Role
from spbe_common.registers import RegisterKind, read_register

Browser = Callable[..., TestClient]


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
