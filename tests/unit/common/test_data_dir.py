"""The data directory check: made when missing, refused with a clear message when it cannot be
written, and safe when several services of one process (`spbe up`) check it at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from spbe_common.settings import DataDirError, prepare_data_dir


def test_a_missing_directory_is_made_and_left_empty(tmp_path: Path) -> None:
    made = prepare_data_dir(tmp_path / "a" / "b")
    assert made.is_dir() and list(made.iterdir()) == []


def test_services_checking_at_once_never_trip_over_each_other(tmp_path: Path) -> None:
    """`spbe up` starts the collector and the scorer together; each checks the directory. With one
    shared probe name one could remove the other's probe and fail its start."""
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: prepare_data_dir(tmp_path), range(400)))
    assert results == [tmp_path] * 400
    assert list(tmp_path.iterdir()) == []


def test_a_file_in_the_way_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a directory")
    with pytest.raises(DataDirError, match="cannot be written"):
        prepare_data_dir(blocker)
