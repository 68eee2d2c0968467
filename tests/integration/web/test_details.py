"""Detail pages of the sample catalogue: the record, its relationships, its history timeline, and
the OPD scope (another OPD's record answers 404 exactly like a missing one)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from spbe_common.auth import Role

Browser = Callable[..., TestClient]
OUT_OF_SCOPE = "berada di luar cakupan OPD Anda"


def _id(client: TestClient, path: str, name: str) -> int:
    """The id of a sample record, found through the API as the signed-in browser."""
    response = client.get(path, params={"q": name, "limit": 5})
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["data"]
    return next(int(row["id"]) for row in rows if row["name"] == name)


def test_admin_sees_an_asset_with_its_relationships_and_history(browser: Browser) -> None:
    admin = browser(Role.ADMIN)
    asset_id = _id(admin, "/api/v1/assets", "srv-web-01 (contoh)")
    page = admin.get(f"/katalog/aset/{asset_id}")
    assert page.status_code == 200
    text = page.text
    assert '<h1 id="judul">srv-web-01 (contoh)</h1>' in text
    assert "Server" in text and "Aktif" in text  # kind and lifecycle in Indonesian
    assert "127.10.0.11" in text and "02:00:5E:10:00:11" in text
    assert "Dinyatakan pengelola" in text  # the sample declares it; no scan saw it
    assert 'href="/katalog/opd/DISKOMINFOSATIK"' in text
    assert "Ruang Server Diskominfosatik (contoh fiktif)</a>" in text
    assert "Portal serangkab.go.id</a>" in text and "Open Data (CKAN)</a>" in text
    timeline = text.split('id="riwayat"', 1)[1]
    assert "Dibuat" in timeline and "Data contoh" in timeline and "Oleh: <strong>Sistem" in timeline
    assert "Nama host" in timeline and "srv-web-01" in timeline  # the fields it was created with
    assert f'href="/katalog/aset/{asset_id}/ubah"' in text


def test_viewer_gets_no_edit_link(browser: Browser) -> None:
    viewer = browser(Role.VIEWER)
    asset_id = _id(viewer, "/api/v1/assets", "srv-web-01 (contoh)")
    page = viewer.get(f"/katalog/aset/{asset_id}")
    assert page.status_code == 200 and "/ubah" not in page.text


def test_operator_gets_404_on_another_opds_records_and_200_on_its_own(browser: Browser) -> None:
    admin = browser(Role.ADMIN)
    theirs_asset = _id(admin, "/api/v1/assets", "srv-web-01 (contoh)")  # DISKOMINFOSATIK
    theirs_app = _id(admin, "/api/v1/applications", "Portal serangkab.go.id")
    own_asset = _id(admin, "/api/v1/assets", "vm-jdih (contoh)")  # SETDA
    own_app = _id(admin, "/api/v1/applications", "JDIH")
    operator = browser(Role.OPD_OPERATOR, ["SETDA"])
    for base, theirs in (("/katalog/aset", theirs_asset), ("/katalog/aplikasi", theirs_app)):
        response = operator.get(f"{base}/{theirs}")
        assert response.status_code == 404, base
        assert OUT_OF_SCOPE in response.text
        assert "srv-web-01" not in response.text and "Portal" not in response.text
        missing = operator.get(f"{base}/999999")  # the same page as for an id that is not there
        assert response.text == missing.text
    assert operator.get(f"/katalog/aset/{own_asset}").status_code == 200
    own = operator.get(f"/katalog/aplikasi/{own_app}")
    assert own.status_code == 200 and f'href="/katalog/aplikasi/{own_app}/ubah"' in own.text


def test_shared_facility_lists_only_the_operators_assets(browser: Browser) -> None:
    """Facilities are shared (a Pusat Data hosts many OPD), as in GET /api/v1/facilities/{id}:
    the page opens for every reader, but lists only assets and applications in scope."""
    admin = browser(Role.ADMIN)
    facilities = admin.get("/api/v1/facilities").json()["data"]
    pusat = next(f["id"] for f in facilities if f["owner_opd_code"] == "DISKOMINFOSATIK")
    rsdp = next(f["id"] for f in facilities if f["owner_opd_code"] == "RSDP")
    whole = admin.get(f"/katalog/fasilitas/{pusat}").text
    assert "srv-web-01 (contoh)" in whole and "vm-jdih (contoh)" in whole and "JDIH</a>" in whole
    operator = browser(Role.OPD_OPERATOR, ["SETDA"])
    own_view = operator.get(f"/katalog/fasilitas/{pusat}")
    assert own_view.status_code == 200
    assert "vm-jdih (contoh)" in own_view.text and "JDIH</a>" in own_view.text
    assert "srv-web-01" not in own_view.text and "Portal serangkab" not in own_view.text
    other = operator.get(f"/katalog/fasilitas/{rsdp}")
    assert other.status_code == 200 and "srv-simrs" not in other.text
    assert operator.get("/katalog/fasilitas/999999").status_code == 404


def test_application_page_shows_server_facility_and_opd_chain(browser: Browser) -> None:
    operator = browser(Role.OPD_OPERATOR, ["SETDA"])
    app_id = _id(operator, "/api/v1/applications", "JDIH")
    page = operator.get(f"/katalog/aplikasi/{app_id}")
    assert page.status_code == 200
    chain = page.text.split('id="tabel-server"', 1)[1].split("</table>", 1)[0]
    assert "vm-jdih (contoh)</a>" in chain
    assert "Ruang Server Diskominfosatik (contoh fiktif)</a>" in chain
    assert "Dinas Komunikasi, Informatika, Persandian dan Statistik</a>" in chain
    assert "Belum pernah diperiksa" in page.text or "belum pernah diperiksa" in page.text


def test_an_api_patch_shows_in_the_timeline_with_the_account_name(browser: Browser) -> None:
    operator = browser(Role.OPD_OPERATOR, ["SETDA"])
    name = operator.get("/api/v1/auth/me").json()["name"]
    asset_id = _id(operator, "/api/v1/assets", "vm-jdih (contoh)")
    etag = operator.get(f"/api/v1/assets/{asset_id}").headers["etag"]
    patched = operator.patch(
        f"/api/v1/assets/{asset_id}",
        json={"owner": "Bagian Hukum Setda", "lifecycle": "retired"},
        headers={"X-CSRF-Token": operator.csrf, "If-Match": etag},
    )
    assert patched.status_code == 200, patched.text
    page = operator.get(f"/katalog/aset/{asset_id}").text
    newest = page.split('id="daftar-riwayat"', 1)[1].split("</li>", 1)[0]
    assert "Diubah" in newest and "Pengguna" in newest
    assert f"Oleh: <strong>{name}</strong>" in newest
    assert "Bagian Hukum Setda" in newest and "Dihapuskan" in newest and "Aktif" in newest


def test_opd_page_counts_and_links_its_catalogue(browser: Browser) -> None:
    operator = browser(Role.OPD_OPERATOR, ["DISKOMINFOSATIK"])
    page = operator.get("/katalog/opd/DISKOMINFOSATIK")
    assert page.status_code == 200
    assert 'href="/katalog/aset?opd_code=DISKOMINFOSATIK" id="tautan-aset">3 aset' in page.text
    assert "Kantor DISKOMINFOSATIK (contoh fiktif)" in page.text  # its site on the intra network
    assert "Serat optik" in page.text and "Ruang Server Diskominfosatik" in page.text
    other = operator.get("/katalog/opd/SETDA")  # the organisation chart is public
    assert other.status_code == 200 and "Di luar cakupan OPD Anda" in other.text
    assert "tautan-aset" not in other.text and "Kantor SETDA" not in other.text
    assert operator.get("/katalog/opd/TIDAK-ADA").status_code == 404
