"""Pemindaian: an OPD operator starts a scan of its loopback scope from the page, follows it
until it finishes (the status fragment refreshes itself) and reads its result."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from e2e.web.browsing import SCOPE_KEY, Opened, Server, wait_for_scan
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_start_a_scan_of_a_loopback_scope_and_see_its_result(
    open_context: Callable[..., Opened], server: Server, screenshots: Path
) -> None:
    first = wait_for_scan(server)  # `spbe up` scans every scope once at start: it must be done
    page = open_context("operator").page
    page.goto("/pemindaian")
    row = page.locator(f"#cakupan-{SCOPE_KEY}")
    expect(row).to_contain_text("127.0.0.1/32")
    page.locator(f"#mulai-{SCOPE_KEY}").click()
    page.wait_for_url(re.compile(r"/pemindaian/[^/]+$"))
    assert not page.url.endswith(str(first["scan_id"]))  # a new scan, not the start-up one
    expect(page.locator("h1")).to_have_text(f"Pemindaian {SCOPE_KEY}")
    expect(page.locator("#status")).to_have_text(
        re.compile("Selesai|Sebagian|Gagal"), timeout=120_000
    )
    expect(page.locator("#status")).to_have_text("Selesai")
    expect(page.locator("#data-pemindaian")).to_contain_text("e2e-operator")  # who asked
    assert int(page.locator("#host-aktif").inner_text()) >= 1
    expect(page.locator("#tabel-aset-terlihat")).to_contain_text("127.0.0.1")
    page.screenshot(path=screenshots / "pemindaian-hasil.png")
