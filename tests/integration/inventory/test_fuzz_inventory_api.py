"""Schema-driven fuzzing of every inventory API operation (schemathesis, in-process over ASGI).

The app runs on a migrated SQLite catalogue that already holds one record of every kind, so
generated ids of 1 or 2 reach the routes' logic instead of stopping at 404. Every operation goes
through schemathesis' examples, coverage (boundary and negative values) and fuzzing phases,
positive and negative, derandomized so a run is repeatable. A case fails on a 5xx or on a
response that the OpenAPI document does not describe (status, content type, body, headers), and
on invalid input that is accepted (2xx).

Checks left out: `positive_data_acceptance` (valid-by-schema input is refused by design when it
names an OPD, facility or application that does not exist, or a duplicate: 404/409/422),
`use_after_free` and `ensure_resource_availability` (stateful: there is no DELETE but one, and
ids are not links), `ignored_auth` and `missing_required_header` (no authentication yet),
`unsupported_method` (FastAPI answers 405 without an `Allow` header, which is not this API's
contract to document), `max_response_time` (no latency budget here).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from harness import bearer, grant
from hypothesis import HealthCheck
from schemathesis.checks import (  # type: ignore[attr-defined]
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.pytest.lazy import get_all_tests
from sqlalchemy import Engine
from synthetic import scan_stream

from spbe_common.bus import Record
from spbe_common.events import to_binary
from spbe_inventory import migrate
from spbe_inventory.api.app import create_app
from spbe_inventory.db import make_engine
from spbe_inventory.ingest.service import ingest
from spbe_inventory.settings import InventorySettings

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]
FUZZED: set[str] = set()
SETTINGS = hypothesis.settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def _post(client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _seed(client: TestClient) -> None:
    """One realistic record of each kind, with ids 1 (and 2 where it matters)."""
    for code, name in (("DISKOMINFO", "Dinas Komunikasi dan Informatika"), ("SETDA", "Setda")):
        _post(client, "/api/v1/opd", {"code": code, "name": name, "aliases": [code.lower()]})
    _post(client, "/api/v1/facilities", {"name": "Pusat Data Pemda", "owner_opd_code": "SETDA"})
    _post(client, "/api/v1/network-links", {"opd_code": "SETDA", "site": "Kantor Bupati"})
    for mac, address in (("00:11:22:33:44:55", "10.0.0.5"), ("00:11:22:33:44:56", "10.0.0.6")):
        _post(
            client,
            "/api/v1/assets",
            {"mac": mac, "addresses": [address], "opd_code": "SETDA", "facility_id": 1},
        )
    for name in ("SIMPEG", "e-Office"):
        app = {"name": name, "opd_code": "SETDA", "urls": ["https://simpeg.example.go.id/"]}
        _post(client, "/api/v1/applications", {**app, "asset_ids": [1], "service_areas": ["x"]})
    _post(
        client,
        "/api/v1/evaluation/audits",
        {"opd_code": "SETDA", "kind": "application", "audited_on": "2024-05-01"},
    )
    _post(
        client,
        "/api/v1/evaluation/reviews",
        {"opd_code": "SETDA", "subject": "data_centre", "reviewed_on": "2024-06-01"},
    )
    bus = {"name": "SPL Serang", "opd_code": "DISKOMINFO", "apis": ["kepegawaian"]}
    _post(client, "/api/v1/evaluation/service-buses", {**bus, "application_ids": [1, 2]})
    _post(client, "/api/v1/evaluation/facility-uses", {"facility_id": 1, "opd_code": "SETDA"})
    response = client.put("/api/v1/evaluation/application-practices/1", json={"documents": []})
    assert response.status_code == 200, response.text


def _ingest_scans(engine: Engine) -> None:
    events = scan_stream(scopes=1, hosts=3, scans=1)
    records = []
    for offset, event in enumerate(events):
        headers, value = to_binary(event)
        records.append(Record("spbe.fuzz", 0, offset, event.key(), value, headers))
    with engine.begin() as conn:
        ingest(conn, records)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    data_dir: Path = tmp_path_factory.mktemp("fuzz")
    engine = make_engine(f"sqlite:///{data_dir}/inv.db")
    migrate.upgrade(engine)
    app = create_app(InventorySettings(data_dir=data_dir), engine)
    app.state.fuzz_headers = bearer(grant(engine))  # an admin: every operation is allowed
    with TestClient(app, headers=app.state.fuzz_headers) as client:
        _seed(client)
    _ingest_scans(engine)
    yield app
    engine.dispose()


@pytest.fixture(scope="module")
def api_schema(app: FastAPI) -> Any:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    schema.config.update(headers=app.state.fuzz_headers)
    return schema


def _documented() -> list[str]:
    """The operations of the OpenAPI document, read from an app that never touches its engine."""
    app = create_app(InventorySettings(data_dir=Path("/nonexistent")), make_engine("sqlite://"))
    paths = app.openapi()["paths"]
    return sorted(f"{method.upper()} {path}" for path, item in paths.items() for method in item)


DOCUMENTED = _documented()


def _call(case: Any) -> None:
    FUZZED.add(case.operation.label)
    case.call_and_validate(checks=CHECKS)


@pytest.mark.parametrize("label", DOCUMENTED)
def test_operation_conforms(api_schema: Any, label: str) -> None:
    """Examples, coverage and fuzzing phases, positive and negative, for one operation."""
    tests = [
        result.ok()
        for result in get_all_tests(
            schema=api_schema, test_func=_call, settings=SETTINGS, given_kwargs=None
        )
        if result.ok()[0].label == label
    ]
    assert len(tests) == 1, f"schemathesis does not see {label}"
    tests[0][1]()


def test_every_documented_operation_is_fuzzed(app: FastAPI, api_schema: Any) -> None:
    """A new route cannot slip past the fuzzer: it fuzzes exactly what the document lists."""
    documented = {
        f"{method.upper()} {path}"
        for path, item in app.openapi()["paths"].items()
        for method in item
    }
    operations = {result.ok().label for result in api_schema.get_all_operations()}
    assert operations == documented == set(DOCUMENTED)
    assert len(documented) >= 48
    if len(FUZZED) > 1:  # the whole module ran before: every operation was reached
        assert documented == FUZZED
