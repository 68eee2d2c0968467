"""Who may call the scorer API: tokens checked by the real inventory (in-process, with accounts),
the central policy per route, the sign-in cache and its time-to-live, the inventory down (503),
the API's description outside development, and assessments naming the signed-in account."""

from __future__ import annotations

import dataclasses
import socket
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from harness import bearer, grant
from integration.scorer.scoring_harness import ScoringHarness
from prometheus_client import CollectorRegistry
from sqlalchemy import update

from spbe_common.auth import Role, digest
from spbe_common.db import begin_write
from spbe_common.settings import Environment
from spbe_inventory.accounts import repository as accounts_repo
from spbe_inventory.accounts import service as accounts
from spbe_inventory.db import utcnow
from spbe_scorer.api.app import create_app
from spbe_scorer.api.security import POLICY, PUBLIC

ASSESSMENT = {"framework": "spbe-2020", "indicator": "1", "level": 3, "justification": "Perbup"}
READS = ["/api/v1/runs", "/api/v1/runs/{run}", "/api/v1/runs/compare?a={run}&b={run2}",
         "/api/v1/runs/{run}/export.xlsx", "/api/v1/assessments", "/api/v1/assessments/{id}",
         "/api/v1/assessments/{id}/history"]  # fmt: skip


def operations(app: FastAPI) -> list[tuple[str, str]]:
    return sorted(
        (method, route.path)
        for route in app.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    )


def concrete(path: str) -> str:
    return path.replace("{run_id}", "no-such-run").replace("{assessment_id}", "1")


def anonymous(scoring: ScoringHarness) -> TestClient:
    return TestClient(scoring.api.app)


def seeded(scoring: ScoringHarness) -> dict[str, Any]:
    """Two runs and one assessment, made by the harness's admin."""
    created = scoring.api.post("/api/v1/assessments", json=ASSESSMENT)
    assert created.status_code == 201, created.text
    return {"run": scoring.run()["id"], "run2": scoring.run()["id"], "id": created.json()["id"]}


def writes(ids: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    item = f"/api/v1/assessments/{ids['id']}"
    return [
        ("POST", "/api/v1/runs", {"framework": "spbe-2020"}),
        ("POST", "/api/v1/assessments", {**ASSESSMENT, "indicator": "2"}),
        ("PATCH", item, {"level": 4}),
        ("DELETE", item, None),
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_every_route_has_a_policy_and_only_health_and_metrics_are_public(
    scoring: ScoringHarness,
) -> None:
    routes = operations(scoring.api.app)
    assert set(routes) <= set(POLICY), set(routes) - set(POLICY)
    public = {key for key, need in POLICY.items() if need is PUBLIC}
    assert public == {("GET", "/healthz"), ("GET", "/metrics")}
    client = anonymous(scoring)
    for method, path in routes:
        response = client.request(method, concrete(path))
        if (method, path) in public:
            assert response.status_code == 200, (method, path, response.text)
            continue
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header", ["Bearer spbe_unknown-token", "Basic dXNlcjpwYXNz", "Bearer ", "spbe_x"]
)
def test_an_unknown_or_malformed_credential_is_401(scoring: ScoringHarness, header: str) -> None:
    response = anonymous(scoring).get("/api/v1/runs", headers={"Authorization": header})
    assert response.status_code == 401, response.text
    assert len(scoring.api.app.state.authenticator.cache) == 0  # refusals are never cached


def test_a_route_missing_from_the_policy_is_refused_even_to_an_admin(
    scoring: ScoringHarness,
) -> None:
    app: FastAPI = scoring.api.app

    @app.get("/api/v1/unlisted")
    def unlisted() -> dict[str, str]:
        return {"secret": "x"}

    response = scoring.api.get("/api/v1/unlisted")
    assert response.status_code == 403 and "no access policy" in response.text
    assert anonymous(scoring).get("/api/v1/unlisted").status_code == 401


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPD_OPERATOR, Role.SCORER])
def test_readers_read_and_may_not_write(scoring: ScoringHarness, role: Role) -> None:
    ids = seeded(scoring)
    opd = ["DINKES"] if role is Role.OPD_OPERATOR else []
    client = TestClient(scoring.api.app, headers=scoring.headers(role, opd))
    for path in READS:
        response = client.get(path.format(**ids))
        assert response.status_code == 200, (role, path, response.text)
    for method, path, body in writes(ids):
        response = client.request(method, path, json=body)
        assert response.status_code == 403, (role, method, path, response.text)
        assert f"the {role.value} role may not do this" in response.text
    assert scoring.api.get("/api/v1/runs").json()["count"] == 2  # nothing was written
    assert scoring.api.get(f"/api/v1/assessments/{ids['id']}").json()["level"] == 3


def test_an_evaluator_writes_and_the_assessment_and_its_history_name_the_account(
    scoring: ScoringHarness,
) -> None:
    first = grant(scoring.inventory_engine, Role.EVALUATOR, name="bappeda-rina")
    second = grant(scoring.inventory_engine, Role.EVALUATOR, name="inspektorat-budi")
    api = TestClient(scoring.api.app, headers=bearer(first))
    created = api.post("/api/v1/assessments", json={**ASSESSMENT, "indicator": "17", "level": 4})
    assert created.status_code == 201, created.text
    assert created.json()["evaluator"] == "bappeda-rina"
    # a client-supplied evaluator is refused, never taken as given
    named = api.post("/api/v1/assessments", json={**ASSESSMENT, "evaluator": "Bupati"})
    assert named.status_code == 422 and "evaluator" in named.text
    url = f"/api/v1/assessments/{created.json()['id']}"
    assert api.patch(url, json={"evaluator": "Bupati"}).status_code == 422
    changed = api.patch(url, json={"level": 3}, headers=bearer(second))
    assert changed.status_code == 200 and changed.json()["evaluator"] == "inspektorat-budi"
    run = api.post("/api/v1/runs", json={"framework": "spbe-2020"})
    assert run.status_code == 201, run.text
    row = scoring.levels(run.json())["17"]
    assert (row["source"], row["evaluator"]) == ("override", "inspektorat-budi")
    assert [a["evaluator"] for a in run.json()["assessments"]] == ["inspektorat-budi"]
    assert api.delete(url).status_code == 204
    history = api.get(f"{url}/history").json()  # kept after the delete
    assert [(h["action"], h["account"]) for h in history["data"]] == [
        ("created", "bappeda-rina"), ("updated", "inspektorat-budi"), ("deleted", "bappeda-rina"),
    ]  # fmt: skip
    created_row, updated, deleted = history["data"]
    assert (created_row["before"], created_row["after"]["level_exact"]) == (None, "4")
    assert (updated["before"]["level_exact"], updated["after"]["level_exact"]) == ("4", "3")
    assert (deleted["before"]["evaluator"], deleted["after"]) == ("inspektorat-budi", None)
    assert api.get("/api/v1/assessments/999/history").status_code == 404


def test_the_scorer_service_account_reads_the_snapshot_and_nothing_else(
    scoring: ScoringHarness, as_scorer: TestClient
) -> None:
    """Every run of the harness reads the snapshot with the scorer's own token (role scorer);
    that token may not write assessments nor read the rest of the catalogue."""
    assert as_scorer.get("/api/v1/auth/me").json()["role"] == "scorer"
    run = scoring.run()
    assert run["counts"]["derived"] > 0  # the snapshot was read
    assert as_scorer.get("/api/v1/catalogue/snapshot").status_code == 200
    for path in ("/api/v1/assets", "/api/v1/opd", "/api/v1/evaluation/profile"):
        assert as_scorer.get(path).status_code == 403, path
    assert as_scorer.post("/api/v1/opd", json={"code": "X", "name": "X"}).status_code == 403
    token = as_scorer.headers["Authorization"]
    scorer_api = TestClient(scoring.api.app, headers={"Authorization": token})
    assert scorer_api.get(f"/api/v1/runs/{run['id']}").status_code == 200
    assert scorer_api.post("/api/v1/assessments", json=ASSESSMENT).status_code == 403
    assert scorer_api.post("/api/v1/runs", json={"framework": "spbe-2020"}).status_code == 403


def _token_id(scoring: ScoringHarness, account: str) -> str:
    with scoring.inventory_engine.connect() as conn:
        return str(accounts_repo.tokens(conn, account)[0]["id"])


def test_a_revoked_token_works_until_the_cache_forgets_it_then_401(
    scoring: ScoringHarness, clock: Any
) -> None:
    token = grant(scoring.inventory_engine, Role.EVALUATOR, name="revoked-soon")
    client = TestClient(scoring.api.app, headers=bearer(token))
    assert client.get("/api/v1/runs").status_code == 200
    cache = scoring.api.app.state.authenticator.cache
    assert digest(token) in cache._entries and token not in str(cache._entries)
    with begin_write(scoring.inventory_engine) as conn:
        accounts.revoke_token(conn, _token_id(scoring, "revoked-soon"))
    clock.advance(scoring.settings.scorer_auth_cache_s - 1)
    assert client.get("/api/v1/runs").status_code == 200  # the documented window
    clock.advance(2)
    response = client.get("/api/v1/runs")
    assert response.status_code == 401 and "expired or revoked" in response.text


def test_an_expired_token_is_401_once_the_cache_is_cleared(scoring: ScoringHarness) -> None:
    token = grant(scoring.inventory_engine, Role.VIEWER, name="expires-soon")
    client = TestClient(scoring.api.app, headers=bearer(token))
    assert client.get("/api/v1/assessments").status_code == 200
    with begin_write(scoring.inventory_engine) as conn:
        past = utcnow() - timedelta(seconds=1)
        token_id = _token_id(scoring, "expires-soon")
        table = accounts_repo.TOKEN
        conn.execute(update(table).where(table.c.id == token_id).values(expires_at=past))
    scoring.api.app.state.authenticator.cache.clear()
    assert client.get("/api/v1/assessments").status_code == 401


def test_the_inventory_down_answers_503_and_health_still_answers(scoring: ScoringHarness) -> None:
    known = grant(scoring.inventory_engine, Role.VIEWER)
    assert scoring.api.get("/api/v1/runs", headers=bearer(known)).status_code == 200
    dead = httpx.Client(base_url=f"http://127.0.0.1:{free_port()}", timeout=2)
    scoring.api.app.state.authenticator.inventory = dead
    fresh = TestClient(scoring.api.app, headers=scoring.headers(Role.ADMIN))
    response = fresh.get("/api/v1/runs")
    assert response.status_code == 503, response.text
    assert "inventory" in response.json()["detail"] and "127.0.0.1" not in response.text
    assert fresh.post("/api/v1/assessments", json=ASSESSMENT).status_code == 503
    assert anonymous(scoring).get("/api/v1/runs").status_code == 401  # no token: nothing to ask
    assert scoring.api.get("/api/v1/runs", headers=bearer(known)).status_code == 200  # cached
    assert fresh.get("/healthz").status_code == 200
    assert fresh.get("/metrics").status_code == 200
    dead.close()


@pytest.mark.parametrize("environment", [Environment.TEST, Environment.PRODUCTION])
def test_the_api_description_needs_a_signed_in_caller_outside_development(
    scoring: ScoringHarness, environment: Environment
) -> None:
    settings = scoring.settings.model_copy(update={"environment": environment})
    scorer = dataclasses.replace(scoring.runtime.scorer)
    app = create_app(settings, scorer, CollectorRegistry())
    for path in ("/openapi.json", "/docs", "/redoc"):
        assert TestClient(app).get(path).status_code == 401, path
        assert TestClient(app, headers=scoring.headers(Role.VIEWER)).get(path).status_code == 200
    assert anonymous(scoring).get("/openapi.json").status_code == 200  # development: open
