"""OPD scope on every inventory route: an operator or viewer of OPD A reads and changes A's
records only. B's records answer 404 exactly as records that do not exist, B's ids in a body are
unknown ids, lists hold A's rows only; shared reference data (OPD, facilities) is read by all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from harness import bearer, grant
from sqlalchemy import Engine, func, select

from spbe_common.auth import Principal, Role
from spbe_common.db import begin_write
from spbe_inventory.applications import repository as applications
from spbe_inventory.assets import repository as assets
from spbe_inventory.history.service import HISTORY
from spbe_inventory.ingest import repository as ingest

MISSING = 987654321
AUDIT = {"kind": "application", "audited_on": "2026-03-01", "in_plan": True, "scope": "SIP"}
REVIEW = {"subject": "data_centre", "reviewed_on": "2026-02-01"}


def ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


@dataclass
class Records:
    """The ids of one OPD's records."""

    asset: int
    application: int
    audit: int
    review: int
    bus: int
    use: int


def _records(client: TestClient, code: str, n: int, facility: int) -> Records:
    asset = ok(client.post("/api/v1/assets", json={
        "addresses": [f"127.30.0.{n}"], "mac": f"02:00:00:00:00:0{n}", "opd_code": code}))["id"]  # fmt: skip
    app = ok(client.post("/api/v1/applications", json={
        "name": f"SIP {code}", "opd_code": code, "asset_ids": [asset]}))["id"]  # fmt: skip
    ok(client.post("/api/v1/network-links", json={"opd_code": code, "site": f"Kantor {code}"}))
    audit = ok(client.post("/api/v1/evaluation/audits", json={**AUDIT, "opd_code": code}))["id"]
    review = ok(client.post("/api/v1/evaluation/reviews", json={**REVIEW, "opd_code": code}))["id"]
    bus = ok(client.post("/api/v1/evaluation/service-buses", json={
        "name": f"SPL {code}", "opd_code": code, "application_ids": [app]}))["id"]  # fmt: skip
    use = ok(client.post("/api/v1/evaluation/facility-uses", json={
        "facility_id": facility, "opd_code": code}))["id"]  # fmt: skip
    practice = f"/api/v1/evaluation/application-practices/{app}"
    ok(client.put(practice, json={"is_service_portal": True}))
    return Records(asset, app, audit, review, bus, use)


@dataclass
class World:
    a: Records
    b: Records
    facility: int


@pytest.fixture
def world(client: TestClient, engine: Engine) -> World:
    """OPD A and B with one record of every kind each, made by an admin; scans and services
    as ingestion records them."""
    for code in ("A", "B"):
        ok(client.post("/api/v1/opd", json={"code": code, "name": f"Dinas {code}"}))
    facility = ok(client.post("/api/v1/facilities", json={"name": "PD B", "owner_opd_code": "B"}))
    a, b = (_records(client, code, n, facility["id"]) for n, code in ((1, "A"), (2, "B")))
    now = datetime.now(UTC)
    with begin_write(engine) as conn:
        ingest.start_scans(conn, [
            {"scan_id": f"scan-{c}", "scope": f"lan-{c}", "opd_code": c, "ranges": ["127.30.0.0/24"],
             "profile": "quick", "status": "complete", "started_at": now} for c in ("A", "B")])  # fmt: skip
        assets.insert_services(conn, [
            {"asset_id": i, "port": 443, "protocol": "tcp", "first_seen": now, "last_seen": now}
            for i in (a.asset, b.asset)])  # fmt: skip
    return World(a, b, facility["id"])


def _as(client: TestClient, engine: Engine, role: Role, opd: list[str]) -> dict[str, str]:
    return bearer(grant(engine, role, opd))


def _history_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(HISTORY)).scalar_one())


def _reads(records: Records) -> list[tuple[str, str]]:
    """(path of a record, the message a missing record of that path gives, with {})."""
    return [
        (f"/api/v1/assets/{records.asset}", "asset {} not found"),
        (f"/api/v1/assets/{records.asset}/history", "asset {} not found"),
        (f"/api/v1/applications/{records.application}", "application {} not found"),
        (f"/api/v1/applications/{records.application}/history", "application {} not found"),
        (f"/api/v1/evaluation/audits/{records.audit}/history", "audit {} not found"),
        (f"/api/v1/evaluation/reviews/{records.review}/history", "review {} not found"),
        (f"/api/v1/evaluation/service-buses/{records.bus}/history", "service bus {} not found"),
        (
            f"/api/v1/evaluation/application-practices/{records.application}",
            "application {} not found",
        ),
        (
            f"/api/v1/evaluation/application-practices/{records.application}/history",
            "application {} not found",
        ),
    ]


def _assert_like_missing(client: TestClient, method: str, path: str, message: str,
                         headers: dict[str, str], body: Any = None) -> None:  # fmt: skip
    """The answer for another OPD's record is the answer for one that does not exist."""
    record_id = next(int(part) for part in path.split("/") if part.isdigit())
    missing = path.replace(f"/{record_id}", f"/{MISSING}", 1)
    for target, shown in ((path, record_id), (missing, MISSING)):
        response = client.request(method, target, json=body, headers=headers)
        assert response.status_code == 404, (target, response.text)
        assert response.json() == {"detail": message.format(shown)}, target


@pytest.mark.parametrize("role", [Role.OPD_OPERATOR, Role.VIEWER])
def test_another_opds_records_read_as_missing(
    client: TestClient, engine: Engine, world: World, role: Role
) -> None:
    headers = _as(client, engine, role, ["A"])
    for path, message in _reads(world.b):
        _assert_like_missing(client, "GET", path, message, headers)
    for path, _ in _reads(world.a):
        assert client.get(path, headers=headers).status_code == 200, path


def test_an_operator_changes_nothing_of_another_opd(
    client: TestClient, engine: Engine, world: World
) -> None:
    headers = _as(client, engine, Role.OPD_OPERATOR, ["A"])
    before = _history_rows(engine)
    for path, message, body in (
        (f"/api/v1/assets/{world.b.asset}", "asset {} not found", {"name": "x"}),
        (f"/api/v1/applications/{world.b.application}", "application {} not found", {"description": "x"}),
    ):  # fmt: skip
        _assert_like_missing(client, "PATCH", path, message, headers, body)
    # evaluation records are changed by evaluators only: refused by the policy, in any OPD
    for records in (world.a, world.b):
        response = client.patch(
            f"/api/v1/evaluation/audits/{records.audit}", json={"in_plan": False}, headers=headers
        )
        assert response.status_code == 403, response.text
    # a declaration that identifies B's asset (its MAC) must not take it over
    taken = client.post(
        "/api/v1/assets", json={"mac": "02:00:00:00:00:02", "opd_code": "A"}, headers=headers
    )
    assert taken.status_code == 409, taken.text
    assert _history_rows(engine) == before
    assert ok(client.get(f"/api/v1/assets/{world.b.asset}"))["opd_code"] == "B"
    own = client.patch(f"/api/v1/assets/{world.a.asset}", json={"name": "srv-a"}, headers=headers)
    assert ok(own)["name"] == "srv-a"


def test_ids_of_another_opd_in_a_body_are_unknown(
    client: TestClient, engine: Engine, world: World
) -> None:
    headers = _as(client, engine, Role.OPD_OPERATOR, ["A"])
    for ids in ([world.b.asset], [MISSING]):
        created = client.post("/api/v1/applications", headers=headers, json={
            "name": "SIP Baru", "opd_code": "A", "asset_ids": [world.a.asset, *ids]})  # fmt: skip
        assert created.status_code == 422, created.text
        assert f"unknown asset ids: {ids}" in created.text
        patched = client.patch(f"/api/v1/applications/{world.a.application}",
                               json={"asset_ids": ids}, headers=headers)  # fmt: skip
        assert patched.status_code == 422, patched.text
        assert f"unknown asset ids: {ids}" in patched.text
    # the shared facility (owned by B) may be named: facilities are not scoped for reading
    placed = client.patch(f"/api/v1/assets/{world.a.asset}", json={"facility_id": world.facility},
                          headers=headers)  # fmt: skip
    assert ok(placed)["facility_id"] == world.facility


def test_the_repositories_count_out_of_scope_ids_as_unknown(engine: Engine, world: World) -> None:
    """The checks behind body ids (also of service buses, which only unscoped roles write)."""
    scoped = Principal("tik-a", Role.OPD_OPERATOR, frozenset({"A"}))
    with engine.connect() as conn:
        apps = [world.a.application, world.b.application, MISSING]
        assert applications.visible_opds(conn, scoped, apps) == {world.a.application: "A"}
        both = [world.a.asset, world.b.asset, MISSING]
        assert assets.visible_ids(conn, scoped, both) == {world.a.asset}


LISTS = {
    "/api/v1/assets": "opd_code",
    "/api/v1/applications": "opd_code",
    "/api/v1/network-links": "opd_code",
    "/api/v1/scans": "opd_code",
    "/api/v1/evaluation/audits": "opd_code",
    "/api/v1/evaluation/reviews": "opd_code",
    "/api/v1/evaluation/service-buses": "opd_code",
    "/api/v1/evaluation/facility-uses": "opd_code",
    "/api/v1/evaluation/application-practices": "opd_code",
}


@pytest.mark.parametrize(
    ("role", "opd", "seen"),
    [
        (Role.OPD_OPERATOR, ["A"], {"A"}),
        (Role.VIEWER, ["A"], {"A"}),
        (Role.VIEWER, [], {"A", "B"}),
        (Role.EVALUATOR, [], {"A", "B"}),
    ],
)
def test_lists_hold_the_records_of_the_callers_opd(
    client: TestClient, engine: Engine, world: World, role: Role, opd: list[str], seen: set[str]
) -> None:
    headers = _as(client, engine, role, opd)
    for path, column in LISTS.items():
        page = ok(client.get(path, headers=headers))
        assert {row[column] for row in page["data"]} == seen, path
        assert page["count"] == len(seen), path
    services = ok(client.get("/api/v1/services", headers=headers))
    visible = {world.a.asset} | ({world.b.asset} if "B" in seen else set())
    assert {row["asset_id"] for row in services["data"]} == visible
    # shared reference data: every reader sees every OPD and facility
    assert {r["code"] for r in ok(client.get("/api/v1/opd", headers=headers))["data"]} == {"A", "B"}
    assert ok(client.get("/api/v1/opd/B", headers=headers))["code"] == "B"
    assert ok(client.get("/api/v1/facilities", headers=headers))["count"] == 1
    assert ok(client.get(f"/api/v1/facilities/{world.facility}", headers=headers))["name"] == "PD B"


def test_a_viewer_writes_nothing_even_in_its_own_opd(
    client: TestClient, engine: Engine, world: World
) -> None:
    headers = _as(client, engine, Role.VIEWER, ["A"])
    before = _history_rows(engine)
    for method, path, body in (
        ("POST", "/api/v1/assets", {"addresses": ["127.30.0.9"], "opd_code": "A"}),
        ("PATCH", f"/api/v1/assets/{world.a.asset}", {"name": "x"}),
        ("PATCH", f"/api/v1/applications/{world.a.application}", {"description": "x"}),
        ("PATCH", "/api/v1/opd/A", {"name": "x"}),
        ("POST", "/api/v1/network-links", {"opd_code": "A", "site": "Gudang"}),
        ("POST", "/api/v1/evaluation/audits", {**AUDIT, "opd_code": "A"}),
    ):
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 403, (path, response.text)
    assert _history_rows(engine) == before


def test_an_operator_reads_every_opd_but_changes_none_of_another(
    client: TestClient, engine: Engine, world: World
) -> None:
    headers = _as(client, engine, Role.OPD_OPERATOR, ["A"])
    refused = client.patch("/api/v1/opd/B", json={"name": "Dinas X"}, headers=headers)
    assert refused.status_code == 403, refused.text
    assert ok(client.get("/api/v1/opd/B", headers=headers))["name"] == "Dinas B"
    assert ok(client.get("/api/v1/opd/B/history", headers=headers))["count"] == 1


def test_an_evaluator_keeps_the_evaluation_of_every_opd(
    client: TestClient, engine: Engine, world: World
) -> None:
    """Evaluators have no catalogue-write permission, yet record audits and read practices."""
    headers = _as(client, engine, Role.EVALUATOR, [])
    created = client.post("/api/v1/evaluation/audits", json={**AUDIT, "opd_code": "B"},
                          headers=headers)  # fmt: skip
    assert created.status_code == 201, created.text
    practice = client.get(
        f"/api/v1/evaluation/application-practices/{world.b.application}", headers=headers
    )
    assert ok(practice)["opd_code"] == "B"
    denied = client.post("/api/v1/evaluation/audits", json={**AUDIT, "opd_code": "NOPE"},
                         headers=headers)  # fmt: skip
    assert denied.status_code == 422, denied.text
