"""Sign in through the real /masuk form, as an OPD operator and as an admin, by mouse and by
keyboard alone; the menu shows what the role may do."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from e2e.web.browsing import OPERATOR_OPD, Opened, Server, sign_in
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def menu(page: Page) -> list[str]:
    return [
        t.strip()
        for t in page.get_by_role("navigation", name="Menu utama").locator("a").all_inner_texts()
    ]


def test_operator_signs_in_and_sees_their_opd(
    open_context: Callable[..., Opened], server: Server
) -> None:
    page = open_context(None).page
    sign_in(page, server.accounts["operator"])
    expect(page.locator("header .who")).to_contain_text(OPERATOR_OPD)
    expect(page.locator("header .who")).to_contain_text("e2e-operator")
    assert "Kejadian ditolak" not in menu(page)  # admins only


def test_admin_signs_in_and_sees_the_admin_menu(
    open_context: Callable[..., Opened], server: Server
) -> None:
    page = open_context(None).page
    sign_in(page, server.accounts["admin"])
    expect(page.locator("header .who")).to_contain_text("e2e-admin")
    assert "Kejadian ditolak" in menu(page)


def test_wrong_password_is_refused_in_bahasa_indonesia(
    open_context: Callable[..., Opened], server: Server
) -> None:
    opened = open_context(None)
    opened.watch.allow(r"status of 401")  # the refused sign-in answers 401, as it should
    page = opened.page
    page.goto("/masuk")
    page.get_by_label("Nama akun").fill(server.accounts["operator"].name)
    page.get_by_label("Kata sandi").fill("not-the-password")
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("alert")).to_have_text("Nama akun atau kata sandi salah.")
    assert page.url.endswith("/masuk")


def test_keyboard_only_signs_in_and_opens_the_asset_catalogue(
    open_context: Callable[..., Opened], server: Server
) -> None:
    """Tab and Enter only: the name field has focus on load, Tab to the password, Enter submits;
    then Tab through the page to the menu link of Katalog aset and Enter."""
    page = open_context(None).page
    account = server.accounts["operator"]
    page.goto("/masuk")
    # Chromium applies autofocus at its next rendering update, which may come after the load
    # event: wait for it (the assertion fails if the field never gets focus) before typing,
    # or the first keys go to the page and the sign-in is refused.
    expect(page.get_by_label("Nama akun")).to_be_focused()
    page.keyboard.type(account.name)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Kata sandi")).to_be_focused()
    page.keyboard.type(account.password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/beranda")
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.getAttribute('href')")
        if focused == "/katalog/aset":
            break
    else:
        pytest.fail("Katalog aset was not reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/katalog/aset")
    expect(page.locator("h1")).to_be_visible()
