"""Bukti dukung through the scorer API: upload, list, download, remove, and who may do which.

Indicator 16 (Layanan Pusat Data) of a 59/2020 period is assigned to DISKOMINFOSATIK by the
built-in defaults; indicator 39 to INSPEKTORAT."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient
from harness import bearer
from integration.scorer.scoring_harness import ScoringHarness
from prometheus_client import CollectorRegistry

from spbe_common.auth import Role
from spbe_scorer.api.app import create_app

DISKOMINFO, INSPEKTORAT = "DISKOMINFOSATIK", "INSPEKTORAT"
PDF = b"%PDF-1.7\n" + b"% bukti dukung\n" * 40 + b"%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture
def period(scoring: ScoringHarness) -> int:
    response = scoring.api.post("/api/v1/periods", json={"year": 2025, "framework": "spbe-2020"})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def upload(
    client: TestClient,
    period: int,
    indicator: str = "16",
    content: bytes = PDF,
    filename: str = "SOP Pusat Data.pdf",
    title: str = "SOP Pusat Data",
    records: tuple[str, ...] = (),
    headers: dict[str, str] | None = None,
) -> Any:
    return client.post(
        f"/api/v1/periods/{period}/worksheets/{indicator}/documents",
        files={"file": (filename, content, "application/octet-stream")},
        data={"title": title, "records": list(records)},
        headers=headers,
    )


def history_actions(scoring: ScoringHarness, period: int, indicator: str) -> list[str]:
    response = scoring.api.get(f"/api/v1/periods/{period}/worksheets/{indicator}/history")
    assert response.status_code == 200, response.text
    return [row["action"] for row in response.json()["data"]]


def test_upload_then_download_gives_the_same_bytes_and_hash(
    scoring: ScoringHarness, period: int
) -> None:
    response = upload(scoring.api, period, records=("facility:1", "opd:DISKOMINFOSATIK"))
    assert response.status_code == 201, response.text
    document = response.json()
    sha = hashlib.sha256(PDF).hexdigest()
    assert (document["sha256"], document["size"], document["media_type"]) == (
        sha, len(PDF), "application/pdf",
    )  # fmt: skip
    assert document["records"] == [
        {"kind": "facility", "id": "1"}, {"kind": "opd", "id": DISKOMINFO},
    ]  # fmt: skip
    assert (scoring.settings.documents_dir / sha[:2] / sha).read_bytes() == PDF

    download = scoring.api.get(f"/api/v1/documents/{document['id']}")
    assert download.status_code == 200
    assert download.content == PDF and hashlib.sha256(download.content).hexdigest() == sha
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "SOP%20Pusat%20Data.pdf" in download.headers["content-disposition"]

    listed = scoring.api.get(f"/api/v1/periods/{period}/documents", params={"indicator": "16"})
    assert [d["id"] for d in listed.json()["data"]] == [document["id"]]
    assert history_actions(scoring, period, "16")[-1] == "document_added"
    worksheet = scoring.api.get(f"/api/v1/periods/{period}/worksheets/16").json()
    assert [d["id"] for d in worksheet["documents"]] == [document["id"]]


def test_a_file_larger_than_the_json_limit_is_accepted_on_the_upload_route(
    scoring: ScoringHarness, period: int
) -> None:
    big = PDF + b"0" * (2 * 1024 * 1024)  # past the API's 1 MiB body limit
    response = upload(scoring.api, period, content=big)
    assert response.status_code == 201, response.text
    assert response.json()["size"] == len(big)


def test_a_file_past_the_document_limit_is_413_and_nothing_is_kept(
    scoring: ScoringHarness, period: int
) -> None:
    settings = scoring.settings.model_copy(update={"scorer_document_max_bytes": 4096})
    app = create_app(settings, scoring.runtime.scorer, CollectorRegistry())
    client = TestClient(app, headers=scoring.api.headers)
    past_file_limit = PDF + b"0" * 4096  # the body is within the route's limit, the file not
    response = upload(client, period, content=past_file_limit)
    assert response.status_code == 413 and "larger than 4096 bytes" in response.text
    past_body_limit = PDF + b"0" * (4096 + 65 * 1024)  # refused before the route reads it
    assert upload(client, period, content=past_body_limit).status_code == 413
    assert not [p for p in settings.documents_dir.rglob("*") if p.is_file()]
    assert scoring.api.get(f"/api/v1/periods/{period}/documents").json()["count"] == 0


@pytest.mark.parametrize(
    ("filename", "content", "says"),
    [
        ("laporan.pdf", HTML, "not a type accepted"),
        ("gambar.png", PDF, "content is PDF but its name ends in .png"),
    ],
)
def test_wrong_content_type_is_415(
    scoring: ScoringHarness, period: int, filename: str, content: bytes, says: str
) -> None:
    response = upload(scoring.api, period, content=content, filename=filename)
    assert response.status_code == 415 and says in response.json()["detail"], response.text
    assert scoring.api.get(f"/api/v1/periods/{period}/documents").json()["count"] == 0


@pytest.mark.parametrize(
    ("title", "records", "field"),
    [("", (), "title"), ("t" * 301, (), "title"), ("SOP", ("planet:1",), "records")],
)
def test_bad_fields_are_422_naming_the_field(
    scoring: ScoringHarness, period: int, title: str, records: tuple[str, ...], field: str
) -> None:
    response = upload(scoring.api, period, title=title, records=records)
    assert response.status_code == 422, response.text
    assert field in str(response.json()["detail"])


def test_unknown_period_or_indicator_is_404(scoring: ScoringHarness, period: int) -> None:
    assert upload(scoring.api, period + 99).status_code == 404
    assert upload(scoring.api, period, indicator="99").status_code == 404
    assert scoring.api.get("/api/v1/documents/9999").status_code == 404


def test_only_the_assigned_opd_evaluator_uploads_and_removes(
    scoring: ScoringHarness, period: int
) -> None:
    own = scoring.headers(Role.EVALUATOR, [DISKOMINFO])
    other = scoring.headers(Role.EVALUATOR, [INSPEKTORAT])
    assert upload(scoring.api, period, headers=other).status_code == 403
    response = upload(scoring.api, period, headers=own)
    assert response.status_code == 201, response.text
    document = response.json()
    assert document["uploaded_by"].startswith("uji-evaluator")
    assert upload(scoring.api, period, indicator="39", headers=other).status_code == 201
    assert upload(scoring.api, period, indicator="39", headers=own).status_code == 403
    # another OPD's evaluator may read the evidence, not remove it
    assert scoring.api.get(f"/api/v1/documents/{document['id']}", headers=other).content == PDF
    assert (
        scoring.api.delete(f"/api/v1/documents/{document['id']}", headers=other).status_code == 403
    )
    assert scoring.api.delete(f"/api/v1/documents/{document['id']}", headers=own).status_code == 204


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPD_OPERATOR])
def test_a_viewer_or_opd_operator_downloads_nothing_and_uploads_nothing(
    scoring: ScoringHarness, period: int, role: Role
) -> None:
    document = upload(scoring.api, period).json()
    headers = scoring.headers(role, [DISKOMINFO])
    assert (
        scoring.api.get(f"/api/v1/documents/{document['id']}", headers=headers).status_code == 403
    )
    assert upload(scoring.api, period, headers=headers).status_code == 403
    assert (
        scoring.api.delete(f"/api/v1/documents/{document['id']}", headers=headers).status_code
        == 403
    )
    listing = scoring.api.get(f"/api/v1/periods/{period}/documents", headers=headers)
    assert listing.status_code == (200 if role is Role.VIEWER else 403)


def test_removal_is_soft_and_kept_in_history(scoring: ScoringHarness, period: int) -> None:
    kept = upload(scoring.api, period, title="Dokumentasi interkoneksi").json()
    removed = upload(scoring.api, period, content=PDF + b"%2\n").json()
    assert scoring.api.delete(f"/api/v1/documents/{removed['id']}").status_code == 204
    assert scoring.api.delete(f"/api/v1/documents/{removed['id']}").status_code == 404
    assert scoring.api.get(f"/api/v1/documents/{removed['id']}").status_code == 404
    listed = scoring.api.get(f"/api/v1/periods/{period}/documents").json()
    assert [d["id"] for d in listed["data"]] == [kept["id"]] and listed["count"] == 1
    assert history_actions(scoring, period, "16")[-1] == "document_removed"
    # the stored file stays (another period's copy may point at it)
    sha = removed["sha256"]
    assert (scoring.settings.documents_dir / sha[:2] / sha).exists()


def test_a_closed_period_takes_no_documents(scoring: ScoringHarness, period: int) -> None:
    document = upload(scoring.api, period).json()
    closed = scoring.api.patch(f"/api/v1/periods/{period}", json={"status": "closed"})
    assert closed.status_code == 200, closed.text
    assert upload(scoring.api, period).status_code == 403
    assert scoring.api.delete(f"/api/v1/documents/{document['id']}").status_code == 403
    assert scoring.api.get(f"/api/v1/documents/{document['id']}").status_code == 200


def test_a_download_without_valid_credentials_is_401(scoring: ScoringHarness, period: int) -> None:
    document = upload(scoring.api, period).json()
    anonymous = TestClient(scoring.api.app)
    assert anonymous.get(f"/api/v1/documents/{document['id']}").status_code == 401
    wrong = bearer("not-a-token-the-inventory-knows")
    assert anonymous.get(f"/api/v1/documents/{document['id']}", headers=wrong).status_code == 401


def test_round_trip_on_sqlite_and_postgresql(scorer_api: TestClient) -> None:
    period = scorer_api.post("/api/v1/periods", json={"year": 2026, "framework": "pemdi-2026"})
    assert period.status_code == 201, period.text
    response = upload(scorer_api, period.json()["id"], indicator="I14", records=("site:2",))
    assert response.status_code == 201, response.text
    document = response.json()
    assert scorer_api.get(f"/api/v1/documents/{document['id']}").content == PDF
    assert scorer_api.delete(f"/api/v1/documents/{document['id']}").status_code == 204
    listed = scorer_api.get(f"/api/v1/periods/{document['period_id']}/documents")
    assert listed.json() == {"data": [], "count": 0}


def test_a_submitted_worksheet_takes_no_documents_until_returned(
    scoring: ScoringHarness, period: int
) -> None:
    document = upload(scoring.api, period).json()
    path = f"/api/v1/periods/{period}/worksheets/16"
    saved = scoring.api.patch(path, json={"level": 2, "explanation": "dipakai sebagian OPD"})
    assert saved.status_code == 200, saved.text
    assert scoring.api.post(f"{path}/submit").status_code == 200
    assert upload(scoring.api, period).status_code == 409
    assert scoring.api.delete(f"/api/v1/documents/{document['id']}").status_code == 409
    reviewer = scoring.headers(Role.EVALUATOR, [INSPEKTORAT])
    returned = scoring.api.post(
        f"{path}/return", json={"comment": "SOP belum ada"}, headers=reviewer
    )
    assert returned.status_code == 200, returned.text
    assert upload(scoring.api, period, title="SOP Pusat Data (perbaikan)").status_code == 201
