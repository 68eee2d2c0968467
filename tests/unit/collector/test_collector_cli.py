"""The CLI's refusals and the register commands, with settings from the environment (no nmap)."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from spbe_collector.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    scopes = tmp_path / "scopes.yaml"
    scopes.write_text(
        "scopes:\n  - {key: dinkes-lan, opd: DINKES, ranges: [127.0.9.0/30], interval: 6h}\n"
        "probes:\n  - {key: dinkes-web, opd: DINKES, urls: ['http://127.0.9.1/'], interval: 15m}\n"
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
    assert "dinkes-web" in result.output and "http://127.0.9.1/" in result.output  # probes too
