"""The uploaded register's name as /impor keeps and shows it. Pure."""

import pytest

from spbe_inventory.imports.upload import MAX_FILENAME, clean_filename


@pytest.mark.parametrize("extension", [".xlsx", ".csv", ".XLSX"])
def test_a_long_name_is_cut_before_its_extension(extension: str) -> None:
    name = "Daftar Inventaris Barang " * 20 + extension
    cleaned = clean_filename(name)
    assert len(cleaned) == MAX_FILENAME
    assert cleaned.endswith("…" + extension)  # still read (and shown) as that kind of file
    assert cleaned.startswith("Daftar Inventaris Barang Daftar")


def test_a_short_name_loses_only_its_path_and_control_characters() -> None:
    assert clean_filename("C:\\Users\\tu\\aset\x07 2024.xlsx") == "aset 2024.xlsx"
    assert clean_filename("") == "tanpa-nama"


def test_a_long_name_without_an_extension_is_cut_without_inventing_one() -> None:
    cleaned = clean_filename("x" * 300, 50)
    assert cleaned == "x" * 49 + "…"
    assert clean_filename("a." + "b" * 300, 50) == "a." + "b" * 47 + "…"  # no 300-letter suffix
