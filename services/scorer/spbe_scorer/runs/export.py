"""A stored run as an XLSX workbook for the evaluation file: a summary sheet, one sheet per domain.

Works on the rows the repository reads, so an export shows exactly what the run stored.
Cells are written as spbe_scorer.cells writes them: numbers as numbers, times in WIB, and text
that a spreadsheet would take for a formula (justifications, evidence and names come from people
and scans) inert: `=HYPERLINK(...)` is shown as `'=HYPERLINK(...)`.

Everything a reader sees is in Bahasa Indonesia, in the words of the run's page (/penilaian/{run}):
headers and labels here, the scorer's codes (level source, evidence kind, framework, group) by the
table the inventory's pages use (spbe_common.scoring_labels).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from spbe_common.scoring_labels import evidence_line, scoring_label
from spbe_scorer.cells import append, index_figure, indicator_number, level_value, weight_figure

from .views import marked

SUMMARY = "Ringkasan"
DOMAIN_HEADER = (
    "No.", "Indikator", "Tingkat", "Asal tingkat", "Bukti", "Kriteria", "Alasan evaluator",
    "Yang dibutuhkan untuk tingkat berikutnya", "Tingkat turunan", "Evaluator",
    "Belum terkonfirmasi",
)  # fmt: skip
GROUP_HEADER = ("Kelompok", "Kode", "Nama", "Bobot (%)", "Indeks")
WIDTHS = (8, 40, 8, 24, 60, 50, 50, 50, 12, 20, 50)
BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def _append(sheet: Worksheet, values: Sequence[Any]) -> None:
    append(sheet, values)


def _sheet_title(domain: Mapping[str, Any]) -> str:
    return BAD_TITLE.sub(" ", f"{domain['id']} {domain['name']}")[:31].strip()


def _evidence(row: Mapping[str, Any]) -> str:
    items = [evidence_line(e) for e in row["evidence"]]
    return "\n".join([*items, *row["evidence_links"]])


def _missing(row: Mapping[str, Any]) -> str:
    lines = list(row["missing"])
    if row["missing_opds"]:
        lines.append("OPD belum memenuhi: " + ", ".join(row["missing_opds"]))
    return "\n".join(lines)


def indicator_cells(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        indicator_number(row["indicator"]), row["name"], level_value(row["level_exact"]),
        scoring_label("source", row["source"]),
        _evidence(row), row["criterion"] or "", row["justification"] or "",
        _missing(row),
        level_value(row["derived_level_exact"]), row["evaluator"] or "",
        row.get("unconfirmed") or "",
    )  # fmt: skip


def _header(sheet: Worksheet, values: Sequence[str]) -> None:
    _append(sheet, values)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _summary(sheet: Worksheet, run: Mapping[str, Any]) -> None:
    for label, value in (
        ("Kerangka", scoring_label("framework", run["framework"])),
        ("Versi kerangka", run["framework_version"]),
        ("Kode penilaian", run["id"]),
        ("Waktu penilaian (WIB)", run["started_at"]),
        ("Data katalog per (WIB)", run["snapshot_taken_at"]),
        ("Sidik data katalog", run["snapshot_hash"]),
        ("Indeks", index_figure(run["index_exact"])),
        ("Predikat", run["predicate"]),
        *((f"Asal tingkat: {scoring_label('source', k)}", v) for k, v in run["counts"].items()),
    ):
        _append(sheet, [label, value])
    sheet.append([])
    _header(sheet, GROUP_HEADER)
    for kind in ("domain", "aspect"):
        for g in run[f"{kind}s"]:
            group = scoring_label("group", kind)
            figures = [weight_figure(g["weight"]), index_figure(g["index"])]
            _append(sheet, [group, g["id"], g["name"], *figures])
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["C"].width = 50


def _domain_sheet(sheet: Worksheet, rows: Sequence[Mapping[str, Any]]) -> None:
    _header(sheet, DOMAIN_HEADER)
    for row in rows:
        _append(sheet, indicator_cells(row))
    for letter, width in zip("ABCDEFGHIJK", WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def build_workbook(run: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> Workbook:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = SUMMARY
    _summary(summary, run)
    rows = marked(rows, run["framework"])  # the rules' and the framework's marks
    for domain in run["domains"]:
        mine = [r for r in rows if r["domain"] == domain["id"]]
        _domain_sheet(book.create_sheet(_sheet_title(domain)), mine)
    return book


def workbook_bytes(run: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> bytes:
    buffer = BytesIO()
    build_workbook(run, rows).save(buffer)
    return buffer.getvalue()
