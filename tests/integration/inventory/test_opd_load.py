"""`spbe opd load deploy/opd.csv` on a fresh catalogue (SQLite and the real PostgreSQL): the
regency's OPD are created, a second run changes nothing, a changed name is updated with its
history row, a bad file changes nothing and exits 1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from openpyxl import Workbook
from sqlalchemy import Engine, select
from typer.testing import CliRunner, Result

from spbe_inventory import migrate
from spbe_inventory.cli import opd_app
from spbe_inventory.db import make_engine
from spbe_inventory.history.service import HISTORY
from spbe_inventory.opd.repository import OPD
from spbe_inventory.sample.service import read_sample

OPD_FILE = Path(__file__).parents[3] / "deploy" / "opd.csv"


def spbe() -> typer.Typer:
    """The command as `spbe opd load` runs it (spbe_cli composes the same sub-app)."""
    app = typer.Typer()
    app.add_typer(opd_app, name="opd")
    app.callback()(lambda: None)
    return app


def run(*args: str) -> Result:
    return CliRunner().invoke(spbe(), ["opd", "load", *args])


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    """A fresh migrated catalogue that the command reaches through its settings."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/inv.db"
    else:
        url = request.getfixturevalue("fresh_database_url")
    monkeypatch.setenv("SPBE_DATABASE_URL", url)
    monkeypatch.setenv("SPBE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SPBE_BUS", raising=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def opd_rows(engine: Engine) -> dict[str, dict[str, object]]:
    with engine.connect() as conn:
        return {row["code"]: dict(row) for row in conn.execute(select(OPD)).mappings()}


def opd_history(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        query = select(HISTORY).where(HISTORY.c.entity == "opd").order_by(HISTORY.c.id)
        return [dict(row) for row in conn.execute(query).mappings()]


def test_the_regency_file_holds_the_sample_catalogue_codes_and_names() -> None:
    """Scopes and accounts written for the sample (e.g. opd DISKOMINFOSATIK) fit production."""
    result = run("--help")
    assert result.exit_code == 0, result.output
    lines = OPD_FILE.read_text(encoding="utf-8").splitlines()
    sample = read_sample()
    for opd in sample["opd"]:
        assert any(line.startswith(f"{opd['code']},") and opd["name"] in line for line in lines)
    assert len(lines) == 1 + len(sample["opd"]) + len(sample["kecamatan"])


def test_load_creates_then_changes_nothing_then_updates_with_history(
    engine: Engine, tmp_path: Path
) -> None:
    dry = run(str(OPD_FILE), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "created 58, updated 0, unchanged 0 (dry run: nothing written)" in dry.output
    assert opd_rows(engine) == {}

    first = run(str(OPD_FILE))
    assert first.exit_code == 0, first.output
    assert "created 58, updated 0, unchanged 0." in first.output
    rows = opd_rows(engine)
    kominfo = rows["DISKOMINFOSATIK"]
    assert kominfo["name"] == "Dinas Komunikasi, Informatika, Persandian dan Statistik"
    assert (kominfo["kind"], kominfo["aliases"]) == ("agency", ["Diskominfo"])
    assert rows["RSDP"]["kind"] == "hospital"
    assert rows["KEC-CIRUAS"]["kind"] == "kecamatan"
    assert not any(row["is_sample"] for row in rows.values())
    created = opd_history(engine)
    assert len(created) == 58
    assert {(h["action"], h["actor"]) for h in created} == {("created", "cli")}
    assert created[0]["cause_id"] == "impor opd.csv (spbe opd load)"

    again = run(str(OPD_FILE))
    assert again.exit_code == 0, again.output
    assert "created 0, updated 0, unchanged 58." in again.output
    assert len(opd_history(engine)) == 58

    renamed = tmp_path / "opd-2025.csv"
    renamed.write_text(
        "\ufeffKode;Nama OPD\n"
        "DINKES;Dinas Kesehatan Kabupaten Serang\n"
        "DISHUB;Dinas Perhubungan\n"
        "DINARSIP;Dinas Kearsipan Baru\n",
        encoding="utf-8",
    )
    changed = run(str(renamed))
    assert changed.exit_code == 0, changed.output
    assert "created 1, updated 1, unchanged 1." in changed.output
    rows = opd_rows(engine)
    assert rows["DINKES"]["name"] == "Dinas Kesehatan Kabupaten Serang"
    assert rows["DINKES"]["abbreviation"] == "Dinkes"  # no singkatan column: left as it was
    assert len(rows) == 59  # none deleted
    update = [h for h in opd_history(engine) if h["action"] == "updated"]
    assert [(h["entity_id"], h["before"], h["after"], h["actor"]) for h in update] == [
        (
            rows["DINKES"]["id"],
            {"name": "Dinas Kesehatan"},
            {"name": "Dinas Kesehatan Kabupaten Serang"},
            "cli",
        )
    ]


def test_a_bad_file_changes_nothing_and_exits_1(engine: Engine, tmp_path: Path) -> None:
    assert run(str(OPD_FILE)).exit_code == 0
    before, history = opd_rows(engine), opd_history(engine)
    bad = tmp_path / "opd.csv"
    bad.write_text(
        "kode,nama\nDINKES,Dinas Kesehatan Baru\nBARU,Badan Baru\nbaru,Badan Lain\nBARU,Lagi\n",
        encoding="utf-8",
    )
    result = run(str(bad))
    assert result.exit_code == 1
    assert "opd.csv has 2 problem(s); nothing was written" in result.output
    assert "row 4: kode (code): 'baru' is not a code" in result.output
    assert "row 5: code BARU is also on row 3" in result.output
    assert (opd_rows(engine), opd_history(engine)) == (before, history)


def test_an_xlsx_workbook_with_a_title_row(engine: Engine, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Daftar Perangkat Daerah Kabupaten Serang"])
    sheet.append(["No", "Kode", "Nama", "Jenis"])
    sheet.append([1, "SETDA", "Sekretariat Daerah", "Sekretariat"])
    sheet.append([2, "KEC-CIRUAS", "Kecamatan Ciruas", "Kecamatan"])
    path = tmp_path / "opd.xlsx"
    workbook.save(path)
    result = run(str(path))
    assert result.exit_code == 0, result.output
    assert "note: columns ignored: No" in result.output
    assert "created 2, updated 0, unchanged 0." in result.output
    rows = opd_rows(engine)
    assert (rows["SETDA"]["kind"], rows["KEC-CIRUAS"]["kind"]) == ("secretariat", "kecamatan")
