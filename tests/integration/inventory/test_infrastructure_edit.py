"""Facilities and intra-network links are edited as assets are: PATCH of the fields given, If-Match
against the ETag of GET (412 when stale), one history row per change, only within the caller's
OPD scope (another OPD's record answers 404, as a missing one)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from harness import bearer, grant
from sqlalchemy import Engine

from spbe_common.auth import Role

History = Callable[[str, int], list[dict[str, Any]]]


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def seeded(client: TestClient) -> dict[str, int]:
    for code in ("SETDA", "DINKES"):
        ok(client.post("/api/v1/opd", json={"code": code, "name": f"Dinas {code}"}), 201)
    ids = {}
    for code in ("SETDA", "DINKES"):
        body = {"name": f"Ruang Server {code}", "owner_opd_code": code, "tier": "Tier 1"}
        ids[f"facility_{code}"] = ok(client.post("/api/v1/facilities", json=body), 201)["id"]
        body = {"opd_code": code, "site": f"Kantor {code}", "bandwidth_mbps": 10}
        ids[f"link_{code}"] = ok(client.post("/api/v1/network-links", json=body), 201)["id"]
    shared = {"name": "Pusat Data Pemda", "owner_opd_code": None}
    ids["shared"] = ok(client.post("/api/v1/facilities", json=shared), 201)["id"]
    return ids


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [("facilities", "tier", "Tier 3"), ("network-links", "bandwidth_mbps", 100)],
)
def test_a_patch_with_if_match_changes_the_record_and_a_stale_one_is_412(
    client: TestClient, seeded: dict[str, int], kind: str, field: str, value: Any
) -> None:
    record_id = seeded[("facility" if kind == "facilities" else "link") + "_SETDA"]
    url = f"/api/v1/{kind}/{record_id}"
    read = client.get(url)
    etag = read.headers["etag"]
    first = client.patch(url, json={field: value}, headers={"If-Match": etag})
    assert ok(first)[field] == value
    assert (
        first.headers["etag"] != etag and first.headers["etag"] == client.get(url).headers["etag"]
    )
    assert set(first.json()) == set(read.json()), "the same keys as GET"
    stale = client.patch(url, json={field: read.json()[field]}, headers={"If-Match": etag})
    assert stale.status_code == 412, stale.text
    assert client.get(url).json()[field] == value, "nothing written"
    assert ok(client.patch(url, json={field: None}, headers={"If-Match": "*"}))[field] is None
    # as assets: without If-Match the change is made (the header is the client's choice)
    assert ok(client.patch(url, json={field: value}))[field] == value


def test_each_change_is_a_history_row_with_before_after_and_the_account(
    client: TestClient, engine: Engine, seeded: dict[str, int], history_of: History
) -> None:
    token = grant(engine, Role.OPD_OPERATOR, ["SETDA"], name="budi-setda")
    facility = f"/api/v1/facilities/{seeded['facility_SETDA']}"
    changed = client.patch(facility, json={"name": "Ruang Server Setda", "tier": "Tier 2",
                                           "has_sop": False}, headers=bearer(token))  # fmt: skip
    assert ok(changed)["name"] == "Ruang Server Setda"
    rows = history_of("facility", seeded["facility_SETDA"])
    assert [r["action"] for r in rows] == ["created", "updated"]
    assert rows[1]["before"] == {"name": "Ruang Server SETDA", "tier": "Tier 1"}
    assert rows[1]["after"] == {"name": "Ruang Server Setda", "tier": "Tier 2"}  # has_sop: same
    assert (rows[1]["actor"], rows[1]["cause_kind"]) == ("budi-setda", "request")
    listed = ok(client.get(f"{facility}/history"))["data"]
    assert [r["action"] for r in listed] == ["updated", "created"]
    link = f"/api/v1/network-links/{seeded['link_SETDA']}"
    ok(client.patch(link, json={"media": "radio", "site": "Kantor Setda Lama"}))
    rows = history_of("network_link", seeded["link_SETDA"])
    assert rows[-1]["before"] == {"media": "fibre", "site": "Kantor SETDA"}
    assert rows[-1]["after"] == {"media": "radio", "site": "Kantor Setda Lama"}
    assert len(ok(client.get(f"{link}/history"))["data"]) == 2
    ok(client.patch(link, json={"media": "radio"}))  # nothing differs: no row
    assert len(history_of("network_link", seeded["link_SETDA"])) == 2


def test_an_operator_changes_only_its_opds_facilities_and_links(
    client: TestClient, engine: Engine, seeded: dict[str, int], history_of: History
) -> None:
    operator = bearer(grant(engine, Role.OPD_OPERATOR, ["SETDA"]))
    for path in (
        f"/api/v1/facilities/{seeded['facility_DINKES']}",
        f"/api/v1/facilities/{seeded['shared']}",  # the Pemda's own, no OPD: Aptika's
        f"/api/v1/network-links/{seeded['link_DINKES']}",
    ):
        refused = client.patch(path, json={"operator": "titipan"}, headers=operator)
        assert refused.status_code == 404, (path, refused.text)
    assert client.get(f"/api/v1/network-links/{seeded['link_DINKES']}", headers=operator).status_code == 404  # fmt: skip
    # facilities are read by all (shared), links only within the scope
    assert client.get(f"/api/v1/facilities/{seeded['facility_DINKES']}", headers=operator).status_code == 200  # fmt: skip
    # nor may its own record be handed to another OPD
    own = f"/api/v1/facilities/{seeded['facility_SETDA']}"
    assert client.patch(own, json={"owner_opd_code": "DINKES"}, headers=operator).status_code == 403
    own_link = f"/api/v1/network-links/{seeded['link_SETDA']}"
    assert client.patch(own_link, json={"opd_code": "DINKES"}, headers=operator).status_code == 403
    assert ok(client.patch(own, json={"operator": "Subbag Umum"}, headers=operator))["operator"]
    viewer = bearer(grant(engine, Role.VIEWER))
    assert client.patch(own, json={"operator": "x"}, headers=viewer).status_code == 403
    assert [r["action"] for r in history_of("facility", seeded["facility_DINKES"])] == ["created"]
    assert [r["action"] for r in history_of("network_link", seeded["link_DINKES"])] == ["created"]


def test_a_duplicate_name_or_site_is_409_and_a_null_where_none_is_allowed_422(
    client: TestClient, seeded: dict[str, int]
) -> None:
    facility = f"/api/v1/facilities/{seeded['facility_SETDA']}"
    taken = client.patch(facility, json={"name": "Pusat Data Pemda"})
    assert taken.status_code == 409 and "already exists" in taken.text
    link = f"/api/v1/network-links/{seeded['link_SETDA']}"
    moved = client.patch(link, json={"opd_code": "DINKES", "site": "Kantor DINKES"})
    assert moved.status_code == 409 and "already has a link" in moved.text
    for path, field in ((facility, "name"), (facility, "has_sop"), (link, "site")):
        refused = client.patch(path, json={field: None})
        assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == field
    assert client.patch(link, json={"bandwidth_mbps": "100"}).status_code == 422  # strict
    assert client.patch(link, json={"unknown": 1}).status_code == 422  # closed
    assert client.patch("/api/v1/network-links/987654", json={"owner": "x"}).status_code == 404
