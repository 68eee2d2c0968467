"""Input limits of the inventory API, one test per limit, on a migrated SQLite catalogue.

Each limit was missing before (commit 0e1a48b): unknown fields were stored or silently dropped,
explicit null was stored where the catalogue needs a value, lists and integers were unbounded,
invalid text was stored or answered with a 500, and a 422 echoed its whole input.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from harness import bearer, grant
from sqlalchemy import Engine

from spbe_inventory.api.app import create_app
from spbe_inventory.settings import InventorySettings

INT64_MAX = 2**63 - 1
OPD = {"code": "SETDA", "name": "Sekretariat Daerah"}
JSON = {"Content-Type": "application/json"}


def assert_422(response: Any, *field: str | int) -> list[dict[str, Any]]:
    """422 in the documented shape, with an error whose location ends with `field`."""
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list), detail
    assert all(set(item) == {"loc", "msg", "type"} for item in detail), detail
    if field:
        assert any(tuple(item["loc"][-len(field) :]) == field for item in detail), detail
    return detail


@pytest.fixture
def opd(client: TestClient) -> str:
    response = client.post("/api/v1/opd", json=OPD)
    assert response.status_code == 201, response.text
    return OPD["code"]


@pytest.fixture
def bus_id(client: TestClient, opd: str) -> int:
    body = {"name": "SPL Serang", "opd_code": opd, "apis": ["kepegawaian"]}
    response = client.post("/api/v1/evaluation/service-buses", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


# --- unknown fields -------------------------------------------------------------------------


def test_an_unknown_field_on_create_is_refused(client: TestClient) -> None:
    response = client.post("/api/v1/opd", json={**OPD, "colour": "red"})
    assert_422(response, "body", "colour")
    assert client.get("/api/v1/opd").json()["count"] == 0


def test_an_unknown_field_on_patch_is_refused_not_ignored(client: TestClient, opd: str) -> None:
    response = client.patch(f"/api/v1/opd/{opd}", json={"name": "Setda Baru", "colour": "red"})
    assert_422(response, "body", "colour")
    assert client.get(f"/api/v1/opd/{opd}").json()["name"] == OPD["name"]


def test_an_unknown_field_in_a_nested_body_is_refused(client: TestClient) -> None:
    response = client.post(
        "/api/v1/facilities", json={"name": "Pusat Data", "hosted_by": "someone"}
    )
    assert_422(response, "body", "hosted_by")


# --- explicit null --------------------------------------------------------------------------


def test_null_where_a_patch_field_is_required_is_refused_naming_it(
    client: TestClient, bus_id: int
) -> None:
    response = client.patch(f"/api/v1/evaluation/service-buses/{bus_id}", json={"apis": None})
    detail = assert_422(response, "body", "apis")
    assert "null" in detail[0]["msg"]
    bus = client.get("/api/v1/evaluation/service-buses").json()["data"][0]
    assert bus["apis"] == ["kepegawaian"]  # not null, which broke every catalogue snapshot


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/opd/SETDA", "name"),
        ("/api/v1/opd/SETDA", "aliases"),
    ],
)
def test_null_on_other_required_patch_fields_is_refused(
    client: TestClient, opd: str, path: str, field: str
) -> None:
    assert_422(client.patch(path, json={field: None}), "body", field)


def test_null_where_null_is_allowed_still_clears(client: TestClient, opd: str) -> None:
    client.patch(f"/api/v1/opd/{opd}", json={"abbreviation": "Setda"})
    response = client.patch(f"/api/v1/opd/{opd}", json={"abbreviation": None})
    assert response.status_code == 200, response.text
    assert response.json()["abbreviation"] is None


# --- lengths of lists and strings, size of integers ----------------------------------------


def test_too_many_addresses_are_refused(client: TestClient) -> None:
    addresses = [f"10.0.{i // 256}.{i % 256}" for i in range(65)]
    response = client.post("/api/v1/assets", json={"addresses": addresses})
    assert_422(response, "body", "addresses")
    ok = client.post("/api/v1/assets", json={"addresses": addresses[:64]})
    assert ok.status_code == 201, ok.text


def test_too_many_ids_are_refused(client: TestClient, opd: str) -> None:
    body = {"name": "SIMPEG", "opd_code": opd, "asset_ids": list(range(1, 1002))}
    assert_422(client.post("/api/v1/applications", json=body), "body", "asset_ids")
    bus = {"name": "SPL", "opd_code": opd, "application_ids": list(range(1, 1002))}
    assert_422(client.post("/api/v1/evaluation/service-buses", json=bus), "body", "application_ids")


def test_too_long_a_list_item_is_refused(client: TestClient) -> None:
    response = client.post("/api/v1/opd", json={**OPD, "aliases": ["x" * 201]})
    assert_422(response, "body", "aliases", 0)


def test_an_integer_past_64_bits_in_a_body_is_refused(client: TestClient) -> None:
    body = {"name": "Pusat Data", "intranet_mbps": 2**63}
    assert_422(client.post("/api/v1/facilities", json=body))


def test_a_boolean_or_date_is_not_coerced(client: TestClient, opd: str) -> None:
    facility = {"name": "Pusat Data", "has_sop": 1}
    assert_422(client.post("/api/v1/facilities", json=facility), "body", "has_sop")
    audit = {"opd_code": opd, "kind": "security", "audited_on": 0}
    assert_422(client.post("/api/v1/evaluation/audits", json=audit), "body", "audited_on")


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/assets/{2**63}",
        f"/api/v1/applications/{2**63}",
        f"/api/v1/facilities/{2**63}",
        f"/api/v1/evaluation/application-practices/{2**63}",
    ],
)
def test_an_id_past_64_bits_in_a_path_is_refused(client: TestClient, path: str) -> None:
    assert_422(client.get(path))


@pytest.mark.parametrize("path", ["/api/v1/assets", "/api/v1/opd", "/api/v1/facilities"])
def test_an_offset_past_64_bits_is_refused(client: TestClient, path: str) -> None:
    assert_422(client.get(path, params={"offset": 2**63}), "query", "offset")
    assert client.get(path, params={"offset": INT64_MAX}).status_code == 200


# --- text: valid Unicode only, no NUL --------------------------------------------------------


def test_a_lone_surrogate_is_refused(client: TestClient) -> None:
    body = b'{"code": "SETDA", "name": "Setda \\ud800"}'
    response = client.post("/api/v1/opd", content=body, headers=JSON)
    assert_422(response)
    assert client.get("/api/v1/opd").json()["count"] == 0


def test_a_nul_character_is_refused(client: TestClient) -> None:
    response = client.post("/api/v1/opd", json={**OPD, "name": "Setda\x00Baru"})
    assert_422(response)
    assert client.get("/api/v1/opd").json()["count"] == 0


# --- sizes -----------------------------------------------------------------------------------


def test_a_body_over_one_mib_is_refused_with_413(client: TestClient) -> None:
    body = {**OPD, "aliases": ["x" * 100] * 11_000}
    response = client.post("/api/v1/opd", json=body)
    assert response.status_code == 413, response.status_code
    assert client.get("/api/v1/opd").json()["count"] == 0


@pytest.fixture
def roomy_client(tmp_path: Path, engine: Engine) -> Iterator[TestClient]:
    """A body limit of 8 MiB, so that a 5 MB value reaches validation."""
    settings = InventorySettings(data_dir=tmp_path, max_body_bytes=8 * 1024 * 1024)
    app = create_app(settings, engine)
    headers = bearer(grant(engine))
    with TestClient(app, raise_server_exceptions=False, headers=headers) as client:
        yield client


def test_a_huge_invalid_value_gets_a_short_422(roomy_client: TestClient) -> None:
    body = {"code": "SETDA", "name": "x" * 5_000_000}
    response = roomy_client.post("/api/v1/opd", json=body)
    assert_422(response, "body", "name")
    assert len(response.content) < 4096, len(response.content)


# --- every limit is in the OpenAPI document --------------------------------------------------

BOUNDED_FORMATS = {"date", "date-time", "ipv4", "ipv6"}


def _unbounded(schema: dict[str, Any], defs: dict[str, Any], where: str) -> Iterator[str]:
    """Every place of a request schema that has no documented bound."""
    if "$ref" in schema:
        yield from _unbounded(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, where)
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(key, []):
            yield from _unbounded(part, defs, where)
    kind = schema.get("type")
    if kind == "object":
        if schema.get("additionalProperties") is not False:
            yield f"{where}: unknown fields allowed"
        for name, sub in schema.get("properties", {}).items():
            yield from _unbounded(sub, defs, f"{where}.{name}")
    elif kind == "array":
        if "maxItems" not in schema:
            yield f"{where}: no maxItems"
        yield from _unbounded(schema.get("items", {}), defs, f"{where}[]")
    elif kind == "string" and not (
        "maxLength" in schema or "enum" in schema or schema.get("format") in BOUNDED_FORMATS
    ):
        formats = {part.get("format") for part in schema.get("anyOf", [])}
        if not formats or not formats <= BOUNDED_FORMATS:
            yield f"{where}: no maxLength"
    elif kind == "integer" and not (
        schema.get("maximum", 2**64) <= INT64_MAX or schema.get("exclusiveMaximum", 2**64) <= 2**63
    ):
        yield f"{where}: no maximum within 64 bits"


def test_every_body_field_and_integer_parameter_is_bounded_in_the_document(
    client: TestClient,
) -> None:
    document = client.get("/openapi.json").json()
    defs = document["components"]["schemas"]
    problems: list[str] = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                problems += _unbounded(body["schema"], defs, where)
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                for part in [schema, *schema.get("anyOf", [])]:
                    if part.get("type") == "integer":
                        problems += _unbounded(part, defs, f"{where} {parameter['name']}")
    assert problems == [], "\n".join(problems)
