"""Assets through the API: declared state beside observed state, identity merges, services."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from synthetic import scan_stream

from spbe_common.events import Event

Ingest = Callable[[Iterable[Event]], Any]
History = Callable[[str, int], list[dict[str, Any]]]


@pytest.fixture
def rounds() -> dict[str, list[Event]]:
    """Two complete scans of one scope (3 hosts, 2 services each), split by scan id."""
    out: dict[str, list[Event]] = {}
    for event in scan_stream(scopes=1, hosts=3, scans=2):
        out.setdefault(event.scanid or "", []).append(event)
    return out


@pytest.fixture
def observed(
    client: TestClient, ingest_events: Ingest, rounds: dict[str, list[Event]]
) -> dict[str, Any]:
    """The asset the first scan saw at 127.1.0.2 (MAC and hostname known)."""
    ingest_events(rounds["scan-0-1"])
    page = client.get("/api/v1/assets", params={"address": "127.1.0.2"}).json()
    (row,) = page["data"]
    return client.get(f"/api/v1/assets/{row['id']}").json()


def test_a_scanned_asset_shows_what_the_scan_saw(observed: dict[str, Any]) -> None:
    assert observed["hostname"] == "host1.opd01.test"
    assert observed["declared"] == {}
    assert observed["observed"]["hostname"] == "host1.opd01.test"
    assert observed["scope"] == "opd01-lan" and observed["lifecycle"] == "active"
    assert [(s["port"], s["protocol"]) for s in observed["services"]] == [(22, "tcp"), (443, "tcp")]
    assert observed["first_seen"] == observed["last_seen"]


def test_patch_sets_declared_and_the_merged_column(
    client: TestClient, observed: dict[str, Any], history_of: History
) -> None:
    url = f"/api/v1/assets/{observed['id']}"
    response = client.patch(url, json={"hostname": "srv-keu-01"}, headers={"X-Request-ID": "r-1"})
    assert response.status_code == 200, response.text
    asset = response.json()
    assert asset["hostname"] == "srv-keu-01"
    assert asset["declared"] == {"hostname": "srv-keu-01"}
    assert asset["observed"]["hostname"] == "host1.opd01.test", "what the scan saw is kept"
    last = history_of("asset", observed["id"])[-1]
    assert (last["before"], last["after"]) == (
        {"hostname": "host1.opd01.test"},
        {"hostname": "srv-keu-01"},
    )
    assert (last["cause_kind"], last["cause_id"]) == ("request", "request:r-1")


def test_a_later_scan_never_overwrites_a_declared_field(
    client: TestClient,
    observed: dict[str, Any],
    ingest_events: Ingest,
    rounds: dict[str, list[Event]],
) -> None:
    url = f"/api/v1/assets/{observed['id']}"
    client.patch(url, json={"hostname": "srv-keu-01", "owner": "Bidang Anggaran"})
    ingest_events(rounds["scan-1-1"])
    asset = client.get(url).json()
    assert (asset["hostname"], asset["owner"]) == ("srv-keu-01", "Bidang Anggaran")
    assert asset["observed"]["hostname"] == "host1.opd01.test"
    assert asset["last_seen"] > observed["last_seen"], "the sighting itself still counts"


def test_declaring_an_asset_a_scan_already_saw_merges_into_it(
    client: TestClient, observed: dict[str, Any], history_of: History
) -> None:
    body = {"mac": observed["mac"].lower(), "name": "Server Keuangan", "kind": "server"}
    response = client.post("/api/v1/assets", json=body)
    assert response.status_code in (200, 201), response.text  # a merge, not a new record
    merged = response.json()
    assert merged["id"] == observed["id"]
    assert (merged["name"], merged["kind"], merged["hostname"]) == (
        "Server Keuangan",
        "server",
        "host1.opd01.test",
    )
    assert client.get("/api/v1/assets").json()["count"] == 3
    assert history_of("asset", observed["id"])[-1]["after"] == {
        "name": "Server Keuangan",
        "kind": "server",
    }


def test_declaring_the_same_serial_twice_keeps_one_record(
    client: TestClient, history_of: History
) -> None:
    first = client.post("/api/v1/assets", json={"serial": "SN-77", "name": "NAS lama"}).json()
    second = client.post("/api/v1/assets", json={"serial": "SN-77", "name": "NAS arsip"}).json()
    assert second["id"] == first["id"]
    assert client.get("/api/v1/assets").json()["count"] == 1
    actions = [(r["action"], r["before"], r["after"]) for r in history_of("asset", first["id"])]
    assert actions[-1] == ("updated", {"name": "NAS lama"}, {"name": "NAS arsip"})


def test_declared_mac_is_stored_upper_case_with_colons(client: TestClient) -> None:
    asset = client.post("/api/v1/assets", json={"mac": "02-00-5e-aa-bb-cc"}).json()
    assert asset["mac"] == "02:00:5E:AA:BB:CC"
    found = client.get("/api/v1/assets", params={"q": "5e:aa:bb"}).json()
    assert [row["id"] for row in found["data"]] == [asset["id"]]


def test_services_of_a_scanned_asset_are_listed_by_asset(
    client: TestClient, observed: dict[str, Any]
) -> None:
    page = client.get(
        "/api/v1/services", params={"asset_id": observed["id"], "sort": "port"}
    ).json()
    assert [(s["port"], s["name"]) for s in page["data"]] == [(22, "ssh"), (443, "https")]
    assert page["data"] == observed["services"]


def test_unknown_asset_id_is_404_for_detail_patch_and_history(client: TestClient) -> None:
    for response in (
        client.get("/api/v1/assets/4242"),
        client.patch("/api/v1/assets/4242", json={"owner": "x"}),
        client.get("/api/v1/assets/4242/history"),
    ):
        assert response.status_code == 404
        assert response.json()["detail"] == "asset 4242 not found"


def test_asset_id_that_is_not_a_number_is_422(client: TestClient) -> None:
    response = client.get("/api/v1/assets/srv-01")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "asset_id"]
