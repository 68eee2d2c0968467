"""The scorer wired to an in-process inventory API: the harness the scorer tests share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from harness import bearer, grant
from sqlalchemy import Engine

from spbe_common.auth import Role
from spbe_common.bus import EmbeddedBus
from spbe_scorer.runtime import Runtime
from spbe_scorer.settings import ScorerSettings


class Clock:
    """A clock the test moves: what the scorer's sign-in cache measures its time-to-live with."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class ScoringHarness:
    inventory: TestClient  # the inventory API as an admin
    runtime: Runtime
    api: TestClient  # the scorer API as an admin
    settings: ScorerSettings
    inventory_engine: Engine

    @cached_property
    def bus(self) -> EmbeddedBus:
        return EmbeddedBus(self.settings.log_path)

    def token(self, role: Role, opd: Sequence[str] = ()) -> str:
        """A bearer token of a new inventory account with `role`."""
        return grant(self.inventory_engine, role, opd)

    def headers(self, role: Role, opd: Sequence[str] = ()) -> dict[str, str]:
        return bearer(self.token(role, opd))

    def run(self, framework: str = "spbe-2020") -> dict[str, Any]:
        response = self.api.post("/api/v1/runs", json={"framework": framework})
        assert response.status_code == 201, response.text
        return response.json()

    def levels(self, run: dict[str, Any]) -> dict[str, dict[str, Any]]:
        return {row["indicator"]: row for row in run["indicators"]}

    def post_inventory(self, path: str, body: dict[str, Any], method: str = "post") -> Any:
        response = self.inventory.request(method, path, json=body)
        assert response.status_code in (200, 201), response.text
        return response.json()


def scorer_settings(tmp_path: Path) -> ScorerSettings:
    return ScorerSettings(
        _env_file=None,
        data_dir=tmp_path / "scorer",
        event_log_path=tmp_path / "events.db",
        inventory_url="http://testserver",
    )
