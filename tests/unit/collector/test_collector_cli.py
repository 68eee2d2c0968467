"""The CLI's refusals and the register commands, with settings from the environment (no nmap)."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from spbe_collector.cli import app

SHEETS = Path(__file__).resolve().parents[2] / "data" / "sheets"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    scopes = tmp_path / "scopes.yaml"
    scopes.write_text(
        "scopes:\n  - {key: dinkes-lan, opd: DINKES, ranges: [127.0.9.0/30], interval: 6h}\n"
    )
    monkeypatch.setenv("SPBE_SCOPES_FILE", str(scopes))
    monkeypatch.setenv("SPBE_DATA_DIR", str(tmp_path / "data"))
    return scopes


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "tidak-ada"], "no scope named 'tidak-ada'"),
        (["scan", "x; -oN /tmp/y"], "scope key"),
        (["scan", "dinkes-lan", "--profile", "--script=vuln"], "unknown scan profile"),
        (["scan", "dinkes-lan", "--profile", "discovery\n-oN x"], "unknown scan profile"),
        (["probe", "ftp://x"], "not http(s) URLs"),
        (["probe"], "no URLs given"),
        (["import", str(SHEETS / "applications_bad.csv")], "9 kesalahan"),
        (["import", str(SHEETS / "assets_formula.xlsx"), "--dry-run"], "rumus"),
    ],
)
def test_refusals_exit_2_with_a_message(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())


def test_scope_outside_the_allowlist_is_refused(_env: Path) -> None:
    _env.write_text("scopes:\n  - {key: luar, opd: DINKES, ranges: [10.0.0.0/24]}\n")
    result = runner.invoke(app, ["scan", "luar"])
    assert result.exit_code == 2
    assert "outside the scan allowlist" in result.output


def test_scopes_lists_the_configured_scopes() -> None:
    result = runner.invoke(app, ["scopes"])
    assert result.exit_code == 0
    assert "dinkes-lan" in result.output and "127.0.9.0/30" in result.output


def test_import_dry_run_reports_rows_and_publishes_nothing(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(SHEETS / "applications_good.csv"), "--dry-run"])
    assert result.exit_code == 0
    assert "4 baris applications valid" in result.output
    assert not (tmp_path / "data" / "events.db").exists()


def test_template_then_import(tmp_path: Path) -> None:
    out = tmp_path / "aset.xlsx"
    assert runner.invoke(app, ["template", "assets", str(out)]).exit_code == 0
    result = runner.invoke(app, ["import", str(out)])
    assert result.exit_code == 0 and "1 baris assets diimpor" in result.output
    assert (tmp_path / "data" / "events.db").exists()
