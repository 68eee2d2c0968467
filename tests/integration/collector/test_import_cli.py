"""`spbe collect import` and `template` against a real inventory API on loopback (uvicorn in a
thread, migrated SQLite with the sample catalogue): OPD codes are checked against the catalogue
with the collector's own service token, and a register that passes is published to the bus."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from integration.collector.conftest import ServedInventory
from typer.testing import CliRunner

from spbe_collector.cli import app
from spbe_collector.settings import CollectorSettings
from spbe_common.events import Event, EventType
from spbe_common.events.payloads import AssetDeclared

REGISTERS = Path(__file__).resolve().parents[2] / "data" / "registers"
runner = CliRunner()


@pytest.fixture
def inventory(served_inventory: ServedInventory) -> tuple[str, str]:
    """The inventory API served on 127.0.0.1, and a token of a collector service account."""
    return served_inventory.url, served_inventory.token


@pytest.fixture
def env(
    tmp_path: Path, inventory: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> CollectorSettings:
    url, token = inventory
    monkeypatch.setenv("SPBE_DATA_DIR", str(tmp_path / "collector"))
    monkeypatch.setenv("SPBE_INVENTORY_URL", url)
    monkeypatch.setenv("SPBE_INVENTORY_TOKEN", token)
    monkeypatch.delenv("SPBE_BUS", raising=False)
    return CollectorSettings()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_dry_run_json_of_the_dinkes_register_then_the_import(
    env: CollectorSettings, read_events: Callable[[CollectorSettings], list[Event]]
) -> None:
    path = str(REGISTERS / "dinkes_aset_tik.xlsx")
    code, output = invoke("import", path, "--opd", "DINKES", "--dry-run", "--json")
    assert code == 0, output
    report = json.loads(output)
    assert (report["valid"], report["errors"], len(report["rows"])) == (18, [], 18)
    assert report["columns"]["Merk/Type"] == "manufacturer" and report["columns"]["No."] is None
    assert not (env.data_dir / "events.db").exists()  # a dry run publishes nothing
    code, output = invoke("import", path, "--opd", "DINKES")
    assert code == 0 and "18 baris assets diimpor" in output, output
    declared = [e.data for e in read_events(env) if e.type == EventType.ASSET_DECLARED]
    assert len(declared) == 18 and all(isinstance(d, AssetDeclared) for d in declared)
    ups = next(d for d in declared if isinstance(d, AssetDeclared) and d.name == "UPS Ruang Server")
    assert (ups.opd, ups.kind, ups.addresses, ups.procurement_year) == ("DINKES", "power", [], 2020)


def test_codes_missing_from_the_catalogue_are_errors_of_the_dry_run(
    env: CollectorSettings,
) -> None:
    code, output = invoke("import", str(REGISTERS / "opd_tidak_dikenal.xlsx"), "--json")
    assert code == 2
    report = json.loads(output)
    assert report["errors"] == [
        {"row": 3, "column": "Kode OPD", "message": "OPD 'DINKESS' tidak ada di katalog"}
    ]
    assert report["valid"] == 3
    code, output = invoke(
        "import", str(REGISTERS / "dinkes_aset_tik.xlsx"), "--opd", "DINKESX", "--json"
    )
    assert code == 2
    assert json.loads(output)["errors"] == [
        {"row": None, "column": "Kode OPD",
         "message": "OPD 'DINKESX' yang dipilih untuk berkas ini tidak ada di katalog"}
    ]  # fmt: skip
    assert not (env.data_dir / "events.db").exists()


def test_a_wrong_token_is_a_clear_refusal(env: CollectorSettings, monkeypatch) -> None:
    monkeypatch.setenv("SPBE_INVENTORY_TOKEN", "x" * 40)
    code, output = invoke("import", str(REGISTERS / "dinkes_aset_tik.xlsx"), "--opd", "DINKES")
    assert code == 2
    assert "inventaris menjawab 401" in " ".join(output.split())


def test_template_lists_the_catalogues_opd(env: CollectorSettings, tmp_path: Path) -> None:
    out = tmp_path / "aset.xlsx"
    code, output = invoke("template", "assets", str(out))
    assert code == 0 and "katalog inventaris" in " ".join(output.split())
    guide = list(openpyxl.load_workbook(out)["Petunjuk"].values)
    assert ("DINKES", "Dinas Kesehatan", None) in guide
    assert ("RSDP", "RSUD dr. Dradjat Prawiranegara", None) in guide
