"""Health, readiness, metrics and the published OpenAPI document of the inventory API."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry

from spbe_inventory import migrate
from spbe_inventory.api.app import create_app
from spbe_inventory.db import make_engine
from spbe_inventory.settings import InventorySettings

ROUTES = {
    "/api/v1/opd": {"get", "post"},
    "/api/v1/opd/{code}": {"get", "patch"},
    "/api/v1/opd/{code}/history": {"get"},
    "/api/v1/assets": {"get", "post"},
    "/api/v1/assets/{asset_id}": {"get", "patch"},
    "/api/v1/assets/{asset_id}/history": {"get"},
    "/api/v1/services": {"get"},
    "/api/v1/applications": {"get", "post"},
    "/api/v1/applications/{app_id}": {"get", "patch"},
    "/api/v1/applications/{app_id}/history": {"get"},
    "/api/v1/facilities": {"get", "post"},
    "/api/v1/facilities/{facility_id}": {"get", "patch"},
    "/api/v1/facilities/{facility_id}/history": {"get"},
    "/api/v1/network-links": {"get", "post"},
    "/api/v1/network-links/{link_id}": {"get", "patch"},
    "/api/v1/network-links/{link_id}/history": {"get"},
    "/api/v1/scans": {"get"},
    "/api/v1/rejected-events": {"get"},
    "/healthz": {"get"},
    "/readyz": {"get"},
}


def unmigrated_client(tmp_path: Path, upgrade_to: str | None = None) -> TestClient:
    engine = make_engine(f"sqlite:///{tmp_path}/bare.db")
    if upgrade_to is not None:
        migrate.upgrade(engine, upgrade_to)
    app = create_app(InventorySettings(data_dir=tmp_path), engine)
    return TestClient(app, raise_server_exceptions=False)


def test_healthz_answers_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_is_ready_at_the_newest_migration(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "schema": migrate.head_revision()}


def test_readyz_is_503_with_a_reason_when_the_database_is_not_migrated(tmp_path: Path) -> None:
    response = unmigrated_client(tmp_path).get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["reason"] == "schema not migrated"


def test_readyz_is_503_when_the_database_cannot_be_opened(tmp_path: Path) -> None:
    (tmp_path / "inv.db").mkdir()  # a directory where the database file should be
    engine = make_engine(f"sqlite:///{tmp_path}/inv.db")
    app = create_app(InventorySettings(data_dir=tmp_path), engine)
    response = TestClient(app, raise_server_exceptions=False).get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["reason"] == "database unavailable"
    assert str(tmp_path) not in response.text, "no error text (paths, driver messages) leaks out"


def test_healthz_answers_even_when_not_ready(tmp_path: Path) -> None:
    assert unmigrated_client(tmp_path).get("/healthz").status_code == 200


def test_metrics_answer_in_prometheus_text_format(client: TestClient) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "# TYPE spbe_inventory_events_applied_total counter" in response.text
    assert "spbe_inventory_batch_seconds_bucket" in response.text
    assert "# TYPE spbe_http_requests_total counter" in response.text


def test_metrics_come_from_the_registry_given_at_start_up(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/inv.db")
    registry = CollectorRegistry()
    app = create_app(InventorySettings(data_dir=tmp_path), engine, registry)
    with TestClient(app) as client:
        text = client.get("/metrics").text
    assert "spbe_inventory_events" not in text, "the consumer's counters are on another registry"
    assert "spbe_http_requests_total" in text


def test_openapi_lists_every_route_with_its_methods(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    paths = {path: set(ops) for path, ops in document["paths"].items()}
    missing = {p: m - paths.get(p, set()) for p, m in ROUTES.items() if m - paths.get(p, set())}
    assert not missing, f"routes missing from /openapi.json: {missing}"
    assert "/metrics" not in paths
    assert document["info"]["title"] == "SPBE Inventory"


def test_openapi_documents_list_responses_and_paging(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    listing = document["paths"]["/api/v1/assets"]["get"]
    params = {p["name"]: p for p in listing["parameters"]}
    assert {"limit", "offset", "sort", "opd_code", "kind", "lifecycle", "q"} <= set(params)
    assert params["limit"]["schema"]["maximum"] == 500
    schema = listing["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/AssetsPublic")
