"""The scorer wired to an in-process inventory API: the harness the scorer tests share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from spbe_common.bus import EmbeddedBus
from spbe_scorer.runtime import Runtime
from spbe_scorer.settings import ScorerSettings


@dataclass
class ScoringHarness:
    inventory: TestClient
    runtime: Runtime
    api: TestClient
    bus: EmbeddedBus

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
