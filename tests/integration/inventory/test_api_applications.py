"""Applications through the API: the assets they run on, declared fields, URL probes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from spbe_common.events import Event, EventType, new_event
from spbe_common.events.payloads import ApplicationObserved
from spbe_inventory.applications.repository import APPLICATION

History = Callable[[str, int], list[dict[str, Any]]]


@pytest.fixture
def servers(client: TestClient) -> list[int]:
    assert client.post("/api/v1/opd", json={"code": "BKPSDM", "name": "BKPSDM"}).status_code == 201
    ids = []
    for n in (1, 2):
        body = {
            "addresses": [f"127.10.0.{20 + n}"],
            "name": f"vm-sipkerja-{n}",
            "opd_code": "BKPSDM",
        }
        ids.append(client.post("/api/v1/assets", json=body).json()["id"])
    return ids


@pytest.fixture
def app_id(client: TestClient, servers: list[int]) -> int:
    body = {"name": "SIP Kerja", "opd_code": "BKPSDM", "urls": ["https://sipkerja.serangkab.go.id/"],
            "asset_ids": list(reversed(servers)), "function_level": 3}  # fmt: skip
    response = client.post("/api/v1/applications", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_an_application_lists_the_assets_it_runs_on(
    client: TestClient, app_id: int, servers: list[int]
) -> None:
    assert client.get(f"/api/v1/applications/{app_id}").json()["asset_ids"] == sorted(servers)


def test_relinking_assets_is_logged_with_before_and_after(
    client: TestClient, app_id: int, servers: list[int], history_of: History
) -> None:
    response = client.patch(f"/api/v1/applications/{app_id}", json={"asset_ids": [servers[1]]})
    assert response.json()["asset_ids"] == [servers[1]]
    last = history_of("application", app_id)[-1]
    assert (last["before"], last["after"]) == (
        {"asset_ids": sorted(servers)},
        {"asset_ids": [servers[1]]},
    )


def test_patch_sets_declared_and_the_column(
    client: TestClient, engine: Engine, app_id: int
) -> None:
    response = client.patch(f"/api/v1/applications/{app_id}", json={"hosting": "pusat_data_pemda"})
    assert response.json()["hosting"] == "pusat_data_pemda"
    with engine.connect() as conn:
        declared = conn.execute(
            select(APPLICATION.c.declared).where(APPLICATION.c.id == app_id)
        ).scalar_one()
    assert declared["hosting"] == "pusat_data_pemda"


def test_name_and_opd_cannot_be_changed_by_patch(client: TestClient, app_id: int) -> None:
    """Its natural key is not a field of the update: naming it is refused, not ignored."""
    response = client.patch(
        f"/api/v1/applications/{app_id}", json={"name": "Lain", "opd_code": "X"}
    )
    assert response.status_code == 422
    refused = {tuple(e["loc"]) for e in response.json()["detail"]}
    assert refused == {("body", "name"), ("body", "opd_code")}
    current = client.get(f"/api/v1/applications/{app_id}").json()
    assert (current["name"], current["opd_code"]) == ("SIP Kerja", "BKPSDM")


def test_a_probe_of_its_url_shows_on_the_application(
    client: TestClient,
    app_id: int,
    ingest_events: Callable[[Iterable[Event]], Any],
    history_of: History,
) -> None:
    probe = ApplicationObserved(
        url="https://sipkerja.serangkab.go.id", reachable=False, error="timeout"
    )
    event = new_event(EventType.APPLICATION_OBSERVED, probe, source="test", event_id="probe-1")
    ingest_events([event])
    app = client.get(f"/api/v1/applications/{app_id}").json()
    assert (app["probe"]["reachable"], app["probe"]["error"]) == (False, "timeout")
    assert app["last_probed_at"] is not None
    last = history_of("application", app_id)[-1]
    assert (last["cause_kind"], last["cause_id"]) == ("event", "probe-1")
    listed = client.get("/api/v1/applications", params={"sort": "-last_probed_at"}).json()
    assert listed["data"][0]["id"] == app_id
