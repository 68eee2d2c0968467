"""The scorer API read with the inventory's web session cookie (what the inventory's pages forward
for the signed-in person): checked by the real inventory, as that person (not as the scorer's
service account), cached under a digest, refused for changes, and gone once the session ends."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from harness import web_session
from integration.scorer.scoring_harness import ScoringHarness

from spbe_common.auth import Role, digest
from spbe_common.db import begin_write
from spbe_inventory.accounts import service as accounts
from spbe_scorer.inventory import SESSION_COOKIE

ASSESSMENT = {"framework": "spbe-2020", "indicator": "1", "level": 3, "justification": "Perbup"}


def with_cookie(scoring: ScoringHarness, secret: str) -> TestClient:
    client = TestClient(scoring.api.app)
    client.cookies.set(SESSION_COOKIE, secret)
    return client


def test_a_session_cookie_reads_runs_as_its_own_account(scoring: ScoringHarness) -> None:
    run = scoring.run()
    secret, _csrf = web_session(scoring.inventory_engine, Role.VIEWER, name="pembaca-web")
    client = with_cookie(scoring, secret)
    listed = client.get("/api/v1/runs")
    assert listed.status_code == 200, listed.text
    assert [r["id"] for r in listed.json()["data"]] == [run["id"]]
    assert client.get(f"/api/v1/runs/{run['id']}").json()["indicators"]
    workbook = client.get(f"/api/v1/runs/{run['id']}/export.xlsx")
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    cached = scoring.api.app.state.authenticator.cache
    principal = cached.get(f"session:{secret}")
    # The inventory answered for the viewer, not for the scorer's service account (whose token
    # the scorer's inventory client sends by default): that token must not win over the cookie.
    assert principal is not None and principal.name == "pembaca-web"
    assert principal.role is Role.VIEWER
    assert digest(f"session:{secret}") in cached._entries and secret not in str(cached._entries)


def test_a_change_by_cookie_needs_the_sessions_own_csrf_token(scoring: ScoringHarness) -> None:
    """The inventory's pages change scorer records with the person's session: the cookie alone
    is no credential for a change (another site could forge it), a wrong CSRF token is 403, and
    the session's own token (checked by the inventory) lets the change through as that person."""
    secret, csrf = web_session(scoring.inventory_engine, Role.ADMIN, name="web-admin-csrf")
    client = with_cookie(scoring, secret)
    assert client.post("/api/v1/assessments", json=ASSESSMENT).status_code == 401
    wrong = {"X-CSRF-Token": "not-the-token"}
    assert client.post("/api/v1/assessments", json=ASSESSMENT, headers=wrong).status_code == 403
    made = client.post("/api/v1/assessments", json=ASSESSMENT, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201, made.text
    assert made.json()["evaluator"] == "web-admin-csrf"
    assert client.get("/api/v1/runs").status_code == 200  # the same cookie reads


def test_an_unknown_or_ended_session_is_401(scoring: ScoringHarness, clock: Any) -> None:
    assert with_cookie(scoring, "s_unknown").get("/api/v1/runs").status_code == 401
    assert with_cookie(scoring, "s_" + "x" * 300).get("/api/v1/runs").status_code == 401
    secret, _csrf = web_session(scoring.inventory_engine, Role.EVALUATOR)
    client = with_cookie(scoring, secret)
    assert client.get("/api/v1/assessments").status_code == 200
    with begin_write(scoring.inventory_engine) as conn:
        accounts.sign_out(conn, secret)
    assert client.get("/api/v1/assessments").status_code == 200  # the documented cache window
    clock.advance(scoring.settings.scorer_auth_cache_s + 1)
    response = client.get("/api/v1/assessments")
    assert response.status_code == 401 and "session has ended" in response.text


def test_a_bearer_token_wins_over_a_cookie(scoring: ScoringHarness) -> None:
    secret, _csrf = web_session(scoring.inventory_engine, Role.ADMIN)
    client = with_cookie(scoring, secret)
    response = client.get("/api/v1/runs", headers={"Authorization": "Bearer spbe_unknown"})
    assert response.status_code == 401 and "token" in response.text
