"""The review queue of what scans find (issue 11): hosts a scan finds that no person declared wait
in their OPD's queue; those that match a declared asset never enter it. Accept, merge, un-merge
and ignore each change the catalogue and its history as described; an ignored host seen again
stays ignored; an operator sees and decides its own OPD's queue only. Scans go through the real
ingestion path."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from harness import bearer, grant
from sqlalchemy import Engine, select

from spbe_common.auth import Role
from spbe_common.events import Event, EventType, new_event
from spbe_common.events.enums import ScanStatus
from spbe_common.events.payloads import (
    AssetObserved,
    ObservedService,
    ScanCompleted,
    ScanScope,
    ScanStarted,
)
from spbe_inventory import migrate
from spbe_inventory.assets.repository import ASSET, SERVICE
from spbe_inventory.history.service import HISTORY
from spbe_inventory.ingest.service import BatchResult
from spbe_inventory.review.repository import REVIEW

Ingest = Callable[[Iterable[Event]], BatchResult]
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
A, B = "RVA", "RVB"


def host(n: int, net: int, mac: str | None, *ports: tuple[int, str]) -> AssetObserved:
    services = [
        ObservedService(port=p, name=name, product=f"{name}d", version="1") for p, name in ports
    ]
    return AssetObserved(addresses=[f"127.{net}.0.{n}"], mac=mac, services=services)


def scan(code: str, net: int, round_no: int, hosts: list[AssetObserved]) -> list[Event]:
    """One complete scan of OPD `code`'s scope 127.<net>.0.0/24, round `round_no` (an hour each)."""
    scope = ScanScope(key=f"{code.lower()}-lan", opd=code, ranges=[f"127.{net}.0.0/24"])
    scan_id = f"{code}-scan-{round_no}"
    start = T0 + timedelta(hours=round_no)
    common = {"source": "spbe-test", "scan_id": scan_id, "scope": scope.key}
    started = ScanStarted(scan_id=scan_id, scope=scope, profile="service-version", started_at=start)
    done = ScanCompleted(
        scan_id=scan_id, scope=scope, profile="service-version", status=ScanStatus.COMPLETE,
        started_at=start, finished_at=start + timedelta(minutes=5), hosts_up=len(hosts),
    )  # fmt: skip
    seen = [
        new_event(EventType.ASSET_OBSERVED, h, time=start + timedelta(seconds=i + 1), **common)
        for i, h in enumerate(hosts)
    ]
    return [
        new_event(EventType.SCAN_STARTED, started, time=start, **common),
        *seen,
        new_event(EventType.SCAN_COMPLETED, done, time=start + timedelta(minutes=5), **common),
    ]


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


A_HOSTS = [
    host(1, 70, "02:AA:00:00:00:01", (443, "https")),  # the declared SIMPEG server
    host(2, 70, "02:AA:00:00:00:02", (22, "ssh"), (443, "https")),
    host(3, 70, None, (80, "http")),
]
B_HOSTS = [host(5, 71, "02:BB:00:00:00:05", (22, "ssh"))]


@dataclass
class World:
    simpeg: int  # declared; a scan sees it by its MAC
    keuangan: int  # declared by serial only; the scan's host 2 really is it
    app: int
    found: dict[str, int]  # address -> id of the asset a scan created


@pytest.fixture
def world(client: TestClient, ingest_events: Ingest) -> World:
    for code in (A, B):
        ok(client.post("/api/v1/opd", json={"code": code, "name": f"Dinas {code}"}), 201)
    simpeg = ok(client.post("/api/v1/assets", json={
        "name": "Server SIMPEG", "kind": "server", "opd_code": A, "mac": "02:AA:00:00:00:01",
        "addresses": ["127.70.0.1"]}), 201)["id"]  # fmt: skip
    keuangan = ok(client.post("/api/v1/assets", json={
        "name": "Server keuangan", "kind": "server", "opd_code": A, "serial": "SN-KEU-1",
        "owner": "Bidang Keuangan"}), 201)["id"]  # fmt: skip
    app = ok(client.post("/api/v1/applications", json={"name": "SIMPEG", "opd_code": A}), 201)["id"]
    ingest_events([*scan(A, 70, 0, A_HOSTS), *scan(B, 71, 0, B_HOSTS)])
    rows = ok(client.get("/api/v1/assets", params={"limit": 100}))["data"]
    found = {r["address"]: r["id"] for r in rows if r["id"] not in (simpeg, keuangan)}
    return World(simpeg, keuangan, app, found)


def queue(client: TestClient, **params: Any) -> dict[int, dict[str, Any]]:
    return {r["id"]: r for r in ok(client.get("/api/v1/review", params=params))["data"]}


def rows(engine: Engine, table: Any, *where: Any) -> list[dict[str, Any]]:
    query = select(table).where(*where).order_by(*table.primary_key.columns)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def test_scanned_hosts_no_person_declared_wait_in_their_opds_queue(
    client: TestClient, world: World
) -> None:
    assert set(world.found) == {"127.70.0.2", "127.70.0.3", "127.71.0.5"}
    a_queue = queue(client, opd_code=A)
    assert set(a_queue) == {world.found["127.70.0.2"], world.found["127.70.0.3"]}
    assert {r["state"] for r in a_queue.values()} == {"unreviewed"}
    assert world.simpeg not in queue(client) and world.keuangan not in queue(client)
    simpeg = ok(client.get(f"/api/v1/assets/{world.simpeg}"))
    assert simpeg["last_seen"] is not None and simpeg["identity_rule"] == "mac"  # it was seen
    counts = ok(client.get("/api/v1/review/counts"))
    assert counts == {"data": [{"opd_code": A, "unreviewed": 2},
                               {"opd_code": B, "unreviewed": 1}], "total": 3}  # fmt: skip


def test_the_snapshot_carries_each_opds_queue_size(
    client: TestClient, engine: Engine, world: World
) -> None:
    snapshot = ok(client.get("/api/v1/catalogue/snapshot"))
    assert snapshot["unreviewed_assets"] == {A: 2, B: 1}


def test_accept_makes_the_host_a_persons_record_linked_to_its_application(
    client: TestClient, world: World, history_of: Callable[[str, int], list[dict[str, Any]]]
) -> None:
    found = world.found["127.70.0.3"]
    body = {"name": "Server web", "kind": "server", "owner": "Subbag Umum",
            "application_id": world.app}  # fmt: skip
    item = ok(client.post(f"/api/v1/review/{found}/accept", json=body))
    assert item["state"] == "accepted" and item["reviewed_by"] and item["reviewed_at"]
    asset = ok(client.get(f"/api/v1/assets/{found}"))
    assert (asset["name"], asset["kind"], asset["owner"]) == ("Server web", "server", "Subbag Umum")
    assert asset["declared"]["name"] == "Server web" and asset["declared"]["opd_code"] == A
    assert found not in queue(client)
    assert found in queue(client, state="accepted")
    assert ok(client.get(f"/api/v1/applications/{world.app}"))["asset_ids"] == [found]
    history = history_of("asset", found)
    assert history[0]["action"] == "created" and history[0]["cause_kind"] == "event"
    person = [h for h in history if h["cause_kind"] == "request"]
    assert {"review": "unreviewed"} in [h["before"] for h in person]
    assert any(h["after"].get("name") == "Server web" for h in person)
    assert all(h["actor"] for h in person)
    ok(client.post(f"/api/v1/review/{found}/accept", json=body), 409)  # accepted once


def test_merge_moves_the_host_onto_the_declared_asset_and_unmerge_restores_both(
    client: TestClient, engine: Engine, world: World
) -> None:
    found, target = world.found["127.70.0.2"], world.keuangan
    ids = (found, target)
    before = {
        "asset": rows(engine, ASSET, ASSET.c.id.in_(ids)),
        "service": rows(engine, SERVICE, SERVICE.c.asset_id.in_(ids)),
        "history": rows(engine, HISTORY, HISTORY.c.entity_id.in_(ids), HISTORY.c.entity == "asset"),
        "review": rows(engine, REVIEW, REVIEW.c.asset_id.in_(ids)),
    }
    item = ok(client.post(f"/api/v1/review/{found}/merge", json={"into": target}))
    assert (item["state"], item["merged_into"]) == ("merged", target)
    ok(client.get(f"/api/v1/assets/{found}"), 404)
    listed = ok(client.get("/api/v1/assets", params={"limit": 100}))["data"]
    assert found not in {r["id"] for r in listed}
    merged = ok(client.get(f"/api/v1/assets/{target}"))
    assert merged["mac"] == "02:AA:00:00:00:02" and merged["address"] == "127.70.0.2"
    assert (merged["name"], merged["owner"]) == ("Server keuangan", "Bidang Keuangan")
    assert sorted(s["port"] for s in merged["services"]) == [22, 443]
    history = ok(client.get(f"/api/v1/assets/{target}/history", params={"limit": 100}))["data"]
    assert history[0]["after"]["merged_from"] == found and history[0]["actor"]
    moved = [h["id"] for h in before["history"] if h["entity_id"] == found]
    assert set(moved) <= {h["id"] for h in history}  # the host's history, readable on the target
    assert found not in queue(client) and found in queue(client, state="merged")
    assert queue(client, state="merged")[found]["merged_into"] == target

    ok(client.post(f"/api/v1/review/{found}/unmerge"))
    assert rows(engine, ASSET, ASSET.c.id.in_(ids)) == before["asset"]
    assert rows(engine, SERVICE, SERVICE.c.asset_id.in_(ids)) == before["service"]
    assert rows(engine, REVIEW, REVIEW.c.asset_id.in_(ids)) == before["review"]
    after = rows(engine, HISTORY, HISTORY.c.entity_id.in_(ids), HISTORY.c.entity == "asset")
    assert [h for h in after if h["id"] in {r["id"] for r in before["history"]}] == before[
        "history"
    ]
    new = [(h["entity_id"], h["action"]) for h in after if h not in before["history"]]
    assert new == [(target, "updated"), (target, "updated"), (found, "created")]
    assert found in queue(client) and not queue(client, state="merged")
    ok(client.post(f"/api/v1/review/{found}/unmerge"), 404)  # nothing left to undo


def test_a_merged_host_seen_again_is_the_declared_asset_not_a_new_discovery(
    client: TestClient, world: World, ingest_events: Ingest
) -> None:
    found = world.found["127.70.0.2"]
    ok(client.post(f"/api/v1/review/{found}/merge", json={"into": world.keuangan}))
    ingest_events(scan(A, 70, 1, A_HOSTS))
    assert set(queue(client, opd_code=A)) == {world.found["127.70.0.3"]}
    assert ok(client.get(f"/api/v1/assets/{world.keuangan}"))["identity_rule"] == "mac"


def test_an_ignored_host_seen_again_stays_ignored_and_uncounted(
    client: TestClient, world: World, ingest_events: Ingest,
    history_of: Callable[[str, int], list[dict[str, Any]]],
) -> None:  # fmt: skip
    found = world.found["127.70.0.2"]
    reason = "Laptop tamu, bukan aset dinas"
    item = ok(client.post(f"/api/v1/review/{found}/ignore", json={"reason": reason}))
    assert (item["state"], item["reason"]) == ("ignored", reason)
    assert history_of("asset", found)[-1]["after"] == {"review": "ignored", "review_reason": reason}
    count = ok(client.get("/api/v1/assets", params={"limit": 1}))["count"]
    later = [host(2, 70, "02:AA:00:00:00:02", (22, "ssh"), (8080, "http-proxy")), *A_HOSTS[::2]]
    ingest_events(scan(A, 70, 1, later))
    assert ok(client.get("/api/v1/assets", params={"limit": 1}))["count"] == count
    assert found not in queue(client) and queue(client, state="ignored")[found]["reason"] == reason
    assert ok(client.get("/api/v1/review/counts"))["total"] == 2
    assert 8080 in {s["port"] for s in ok(client.get(f"/api/v1/assets/{found}"))["services"]}
    ok(client.post(f"/api/v1/review/{found}/ignore", json={"reason": "lagi"}), 409)


def test_a_person_declaring_a_discovered_host_takes_it_out_of_the_queue(
    client: TestClient, world: World
) -> None:
    body = {"name": "Router", "kind": "network_device", "opd_code": B, "mac": "02:BB:00:00:00:05"}
    assert ok(client.post("/api/v1/assets", json=body))["id"] == world.found["127.71.0.5"]
    assert not queue(client, opd_code=B)


def test_merge_refuses_targets_it_cannot_name(client: TestClient, world: World) -> None:
    found = world.found["127.70.0.2"]
    for into in (found, world.found["127.70.0.3"], 987654):  # itself, undeclared, unknown
        ok(client.post(f"/api/v1/review/{found}/merge", json={"into": into}), 422)
    ok(client.post(f"/api/v1/review/{world.simpeg}/merge", json={"into": world.keuangan}), 404)


def test_an_operator_sees_and_decides_its_own_opds_queue_only(
    client: TestClient, engine: Engine, world: World
) -> None:
    b_found = world.found["127.71.0.5"]
    ok(client.post(f"/api/v1/review/{b_found}/merge", json={
        "into": ok(client.post("/api/v1/assets", json={"name": "Router B", "opd_code": B,
                                                      "serial": "SN-B"}), 201)["id"]}))  # fmt: skip
    operator = TestClient(client.app, headers=bearer(grant(engine, Role.OPD_OPERATOR, [A])))
    assert {r["opd_code"] for r in queue(operator).values()} == {A}
    assert not queue(operator, opd_code=B) and not queue(operator, state="merged")
    assert ok(operator.get("/api/v1/review/counts")) == {
        "data": [{"opd_code": A, "unreviewed": 2}], "total": 2}  # fmt: skip
    for action, body in (("accept", {"name": "x", "kind": "server"}),
                         ("ignore", {"reason": "x"}), ("merge", {"into": world.keuangan})):  # fmt: skip
        ok(operator.post(f"/api/v1/review/{b_found}/{action}", json=body), 404)
    ok(operator.post(f"/api/v1/review/{b_found}/unmerge"), 404)
    a_found = world.found["127.70.0.3"]
    b_declared = queue(client, state="merged")[b_found]["merged_into"]
    ok(operator.post(f"/api/v1/review/{a_found}/merge", json={"into": b_declared}), 422)
    viewer = TestClient(client.app, headers=bearer(grant(engine, Role.VIEWER, [A])))
    ok(viewer.post(f"/api/v1/review/{a_found}/ignore", json={"reason": "x"}), 403)
    assert ok(operator.post(f"/api/v1/review/{a_found}/ignore", json={"reason": "x"}))


def test_the_migration_queues_assets_no_person_declared(tmp_path: Any) -> None:
    from spbe_inventory.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path}/old.db")
    migrate.upgrade(engine, "0009")
    common = {"kind": "server", "lifecycle": "active", "addresses": [], "identity_rule": "new",
              "is_sample": False, "created_at": T0, "updated_at": T0}  # fmt: skip
    with engine.begin() as conn:
        conn.execute(ASSET.insert(), [
            {**common, "id": 1, "observed": {"address": "127.0.0.9"}, "declared": {}},
            {**common, "id": 2, "observed": {}, "declared": {"name": "Server"}},
        ])  # fmt: skip
    migrate.upgrade(engine)
    review = rows(engine, REVIEW)
    assert [(r["asset_id"], r["state"]) for r in review] == [(1, "unreviewed")]
    engine.dispose()


def test_unmerge_after_sqlite_gave_the_hosts_id_to_a_new_asset(
    client: TestClient, world: World, history_of: Callable[[str, int], list[dict[str, Any]]]
) -> None:
    newest = world.found["127.71.0.5"]  # the highest id: SQLite gives it to the next new asset
    ok(client.post(f"/api/v1/review/{newest}/merge", json={"into": world.keuangan}))
    created = client.post("/api/v1/assets", json={"name": "Baru", "opd_code": B, "serial": "S9"})
    assert ok(created, 201)["id"] == newest
    item = ok(client.post(f"/api/v1/review/{newest}/unmerge"))
    assert item["id"] != newest and item["state"] == "unreviewed"
    assert ok(client.get(f"/api/v1/assets/{item['id']}"))["mac"] == "02:BB:00:00:00:05"
    assert ok(client.get(f"/api/v1/assets/{newest}"))["name"] == "Baru"
    assert [h["action"] for h in history_of("asset", item["id"])] == ["created", "created"]
    assert [h["action"] for h in history_of("asset", newest)] == ["created"]
