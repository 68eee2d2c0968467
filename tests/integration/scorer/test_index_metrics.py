"""The scorer's /metrics shows the index, domain and aspect values of the newest run per framework
and per evaluation period (real scorer database: SQLite and PostgreSQL; real inventory API)."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from harness import bearer
from integration.promtool import check_metrics
from integration.scorer.scoring_harness import scorer_settings
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from spbe_scorer.api.app import create_app
from spbe_scorer.runtime import build_runtime

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture(params=["sqlite", "postgresql"])
def scorer(
    request: pytest.FixtureRequest, tmp_path: Path, as_scorer: TestClient, admin_token: str
) -> Iterator[TestClient]:
    settings = scorer_settings(tmp_path)
    if request.param == "postgresql":
        url = request.getfixturevalue("fresh_database_url")
        settings = settings.model_copy(update={"scorer_database_url": url})
    runtime = build_runtime(
        settings, inventory=as_scorer, registry=CollectorRegistry(), publish=False
    )
    app = create_app(settings, runtime.scorer, runtime.registry)
    with TestClient(app, headers=bearer(admin_token)) as client:
        yield client
    runtime.scorer.engine.dispose()


def created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return dict(response.json())


def scrape(client: TestClient) -> tuple[str, Samples]:
    response = client.get("/metrics")
    assert response.status_code == 200
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for s in family.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    return response.text, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


def groups(samples: Samples, name: str, key: str, period: str) -> dict[str, float]:
    wanted = {("framework", "spbe-2020"), ("period", period)}
    return {
        dict(labels)[key]: v for (n, labels), v in samples.items() if n == name and wanted <= labels
    }


def expected(run: dict[str, Any], kind: str) -> dict[str, float]:
    return {g["id"]: float(Fraction(g["index"])) for g in run[kind]}


def test_no_run_no_index_series(scorer: TestClient) -> None:
    text, samples = scrape(scorer)
    assert "# TYPE spbe_scorer_index gauge" in text
    assert not [key for key in samples if key[0].startswith("spbe_scorer_index")]


def test_the_newest_run_of_the_catalogue_and_of_a_period_are_gauges(scorer: TestClient) -> None:
    created(scorer.post("/api/v1/runs", json={"framework": "spbe-2020"}))
    latest = created(scorer.post("/api/v1/runs", json={"framework": "spbe-2020"}))
    period = created(scorer.post("/api/v1/periods", json={"year": 2025, "framework": "spbe-2020"}))
    of_period = created(scorer.post(f"/api/v1/periods/{period['id']}/runs"))
    latest = scorer.get(f"/api/v1/runs/{latest['id']}").json()  # with its domains and aspects
    of_period = scorer.get(f"/api/v1/runs/{of_period['id']}").json()

    text, samples = scrape(scorer)

    assert value(samples, "spbe_scorer_index", framework="spbe-2020", period="") == latest["index"]
    assert (
        value(samples, "spbe_scorer_index", framework="spbe-2020", period="2025")
        == (of_period["index"])
    )
    index_series = [key for key in samples if key[0] == "spbe_scorer_index"]
    assert len(index_series) == 2  # one per framework and period, not one per run
    for period_label, run in (("", latest), ("2025", of_period)):
        assert expected(run, "domains") and expected(run, "aspects")
        domains = groups(samples, "spbe_scorer_domain_index", "domain", period_label)
        aspects = groups(samples, "spbe_scorer_aspect_index", "aspect", period_label)
        assert domains == pytest.approx(expected(run, "domains"))
        assert aspects == pytest.approx(expected(run, "aspects"))
    check_metrics(text)
