"""The collector's side of registers: its limits, and publishing all rows or none."""

from pathlib import Path

import pytest

from spbe_collector.registers.service import RegisterRejected, commit_register, read_register
from spbe_collector.settings import CollectorSettings
from spbe_common.events import EventType
from spbe_common.events.payloads import AssetDeclared

SHEETS = Path(__file__).resolve().parents[2] / "data" / "sheets"


@pytest.fixture
def settings(tmp_path: Path) -> CollectorSettings:
    return CollectorSettings(data_dir=tmp_path)


def test_declared_by_names_the_file(settings) -> None:
    register = read_register(SHEETS / "applications_good.csv", settings)
    assert {row.declared_by for row in register.rows} == {"import:applications_good.csv"}


def test_commit_refuses_a_register_with_errors_and_publishes_nothing(settings, producer) -> None:
    register = read_register(SHEETS / "applications_bad.csv", settings)
    with pytest.raises(RegisterRejected, match="9 kesalahan"):
        commit_register(register, producer)
    assert producer.records == []


def test_good_xlsx_commits_every_asset(settings, producer) -> None:
    register = read_register(SHEETS / "assets_good.xlsx", settings)
    assert register.errors == []
    assert commit_register(register, producer) == 3
    events = producer.events()
    assert {e.type for e in events} == {EventType.ASSET_DECLARED}
    assert [e.data.serial for e in events if isinstance(e.data, AssetDeclared)][1] == "12345"
    assert producer.flushes == 1


def test_the_collector_limits_apply(tmp_path: Path) -> None:
    rows = tmp_path / "banyak.csv"
    rows.write_text("Nama Aplikasi,Kode OPD\n" + "".join(f"A{i},DINKES\n" for i in range(20)))
    with pytest.raises(RegisterRejected, match="batas 10 baris"):
        read_register(rows, CollectorSettings(data_dir=tmp_path, import_max_rows=10))
