"""End to end: sample data + a scan + declarations -> a scoring run whose derived levels and
evidence are visible through the scorer API and in the exported workbook. The scorer reads the
inventory as its service account (role scorer); an evaluator calls the scorer API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from harness import InventoryHarness, bearer, grant
from openpyxl import load_workbook
from prometheus_client import CollectorRegistry

from spbe_common.auth import Role
from spbe_common.events import Event, EventType, Topic, from_binary, new_event
from spbe_common.events.enums import ScanStatus
from spbe_common.events.payloads import AssetObserved, ScanCompleted, ScanScope, ScanStarted
from spbe_inventory.sample.service import load_sample
from spbe_scorer.api.app import create_app
from spbe_scorer.runtime import Runtime, build_runtime
from spbe_scorer.settings import ScorerSettings

T0 = datetime.now(UTC) - timedelta(hours=1)
DINKES = ScanScope(key="dinkes-lan", opd="DINKES", ranges=["127.21.0.0/24"])


def dinkes_scan() -> list[Event]:
    common: dict[str, Any] = {"source": "e2e-collector", "scan_id": "e2e-1", "scope": DINKES.key}
    started = ScanStarted(scan_id="e2e-1", scope=DINKES, profile="common-ports", started_at=T0)
    host = AssetObserved(addresses=["127.21.0.5"], mac="02:00:00:00:21:05", hostname="simpus")
    done = ScanCompleted(
        scan_id="e2e-1", scope=DINKES, profile="common-ports", status=ScanStatus.COMPLETE,
        started_at=T0, finished_at=T0 + timedelta(minutes=1), hosts_up=1,
    )  # fmt: skip
    return [
        new_event(EventType.SCAN_STARTED, started, time=T0, **common),
        new_event(EventType.ASSET_OBSERVED, host, time=T0 + timedelta(seconds=1), **common),
        new_event(EventType.SCAN_COMPLETED, done, time=T0 + timedelta(minutes=1), **common),
    ]


@pytest.fixture
def scorer(inventory: InventoryHarness, tmp_path: Path) -> Iterator[tuple[TestClient, Runtime]]:
    settings = ScorerSettings(
        _env_file=None,
        data_dir=tmp_path / "scorer",
        event_log_path=inventory.settings.log_path,  # the same embedded log as the inventory
        inventory_url="http://testserver",
    )
    service = bearer(grant(inventory.engine, Role.SCORER, name="scorer"))
    as_scorer = TestClient(inventory.client.app, headers=service)
    runtime = build_runtime(settings, inventory=as_scorer, registry=CollectorRegistry())
    evaluator = bearer(grant(inventory.engine, Role.EVALUATOR))
    yield (
        TestClient(create_app(settings, runtime.scorer, runtime.registry), headers=evaluator),
        runtime,
    )
    as_scorer.close()
    if runtime.scorer.producer is not None:
        runtime.scorer.producer.close()
    runtime.scorer.engine.dispose()


def ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def declare(inventory: InventoryHarness) -> dict[str, int]:
    """What Telematika officers declare: the scanned server's home, a new application, the SPL."""
    client = inventory.client
    asset = inventory.get("/api/v1/assets", opd_code="DINKES")["data"][0]
    data_centre = inventory.get("/api/v1/facilities", kind="pusat_data_pemda")["data"][0]
    ok(client.patch(f"/api/v1/assets/{asset['id']}", json={"facility_id": data_centre["id"]}))
    app = ok(client.post("/api/v1/applications", json={
        "name": "SIMDA BMD", "opd_code": "BPKAD", "service_areas": ["barang_milik_daerah"],
        "function_level": 3,
    }))  # fmt: skip
    ok(client.post("/api/v1/evaluation/service-buses", json={
        "name": "SPL Serang", "opd_code": "DISKOMINFOSATIK", "apis": ["aset"],
        "application_ids": [app["id"]],
    }))  # fmt: skip
    return {"asset": asset["id"], "application": app["id"], "facility": data_centre["id"]}


def test_scan_and_declarations_lead_to_a_run_with_evidence_in_api_and_workbook(
    inventory: InventoryHarness, scorer: tuple[TestClient, Runtime]
) -> None:
    api, _ = scorer
    with inventory.engine.begin() as conn:
        load_sample(conn)
    inventory.publish(dinkes_scan())
    inventory.drain()
    ids = declare(inventory)

    run = ok(api.post("/api/v1/runs", json={"framework": "spbe-2020"}))
    detail = ok(api.get(f"/api/v1/runs/{run['id']}"))
    rows = {r["indicator"]: r for r in detail["indicators"]}
    # 38 Barang Milik Daerah: the declared application at technical-function level 3
    assert (rows["38"]["level"], rows["38"]["source"]) == (3, "derived")
    declared = {
        "kind": "application",
        "id": str(ids["application"]),
        "detail": "SIMDA BMD (BPKAD) — tingkat 3",
    }
    assert declared in rows["38"]["evidence"]
    # 16 Pusat Data: DINKES uses the data centre through the scanned, declared server
    assert rows["16"]["level"] == 2
    assert {"kind": "opd", "id": "DINKES", "detail": "pemanfaatan Pusat Data"} in rows["16"][
        "evidence"
    ]
    # 18 SPL: a registered service bus used by BPKAD's application -> some OPD -> 2
    assert rows["18"]["level"] == 2
    assert "BPKAD" not in rows["18"]["missing_opds"] and "DINKES" in rows["18"]["missing_opds"]

    workbook = api.get(f"/api/v1/runs/{run['id']}/export.xlsx")
    assert workbook.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(workbook.content))
    # "No." is a number where the indicator's is whole (38), as a spreadsheet sums and sorts it
    services = {row[0].value: row for row in book["D4 Layanan SPBE"].iter_rows(min_row=2)}
    assert [c.value for c in services[38][:4]] == [
        38, rows["38"]["name"], 3, "Diturunkan dari katalog",
    ]  # fmt: skip
    assert f"Aplikasi {ids['application']}: SIMDA BMD (BPKAD) — tingkat 3" in services[38][4].value
    governance = {row[0].value: row for row in book["D2 Tata Kelola SPBE"].iter_rows(min_row=2)}
    assert "OPD DINKES: pemanfaatan Pusat Data" in governance[16][4].value
    assert governance[16][5].value == "Dimanfaatkan oleh sebagian OPD."

    consumer = inventory.bus.consumer("e2e-scores", [Topic.SCORES.value])
    events = [from_binary(r.headers, r.value) for r in consumer.poll(10, 0.1)]
    consumer.close()
    assert [e.id for e in events] == [run["id"]]
