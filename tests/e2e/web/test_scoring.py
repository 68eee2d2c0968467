"""Penilaian: open a scoring run (levels, evidence, what the next level needs), download its
workbook, and compare two runs; the runs are made with `spbe score run` against the server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from e2e.web.browsing import Catalogue, Opened
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_open_a_scoring_run_and_its_comparison(
    open_context: Callable[..., Opened], catalogue: Catalogue, tmp_path: Path, screenshots: Path
) -> None:
    older, newer = catalogue.scoring_runs()[-2:]
    page = open_context("admin").page
    page.goto("/penilaian")
    table = page.locator("#tabel-penilaian")
    table.locator(f'a[href="/penilaian/{newer}"]').click()
    page.wait_for_url(f"**/penilaian/{newer}")
    expect(page.locator("h1")).to_contain_text("indeks")
    expect(page.locator("#tabel-domain tbody tr").first).to_be_visible()
    indicators = page.locator("table[id^='tabel-indikator-'] tbody tr")
    assert indicators.count() > 0
    expect(
        page.get_by_role("columnheader", name="Yang dibutuhkan untuk tingkat berikutnya").first
    ).to_be_visible()

    with page.expect_download() as download:
        page.locator("#unduh-buku-kerja").click()
    path = tmp_path / "penilaian.xlsx"
    download.value.save_as(path)
    workbook = openpyxl.load_workbook(path, read_only=True)
    assert len(workbook.sheetnames) >= 2  # a summary and one sheet per domain

    page.goto("/penilaian")
    page.get_by_label("Penilaian sebelumnya").select_option(older)
    page.get_by_label("Penilaian sesudahnya").select_option(newer)
    page.get_by_role("button", name="Bandingkan").click()
    page.wait_for_url("**/penilaian/banding?*")
    expect(page.locator("h1")).to_contain_text("Perbandingan penilaian")
    expect(page.locator("#selisih-indeks")).to_contain_text("Selisih indeks")
    expect(page.locator("#tabel-banding-ringkasan")).to_be_visible()
    page.screenshot(path=screenshots / "penilaian-banding.png")
