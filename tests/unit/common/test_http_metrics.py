"""The HTTP metrics middleware: route templates (never raw paths), unmatched requests, statuses."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.staticfiles import StaticFiles
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry, generate_latest

from spbe_common import api, metrics


def _app(registry: CollectorRegistry, static: Path) -> FastAPI:
    app = FastAPI()
    api.install(app, 1024, {})
    metrics.install(app, registry, "inventory")
    router = APIRouter(prefix="/api/v1/assets")

    @router.get("/{asset_id}")
    def asset(asset_id: int) -> dict[str, int]:
        if asset_id == 404:
            raise HTTPException(404)
        return {"id": asset_id}

    @router.post("/{asset_id}/fail")
    def fail(asset_id: int) -> None:
        raise RuntimeError("a bug")

    app.include_router(router)
    app.mount("/static", StaticFiles(directory=static), name="static")
    return app


def _requests(registry: CollectorRegistry, route: str, method: str, status: str) -> float:
    labels = {"service": "inventory", "route": route, "method": method, "status": status}
    return registry.get_sample_value("spbe_http_requests_total", labels) or 0.0


def _client(tmp_path: Path) -> tuple[TestClient, CollectorRegistry]:
    (tmp_path / "app.css").write_text("body {}")
    registry = CollectorRegistry()
    return TestClient(_app(registry, tmp_path), raise_server_exceptions=False), registry


def test_the_route_label_is_the_template_of_the_matched_route(tmp_path: Path) -> None:
    client, registry = _client(tmp_path)
    for asset_id in (1, 2, 3, 404):
        client.get(f"/api/v1/assets/{asset_id}")
    assert _requests(registry, "/api/v1/assets/{asset_id}", "GET", "200") == 3
    assert _requests(registry, "/api/v1/assets/{asset_id}", "GET", "404") == 1
    exposition = generate_latest(registry).decode()
    assert "/api/v1/assets/1" not in exposition, "a raw path never becomes a label"
    labels = {"service": "inventory", "route": "/api/v1/assets/{asset_id}", "method": "GET"}
    assert registry.get_sample_value("spbe_http_request_duration_seconds_count", labels) == 4


def test_a_request_no_route_matches_is_unmatched(tmp_path: Path) -> None:
    client, registry = _client(tmp_path)
    client.get("/wp-login.php")
    client.get("/api/v1/assets/1/x/y")
    assert _requests(registry, "unmatched", "GET", "404") == 2
    assert "wp-login" not in generate_latest(registry).decode()


def test_statuses_of_errors_refusals_and_wrong_methods(tmp_path: Path) -> None:
    client, registry = _client(tmp_path)
    assert client.post("/api/v1/assets/1/fail").status_code == 500
    assert client.delete("/api/v1/assets/1").status_code == 405
    assert client.post("/api/v1/assets/1/fail", content=b"x" * 2048).status_code == 413
    assert _requests(registry, "/api/v1/assets/{asset_id}/fail", "POST", "500") == 1
    assert _requests(registry, "/api/v1/assets/{asset_id}", "DELETE", "405") == 1
    assert _requests(registry, "unmatched", "POST", "413") == 1  # refused before routing


def test_an_unknown_method_is_kept_out_of_the_labels(tmp_path: Path) -> None:
    client, registry = _client(tmp_path)
    client.request("BREW", "/api/v1/assets/1")
    assert "BREW" not in generate_latest(registry).decode()
    assert _requests(registry, "/api/v1/assets/{asset_id}", "OTHER", "405") == 1


def test_a_mount_is_labelled_by_its_prefix(tmp_path: Path) -> None:
    client, registry = _client(tmp_path)
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/static/none.css").status_code == 404
    assert _requests(registry, "/static/{path}", "GET", "200") == 1
    assert _requests(registry, "/static/{path}", "GET", "404") == 1


def test_two_apps_on_one_registry_share_the_families(tmp_path: Path) -> None:
    registry = CollectorRegistry()
    first, second = _app(registry, tmp_path), _app(registry, tmp_path)
    TestClient(first).get("/api/v1/assets/1")
    TestClient(second).get("/api/v1/assets/1")
    assert _requests(registry, "/api/v1/assets/{asset_id}", "GET", "200") == 2
