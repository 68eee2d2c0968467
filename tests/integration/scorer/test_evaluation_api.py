"""The inventory's evaluation routes (facts for the scorer) and the catalogue snapshot contract."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from spbe_common.catalogue import CatalogueSnapshot

DISKOMINFO = "DISKOMINFOSATIK"
AUDIT = {"opd_code": DISKOMINFO, "kind": "application", "audited_on": "2026-03-01",
         "in_plan": True, "scope": "SIP Kerja"}  # fmt: skip


def ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def snapshot(client: TestClient) -> CatalogueSnapshot:
    """The snapshot as the scorer reads it: validated against the shared contract."""
    response = client.get("/api/v1/catalogue/snapshot")
    assert response.status_code == 200, response.text
    return CatalogueSnapshot.model_validate_json(response.content)


@pytest.mark.parametrize(
    ("path", "body", "status", "text"),
    [
        ("/api/v1/evaluation/audits", {**AUDIT, "opd_code": "NOPE"}, 422, "unknown OPD code"),
        ("/api/v1/evaluation/audits", {**AUDIT, "kind": "financial"}, 422, "kind"),
        ("/api/v1/evaluation/audits", {**AUDIT, "audited_on": "someday"}, 422, "audited_on"),
        ("/api/v1/evaluation/reviews", {"opd_code": DISKOMINFO, "subject": "moon",
                                        "reviewed_on": "2026-01-01"}, 422, "subject"),
        ("/api/v1/evaluation/service-buses", {"name": "SPL", "opd_code": DISKOMINFO,
                                              "application_ids": [9999]}, 422, "9999"),
        ("/api/v1/evaluation/facility-uses", {"facility_id": 999, "opd_code": DISKOMINFO},
         422, "unknown facility id 999"),
        ("/api/v1/evaluation/audits", {**AUDIT, "audited_opds": ["NOPE"]}, 422,
         "unknown OPD codes: ['NOPE']"),
        ("/api/v1/evaluation/audits", {**AUDIT, "coverage": "most"}, 422, "coverage"),
        ("/api/v1/evaluation/audits", {**AUDIT, "followed_up_on": 20260401}, 422,
         "followed_up_on"),
        ("/api/v1/evaluation/reviews", {"opd_code": DISKOMINFO, "subject": "application",
                                        "reviewed_on": "2026-01-01", "application_ids": [9999]},
         422, "9999"),
    ],
)  # fmt: skip
def test_invalid_facts_are_refused_with_a_clear_4xx(
    inventory_client: TestClient, path: str, body: dict[str, Any], status: int, text: str
) -> None:
    response = inventory_client.post(path, json=body)
    assert response.status_code == status and text in response.text, response.text


def test_every_change_writes_a_history_row(inventory_client: TestClient) -> None:
    client = inventory_client
    audit = ok(client.post("/api/v1/evaluation/audits", json=AUDIT))
    ok(client.patch(f"/api/v1/evaluation/audits/{audit['id']}",
                    json={"auditor": "certified_external"}))  # fmt: skip
    ok(client.patch(f"/api/v1/evaluation/audits/{audit['id']}", json={"in_plan": True}))  # no-op
    history = ok(client.get(f"/api/v1/evaluation/audits/{audit['id']}/history"))["data"]
    assert [h["action"] for h in history] == ["updated", "created"]
    assert history[0]["before"] == {"auditor": "internal"}
    assert history[0]["after"] == {"auditor": "certified_external"}
    assert history[0]["cause_kind"] == "request"
    assert client.patch("/api/v1/evaluation/audits/999", json={}).status_code == 404


def test_audit_coverage_and_follow_up_reach_the_snapshot(inventory_client: TestClient) -> None:
    client = inventory_client
    covered = ok(client.post("/api/v1/evaluation/audits", json={
        **AUDIT, "audited_opds": ["BKPSDM", DISKOMINFO], "coverage": "all",
        "followed_up_on": "2026-04-15",
    }))  # fmt: skip
    assert (covered["audited_opds"], covered["coverage"]) == (["BKPSDM", DISKOMINFO], "all")
    plain = ok(client.post("/api/v1/evaluation/audits", json=AUDIT))
    assert (plain["audited_opds"], plain["coverage"], plain["followed_up_on"]) == ([], "some", None)
    ok(client.patch(f"/api/v1/evaluation/audits/{plain['id']}",
                    json={"followed_up_on": "2026-05-02"}))  # fmt: skip
    history = ok(client.get(f"/api/v1/evaluation/audits/{plain['id']}/history"))["data"]
    assert history[0]["after"] == {"followed_up_on": "2026-05-02"}

    audits = {a.id: a for a in snapshot(client).audits}
    one, two = audits[str(covered["id"])], audits[str(plain["id"])]
    assert (one.opds, one.coverage, one.followed_up_on) == (
        ["BKPSDM", DISKOMINFO], "all", date(2026, 4, 15),
    )  # fmt: skip
    assert (two.opds, two.coverage, two.followed_up_on) == ([DISKOMINFO], "some", date(2026, 5, 2))


def test_review_follow_up_and_applications_reach_the_snapshot(inventory_client: TestClient):
    client = inventory_client
    review = ok(client.post("/api/v1/evaluation/reviews", json={
        "opd_code": DISKOMINFO, "subject": "application", "reviewed_on": "2026-01-10",
        "followed_up_on": "2026-03-01", "application_ids": [2, 1],
    }))  # fmt: skip
    assert (review["followed_up_on"], review["application_ids"]) == ("2026-03-01", [2, 1])
    ok(client.patch(f"/api/v1/evaluation/reviews/{review['id']}", json={"application_ids": [1]}))
    found = next(r for r in snapshot(client).reviews if r.id == str(review["id"]))
    assert (found.subject, found.followed_up_on, found.applications) == (
        "application", date(2026, 3, 1), ["1"],
    )  # fmt: skip
    assert found.improvements_followed_up is False  # kept as stored, for compatibility


def test_service_bus_applications_and_duplicate_names(inventory_client: TestClient) -> None:
    client = inventory_client
    bus = ok(client.post("/api/v1/evaluation/service-buses", json={
        "name": "SPL Serang", "opd_code": DISKOMINFO, "apis": ["pegawai"],
        "application_ids": [3, 1, 3],
    }))  # fmt: skip
    assert bus["application_ids"] == [1, 3]
    duplicate = client.post("/api/v1/evaluation/service-buses",
                            json={"name": "SPL Serang", "opd_code": DISKOMINFO})  # fmt: skip
    assert duplicate.status_code == 409
    ok(client.patch(f"/api/v1/evaluation/service-buses/{bus['id']}",
                    json={"application_ids": [2], "splp_integrated": True}))  # fmt: skip
    history = ok(client.get(f"/api/v1/evaluation/service-buses/{bus['id']}/history"))["data"]
    assert {"application_ids": [1, 3]} in [h["before"] for h in history]
    facts = snapshot(client)
    assert [b.splp_integrated for b in facts.service_buses] == [True]
    on_bus = {a.id for a in facts.applications if a.uses_service_bus}
    assert "2" in on_bus and "1" not in on_bus


def test_practice_profile_and_facility_use_reach_the_snapshot(inventory_client: TestClient):
    client = inventory_client
    documents = [{"stage": "design", "title": "DED"}, {"stage": "planning", "title": "KAK"}]
    ok(client.put("/api/v1/evaluation/application-practices/1", json={
        "consulted_with_ict_opd": True, "is_service_portal": True, "documents": documents,
    }))  # fmt: skip
    twice = client.put("/api/v1/evaluation/application-practices/1",
                       json={"documents": [documents[0], documents[0]]})  # fmt: skip
    assert twice.status_code == 422
    assert client.put("/api/v1/evaluation/application-practices/999", json={}).status_code == 404
    ok(client.put("/api/v1/evaluation/profile", json={
        "ict_opd_code": DISKOMINFO, "public_sectors": ["perizinan", "adminduk"],
        "asset_programme": True, "asset_guideline_stages": ["planning", "disposal"],
    }))  # fmt: skip
    bad = client.put("/api/v1/evaluation/profile", json={"public_sectors": ["Adminduk!"]})
    assert bad.status_code == 422
    use = ok(client.post("/api/v1/evaluation/facility-uses",
                         json={"facility_id": 1, "opd_code": "DINKES"}))  # fmt: skip

    facts = snapshot(client)
    portal = next(a for a in facts.applications if a.id == "1")
    assert (portal.is_service_portal, portal.consulted_with_ict_opd) == (True, True)
    assert portal.lifecycle_documents == ["design", "planning"]
    assert [o.code for o in facts.opds if o.manages_ict] == [DISKOMINFO]
    assert facts.public_sectors == ["perizinan", "adminduk"]
    ikd = next(a for a in facts.applications if a.name.startswith("IKD"))
    assert [area.value for area in ikd.service_areas] == ["sektor_2"]  # adminduk: second slot
    siripikan = next(a for a in facts.applications if a.name == "siripikan")
    assert siripikan.service_areas == []  # perikanan was not chosen
    assert facts.asset_management.programme and "DINKES" in facts.facilities[0].used_by

    assert client.delete(f"/api/v1/evaluation/facility-uses/{use['id']}").status_code == 204
    assert "DINKES" not in snapshot(client).facilities[0].used_by


def test_without_chosen_sectors_the_first_three_alphabetically_stand_in(
    inventory_client: TestClient,
) -> None:
    facts = snapshot(inventory_client)
    assert facts.public_sectors == ["adminduk", "informasi_publik", "pajak_daerah"]
    assert len(facts.opds) == 58 and len(facts.sites) == 12
