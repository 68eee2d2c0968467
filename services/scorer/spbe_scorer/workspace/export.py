"""A period in the official layout, as an XLSX workbook in Bahasa Indonesia.

Sheet "Ringkasan": the period, both indices (penilaian mandiri and asesor), their difference and
the framework's unconfirmed notes. Then one sheet per domain (59/2020), or per aspect when the
framework has a single domain (Pemdi): per indicator its level, where the level came from, the
penjelasan, every bukti dukung (title and file name, one per line), the asesor level and the
difference. Cells are written as spbe_scorer.cells writes them (numbers as numbers, inert text).
Pure: works on the rows the routes read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from spbe_common.scoring_labels import scoring_label, self_assessment_coverage
from spbe_scorer.cells import Figure, append, index_figure, indicator_number, level_value
from spbe_scorer.frameworks import Framework
from spbe_scorer.index import predicate_for

from .enums import WorksheetSource

SUMMARY = "Ringkasan"
HEADER = (
    "No", "Indikator", "Tingkat", "Sumber", "Penjelasan", "Bukti dukung", "Nilai asesor",
    "Selisih",
)  # fmt: skip
WIDTHS = (8, 40, 9, 22, 60, 60, 12, 9)
SOURCES = {
    WorksheetSource.ACCEPTED: "Diterima dari usulan",
    WorksheetSource.OVERRIDE: "Ditetapkan evaluator",
    WorksheetSource.MANUAL: "Manual",
}
BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class PeriodReport:
    period: Mapping[str, Any]
    framework: Framework
    worksheets: Sequence[Mapping[str, Any]]
    documents: Sequence[Mapping[str, Any]]
    self_index: Fraction | None
    asesor_index: Fraction | None


def _level(exact: str | None) -> Fraction | None:
    return None if exact is None else Fraction(exact)


def _number(value: Fraction | None) -> int | float | str:
    """A level or a difference of levels: a number (an integer when whole), "" when none."""
    shown = level_value(value)
    return "" if shown is None else shown


def _rounded(value: Fraction | None) -> Figure | str:
    return index_figure(value) or ""


def _difference(self_level: Fraction | None, asesor: Fraction | None) -> Fraction | None:
    return None if self_level is None or asesor is None else asesor - self_level


def _append(sheet: Worksheet, values: Sequence[Any]) -> None:
    append(sheet, values)


def _header(sheet: Worksheet, values: Sequence[str]) -> None:
    _append(sheet, values)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


# --- Ringkasan -------------------------------------------------------------------------------
def _predicate(framework: Framework, index: Fraction | None) -> str:
    return "" if index is None else predicate_for(framework, index)


def unconfirmed_notes(framework: Framework) -> list[str]:
    """The framework's own notes, then those of its scales (by their names), groups and
    indicators."""
    notes = list(framework.unconfirmed)
    scales = framework.scales.items()
    notes += [f"Skala {s.name or k}: {s.unconfirmed}" for k, s in scales if s.unconfirmed]
    groups = [*framework.domains, *framework.aspects, *framework.indicators]
    notes += [f"{g.id} {g.name}: {g.unconfirmed}" for g in groups if g.unconfirmed]
    return notes


def _coverage(report: PeriodReport) -> str:
    levelled = sum(1 for w in report.worksheets if w["level_exact"] is not None)
    total, minimum = len(report.framework.indicators), report.framework.levels.min
    return self_assessment_coverage(levelled, total, minimum) if levelled else ""


def _summary(sheet: Worksheet, report: PeriodReport) -> None:
    period, framework = report.period, report.framework
    # no level yet: no index (as the period's page shows "-"), not the scale minimum's
    levelled = any(w["level_exact"] is not None for w in report.worksheets)
    self_index = report.self_index if levelled else None
    difference = _difference(self_index, report.asesor_index)
    for label, value in (
        ("Periode evaluasi", period["title"]),
        ("Tahun", period["year"]),
        ("Kerangka penilaian", f"{framework.title} ({framework.regulation})"),
        ("Status periode", scoring_label("period_status", period["status"])),
        ("Indeks penilaian mandiri", _rounded(self_index)),
        ("Predikat penilaian mandiri", _predicate(framework, self_index)),
        ("Cakupan penilaian mandiri", _coverage(report)),
        ("Indeks asesor", _rounded(report.asesor_index)),
        ("Predikat asesor", _predicate(framework, report.asesor_index)),
        ("Selisih (asesor - mandiri)", _rounded(difference)),
        ("Catatan asesor", period.get("asesor_note") or ""),
    ):
        _append(sheet, [label, value])
    sheet.append([])
    _header(sheet, ("Catatan belum terkonfirmasi",))
    for note in unconfirmed_notes(framework) or ["(tidak ada)"]:
        _append(sheet, [note])
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 60


# --- one sheet per domain or aspect -------------------------------------------------------------
def _documents(documents: Sequence[Mapping[str, Any]]) -> str:
    return "\n".join(f"{d['title']} ({d['filename']})" for d in documents)


def indicator_cells(
    worksheet: Mapping[str, Any], name: str, documents: Sequence[Mapping[str, Any]]
) -> tuple[Any, ...]:
    level, asesor = _level(worksheet["level_exact"]), _level(worksheet["asesor_level_exact"])
    source = worksheet["level_source"]
    return (
        indicator_number(worksheet["indicator"]), name, _number(level), SOURCES.get(source, source or ""),
        worksheet["explanation"] or "", _documents(documents), _number(asesor),
        _number(_difference(level, asesor)),
    )  # fmt: skip


def groups(framework: Framework) -> list[tuple[str, str, list[str]]]:
    """(id, name, indicator ids) of each sheet: the domains, or the aspects of a framework with
    a single domain."""
    if len(framework.domains) > 1:
        return [
            (d.id, d.name, [i.id for a in d.aspects for i in a.indicators])
            for d in framework.domains
        ]
    return [(a.id, a.name, [i.id for i in a.indicators]) for a in framework.aspects]


def _sheet_title(group_id: str, name: str) -> str:
    return BAD_TITLE.sub(" ", f"{group_id} {name}")[:31].strip()


def _group_sheet(sheet: Worksheet, report: PeriodReport, indicator_ids: Sequence[str]) -> None:
    _header(sheet, HEADER)
    by_id = {w["indicator"]: w for w in report.worksheets}
    for indicator in indicator_ids:
        if indicator not in by_id:
            continue
        mine = [d for d in report.documents if d["indicator"] == indicator]
        name = report.framework.indicator_by_id[indicator].name
        _append(sheet, indicator_cells(by_id[indicator], name, mine))
    for letter, width in zip("ABCDEFGH", WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def build_workbook(report: PeriodReport) -> Workbook:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = SUMMARY
    _summary(summary, report)
    for group_id, name, indicator_ids in groups(report.framework):
        _group_sheet(book.create_sheet(_sheet_title(group_id, name)), report, indicator_ids)
    return book


def workbook_bytes(report: PeriodReport) -> bytes:
    buffer = BytesIO()
    build_workbook(report).save(buffer)
    return buffer.getvalue()
