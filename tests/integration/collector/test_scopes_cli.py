"""`spbe collect scopes` and `spbe up`'s collector against a real inventory API on loopback
(uvicorn in a thread, migrated SQLite with the sample catalogue): the same scopes file, each OPD
checked against the catalogue with a collector service token."""

from __future__ import annotations

from pathlib import Path

import pytest
from integration.collector.conftest import ServedInventory, free_port
from typer.testing import CliRunner

from spbe_cli.jobs import collector_settings
from spbe_collector import cli
from spbe_collector.scopes.catalogue import SAMPLE_SCOPES
from spbe_collector.scopes.service import ScopeRefused
from spbe_collector.service import scope_repository

runner = CliRunner()
UNKNOWN = "scopes:\n  - {key: kominfo-lan, opd: DISKOMINFO, ranges: [127.0.0.1/32]}\n"


@pytest.fixture
def inventory(
    served_inventory: ServedInventory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The inventory API on 127.0.0.1 (its URL); the collector's environment points at it with a
    collector token, from a folder without a scopes file."""
    monkeypatch.chdir(tmp_path)
    for name in ("SPBE_SCOPES_FILE", "SPBE_ENVIRONMENT", "SPBE_BUS", "SPBE_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SPBE_DATA_DIR", str(served_inventory.data_dir))
    monkeypatch.setenv("SPBE_INVENTORY_URL", served_inventory.url)
    monkeypatch.setenv("SPBE_INVENTORY_TOKEN", served_inventory.token)
    monkeypatch.setattr(cli.console, "width", 200)
    return served_inventory.url


def scopes() -> tuple[int, str]:
    result = runner.invoke(cli.app, ["scopes"])
    return result.exit_code, " ".join(result.output.split())


def test_scopes_shows_what_spbe_up_scans_checked_against_the_catalogue(inventory: str) -> None:
    code, output = scopes()
    assert code == 0, output
    assert f"scopes file: {SAMPLE_SCOPES} (the loopback sample:" in output
    assert "diskominfosatik-loopback" in output and "not checked" not in output
    up = collector_settings()  # what `spbe up` hands its collector
    assert up.scopes_file == SAMPLE_SCOPES
    assert up.inventory_url == inventory and up.inventory_token is not None
    assert [s.key for s in scope_repository(up).all()] == ["diskominfosatik-loopback"]
    # the sample application is probed where the API runs (not a fixed port)
    probed = [str(url) for p in scope_repository(up).probes() for url in p.urls]
    assert probed == [f"{inventory.rstrip('/')}/healthz"]


def test_a_scope_of_an_opd_the_catalogue_lacks_is_refused(inventory: str, tmp_path: Path) -> None:
    (tmp_path / "scopes.yaml").write_text(UNKNOWN, encoding="utf-8")
    code, output = scopes()
    assert code == 2
    assert "scopes file: scopes.yaml (the default)" in output
    assert (
        "refused: scope 'kominfo-lan': OPD 'DISKOMINFO' is not in the inventory's catalogue"
        " (did you mean DISKOMINFOSATIK?)"
    ) in output
    with pytest.raises(ScopeRefused, match="'DISKOMINFO' is not in the inventory's catalogue"):
        scope_repository(collector_settings()).all()  # the scheduler of `spbe up` too


def test_a_wrong_token_leaves_the_codes_unchecked_in_development(
    inventory: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "scopes.yaml").write_text(UNKNOWN, encoding="utf-8")
    monkeypatch.setenv("SPBE_INVENTORY_TOKEN", "salah-" + "x" * 40)
    code, output = scopes()
    assert code == 0
    assert "OPD codes not checked: inventaris menjawab 401" in output
    assert "kominfo-lan" in output


def test_production_refuses_scopes_it_cannot_check(
    inventory: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "scopes.yaml").write_text(
        "scopes:\n  - {key: dinkes-lan, opd: DINKES, ranges: [127.0.0.1/32]}\n", encoding="utf-8"
    )
    monkeypatch.setenv("SPBE_ENVIRONMENT", "production")
    monkeypatch.setenv("SPBE_BUS", "kafka")
    monkeypatch.setenv("SPBE_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("SPBE_KAFKA_USERNAME", "collector")
    monkeypatch.setenv("SPBE_KAFKA_PASSWORD", "p" * 24)
    code, output = scopes()
    assert code == 0, output  # answered: checked
    assert "dinkes-lan" in output and "DINKES" in output
    monkeypatch.setenv("SPBE_INVENTORY_URL", f"http://127.0.0.1:{free_port()}")  # nobody there
    code, output = scopes()
    assert code == 2
    assert "the OPD codes of the scopes cannot be checked, so none is loaded" in output
    assert "tidak dapat dihubungi" in output
