"""The XLSX workbook of a run: a summary sheet and one sheet per domain, read back with openpyxl."""

from datetime import UTC, datetime
from io import BytesIO
from typing import Any

from openpyxl import load_workbook

from spbe_scorer.runs import views
from spbe_scorer.runs.export import DOMAIN_HEADER, SUMMARY, workbook_bytes

T = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def run() -> dict[str, Any]:
    return {
        "id": "run-1", "framework": "spbe-2020", "framework_version": "2020.1",
        "started_at": T, "snapshot_hash": "ab" * 32, "snapshot_taken_at": T,
        "index_exact": "1387/500", "predicate": "Baik",
        "counts": {"derived": 1, "override": 1, "not_assessed": 0},
        "domains": [
            {"id": "D2", "name": "Tata Kelola SPBE", "weight": "25", "index": "5/2"},
            {"id": "D4", "name": "Layanan SPBE", "weight": "91/2", "index": "3"},
        ],
        "aspects": [{"id": "A3", "name": "TIK", "weight": "10", "index": "5/2"}],
    }  # fmt: skip


def indicator(ind: str, domain: str, **fields: Any) -> dict[str, Any]:
    return {
        "indicator": ind, "name": f"Indicator {ind}", "domain": domain, "level_exact": "2",
        "source": "derived", "evidence": [], "evidence_links": [], "criterion": None,
        "justification": None, "missing": [], "missing_opds": [], "derived_level_exact": "2",
        "evaluator": None, **fields,
    }  # fmt: skip


def read(rows: list[dict[str, Any]]) -> Any:
    return load_workbook(BytesIO(workbook_bytes(run(), rows)))


def test_one_sheet_per_domain_after_the_summary() -> None:
    book = read([indicator("17", "D2"), indicator("32", "D4")])
    assert book.sheetnames == [SUMMARY, "D2 Tata Kelola SPBE", "D4 Layanan SPBE"]
    assert tuple(c.value for c in book["D2 Tata Kelola SPBE"][1]) == DOMAIN_HEADER


def test_indicator_rows_carry_level_source_evidence_criterion_and_justification() -> None:
    override = indicator(
        "17", "D2", level_exact="4", source="override", criterion="Used by some OPD.",
        evidence=[{"kind": "site", "id": "3", "detail": "intra-network site"}],
        evidence_links=["https://example.test/ba.pdf"], justification="JIP linked (BA 12)",
        missing=["intra-network site in every OPD"], missing_opds=["DINKES", "DLH"],
        evaluator="Inspektorat",
    )  # fmt: skip
    sheet = read([override])["D2 Tata Kelola SPBE"]
    values = [c.value for c in sheet[2]]
    assert values[:4] == ["17", "Indicator 17", 4, "override"]
    assert values[4] == "site 3: intra-network site\nhttps://example.test/ba.pdf"
    assert values[5:7] == ["Used by some OPD.", "JIP linked (BA 12)"]
    assert values[7] == "intra-network site in every OPD\nOPD not yet covered: DINKES, DLH"
    assert values[8:] == [2, "Inspektorat", None]  # 17: nothing unconfirmed


def test_unconfirmed_marks_of_the_rule_and_of_the_framework_are_shown() -> None:
    rows = [indicator("32", "D4", unconfirmed="this rule's reading")]
    sheet = read(rows)["D4 Layanan SPBE"]
    cells = {h: c for h, c in zip(DOMAIN_HEADER, sheet[2], strict=True)}
    assert cells["Unconfirmed"].value == (
        "this rule's reading; label dan rumusan tingkat 5 (Optimalisasi)"  # the scale's mark
    )
    pemdi = views.unconfirmed({"indicator": "I1", "unconfirmed": None}, "pemdi-2026")
    assert pemdi is not None and pemdi.startswith("seluruh kerangka")
    assert views.unconfirmed({"indicator": "1", "unconfirmed": None}, "spbe-2020") is None
    assert views.unconfirmed({"indicator": "1", "unconfirmed": "x"}, "no-such-framework") == "x"


def test_fractional_levels_are_numbers() -> None:
    sheet = read([indicator("32", "D4", level_exact="63/50")])["D4 Layanan SPBE"]
    assert sheet["C2"].value == 1.26


def test_summary_shows_index_predicate_and_groups() -> None:
    sheet = read([])[SUMMARY]
    pairs = {row[0].value: row[1].value for row in sheet.iter_rows(max_col=2) if row[0].value}
    assert pairs["Index"] == 2.77 and pairs["Predicate"] == "Baik"
    assert pairs["Indicators: override"] == 1
    groups = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=12)]
    assert ("domain", "D4", "Layanan SPBE", 45.5, 3) in groups
    assert ("aspect", "A3", "TIK", 10, 2.5) in groups


def test_text_a_spreadsheet_would_evaluate_is_written_inert() -> None:
    """Cells starting with =, +, -, @ (or tab, CR) get a leading apostrophe and stay text."""
    row = indicator(
        "1", "D2", justification='=HYPERLINK("http://evil.test","klik")', evaluator="@SUM(A1)",
        criterion="+1+1", evidence_links=["-2+3"], level_exact="-1",
    )  # fmt: skip
    sheet = read([row])["D2 Tata Kelola SPBE"]
    cells = {h: c for h, c in zip(DOMAIN_HEADER, sheet[2], strict=True)}
    assert cells["Justification"].value == '\'=HYPERLINK("http://evil.test","klik")'
    assert cells["Evaluator"].value == "'@SUM(A1)"
    assert cells["Criterion"].value == "'+1+1"
    assert cells["Evidence"].value == "'-2+3"
    assert all(c.data_type != "f" for c in sheet[2])  # no formula anywhere
    assert cells["Level"].value == -1  # numbers stay numbers
