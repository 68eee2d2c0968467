"""The scorer against a real inventory API served in-process: runs, overrides, compare, outbox."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
from integration.scorer.scoring_harness import ScoringHarness, scorer_settings
from prometheus_client import CollectorRegistry

from spbe_common.events import Topic, from_binary
from spbe_scorer.inventory import InventoryError
from spbe_scorer.runs.enums import Trigger
from spbe_scorer.runs.repository import list_runs
from spbe_scorer.runtime import build_runtime

DISKOMINFO = "DISKOMINFOSATIK"


def test_a_run_derives_levels_from_the_sample_catalogue_with_evidence(scoring: ScoringHarness):
    run = scoring.run()
    levels = scoring.levels(run)
    # 12 sample OPD sites on the intra network out of 58 OPD and kecamatan: "some OPD" -> 2
    assert (levels["17"]["level"], levels["17"]["source"]) == (2, "derived")
    assert "KEC-CIRUAS" in levels["17"]["missing_opds"]
    assert {e["id"] for e in levels["17"]["evidence"]} >= {"SETDA", "BAPPERIDA", DISKOMINFO}
    # SIPD (national) claims level 4 for perencanaan; the sample records no service-bus use -> 3
    assert levels["32"]["level"] == 3 and "SIPD" in levels["32"]["criterion"]
    assert any("tingkat 4 memerlukan integrasi" in m for m in levels["32"]["missing"])
    assert levels["32"]["unconfirmed"] and levels["31"]["unconfirmed"]
    assert levels["18"]["level"] == 1 and "layanan SPL yang terdaftar" in levels["18"]["missing"]
    # policy indicators: no rule and no assessment -> the minimum, marked not assessed
    assert (levels["1"]["level"], levels["1"]["source"]) == (1, "not_assessed")
    assert run["counts"]["derived"] == 24 and run["counts"]["not_assessed"] == 23
    assert run["predicate"] in {"Kurang", "Cukup"}
    assert len(run["indicators"]) == 47


def test_an_override_wins_and_the_derived_level_stays_visible(scoring: ScoringHarness):
    override = {
        "framework": "spbe-2020", "indicator": "17", "level": 4,
        "justification": "JIP interconnection documented in BA 12/2026",
        "evidence_links": ["https://example.test/ba-12-2026.pdf"],
    }  # fmt: skip
    manual = {**override, "indicator": "1", "level": "3", "justification": "Perbup 5/2024"}
    for body in (override, manual):
        assert scoring.api.post("/api/v1/assessments", json=body).status_code == 201
    levels = scoring.levels(scoring.run())
    row = levels["17"]
    assert (row["level"], row["source"], row["derived_level_exact"]) == (4, "override", "2")
    assert row["justification"].startswith("JIP") and row["evidence"]  # derived evidence kept
    assert row["evidence_links"] == ["https://example.test/ba-12-2026.pdf"]
    assert (levels["1"]["level"], levels["1"]["source"]) == (3, "manual")


def test_assessments_are_validated_against_the_framework(scoring: ScoringHarness):
    base = {"framework": "spbe-2020", "indicator": "1", "level": 3, "justification": "Perbup"}
    cases = [
        ({**base, "level": 6}, 422, "outside 1..5"),
        ({**base, "level": 2.5}, 422, "whole number"),
        ({**base, "indicator": "99"}, 422, "no indicator '99'"),
        ({**base, "framework": "spbe-1999"}, 422, "spbe-1999"),
    ]
    for body, status, text in cases:
        response = scoring.api.post("/api/v1/assessments", json=body)
        assert (response.status_code, text in response.text) == (status, True), response.text
    created = scoring.api.post("/api/v1/assessments", json=base).json()
    assert scoring.api.post("/api/v1/assessments", json=base).status_code == 409
    changed = scoring.api.patch(f"/api/v1/assessments/{created['id']}", json={"level": "4"})
    assert changed.json()["level"] == 4
    pemdi = {**base, "framework": "pemdi-2026", "indicator": "I1", "level": "1,26"}
    assert scoring.api.post("/api/v1/assessments", json=pemdi).json()["level_exact"] == "63/50"
    assert scoring.api.delete(f"/api/v1/assessments/{created['id']}").status_code == 204
    assert scoring.api.get(f"/api/v1/assessments/{created['id']}").status_code == 404


def test_compare_shows_what_a_new_catalogue_fact_changed(scoring: ScoringHarness):
    before = scoring.run()
    scoring.post_inventory(
        "/api/v1/evaluation/audits",
        {"opd_code": DISKOMINFO, "kind": "security", "audited_on": "2026-10-01",
         "in_plan": True, "standard_based": True, "scope": "Portal serangkab.go.id",
         "coverage": "all"},  # all main items of DISKOMINFO, the OPD it audited by default
    )  # fmt: skip
    after = scoring.run()
    assert before["snapshot_hash"] != after["snapshot_hash"]
    response = scoring.api.get("/api/v1/runs/compare", params={"a": before["id"], "b": after["id"]})
    comparison = response.json()
    assert [(c["indicator"], c["before"], c["after"]) for c in comparison["changed"]] == [
        ("31", 1, 3)
    ]
    assert comparison["index_delta"] == pytest.approx(2 * 1.5 / 100)
    again = scoring.run()
    assert again["snapshot_hash"] == after["snapshot_hash"]  # same catalogue, same hash
    listed = scoring.api.get("/api/v1/runs").json()
    assert listed["count"] == 3 and listed["data"][0]["id"] == again["id"]


def test_runs_of_different_frameworks_are_not_compared(scoring: ScoringHarness):
    a, b = scoring.run("spbe-2020"), scoring.run("pemdi-2026")
    response = scoring.api.get("/api/v1/runs/compare", params={"a": a["id"], "b": b["id"]})
    assert response.status_code == 422 and "one framework" in response.text
    assert scoring.api.get("/api/v1/runs/nope").status_code == 404


def test_score_computed_is_published_after_the_commit(scoring: ScoringHarness):
    run = scoring.run("pemdi-2026")
    consumer = scoring.bus.consumer("it-scores", [Topic.SCORES.value])
    records = consumer.poll(10, 0.1)
    consumer.close()
    events = [from_binary(r.headers, r.value) for r in records]
    assert [(e.id, e.type, e.data.run_id) for e in events] == [
        (run["id"], "score.computed", run["id"])
    ]
    assert events[0].data.predicate == run["predicate"]
    assert scoring.api.get(f"/api/v1/runs/{run['id']}").json()["published_at"] is not None
    metrics = scoring.api.get("/metrics").text
    assert 'spbe_scorer_runs_total{framework="pemdi-2026",outcome="ok"} 1.0' in metrics


def test_a_periods_proposal_run_is_no_score_computed_and_no_catalogue_run(
    scoring: ScoringHarness,
):
    catalogue = scoring.run("spbe-2020")
    period = scoring.api.post("/api/v1/periods", json={"year": 2026, "framework": "spbe-2020"})
    proposal = scoring.api.post(f"/api/v1/periods/{period.json()['id']}/runs").json()
    consumer = scoring.bus.consumer("it-proposals", [Topic.SCORES.value])
    records = consumer.poll(10, 0.1)
    consumer.close()
    assert [from_binary(r.headers, r.value).id for r in records] == [catalogue["id"]]
    stored = scoring.api.get(f"/api/v1/runs/{proposal['id']}").json()
    assert (stored["trigger"], stored["published_at"]) == ("period", None)
    ids = {
        scope: [r["id"] for r in scoring.api.get("/api/v1/runs", params=scope_of).json()["data"]]
        for scope, scope_of in (("all", {}), ("catalogue", {"scope": "catalogue"}),
                                ("period", {"scope": "period"}))
    }  # fmt: skip
    assert ids == {
        "all": [proposal["id"], catalogue["id"]],
        "catalogue": [catalogue["id"]],
        "period": [proposal["id"]],
    }


def test_an_unreachable_inventory_stores_nothing_and_counts_a_failure(tmp_path: Path):
    with socket.socket() as probe:  # a loopback port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = scorer_settings(tmp_path)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=2)
    registry = CollectorRegistry()
    runtime = build_runtime(settings, inventory=client, registry=registry)
    with pytest.raises(InventoryError, match="unreachable"):
        runtime.scorer.run("spbe-2020", Trigger.CLI)
    failed = registry.get_sample_value(
        "spbe_scorer_runs_total", {"framework": "spbe-2020", "outcome": "failed"}
    )
    assert failed == 1.0
    with runtime.scorer.engine.connect() as conn:
        assert list_runs(conn, None, 10, 0) == ([], 0)
    runtime.close()
