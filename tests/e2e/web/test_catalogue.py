"""Katalog in the browser: find an asset by its address, edit it and read its history; an OPD
operator never sees another OPD's asset, not even by typing its URL; declare an application
with a validation message next to the field; export the shown table to XLSX and read it back."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from e2e.web.browsing import OTHER_ADDRESS, OWN_ADDRESS, Catalogue, Opened
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def search_assets(page: Page, text: str) -> None:
    """Type into the search box and submit it (htmx swaps the results in place)."""
    page.goto("/katalog/aset")
    box = page.locator("#cari")
    box.fill(text)
    with page.expect_response(lambda r: "/katalog/aset" in r.url and "q=" in r.url):
        box.press("Enter")


@pytest.mark.parametrize("role", ["operator", "admin"])
def test_find_an_asset_by_its_address(
    role: str, open_context: Callable[..., Opened], screenshots: Path
) -> None:
    page = open_context(role).page
    search_assets(page, OWN_ADDRESS)
    rows = page.locator("#tabel-aset tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("srv-web-01")
    expect(page.get_by_role("status").first).to_have_text("1 data ditemukan")
    assert f"q={OWN_ADDRESS}" in page.url  # the search is in the address: a link can be shared
    if role == "admin":
        page.screenshot(path=screenshots / "katalog-aset-cari.png")
    rows.first.get_by_role("link").first.click()
    page.wait_for_url("**/katalog/aset/*")
    expect(page.locator("h1")).to_contain_text("srv-web-01")
    expect(page.locator("#tabel-identitas")).to_contain_text(OWN_ADDRESS)


def test_edit_an_asset_then_read_its_history(
    open_context: Callable[..., Opened], catalogue: Catalogue, screenshots: Path
) -> None:
    """The history timeline names what changed (before -> after), the cause and who."""
    page = open_context("operator").page
    asset = catalogue.asset_id(OWN_ADDRESS)
    page.goto(f"/katalog/aset/{asset}")
    page.locator("#ubah").click()
    page.wait_for_url(f"**/katalog/aset/{asset}/ubah")
    page.get_by_label("Lokasi").fill("Ruang Server Lantai 2 (uji e2e)")
    page.locator("#simpan").click()
    page.wait_for_url(f"**/katalog/aset/{asset}")
    history = page.locator("#riwayat")
    expect(history.get_by_role("heading", name="Riwayat")).to_be_visible()
    newest = page.locator("#daftar-riwayat > li").first
    expect(newest).to_contain_text("Ruang Server Lantai 2 (uji e2e)")  # after
    expect(newest).to_contain_text("Ruang Server Diskominfosatik (contoh fiktif)")  # before
    expect(newest).to_contain_text("e2e-operator")  # who
    history.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "detail-aset-riwayat.png")


def test_operator_never_sees_another_opds_asset(
    open_context: Callable[..., Opened], catalogue: Catalogue
) -> None:
    other = catalogue.asset_id(OTHER_ADDRESS)  # the admin's API finds it: it exists
    admin = open_context("admin").page
    search_assets(admin, OTHER_ADDRESS)
    expect(admin.locator("#tabel-aset tbody tr").first).to_contain_text("srv-simrs")

    opened = open_context("operator")
    opened.watch.allow(r"status of 404")  # the refused URL answers 404, as it must
    page = opened.page
    search_assets(page, OTHER_ADDRESS)
    expect(page.get_by_role("status").first).to_have_text("0 data ditemukan")
    expect(page.locator("#tabel-aset")).not_to_contain_text("srv-simrs")
    response = page.goto(f"/katalog/aset/{other}")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Halaman tidak ditemukan")
    expect(page.locator("main")).not_to_contain_text("srv-simrs")
    expect(page.locator("main")).to_contain_text("di luar cakupan OPD Anda")


def test_declare_an_application(open_context: Callable[..., Opened]) -> None:
    opened = open_context("operator")
    opened.watch.allow(r"status of 422")  # the refused first try answers 422
    page = opened.page
    page.goto("/katalog/aplikasi")
    page.locator("#tambah").click()
    page.wait_for_url("**/katalog/aplikasi/baru")
    page.get_by_label("Tingkat fungsi (1-5)").fill("9")
    page.locator("#simpan").click()
    expect(page.locator("#e-name")).to_be_visible()  # beside the empty name field
    expect(page.locator("#f-name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#e-function_level")).to_be_visible()

    page.get_by_label("Nama aplikasi").fill("SIMPEG Uji E2E")
    page.get_by_label("Tingkat fungsi (1-5)").fill("3")
    page.get_by_label("Tempat hosting").select_option(label="Pusat Data Pemda")
    page.get_by_label("Alamat URL").fill("https://simpeg.serangkab.go.id")
    page.locator("#simpan").click()
    page.wait_for_url(re.compile(r"/katalog/aplikasi/\d+$"))
    expect(page.locator("h1")).to_contain_text("SIMPEG Uji E2E")
    expect(page.locator("#riwayat")).to_contain_text("e2e-operator")

    page.goto("/katalog/aplikasi?q=SIMPEG+Uji")
    expect(page.locator("#tabel-aplikasi tbody tr")).to_have_count(1)


def test_export_the_shown_assets_to_xlsx_and_read_it_back(
    open_context: Callable[..., Opened], tmp_path: Path
) -> None:
    page = open_context("admin").page
    search_assets(page, "127.10.0.")
    table = page.locator("#tabel-aset")
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    shown = [
        [c.strip() for c in row.locator("td").all_inner_texts()]
        for row in table.locator("tbody tr").all()
    ]
    assert len(shown) >= 5  # srv-web-01, srv-app-01, vm-jdih, vm-sipkerja, core-switch-01
    with page.expect_download() as download:
        page.locator("#unduh-xlsx").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert [h.strip() for h in rows[0]] == headers
    assert len(rows) - 1 == len(shown)  # exactly what is shown: the search applies
    names = {r[0] for r in rows[1:]}
    assert names == {r[0] for r in shown}
    assert "srv-simrs (contoh)" not in names  # 127.10.1.10 does not match the search
