"""Bad input to the scorer API: refused with a 4xx in the documented 422 shape, never a 5xx,
never stored, and the level grammar is bounded."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from integration.scorer.scoring_harness import ScoringHarness

BASE = {"framework": "spbe-2020", "indicator": "1", "level": 3, "justification": "Perbup 5/2024"}
TOO_BIG = 2**63


@pytest.fixture
def api(scoring: ScoringHarness) -> TestClient:
    return TestClient(scoring.api.app, raise_server_exceptions=False, headers=scoring.api.headers)


def refused(response: Any, status: int = 422, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    if status == 422:
        items = response.json()["detail"]
        assert isinstance(items, list) and {"loc", "msg", "type"} <= set(items[0]), items
        if field is not None:
            assert field in [str(p) for item in items for p in item["loc"]], items


def test_a_level_with_a_huge_exponent_is_refused_at_once(api: TestClient) -> None:
    created = api.post("/api/v1/assessments", json={**BASE, "indicator": "2"}).json()
    for level in ("1e999999999", "9" * 24, "1/0", "tiga"):
        clock = time.perf_counter()
        refused(api.post("/api/v1/assessments", json={**BASE, "level": level}), field="level")
        patch = api.patch(f"/api/v1/assessments/{created['id']}", json={"level": level})
        refused(patch, field="level")
        assert time.perf_counter() - clock < 2, level
    refused(api.post("/api/v1/assessments", json={**BASE, "level": 1e300}), field="level")


@pytest.mark.parametrize(
    ("body", "field"),
    [({**BASE, "color": "red"}, "color"), ({**BASE, "evaluator": "Bappeda"}, "evaluator"),
     ({**BASE, "justification": "x" * 5001}, "justification"),
     ({**BASE, "evidence_links": ["https://x.test/" + "a" * 2000]}, "evidence_links"),
     ({**BASE, "evidence_links": [f"https://x.test/{i}" for i in range(51)]}, "evidence_links"),
     ({**BASE, "level": "3" * 25}, "level")],
)  # fmt: skip
def test_bad_creates_are_refused_naming_the_field(
    api: TestClient, body: dict[str, Any], field: str
) -> None:
    refused(api.post("/api/v1/assessments", json=body), field=field)
    assert api.get("/api/v1/assessments").json()["count"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [({"color": "red"}, "color"), ({"level": None}, "level"),
     ({"justification": None}, "justification"), ({"evidence_links": None}, "evidence_links"),
     ({"evaluator": "Bappeda"}, "evaluator"), ({"assessed_on": None}, "assessed_on")],
)  # fmt: skip
def test_an_unknown_field_or_an_explicit_null_in_a_patch_is_refused(
    api: TestClient, body: dict[str, Any], field: str
) -> None:
    created = api.post("/api/v1/assessments", json=BASE).json()
    refused(api.patch(f"/api/v1/assessments/{created['id']}", json=body), field=field)
    assert api.get(f"/api/v1/assessments/{created['id']}").json() == created


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", f"/api/v1/assessments/{TOO_BIG}"), ("patch", f"/api/v1/assessments/{TOO_BIG}"),
     ("delete", f"/api/v1/assessments/{TOO_BIG}"), ("get", f"/api/v1/assessments?offset={TOO_BIG}"),
     ("get", f"/api/v1/runs?offset={TOO_BIG}"), ("get", "/api/v1/runs?framework=" + "x" * 33),
     ("get", "/api/v1/runs/" + "x" * 37), ("get", "/api/v1/runs/compare?a=x&b=" + "y" * 37)],
)  # fmt: skip
def test_out_of_range_paths_and_queries_answer_422(api: TestClient, method: str, url: str) -> None:
    refused(api.request(method, url, json={"level": 3} if method == "patch" else None))


def test_a_run_request_with_an_unknown_field_or_framework_is_refused(api: TestClient) -> None:
    refused(api.post("/api/v1/runs", json={"framework": "spbe-2020", "x": 1}), field="x")
    refused(api.post("/api/v1/runs", json={"framework": "spbe-1999"}), field="framework")
    assert api.get("/api/v1/runs").json()["count"] == 0


def test_a_body_past_the_limit_answers_413(api: TestClient) -> None:
    huge = {**BASE, "justification": "x" * (2 * 1024 * 1024)}
    refused(api.post("/api/v1/assessments", json=huge), status=413)
