"""The figures of a period as the pages and the period workbook show them, against a real scorer
API: one rounding (exact, half up, 2 decimals) on both."""

from __future__ import annotations

import io
import re

import openpyxl
from integration.web.test_evaluation import (  # noqa: F401  (the fixture of the scorer behind the pages)
    open_period,
    post,
    scorer,
    settings,
    worksheet_url,
)
from integration.web.test_evaluation_admin import stat
from integration.web.test_scoring import Browser, text_of

from spbe_common.auth import Role


def save_level(client: object, period: int, indicator: str, level: str) -> None:
    url = worksheet_url(period, indicator)
    saved = post(client, url, tingkat=level, penjelasan="Audit TIK 2025", justifikasi="Laporan")
    assert saved.status_code == 303, text_of(saved.text)  # type: ignore[attr-defined]


def summary_of(book: openpyxl.Workbook) -> dict[str, object]:
    return {row[0].value: row[1].value for row in book["Ringkasan"].iter_rows() if len(row) > 1}


def test_the_page_and_the_workbook_round_the_index_the_same_way(browser: Browser) -> None:
    period = open_period(browser)
    evaluator = browser(Role.EVALUATOR, ["INSPEKTORAT"])
    save_level(evaluator, period, "29", "3")  # 1.5 % x 2 levels above the minimum
    save_level(evaluator, period, "30", "2")  # 1.5 % x 1: the index is exactly 1.045
    overview = browser(Role.ADMIN).get(f"/evaluasi/{period}").text
    assert stat(overview, "indeks-mandiri") == "1,05"  # the float 1.045 would round to 1,04
    book = openpyxl.load_workbook(
        io.BytesIO(browser(Role.ADMIN).get(f"/evaluasi/{period}/unduh").content)
    )
    assert summary_of(book)["Indeks penilaian mandiri"] == 1.05


def test_the_index_says_that_indicators_without_a_level_count_at_level_1(
    browser: Browser,
) -> None:
    period = open_period(browser)
    evaluator = browser(Role.EVALUATOR, ["INSPEKTORAT"])
    save_level(evaluator, period, "29", "3")
    save_level(evaluator, period, "30", "2")
    said = "2 dari 47 indikator sudah bertingkat; indikator lain dihitung tingkat 1."
    assert said in text_of(browser(Role.ADMIN).get(f"/evaluasi/{period}").text)
    download = browser(Role.ADMIN).get(f"/evaluasi/{period}/unduh")
    book = openpyxl.load_workbook(io.BytesIO(download.content))
    assert summary_of(book)["Cakupan penilaian mandiri"] == said


def compared_indices(html_text: str) -> list[str]:
    stats = re.search(r'id="indeks-banding".*?</ul>', html_text, re.S)
    assert stats, "no #indeks-banding"
    return re.findall(r"<strong>([^<]*)</strong>", stats.group(0))


def test_a_period_without_levels_has_no_index_in_a_comparison(browser: Browser) -> None:
    filled, empty = open_period(browser, 2025), open_period(browser, 2026)
    save_level(browser(Role.EVALUATOR, ["INSPEKTORAT"]), filled, "29", "3")
    response = browser(Role.VIEWER).get(
        "/evaluasi/banding", params={"dasar": filled, "pembanding": empty}
    )
    assert response.status_code == 200, text_of(response.text)
    assert compared_indices(response.text) == ["1,03", "-", "-"]  # no index, no difference
    assert 'id="form-banding-periode"' in response.text  # another pair can be chosen here


def test_the_comparison_without_periods_offers_the_choice(browser: Browser) -> None:
    open_period(browser, 2025), open_period(browser, 2026)
    response = browser(Role.VIEWER).get("/evaluasi/banding")
    assert response.status_code == 200, text_of(response.text)
    assert 'id="form-banding-periode"' in response.text and "indeks-banding" not in response.text
    assert 'name="dasar"' in response.text and 'name="pembanding"' in response.text
