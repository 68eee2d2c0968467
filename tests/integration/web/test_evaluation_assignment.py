"""Penugasan on a worksheet, against a real scorer API: only an OPD of the directory and accounts
that may fill in a worksheet (evaluators) are saved; anything else is named on the form, which
keeps what was typed."""

from __future__ import annotations

import html

from harness import grant
from integration.web.test_evaluation import (  # noqa: F401  (the fixture of the scorer behind the pages)
    OTHER,
    open_period,
    post,
    scorer,
    settings,
    worksheet_url,
)
from integration.web.test_scoring import Browser, text_of
from sqlalchemy import Engine

from spbe_common.auth import Role


def test_unknown_opd_and_accounts_that_cannot_fill_in_a_worksheet_are_refused(
    browser: Browser, engine: Engine
) -> None:
    grant(engine, Role.OPD_OPERATOR, ["DINKES"], name="tik-dinkes")
    grant(engine, Role.EVALUATOR, ["INSPEKTORAT"], name="inspektorat-1")
    period = open_period(browser)
    admin = browser(Role.ADMIN)
    url = f"{worksheet_url(period, OTHER)}/penugasan"
    form = admin.get(worksheet_url(period, OTHER)).text
    assert 'list="daftar-opd"' in form and '<option value="INSPEKTORAT">' in form

    refused = post(admin, url, opd="DINKESS", akun="tidakada, tik-dinkes")
    assert refused.status_code == 422
    page = text_of(html.unescape(refused.text))
    assert "OPD DINKESS tidak ada dalam daftar OPD" in page
    assert "Akun tidakada tidak ada." in page
    assert "Akun tik-dinkes (pengelola TIK OPD) tidak dapat mengisi lembar kerja" in page
    assert 'value="DINKESS"' in refused.text and 'value="tidakada, tik-dinkes"' in refused.text
    history = text_of(admin.get(worksheet_url(period, OTHER)).text)
    assert "DINKESS" not in history and "tidakada" not in history  # nothing saved

    saved = post(admin, url, opd="inspektorat", akun="inspektorat-1")
    assert saved.status_code == 303, text_of(saved.text)
    sheet = admin.get(worksheet_url(period, OTHER)).text
    assert 'value="INSPEKTORAT"' in sheet and 'value="inspektorat-1"' in sheet
