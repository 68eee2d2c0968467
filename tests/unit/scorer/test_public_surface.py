"""The scorer's public surface, which the `spbe` CLI and the inventory API are wired to."""

from pathlib import Path

import pytest
import typer

import spbe_scorer.derivation as derivation
import spbe_scorer.frameworks as frameworks
import spbe_scorer.index as index
from spbe_scorer.catalogue import SCHEMA_VERSION, CatalogueSnapshot
from spbe_scorer.cli import app
from spbe_scorer.settings import ScorerSettings


def test_public_names_are_pinned() -> None:
    assert set(frameworks.__all__) >= {"load_framework", "list_frameworks", "FrameworkError"}
    assert set(index.__all__) >= {"compute_index", "LevelsError", "IndexResult"}
    assert set(derivation.__all__) >= {"derive", "rules_for", "Proposal", "Evidence"}
    assert (SCHEMA_VERSION, CatalogueSnapshot.__name__) == (1, "CatalogueSnapshot")


def test_cli_app_has_the_commands_the_lead_mounts() -> None:
    group = typer.main.get_group(app)
    assert set(group.commands) == {
        "levels", "frameworks", "run", "runs", "compare", "export", "assess", "api", "schedule",
    }  # fmt: skip


def test_settings_read_spbe_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SPBE_INVENTORY_URL", raising=False)
    monkeypatch.delenv("SPBE_FRAMEWORKS_DIR", raising=False)
    monkeypatch.delenv("SPBE_SCORER_DATABASE_URL", raising=False)
    monkeypatch.setenv("SPBE_DATA_DIR", str(tmp_path))
    defaults = ScorerSettings(_env_file=None)
    assert (defaults.frameworks_dir, defaults.inventory_url) == (None, "http://127.0.0.1:8000")
    assert defaults.db_url == f"sqlite:///{tmp_path / 'scorer.db'}"
    monkeypatch.setenv("SPBE_FRAMEWORKS_DIR", str(tmp_path))
    monkeypatch.setenv("SPBE_INVENTORY_URL", "http://api:8000")
    configured = ScorerSettings(_env_file=None)
    assert (configured.frameworks_dir, configured.inventory_url) == (tmp_path, "http://api:8000")
    monkeypatch.setenv("SPBE_SCORER_DATABASE_URL", "postgresql+psycopg://s:p@db/spbe")
    monkeypatch.setenv("SPBE_SCORER_API_PORT", "9102")
    configured = ScorerSettings(_env_file=None)
    assert (configured.db_url, configured.scorer_api_port) == (
        "postgresql+psycopg://s:p@db/spbe",
        9102,
    )
