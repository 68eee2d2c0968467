"""Impor: an OPD operator uploads an asset register (an xlsx built with the register's own
headers), reads the dry run row by row, and saves it to the catalogue only when every row holds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from e2e.web.browsing import OPERATOR_OPD, Opened
from playwright.sync_api import Page, expect

from spbe_common.registers.enums import RegisterKind
from spbe_common.registers.schemas import COLUMNS

pytestmark = pytest.mark.browser


def register(path: Path, rows: list[dict[str, str]]) -> Path:
    """An asset register with the template's headers: one dict of header -> value per row."""
    headers = [column.header for column in COLUMNS[RegisterKind.ASSETS]]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    workbook.save(path)
    return path


def asset(name: str, address: str, opd: str = OPERATOR_OPD) -> dict[str, str]:
    return {
        "Nama Aset": name,
        "Jenis Aset": "server",
        "Alamat IP": address,
        "Lokasi": "Ruang Server Diskominfosatik (contoh fiktif)",
        "Kode OPD": opd,
    }


def upload(page: Page, path: Path) -> None:
    page.goto("/impor")
    page.get_by_label("OPD").select_option(OPERATOR_OPD)
    page.get_by_label("Berkas spreadsheet").set_input_files(path)
    page.get_by_role("button", name="Periksa berkas").click()
    page.wait_for_url("**/impor/*")


def test_import_dry_run_then_commit(
    open_context: Callable[..., Opened], tmp_path: Path, screenshots: Path
) -> None:
    page = open_context("operator").page

    bad = register(
        tmp_path / "aset-salah.xlsx",
        [asset("srv-impor-01 (uji)", "127.20.0.1"), asset("srv-impor-02 (uji)", "bukan-alamat")],
    )
    upload(page, bad)
    expect(page.locator("#baris-2")).to_contain_text("srv-impor-01 (uji)")
    expect(page.locator("#baris-3 .error")).to_contain_text("Alamat IP")  # the row and column
    expect(page.locator("#impor-ditolak")).to_be_visible()
    expect(page.locator("#form-simpan")).to_have_count(0)  # nothing can be saved

    good = register(
        tmp_path / "aset-diskominfosatik.xlsx",
        [asset("srv-impor-01 (uji)", "127.20.0.1"), asset("srv-impor-02 (uji)", "127.20.0.2")],
    )
    upload(page, good)
    expect(page.locator("#tabel-impor tbody tr")).to_have_count(2)
    expect(page.locator("#ringkasan-uji")).to_contain_text("2 baris data")
    page.screenshot(path=screenshots / "impor-uji-coba.png")
    page.goto("/katalog/aset?q=127.20.0.")  # the dry run saved nothing
    expect(page.locator("#tabel-aset tbody tr")).to_have_text("Tidak ada data yang cocok.")
    page.go_back()

    page.get_by_role("button", name="Simpan ke katalog").click()
    expect(page.locator("#impor-tersimpan")).to_be_visible()
    expect(page.locator("#tabel-hasil-impor tbody tr")).to_have_count(2)
    page.locator("#tabel-hasil-impor").get_by_role("link", name="srv-impor-02 (uji)").click()
    expect(page.locator("h1")).to_contain_text("srv-impor-02 (uji)")
    expect(page.locator("#riwayat")).to_contain_text("aset-diskominfosatik.xlsx")  # the cause


def test_import_shows_problems_of_the_file_above_the_rows(
    open_context: Callable[..., Opened], tmp_path: Path
) -> None:
    """A KIR kept one room per sheet: the other room's sheet is named under "Masalah pada
    berkas", above the rows, and nothing can be saved."""
    page = open_context("operator").page
    path = register(tmp_path / "kir-per-ruang.xlsx", [asset("pc-ruang-1 (uji)", "127.20.0.11")])
    workbook = openpyxl.load_workbook(path)
    other = workbook.copy_worksheet(workbook.worksheets[0])
    other.title = "Ruang Rapat"
    other["A2"] = "pc-ruang-2 (uji)"
    workbook.save(path)
    upload(page, path)
    problems = page.locator("#masalah-berkas")
    expect(problems.get_by_role("heading", name="Masalah pada berkas")).to_be_visible()
    expect(problems).to_contain_text("lembar 'Ruang Rapat' juga berisi tabel aset")
    expect(page.locator("#baris-2")).to_contain_text("pc-ruang-1 (uji)")
    expect(page.locator("#form-simpan")).to_have_count(0)
