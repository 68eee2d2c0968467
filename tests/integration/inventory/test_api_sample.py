"""The sample catalogue of Kabupaten Serang, loaded and read back through the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from spbe_inventory.applications.repository import APPLICATION
from spbe_inventory.runtime import Inventory
from spbe_inventory.sample.service import SampleSummary, load_sample, read_sample
from spbe_inventory.settings import InventorySettings

LOCAL_APPLICATION = "Aplikasi Contoh Lokal (fiktif)"


@pytest.fixture
def summary(engine: Engine) -> SampleSummary:
    with engine.begin() as conn:
        return load_sample(conn)


def listed(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_every_opd_and_kecamatan_of_the_regency_is_listed(
    client: TestClient, summary: SampleSummary
) -> None:
    data = read_sample()
    page = listed(client, "/api/v1/opd")
    assert page["count"] == summary.opd == len(data["opd"]) + len(data["kecamatan"])
    codes = {row["code"] for row in page["data"]}
    assert {o["code"] for o in data["opd"]} <= codes
    assert "KEC-CIRUAS" in codes and "KEC-PULOAMPEL" in codes
    assert all(row["is_sample"] for row in page["data"])


def test_opd_of_the_sample_can_be_filtered_and_searched(
    client: TestClient, summary: SampleSummary
) -> None:
    kecamatan = listed(client, "/api/v1/opd", kind="kecamatan")
    assert kecamatan["count"] == len(read_sample()["kecamatan"])
    hospital = listed(client, "/api/v1/opd", kind="hospital")["data"]
    assert [row["code"] for row in hospital] == ["RSDP"]
    kominfo = listed(client, "/api/v1/opd", q="kominfo")["data"]
    assert [row["code"] for row in kominfo] == ["DISKOMINFOSATIK"]
    one = client.get("/api/v1/opd/DISKOMINFOSATIK").json()
    assert one["name"] == "Dinas Komunikasi, Informatika, Persandian dan Statistik"
    assert one["aliases"] == ["Diskominfo"]


def test_applications_of_the_sample_are_listed_with_their_opd(
    client: TestClient, summary: SampleSummary
) -> None:
    page = listed(client, "/api/v1/applications", sort="name")
    assert page["count"] == summary.applications == len(read_sample()["applications"])
    names = [row["name"] for row in page["data"]]
    assert names == sorted(names)
    assert {"SIPD", "Srikandi", "SP4N-LAPOR!", "Portal serangkab.go.id"} <= set(names)
    kominfo = listed(client, "/api/v1/applications", opd_code="DISKOMINFOSATIK")["data"]
    assert kominfo and all(row["opd_code"] == "DISKOMINFOSATIK" for row in kominfo)
    saas = listed(client, "/api/v1/applications", hosting="national_saas")["data"]
    assert {"SIPD", "SIASN", "Srikandi"} <= {row["name"] for row in saas}


def test_sample_applications_link_to_their_servers(
    client: TestClient, summary: SampleSummary
) -> None:
    portal = listed(client, "/api/v1/applications", q="Portal serangkab")["data"][0]
    detail = client.get(f"/api/v1/applications/{portal['id']}").json()
    (asset_id,) = detail["asset_ids"]
    server = client.get(f"/api/v1/assets/{asset_id}").json()
    assert (server["hostname"], server["opd_code"]) == ("srv-web-01", "DISKOMINFOSATIK")
    assert server["is_sample"] is True


def test_sample_infrastructure_is_listed(client: TestClient, summary: SampleSummary) -> None:
    assert listed(client, "/api/v1/facilities")["count"] == summary.facilities
    links = listed(client, "/api/v1/network-links", opd_code="DISKOMINFOSATIK")["data"]
    assert [row["opd_code"] for row in links] == ["DISKOMINFOSATIK"]
    assert listed(client, "/api/v1/assets")["count"] == summary.assets


def test_sample_records_carry_the_sample_cause_in_their_history(
    client: TestClient, summary: SampleSummary
) -> None:
    history = client.get("/api/v1/opd/SETDA/history").json()
    assert history["count"] == 1
    (row,) = history["data"]
    assert (row["action"], row["cause_kind"], row["cause_id"]) == (
        "created",
        "sample",
        "sample:kabupaten-serang",
    )


def test_loading_the_sample_twice_changes_nothing(
    client: TestClient, engine: Engine, summary: SampleSummary
) -> None:
    with engine.begin() as conn:
        assert load_sample(conn).loaded is False
    assert listed(client, "/api/v1/opd")["count"] == summary.opd


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8123/healthz"),
        ("0.0.0.0", "http://127.0.0.1:8123/healthz"),  # listening on all: reached on loopback
        ("::1", "http://[::1]:8123/healthz"),
    ],
)
def test_the_local_sample_application_is_probed_where_the_api_listens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, host: str, url: str
) -> None:
    """`spbe up` with SPBE_API_PORT=8123: the sample application that is the API itself answers."""
    monkeypatch.chdir(tmp_path)  # no .env of the developer
    monkeypatch.setenv("SPBE_API_HOST", host)
    monkeypatch.setenv("SPBE_API_PORT", "8123")
    inventory = Inventory.build(InventorySettings(data_dir=tmp_path, database_url=None))
    try:
        inventory.migrate()
        assert inventory.load_sample_if_empty() is not None
        with inventory.engine.connect() as conn:
            urls = dict(conn.execute(select(APPLICATION.c.name, APPLICATION.c.urls)).all())
    finally:
        inventory.engine.dispose()
    assert urls[LOCAL_APPLICATION] == [url]
    assert not any("{" in u for values in urls.values() for u in values or [])
