"""Write an empty register (XLSX or CSV) with the expected headers and one example row."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

from .enums import RegisterKind
from .get import RegisterRejected
from .schemas import COLUMNS


def write_template(kind: RegisterKind, out: Path) -> None:
    columns = COLUMNS[kind]
    headers = [c.header for c in columns]
    example = [c.example for c in columns]
    if out.suffix.lower() == ".csv":
        with out.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([headers, example])
        return
    if out.suffix.lower() != ".xlsx":
        raise RegisterRejected("template harus .xlsx atau .csv")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = kind.value
    sheet.append(headers)
    sheet.append(example)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = (
            max(len(column.header), len(column.example)) + 4
        )
    workbook.save(out)
