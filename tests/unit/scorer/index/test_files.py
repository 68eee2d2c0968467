"""Reading levels from JSON, CSV and XLSX files."""

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from spbe_scorer.index.files import InputFileError, is_header, read_levels_file


def test_json_keeps_decimals_exact_and_repeated_keys(tmp_path: Path) -> None:
    path = tmp_path / "levels.json"
    path.write_text('{"I1": 1.26, "i2": "3", "I1": 2}')
    assert read_levels_file(path) == [("I1", Decimal("1.26")), ("I2", "3"), ("I1", 2)]


def test_json_must_be_an_object(tmp_path: Path) -> None:
    path = tmp_path / "levels.json"
    path.write_text("[1, 2, 3]")
    with pytest.raises(InputFileError, match="expected a JSON object"):
        read_levels_file(path)


def test_bad_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "levels.json"
    path.write_text('{"1": 3,')
    with pytest.raises(InputFileError, match=r"levels\.json: not valid JSON"):
        read_levels_file(path)


def test_csv_with_semicolons_header_and_blank_rows(tmp_path: Path) -> None:
    path = tmp_path / "levels.csv"
    path.write_text("Indikator;Nilai\n16;3\n\n i5 ;1,26\n17;\n")
    assert read_levels_file(path) == [("16", "3"), ("I5", "1,26"), ("17", None)]


def test_csv_without_header(tmp_path: Path) -> None:
    path = tmp_path / "levels.csv"
    path.write_text("1,2\n2,3\n")
    assert read_levels_file(path) == [("1", "2"), ("2", "3")]


def test_xlsx_numbers_as_ids(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in [("indicator", "value"), (16, 3), (35.1, 4.0), ("I13", 1.26), (None, None)]:
        sheet.append(row)
    path = tmp_path / "levels.xlsx"
    workbook.save(path)
    assert read_levels_file(path) == [("16", 3), ("35.1", 4), ("I13", 1.26)]


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "levels.xlsx"
    path.write_text("not a zip")
    with pytest.raises(InputFileError, match="not a readable XLSX workbook"):
        read_levels_file(path)


def test_missing_file_and_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such file"):
        read_levels_file(tmp_path / "absent.csv")
    with pytest.raises(InputFileError, match="unsupported file type"):
        read_levels_file(tmp_path / "levels.txt")


def test_value_without_indicator_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "levels.csv"
    path.write_text("1,3\n,4\n")
    with pytest.raises(InputFileError, match=r"data rows \[2\] have a value but no indicator"):
        read_levels_file(path)


@pytest.mark.parametrize(
    ("cells", "header"),
    [(["indicator", "value"], True), (["No", "Level"], True), (["16", "3"], False),
     (["I5", "x"], False), (["nomor", "2"], False)],
)  # fmt: skip
def test_header_detection(cells: list[object], header: bool) -> None:
    assert is_header(cells) is header
