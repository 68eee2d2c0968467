"""CSV / XLSX export of a page's table: formulas are neutralised, numbers stay numbers, the
files read back as written, and file names carry nothing but safe characters."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from spbe_inventory.web import export

DANGEROUS = ["=1+1", "+cmd|' /C calc'!A0", "-2", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]
HEADERS = ["Nama", "Port", "Catatan"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(text: str) -> None:
    assert export.neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["srv-web-01", "Perangkat jaringan", "1+1", "a=b", "", None])
def test_other_text_is_untouched(value: str | None) -> None:
    assert export.neutralise(value) == value


@pytest.mark.parametrize("number", [-2, 0, 443, -1.5, 2.25])
def test_numbers_stay_numbers(number: float) -> None:
    assert export.neutralise(number) == number


def test_csv_starts_with_a_bom_and_neutralises_every_cell() -> None:
    rows = [["=1+1", 443, "-2"], ["Aktif", -2, None], ["@SUM(A1)", 8080, "\t=x"]]
    data = export.to_csv(HEADERS, rows)
    assert data.startswith(b"\xef\xbb\xbf")
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert read == [
        HEADERS,
        ["'=1+1", "443", "'-2"],
        ["Aktif", "-2", ""],  # a number is written as a number, never quoted
        ["'@SUM(A1)", "8080", "'\t=x"],
    ]


def test_xlsx_holds_no_formula_and_keeps_numbers_as_numbers() -> None:
    rows = [[text, n, "teks biasa"] for n, text in enumerate(DANGEROUS, start=-1)]
    book = load_workbook(io.BytesIO(export.to_xlsx("Aset", HEADERS, rows)))
    sheet = book["Aset"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert cells and all(cell.data_type != "f" for cell in cells)
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    # the text itself is kept, as text (XML reads a carriage return back as a line feed)
    assert values == [HEADERS, *([str(v).replace("\r", "\n"), n, t] for v, n, t in rows)]
    numbers = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "n" and isinstance(cell.value, int) for cell in numbers)
    assert sheet["A1"].font.bold


def test_xlsx_drops_control_characters_it_cannot_hold() -> None:
    data = export.to_xlsx("Aset", ["Nama", "Port"], [["srv\x01-web\x1f", None], [None, 22]])
    sheet = load_workbook(io.BytesIO(data))["Aset"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values == [["Nama", "Port"], ["srv-web", None], [None, 22]]


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("aset", "aset-20250131.xlsx"),
        ('../../etc/"passwd\r\n', "etc-passwd-20250131.xlsx"),
        ("jaringan intra", "jaringan-intra-20250131.xlsx"),
        ("", "ekspor-20250131.xlsx"),
    ],
)
def test_file_names_are_sanitised(stem: str, expected: str) -> None:
    assert export.filename(stem, "xlsx", date(2025, 1, 31)) == expected


def test_sheet_titles_excel_accepts() -> None:
    assert export.sheet_title("Aset [OPD]/2025?") == "Aset  OPD  2025"
    assert len(export.sheet_title("x" * 50)) == 31
