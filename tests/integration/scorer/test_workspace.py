"""The evaluation workspace API against a real scorer (SQLite and PostgreSQL) and the real
inventory for sign-in: periods, assignment, worksheets, review, history, period runs, access."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from harness import bearer, grant
from integration.scorer.scoring_harness import scorer_settings
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine, insert, select

from spbe_common.auth import Role
from spbe_common.db import begin_write
from spbe_inventory.accounts import repository as accounts
from spbe_scorer.api.app import create_app
from spbe_scorer.frameworks import load_framework
from spbe_scorer.index import compute_index
from spbe_scorer.runtime import build_runtime
from spbe_scorer.tables import DOCUMENT

P = "/api/v1/periods"


@dataclass
class Workspace:
    api: TestClient  # as an admin
    engine: Engine  # the scorer's database
    inventory_engine: Engine
    app: Any

    def client(self, role: Role, opd: Sequence[str] = (), name: str = "") -> TestClient:
        token = grant(self.inventory_engine, role, opd, name)
        return TestClient(self.app, headers=bearer(token), raise_server_exceptions=False)

    def open(self, year: int = 2025, framework: str = "spbe-2020", **extra: Any) -> dict[str, Any]:
        response = self.api.post(P, json={"year": year, "framework": framework, **extra})
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture(params=["sqlite", "postgresql"])
def ws(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    as_scorer: TestClient,
    admin_token: str,
    inventory_engine: Engine,
) -> Iterator[Workspace]:
    settings = scorer_settings(tmp_path)
    if request.param == "postgresql":
        url = request.getfixturevalue("fresh_database_url")
        settings = settings.model_copy(update={"scorer_database_url": url})
    runtime = build_runtime(
        settings, inventory=as_scorer, registry=CollectorRegistry(), publish=False
    )
    app = create_app(settings, runtime.scorer, runtime.registry)
    with TestClient(app, raise_server_exceptions=False, headers=bearer(admin_token)) as api:
        yield Workspace(api, runtime.scorer.engine, inventory_engine, app)
    runtime.scorer.engine.dispose()


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def sheet(client: TestClient, period_id: int, indicator: str) -> dict[str, Any]:
    return ok(client.get(f"{P}/{period_id}/worksheets/{indicator}"))


def history(client: TestClient, period_id: int, indicator: str) -> list[tuple[str, str]]:
    rows = ok(client.get(f"{P}/{period_id}/worksheets/{indicator}/history"))["data"]
    return [(r["action"], r["account"]) for r in rows]


def test_a_period_opens_with_a_worksheet_per_indicator_assigned_by_default(ws: Workspace):
    period = ws.open()
    assert (period["year"], period["framework"], period["status"]) == (2025, "spbe-2020", "open")
    assert period["progress"]["not_started"] == period["progress"]["total"] == 47
    sheets = ok(ws.api.get(f"{P}/{period['id']}/worksheets"))["data"]
    assert [s["indicator"] for s in sheets] == [str(n) for n in range(1, 48)]  # framework order
    opd = {s["indicator"]: s["opd"] for s in sheets}
    assert (opd["1"], opd["11"], opd["16"], opd["29"]) == (
        "SETDA", "BAPPERIDA", "DISKOMINFOSATIK", "INSPEKTORAT",
    )  # fmt: skip
    one = sheet(ws.api, period["id"], "16")
    assert one["name"] == "Layanan Pusat Data" and one["criteria"]["1"] and one["proposal"] is None
    assert [a for a, _ in history(ws.api, period["id"], "16")] == ["created"]
    assert ok(ws.api.get(P))["count"] == 1
    again = ws.api.post(P, json={"year": 2025, "framework": "spbe-2020"})
    assert again.status_code == 409
    unknown = ws.api.post(P, json={"year": 2025, "framework": "spbe-1999"})
    assert unknown.status_code == 422 and "spbe-1999" in unknown.text
    assert ws.api.get(f"{P}/999/worksheets/16").status_code == 404
    assert ws.api.get(f"{P}/{period['id']}/worksheets/99").status_code == 404


def test_copy_from_keeps_the_assignments_and_the_documents(ws: Workspace):
    first = ws.open(2024)
    grant(ws.inventory_engine, Role.EVALUATOR, ["DISKOMINFOSATIK"], "budi.kominfo")
    body = {"opd": "INSPEKTORAT", "accounts": ["budi.kominfo"]}
    ok(ws.api.put(f"{P}/{first['id']}/worksheets/16/assignment", json=body))
    with ws.engine.begin() as conn:
        conn.execute(
            insert(DOCUMENT).values(
                period_id=first["id"], indicator="16", title="SOP Pusat Data",
                filename="sop.pdf", media_type="application/pdf", size=10, sha256="ab" * 32,
                records=[{"kind": "facility", "id": "dc-1"}], uploaded_by="budi.kominfo",
                uploaded_at=datetime(2024, 5, 1, tzinfo=UTC),
            )
        )  # fmt: skip
    second = ws.open(2025, copy_from=first["id"])
    assert second["source_period_id"] == first["id"]
    copied = sheet(ws.api, second["id"], "16")
    assert (copied["opd"], copied["accounts"]) == ("INSPEKTORAT", ["budi.kominfo"])
    assert [(d["sha256"], d["records"]) for d in copied["documents"]] == [
        ("ab" * 32, [{"kind": "facility", "id": "dc-1"}])
    ]
    with ws.engine.connect() as conn:
        rows = conn.execute(select(DOCUMENT.c.period_id).where(DOCUMENT.c.sha256 == "ab" * 32))
        assert sorted(r.period_id for r in rows) == [first["id"], second["id"]]
    overview = ok(ws.api.get(f"{P}/{second['id']}"))
    assert {i["indicator"]: i["documents"] for i in overview["indicators"]}["16"] == 1
    pemdi = ws.open(2026, "pemdi-2026", copy_from=first["id"])  # no indicator in common
    assert sheet(ws.api, pemdi["id"], "I9")["opd"] == "INSPEKTORAT"  # the default
    missing = ws.api.post(P, json={"year": 2027, "framework": "spbe-2020", "copy_from": 999})
    assert missing.status_code == 422 and "copy_from" in missing.text


def test_an_evaluator_changes_only_the_indicators_of_its_opd_or_named(ws: Workspace):
    period = ws.open()
    pid = period["id"]
    inspektorat = ws.client(Role.EVALUATOR, ["INSPEKTORAT"], "eva.inspektorat")
    body = {"level": 2, "explanation": "Audit infrastruktur 2024 atas 3 OPD"}
    saved = ok(inspektorat.patch(f"{P}/{pid}/worksheets/29", json=body))
    assert (saved["status"], saved["level"], saved["level_source"]) == ("draft", 2.0, "manual")
    assert saved["may_edit"] is True and saved["updated_by"] == "eva.inspektorat"
    refused = inspektorat.patch(f"{P}/{pid}/worksheets/16", json=body)
    assert refused.status_code == 403
    assert "indicator 16 is assigned to DISKOMINFOSATIK" in refused.json()["detail"]
    assert sheet(inspektorat, pid, "16")["may_edit"] is False
    assign = {"opd": "DISKOMINFOSATIK", "accounts": ["eva.inspektorat"]}
    assert inspektorat.put(f"{P}/{pid}/worksheets/16/assignment", json=assign).status_code == 403
    ok(ws.api.put(f"{P}/{pid}/worksheets/16/assignment", json=assign))
    ok(inspektorat.patch(f"{P}/{pid}/worksheets/16", json=body))  # named on it now
    assert [a for a, _ in history(ws.api, pid, "16")] == ["created", "assigned", "saved"]
    assert history(ws.api, pid, "16")[-1][1] == "eva.inspektorat"
    off_scale = inspektorat.patch(f"{P}/{pid}/worksheets/29", json={"level": 7})
    assert off_scale.status_code == 422 and "level" in off_scale.text
    stale = sheet(ws.api, pid, "29")
    etag = ws.api.get(f"{P}/{pid}/worksheets/29").headers["ETag"]
    ok(inspektorat.patch(f"{P}/{pid}/worksheets/29", json={"explanation": "lengkap"}))
    late = inspektorat.patch(
        f"{P}/{pid}/worksheets/29", json={"level": 3}, headers={"If-Match": etag}
    )
    assert late.status_code == 412 and stale["level"] == 2.0
    bad = ws.api.put(f"{P}/{pid}/worksheets/16/assignment", json={"opd": "bad code"})
    assert bad.status_code == 422


def test_an_assignment_names_an_opd_and_accounts_the_inventory_knows(ws: Workspace) -> None:
    """The scorer asks the inventory (with the caller's credential) before it assigns: an OPD
    of the directory, accounts that exist, are enabled and fill in worksheets; else 422 and
    the worksheet is unchanged."""
    pid = ws.open()["id"]
    ws.client(Role.EVALUATOR, ["INSPEKTORAT"], "eva.inspektorat")
    grant(ws.inventory_engine, Role.OPD_OPERATOR, ["DINKES"], "operator.dinkes")
    grant(ws.inventory_engine, Role.EVALUATOR, ["BAPPERIDA"], "eva.pindah")
    with begin_write(ws.inventory_engine) as conn:
        accounts.set_disabled(conn, "eva.pindah", True)
    url = f"{P}/{pid}/worksheets/16/assignment"
    before = sheet(ws.api, pid, "16")

    def refusal(body: dict[str, Any]) -> tuple[int, list[Any], str]:
        answer = ws.api.put(url, json=body)
        (error,) = answer.json()["detail"]
        return answer.status_code, error["loc"], error["msg"]

    assert refusal({"opd": "DINAS_FIKTIF", "accounts": []}) == (
        422, ["body", "opd"], "no OPD DINAS_FIKTIF in the inventory's OPD directory",
    )  # fmt: skip
    assert refusal({"opd": "INSPEKTORAT", "accounts": ["tidak.ada", "operator.dinkes"]}) == (
        422,
        ["body", "accounts"],
        "account operator.dinkes (opd_operator) cannot fill in worksheets; assign an"
        " evaluator; no account tidak.ada",
    )
    assert refusal({"opd": "INSPEKTORAT", "accounts": ["eva.pindah"]})[2] == (
        "account eva.pindah is disabled"
    )
    after = sheet(ws.api, pid, "16")
    assert (after["opd"], after["accounts"]) == (before["opd"], before["accounts"])
    done = ok(ws.api.put(url, json={"opd": "INSPEKTORAT", "accounts": ["eva.inspektorat"]}))
    assert (done["opd"], done["accounts"]) == ("INSPEKTORAT", ["eva.inspektorat"])


def _proposed(ws: Workspace, run_id: str) -> dict[str, dict[str, Any]]:
    run = ok(ws.api.get(f"/api/v1/runs/{run_id}"))
    return {r["indicator"]: r for r in run["indicators"]}


def test_a_period_run_counts_only_accepted_or_overridden_levels(ws: Workspace):
    period = ws.open()
    pid = period["id"]
    kominfo = ws.client(Role.EVALUATOR, ["DISKOMINFOSATIK"], "eva.kominfo")
    assert kominfo.post(f"{P}/{pid}/worksheets/16/accept").status_code == 409  # no run yet
    first = ok(kominfo.post(f"{P}/{pid}/runs"), 201)["id"]
    rows = _proposed(ws, first)
    derived = [i for i, r in rows.items() if r["derived_level_exact"] is not None]
    assert derived and all(rows[i]["source"] == "proposed" for i in derived)
    assert all(rows[i]["level"] == 1 for i in derived)  # not counted: the scale minimum
    mine = [i for i in derived if sheet(ws.api, pid, i)["opd"] == "DISKOMINFOSATIK"]
    left = next(i for i in mine if rows[i]["evidence"])  # stays unaccepted, evidence shown
    taken, changed = [i for i in mine if i != left][:2]
    proposal = sheet(kominfo, pid, taken)["proposal"]
    assert (
        proposal["run_id"] == first
        and proposal["level_exact"] == rows[taken]["derived_level_exact"]
    )
    assert sheet(kominfo, pid, left)["proposal"]["evidence"] == rows[left]["evidence"]
    accepted = ok(kominfo.post(f"{P}/{pid}/worksheets/{taken}/accept", json={}))
    assert (accepted["level_exact"], accepted["level_source"]) == (
        proposal["level_exact"], "accepted",
    )  # fmt: skip
    assert accepted["derived_run_id"] == first
    other = Fraction(rows[changed]["derived_level_exact"])
    level = 1 if other != 1 else 2
    unjustified = kominfo.patch(f"{P}/{pid}/worksheets/{changed}", json={"level": level})
    assert unjustified.status_code == 422 and "justification" in unjustified.text
    body = {"level": level, "justification": "Bukti belum lengkap untuk tingkat itu"}
    overridden = ok(kominfo.patch(f"{P}/{pid}/worksheets/{changed}", json=body))
    assert overridden["level_source"] == "override"
    assert overridden["derived_level_exact"] == rows[changed]["derived_level_exact"]
    assert [a for a, _ in history(ws.api, pid, taken)] == ["created", "accepted"]
    assert [a for a, _ in history(ws.api, pid, changed)] == ["created", "overridden"]

    second = ok(ws.api.post(f"{P}/{pid}/runs"), 201)["id"]
    run = ok(ws.api.get(f"/api/v1/runs/{second}"))
    assert run["period_id"] == pid
    after = {r["indicator"]: r for r in run["indicators"]}
    assert (after[taken]["source"], after[taken]["level_exact"]) == (
        "derived", proposal["level_exact"],
    )  # fmt: skip
    assert (after[changed]["source"], after[changed]["level"]) == ("override", level)
    assert (after[left]["source"], after[left]["level"]) == ("proposed", 1)
    assert after[left]["evidence"] == rows[left]["evidence"]  # the evidence is still shown
    overview = ok(ws.api.get(f"{P}/{pid}"))
    assert run["index_exact"] == overview["index"]["self_assessment_exact"]
    plain = ok(ws.api.post("/api/v1/runs", json={"framework": "spbe-2020"}), 201)
    assert plain["period_id"] is None and plain["counts"]["proposed"] == 0
    assert plain["counts"]["derived"] == len(derived)  # period-less runs: as before


def test_submit_review_and_history(ws: Workspace):
    period = ws.open()
    pid = period["id"]
    kominfo = ws.client(Role.EVALUATOR, ["DISKOMINFOSATIK"], "eva.kominfo")
    reviewer = ws.client(Role.EVALUATOR, ["INSPEKTORAT"], "eva.inspektorat")
    url = f"{P}/{pid}/worksheets/17"
    ok(kominfo.patch(url, json={"level": 3}))
    unexplained = kominfo.post(f"{url}/submit")
    assert unexplained.status_code == 422 and "explanation" in unexplained.text
    ok(kominfo.patch(url, json={"explanation": "Jaringan intra menghubungkan 40 OPD"}))
    assert ok(kominfo.post(f"{url}/submit"))["status"] == "submitted"
    assert kominfo.patch(url, json={"level": 4}).status_code == 409  # submitted: wait
    own = kominfo.post(f"{url}/verify", json={})
    assert own.status_code == 403 and "another evaluator" in own.json()["detail"]
    assert reviewer.post(f"{url}/return", json={}).status_code == 422  # a comment is needed
    returned = ok(reviewer.post(f"{url}/return", json={"comment": "Lampirkan SOP jaringan"}))
    assert (returned["status"], returned["review_comment"]) == (
        "returned",
        "Lampirkan SOP jaringan",
    )
    assert reviewer.post(f"{url}/verify").status_code == 409  # nothing submitted now
    ok(kominfo.patch(url, json={"explanation": "SOP jaringan terlampir"}))
    ok(kominfo.post(f"{url}/submit"))
    verified = ok(reviewer.post(f"{url}/verify", json={"comment": "Sesuai"}))
    assert (verified["status"], verified["reviewed_by"]) == ("verified", "eva.inspektorat")
    assert verified["may_edit"] is False
    assert history(ws.api, pid, "17")[1:] == [
        ("saved", "eva.kominfo"), ("saved", "eva.kominfo"), ("submitted", "eva.kominfo"),
        ("returned", "eva.inspektorat"), ("saved", "eva.kominfo"),
        ("submitted", "eva.kominfo"), ("verified", "eva.inspektorat"),
    ]  # fmt: skip
    assert history(ws.api, pid, "17")[0][0] == "created"


def test_the_overview_shows_the_index_and_progress_by_opd(ws: Workspace):
    period = ws.open()
    pid = period["id"]
    empty = ok(ws.api.get(f"{P}/{pid}"))["index"]
    assert (empty["self_assessment"], empty["asesor"], empty["difference"]) == (1.0, None, None)
    inspektorat = ws.client(Role.EVALUATOR, ["INSPEKTORAT"], "eva.inspektorat")
    for indicator, level in (("29", 5), ("30", 3)):
        body = {"level": level, "explanation": "Laporan audit"}
        ok(inspektorat.patch(f"{P}/{pid}/worksheets/{indicator}", json=body))
    ok(inspektorat.post(f"{P}/{pid}/worksheets/30/submit"))
    overview = ok(ws.api.get(f"{P}/{pid}"))
    framework = load_framework("spbe-2020")
    levels = {i.id: 1 for i in framework.indicators} | {"29": 5, "30": 3}
    expected = compute_index(framework, levels)
    index = overview["index"]
    assert Fraction(index["self_assessment_exact"]) == expected.index
    assert index["self_assessment_predicate"] == expected.predicate
    by_opd = {row["opd"]: row for row in overview["progress"]["by_opd"]}
    assert set(by_opd) == {"SETDA", "BAPPERIDA", "INSPEKTORAT", "DISKOMINFOSATIK"}
    assert (by_opd["INSPEKTORAT"]["draft"], by_opd["INSPEKTORAT"]["submitted"]) == (1, 1)
    assert by_opd["INSPEKTORAT"]["not_started"] == by_opd["INSPEKTORAT"]["total"] - 2
    assert overview["progress"]["by_status"]["total"] == 47
    line = {i["indicator"]: i for i in overview["indicators"]}["29"]
    assert (line["level"], line["status"], line["opd"]) == (5.0, "draft", "INSPEKTORAT")
    ok(ws.api.patch(f"{P}/{pid}", json={"asesor_index": "1,24", "asesor_note": "hasil asesor"}))
    index = ok(ws.api.get(f"{P}/{pid}"))["index"]
    assert index["asesor"] == 1.24 and index["asesor_predicate"]
    assert Fraction(index["difference_exact"]) == Fraction(124, 100) - expected.index
    assert ws.api.patch(f"{P}/{pid}", json={"asesor_index": 9}).status_code == 422
    closed = ok(ws.api.patch(f"{P}/{pid}", json={"status": "closed"}))
    assert closed["status"] == "closed"
    shut = inspektorat.patch(f"{P}/{pid}/worksheets/29", json={"level": 4})
    assert shut.status_code == 403 and "closed" in shut.json()["detail"]


def test_a_viewer_reads_but_changes_nothing(ws: Workspace):
    pid = ws.open()["id"]
    viewer = ws.client(Role.VIEWER)
    assert ok(viewer.get(f"{P}/{pid}"))["period"]["id"] == pid
    assert sheet(viewer, pid, "16")["may_edit"] is False
    assert ok(viewer.get(f"{P}/{pid}/worksheets/16/history"))["count"] == 1
    for method, path, body in (
        ("PATCH", f"{P}/{pid}/worksheets/16", {"level": 2}),
        ("POST", f"{P}/{pid}/worksheets/16/accept", {}),
        ("POST", f"{P}/{pid}/worksheets/16/submit", None),
        ("POST", f"{P}/{pid}/runs", None),
        ("POST", P, {"year": 2030, "framework": "spbe-2020"}),
    ):
        assert viewer.request(method, path, json=body).status_code == 403, path
    evaluator = ws.client(Role.EVALUATOR, ["INSPEKTORAT"])
    assert evaluator.post(P, json={"year": 2030, "framework": "spbe-2020"}).status_code == 403


def test_an_opd_operator_sees_no_evaluation_worksheet(ws: Workspace):
    pid = ws.open()["id"]
    operator = ws.client(Role.OPD_OPERATOR, ["DISKOMINFOSATIK"])
    w = f"{P}/{pid}/worksheets/16"
    for method, path, body in (
        ("GET", P, None), ("POST", P, {"year": 2030, "framework": "spbe-2020"}),
        ("GET", f"{P}/{pid}", None), ("PATCH", f"{P}/{pid}", {"title": "x"}),
        ("POST", f"{P}/{pid}/runs", None), ("GET", f"{P}/{pid}/worksheets", None),
        ("GET", w, None), ("PATCH", w, {"level": 2}), ("POST", f"{w}/accept", {}),
        ("POST", f"{w}/submit", None), ("POST", f"{w}/verify", {}),
        ("POST", f"{w}/return", {"comment": "x"}),
        ("PUT", f"{w}/assignment", {"opd": "DISKOMINFOSATIK", "accounts": []}),
        ("GET", f"{w}/history", None),
    ):  # fmt: skip
        assert operator.request(method, path, json=body).status_code == 403, (method, path)
