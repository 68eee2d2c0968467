"""The words of the Evaluasi and Penilaian pages, against a real scorer API: refusals in Bahasa
Indonesia with their reason, the bukti dukung hint in words people know, decimal commas."""

from __future__ import annotations

import html
import re

from integration.web.test_evaluation import (  # noqa: F401  (the fixture of the scorer behind the pages)
    OWN,
    fill_in,
    open_period,
    post,
    scorer,
    settings,
    worksheet_url,
)
from integration.web.test_scoring import Browser, Scorer, text_of

from spbe_common.auth import Role
from spbe_inventory.web import evaluation_worksheet


def test_a_verified_worksheet_and_verifying_ones_own_are_refused_in_words(
    browser: Browser,
) -> None:
    period = open_period(browser)
    evaluator = browser(Role.EVALUATOR, ["INSPEKTORAT"])
    fill_in(evaluator, period)
    own = post(evaluator, f"{worksheet_url(period, OWN)}/verifikasi", komentar="")
    assert own.status_code == 403
    said = "Lembar kerja diverifikasi oleh evaluator lain, bukan oleh yang mengajukannya."
    assert said in text_of(html.unescape(own.text))
    reviewer = browser(Role.EVALUATOR, ["DISKOMINFOSATIK"])
    verified = post(reviewer, f"{worksheet_url(period, OWN)}/verifikasi", komentar="")
    assert verified.status_code == 303, text_of(verified.text)
    changed = post(evaluator, worksheet_url(period, OWN), tingkat="3", penjelasan="Audit 2026")
    assert changed.status_code == 409
    page = text_of(html.unescape(changed.text))
    assert "sudah diverifikasi; isinya tidak dapat diubah lagi" in page
    assert "cannot change" not in page and "is verified" not in page


def test_the_evidence_hint_names_records_in_words_and_the_form_reads_them(
    browser: Browser,
) -> None:
    period = open_period(browser)
    sheet = browser(Role.EVALUATOR, ["INSPEKTORAT"]).get(worksheet_url(period, OWN)).text
    assert "misalnya aplikasi 12" in sheet and "application:12" not in sheet
    assert [evaluation_worksheet.record_of(t) for t in ("aplikasi 12", "Fasilitas:3", "spl 2", "application:7")] == [
        "application:12", "facility:3", "service_bus:2", "application:7",
    ]  # fmt: skip


def test_the_comparison_choices_write_the_index_with_a_decimal_comma(
    browser: Browser,
    scorer: Scorer,  # noqa: F811
) -> None:
    runs = [scorer.run(), scorer.run()]
    listing = browser(Role.ADMIN).get("/penilaian").text
    form = re.search(r'id="form-banding".*?</form>', listing, re.S)
    assert form, "no comparison form"
    options = [html.unescape(o) for o in re.findall(r"<option [^>]*>([^<]*)</option>", form[0])]
    shown = runs[0]["index_display"].replace(".", ",")
    assert len(options) == 4 and all(f"· {shown} (" in o for o in options), options
