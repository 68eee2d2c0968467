"""The change log through the /history routes of OPD, assets and applications."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

SETDA = {"code": "SETDA", "name": "Sekretariat Daerah", "kind": "secretariat"}
CASES: dict[str, tuple[str, dict[str, Any], str, list[dict[str, Any]]]] = {
    "opd": ("/api/v1/opd", SETDA, "code", [{"abbreviation": "Setda"}, {"aliases": ["Setda Kab"]}]),
    "asset": ("/api/v1/assets", {"serial": "SN-1", "opd_code": "SETDA"}, "id",
              [{"owner": "Bagian Umum"}, {"location": "Gedung A"}]),
    "application": ("/api/v1/applications", {"name": "JDIH", "opd_code": "SETDA"}, "id",
                    [{"status": "inactive"}, {"function_level": 2}]),
}  # fmt: skip


@pytest.fixture(params=sorted(CASES))
def changed(request: pytest.FixtureRequest, client: TestClient) -> tuple[str, list[dict[str, Any]]]:
    """A record created, then patched twice with request ids h-1, h-2, h-3."""
    path, body, key, patches = CASES[request.param]
    if request.param != "opd":
        assert client.post("/api/v1/opd", json=SETDA).status_code == 201
    created = client.post(path, json=body, headers={"X-Request-ID": "h-1"}).json()
    url = f"{path}/{created[key]}"
    for n, patch in enumerate(patches, start=2):
        assert client.patch(url, json=patch, headers={"X-Request-ID": f"h-{n}"}).status_code == 200
    return f"{url}/history", patches


def test_history_lists_every_change_newest_first(
    client: TestClient, changed: tuple[str, list[dict[str, Any]]]
) -> None:
    url, patches = changed
    page = client.get(url).json()
    assert page["count"] == 3
    rows = page["data"]
    assert [r["action"] for r in rows] == ["updated", "updated", "created"]
    assert [r["cause_id"] for r in rows] == ["request:h-3", "request:h-2", "request:h-1"]
    assert [r["after"] for r in rows[:2]] == [patches[1], patches[0]]
    assert rows[2]["before"] is None
    assert all(r["cause_kind"] == "request" and r["at"] for r in rows)


def test_history_pages_with_limit_and_offset(
    client: TestClient, changed: tuple[str, list[dict[str, Any]]]
) -> None:
    url, _ = changed
    everything = client.get(url).json()["data"]
    middle = client.get(url, params={"limit": 1, "offset": 1}).json()
    assert (middle["count"], middle["data"]) == (3, everything[1:2])
    assert client.get(url, params={"limit": 501}).status_code == 422


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/api/v1/opd/NOPE/history", "OPD 'NOPE' not found"),
        ("/api/v1/assets/77/history", "asset 77 not found"),
        ("/api/v1/applications/77/history", "application 77 not found"),
    ],
)
def test_history_of_an_unknown_record_is_404(client: TestClient, url: str, message: str) -> None:
    response = client.get(url)
    assert (response.status_code, response.json()["detail"]) == (404, message)
