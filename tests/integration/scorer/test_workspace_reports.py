"""Asesor results (one level, a workbook import), the comparison of two periods across
frameworks, and the official export, through the scorer API."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import pytest
from fastapi.testclient import TestClient
from integration.scorer.scoring_harness import ScoringHarness
from openpyxl import Workbook, load_workbook

from spbe_common.auth import Role

PDF = b"%PDF-1.7\n%%EOF\n"


def ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def open_period(client: TestClient, year: int, framework: str) -> int:
    return int(
        ok(client.post("/api/v1/periods", json={"year": year, "framework": framework}))["id"]
    )


def fill(client: TestClient, period: int, levels: dict[str, Any], explanation: str = "") -> None:
    for indicator, level in levels.items():
        body = {"level": level, "explanation": explanation or f"penjelasan {indicator}"}
        ok(client.patch(f"/api/v1/periods/{period}/worksheets/{indicator}", json=body))


def workbook(rows: Sequence[Sequence[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Hasil penilaian asesor"])  # a title line above the header
    sheet.append(["Indikator", "Nilai", "Catatan"])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_asesor(client: TestClient, period: int, content: bytes, dry_run: bool) -> Any:
    return client.post(
        f"/api/v1/periods/{period}/asesor/import",
        params={"dry_run": str(dry_run).lower()},
        files={"file": ("asesor.xlsx", content, "application/octet-stream")},
    )


def asesor_levels(client: TestClient, period: int) -> dict[str, Any]:
    rows = ok(client.get(f"/api/v1/periods/{period}/worksheets"))["data"]
    return {w["indicator"]: w["asesor_level_exact"] for w in rows if w["asesor_level_exact"]}


@pytest.fixture
def pemdi(scoring: ScoringHarness) -> int:
    return open_period(scoring.api, 2026, "pemdi-2026")


GOOD = [("I1", "1,5", "dokumen arsitektur belum ditetapkan"), ("I14", 2, None), ("Indeks", "1,24")]


def test_asesor_import_dry_run_saves_nothing_and_commit_saves_all(
    scoring: ScoringHarness, pemdi: int
) -> None:
    content = workbook(GOOD)
    preview = ok(import_asesor(scoring.api, pemdi, content, dry_run=True))
    assert preview["dry_run"] is True and preview["errors"] == []
    assert [(r["row"], r["indicator"], r["level"]) for r in preview["rows"]] == [
        (3, "I1", 1.5), (4, "I14", 2.0),
    ]  # fmt: skip
    assert preview["index"] == 1.24
    assert asesor_levels(scoring.api, pemdi) == {}

    saved = ok(import_asesor(scoring.api, pemdi, content, dry_run=False))
    assert saved["dry_run"] is False
    assert asesor_levels(scoring.api, pemdi) == {"I1": "3/2", "I14": "2"}
    worksheet = ok(scoring.api.get(f"/api/v1/periods/{pemdi}/worksheets/I1"))
    assert worksheet["asesor_note"] == "dokumen arsitektur belum ditetapkan"
    period = ok(scoring.api.get(f"/api/v1/periods/{pemdi}"))
    assert period["index"]["asesor"] == 1.24
    history = ok(scoring.api.get(f"/api/v1/periods/{pemdi}/worksheets/I14/history"))["data"]
    assert history[-1]["action"] == "asesor"


@pytest.mark.parametrize(
    ("bad_row", "column", "says"),
    [
        (("I2", 7, None), "Nilai", "row 5, column Nilai: 7 is outside the levels 1-5"),
        (("I99", 2, None), "Indikator", "row 5, column Indikator: 'I99' is no indicator"),
        (("I1", 3, None), "Indikator", "row 5, column Indikator: indicator I1 appears a second"),
        (("I2", "tinggi", None), "Nilai", "row 5, column Nilai: not a number"),
        (("I2", None, "catatan saja"), "Nilai", "row 5, column Nilai: no level"),
    ],
)
def test_one_wrong_row_refuses_the_whole_workbook(
    scoring: ScoringHarness, pemdi: int, bad_row: tuple[Any, ...], column: str, says: str
) -> None:
    rows = [GOOD[0], GOOD[1], bad_row, GOOD[2]]
    for dry_run in (True, False):
        response = import_asesor(scoring.api, pemdi, workbook(rows), dry_run)
        assert response.status_code == 422, response.text
        body = response.json()
        assert [(e["row"], e["column"]) for e in body["errors"]] == [(5, column)]
        assert says in body["errors"][0]["msg"]
        assert body["detail"][0]["loc"] == ["file", 5, column]
    assert asesor_levels(scoring.api, pemdi) == {}
    assert ok(scoring.api.get(f"/api/v1/periods/{pemdi}"))["period"]["asesor_index"] is None


def test_an_import_that_is_not_a_workbook_or_has_no_header_is_refused(
    scoring: ScoringHarness, pemdi: int
) -> None:
    not_xlsx = scoring.api.post(
        f"/api/v1/periods/{pemdi}/asesor/import", files={"file": ("a.xlsx", PDF, "text/plain")}
    )
    assert not_xlsx.status_code == 415
    book = Workbook()
    buffer = io.BytesIO()
    book.save(buffer)
    no_header = import_asesor(scoring.api, pemdi, buffer.getvalue(), dry_run=False)
    assert no_header.status_code == 422 and "Indikator" in no_header.text


def test_put_asesor_level_and_who_may(scoring: ScoringHarness) -> None:
    period = open_period(scoring.api, 2025, "spbe-2020")
    path = f"/api/v1/periods/{period}/asesor/16"
    saved = ok(scoring.api.put(path, json={"level": 3, "note": "PDN belum dimanfaatkan"}))
    assert (saved["asesor_level"], saved["asesor_level_exact"]) == (3.0, "3")
    refused = scoring.api.put(path, json={"level": "2,5"})  # 59/2020 levels are whole
    assert refused.status_code == 422 and "whole numbers" in refused.text
    evaluator = scoring.headers(Role.EVALUATOR, ["DISKOMINFOSATIK"])
    assert scoring.api.put(path, json={"level": 2}, headers=evaluator).status_code == 403
    assert (
        scoring.api.put(f"/api/v1/periods/{period}/asesor/99", json={"level": 2}).status_code == 404
    )
    assert asesor_levels(scoring.api, period) == {"16": "3"}


def test_comparison_across_frameworks_lists_the_unmapped_indicators(
    scoring: ScoringHarness, pemdi: int
) -> None:
    spbe = open_period(scoring.api, 2024, "spbe-2020")
    fill(scoring.api, spbe, {"5": 2, "16": 4, "17": 3, "24": 3})  # "6" left without a level
    fill(scoring.api, pemdi, {"I14": "2,5", "I6": 2})
    result = ok(scoring.api.get("/api/v1/periods/compare", params={"base": spbe, "other": pemdi}))
    assert (result["base"]["framework"], result["other"]["framework"]) == (
        "spbe-2020",
        "pemdi-2026",
    )
    rows = {row["indicator"]: row for row in result["indicators"]}
    assert rows["I14"]["base_indicators"] == ["5", "6", "16", "17"]
    assert rows["I14"]["base_level"] == 3.0  # the mean of 2, 4 and 3; "6" has no level
    assert rows["I14"]["other_level"] == 2.5 and rows["I14"]["difference"] == -0.5
    assert "I6" not in rows
    assert {u["indicator"] for u in result["unmapped_other"]} == {
        "I6", "I7", "I8", "I11", "I12", "I18", "I19", "I20",
    }  # fmt: skip
    assert [u["indicator"] for u in result["unmapped_base"]] == ["24", "26", "27"]
    index = result["index"]
    assert index["difference"] == pytest.approx(index["other"] - index["base"])

    same = ok(scoring.api.get("/api/v1/periods/compare", params={"base": pemdi, "other": pemdi}))
    assert len(same["indicators"]) == 20 and same["unmapped_base"] == []
    missing = scoring.api.get("/api/v1/periods/compare", params={"base": spbe, "other": 9999})
    assert missing.status_code == 404


def _sheet_rows(book: Any, title_start: str) -> dict[str, tuple[Any, ...]]:
    sheet = next(s for s in book.worksheets if s.title.startswith(title_start))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "No", "Indikator", "Tingkat", "Sumber", "Penjelasan", "Bukti dukung", "Nilai asesor",
        "Selisih",
    )  # fmt: skip
    return {str(row[0]): row for row in rows[1:]}


def test_export_lists_every_document_in_the_official_layout(scoring: ScoringHarness) -> None:
    period = open_period(scoring.api, 2025, "spbe-2020")
    fill(scoring.api, period, {"16": 3}, explanation='=HYPERLINK("http://x")')
    fill(scoring.api, period, {"1": 2})
    documents = [("16", "SOP Pusat Data", "sop.pdf"), ("16", "Notulen reviu", "reviu.pdf"),
                 ("1", "Perbup Arsitektur SPBE", "perbup.pdf")]  # fmt: skip
    for i, (indicator, title, filename) in enumerate(documents):
        ok(scoring.api.post(
            f"/api/v1/periods/{period}/worksheets/{indicator}/documents",
            files={"file": (filename, PDF + str(i).encode(), "application/pdf")},
            data={"title": title},
        ))  # fmt: skip
    ok(scoring.api.put(f"/api/v1/periods/{period}/asesor/16", json={"level": 2}))

    response = scoring.api.get(f"/api/v1/periods/{period}/export.xlsx")
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "Ringkasan" and len(book.sheetnames) == 5  # four domains
    summary = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(values_only=True) if row[0]}
    assert summary["Tahun"] == 2025 and isinstance(summary["Indeks penilaian mandiri"], float)
    assert summary["Indeks asesor"] in (None, "")  # not every indicator has an asesor level
    assert "Catatan belum terkonfirmasi" in summary
    # a scale's note names the scale in words, never by its key
    notes = [row[0] for row in book["Ringkasan"].iter_rows(values_only=True) if row[0]]
    assert "Skala Fungsi teknis layanan elektronik: label dan rumusan tingkat 5 (Optimalisasi)" in (
        notes
    )
    assert not [n for n in notes if str(n).startswith("Skala technical_function")]

    d1, d2 = _sheet_rows(book, "D1"), _sheet_rows(book, "D2")
    assert len(d1) == 10 and d1["1"][5] == "Perbup Arsitektur SPBE (perbup.pdf)"
    row16 = d2["16"]
    assert row16[1] == "Layanan Pusat Data" and row16[2] == 3 and row16[3] == "Manual"
    assert row16[4] == '\'=HYPERLINK("http://x")'  # never evaluated as a formula
    assert row16[5].splitlines() == ["SOP Pusat Data (sop.pdf)", "Notulen reviu (reviu.pdf)"]
    assert (row16[6], row16[7]) == (2, -1)
    listed = [line for s in book.worksheets[1:] for r in s.iter_rows(min_row=2, values_only=True)
              for line in (r[5] or "").splitlines()]  # fmt: skip
    assert sorted(listed) == sorted(f"{t} ({f})" for _, t, f in documents)


def test_pemdi_export_has_one_sheet_per_aspect(scoring: ScoringHarness, pemdi: int) -> None:
    ok(import_asesor(scoring.api, pemdi, workbook(GOOD), dry_run=False))
    book = load_workbook(
        io.BytesIO(scoring.api.get(f"/api/v1/periods/{pemdi}/export.xlsx").content)
    )
    assert len(book.sheetnames) == 8 and book.sheetnames[1].startswith("A1")
    summary = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(values_only=True) if row[0]}
    assert summary["Indeks asesor"] == 1.24 and summary["Predikat asesor"] == "Kurang"
    assert _sheet_rows(book, "A1")["I1"][6] == 1.5


def test_asesor_import_and_export_on_sqlite_and_postgresql(scorer_api: TestClient) -> None:
    period = open_period(scorer_api, 2026, "pemdi-2026")
    ok(import_asesor(scorer_api, period, workbook(GOOD), dry_run=False))
    assert asesor_levels(scorer_api, period) == {"I1": "3/2", "I14": "2"}
    book = load_workbook(
        io.BytesIO(scorer_api.get(f"/api/v1/periods/{period}/export.xlsx").content)
    )
    assert _sheet_rows(book, "A5")["I14"][6] == 2
