"""The figures of a period as the pages and the period workbook show them, against a real scorer
API: one rounding (exact, half up, 2 decimals) on both."""

from __future__ import annotations

import io

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
