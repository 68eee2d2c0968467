"""Forms that declare and edit records: saved through the API's own checks and history, refused
with a message next to the field in Bahasa Indonesia, nothing saved on a refusal."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from spbe_common.auth import Role

Browser = Callable[..., Any]


def _apps(client: TestClient, **params: str) -> list[dict[str, Any]]:
    answer = client.get("/api/v1/applications", params={"limit": "500", **params})
    assert answer.status_code == 200
    data: list[dict[str, Any]] = answer.json()["data"]
    return data


def _message(page: str, field: str) -> str:
    """The message shown next to a field (the element that aria-describedby points at)."""
    found = re.search(rf'<p class="error" id="e-{field}">([^<]*)</p>', page)
    return html.unescape(found.group(1)) if found else ""


def _if_match(page: str) -> str:
    found = re.search(r'name="if_match" value="([^"]*)"', page)
    assert found, "an edit form carries the record's ETag"
    return html.unescape(found.group(1))


def _app_form(csrf: str, **fields: str) -> dict[str, str]:
    base = {"csrf_token": csrf, "kind": "special", "platform": "web", "status": "active"}
    return {**base, **fields}


def test_an_operator_declares_an_application_of_its_opd(browser: Browser) -> None:
    operator = browser(Role.OPD_OPERATOR, ["DINKES"])
    form = operator.get("/katalog/aplikasi/baru")
    assert form.status_code == 200
    assert "Daftarkan aplikasi" in form.text and 'for="f-name"' in form.text
    assert 'value="DINKES"' in form.text and 'value="SETDA"' not in form.text  # its OPD only
    assert "Aplikasi Khusus" in form.text and "Pusat Data Pemda" in form.text  # Indonesian
    sent = _app_form(
        operator.csrf,
        name="SIKDA Puskesmas",
        opd_code="DINKES",
        hosting="pusat_data_pemda",
        function_level="3",
        uses_service_bus="1",
        urls="https://sikda.serangkab.go.id\nhttps://sikda2.serangkab.go.id/masuk",
        service_areas="Kesehatan\nLayanan Kepegawaian\nkearsipan",
    )
    saved = operator.post("/katalog/aplikasi/baru", data=sent)
    assert saved.status_code == 303, saved.text
    app = next(a for a in _apps(operator, opd_code="DINKES") if a["name"] == "SIKDA Puskesmas")
    assert saved.headers["location"] == f"/katalog/aplikasi/{app['id']}"
    assert app["urls"] == ["https://sikda.serangkab.go.id/", "https://sikda2.serangkab.go.id/masuk"]
    assert app["function_level"] == 3 and app["uses_service_bus"] is True
    assert app["hosting"] == "pusat_data_pemda"
    # by name, as people write them, stored as the codes the SPBE rules read
    assert app["service_areas"] == ["publik_sektor:kesehatan", "kepegawaian", "kearsipan"]
    detail = operator.get(saved.headers["location"]).text
    assert "Kesehatan, Kepegawaian, Kearsipan Dinamis" in detail
    edit = operator.get(f"{saved.headers['location']}/ubah").text
    assert "Kesehatan\nKepegawaian\nKearsipan Dinamis</textarea>" in edit
    # the same name in other capitals is the same application: refused, nothing saved
    again = operator.post("/katalog/aplikasi/baru", data={**sent, "name": "sikda puskesmas"})
    assert again.status_code == 409
    assert [a["name"] for a in _apps(operator, opd_code="DINKES")].count("sikda puskesmas") == 0
    me = operator.get("/api/v1/auth/me").json()["name"]
    history = operator.get(f"/api/v1/applications/{app['id']}/history").json()["data"]
    assert [(h["action"], h["actor"], h["cause_kind"]) for h in history] == [
        ("created", me, "request")
    ]


def test_an_invalid_form_shows_indonesian_messages_by_its_fields_and_saves_nothing(
    browser: Browser,
) -> None:
    operator = browser(Role.OPD_OPERATOR, ["DINKES"])
    before = len(_apps(operator))
    sent = _app_form(
        operator.csrf,
        name="",
        opd_code="DINKES",
        description="Sistem informasi <puskesmas>",
        urls="https://ok.serangkab.go.id\nbukan alamat",
        function_level="tiga",
        kind="bogus",
    )
    refused = operator.post("/katalog/aplikasi/baru", data=sent)
    assert refused.status_code == 422
    assert _message(refused.text, "name") == "Wajib diisi."
    assert _message(refused.text, "urls").startswith("Baris 2: Alamat URL tidak valid.")
    assert "https://" in _message(refused.text, "urls")
    assert _message(refused.text, "function_level").startswith("Isi dengan bilangan bulat")
    assert _message(refused.text, "kind") == "Pilih salah satu pilihan yang tersedia."
    assert 'aria-invalid="true"' in refused.text and 'id="pesan-formulir"' in refused.text
    assert "bukan alamat" in refused.text  # what the user typed is kept
    assert "Sistem informasi &lt;puskesmas&gt;" in refused.text  # and escaped
    assert len(_apps(operator)) == before


def test_an_operator_cannot_declare_for_another_opd(browser: Browser) -> None:
    operator = browser(Role.OPD_OPERATOR, ["DINKES"])
    admin = browser(Role.ADMIN)
    before = len(_apps(admin, opd_code="SETDA"))
    sent = _app_form(operator.csrf, name="Aplikasi Titipan", opd_code="SETDA")
    refused = operator.post("/katalog/aplikasi/baru", data=sent)
    assert refused.status_code == 422
    assert "cakupan akun Anda" in _message(refused.text, "opd_code")
    assert len(_apps(admin, opd_code="SETDA")) == before
    link = operator.post(
        "/katalog/jaringan/baru",
        data={"csrf_token": operator.csrf, "opd_code": "SETDA", "site": "Kantor titipan"},
    )
    assert link.status_code == 422 and "cakupan akun Anda" in _message(link.text, "opd_code")


def test_a_duplicate_application_is_a_conflict_at_the_top_and_nothing_is_saved(
    browser: Browser,
) -> None:
    admin = browser(Role.ADMIN)
    before = len(_apps(admin))
    sent = _app_form(admin.csrf, name="JDIH", opd_code="SETDA")
    refused = admin.post("/katalog/aplikasi/baru", data=sent)
    assert refused.status_code == 409
    assert "sudah ada di OPD tersebut" in refused.text
    assert len(_apps(admin)) == before


def test_an_edit_with_a_stale_etag_is_refused_and_changes_nothing(browser: Browser) -> None:
    operator = browser(Role.OPD_OPERATOR, ["SETDA"])
    app = next(a for a in _apps(operator, opd_code="SETDA") if a["name"] == "JDIH")
    url = f"/katalog/aplikasi/{app['id']}/ubah"
    opened = operator.get(url)
    assert opened.status_code == 200 and "Ubah aplikasi" in opened.text
    etag = _if_match(opened.text)
    assert etag == operator.get(f"/api/v1/applications/{app['id']}").headers["etag"]
    # Someone else changes the record meanwhile (through the API).
    other = operator.patch(
        f"/api/v1/applications/{app['id']}",
        json={"description": "Diubah orang lain"},
        headers={"X-CSRF-Token": operator.csrf},
    )
    assert other.status_code == 200
    sent = _app_form(operator.csrf, if_match=etag, description="Perubahan saya", urls="")
    stale = operator.post(url, data=sent)
    assert stale.status_code == 412
    assert "sudah diubah orang lain sejak Anda membukanya" in stale.text
    assert "Perubahan saya" in stale.text  # what the user typed is kept
    now = operator.get(f"/api/v1/applications/{app['id']}").json()
    assert now["description"] == "Diubah orang lain" and now["urls"] == app["urls"]
    fresh = _if_match(operator.get(url).text)
    sent.update(if_match=fresh, urls="https://jdih.serangkab.go.id/")
    saved = operator.post(url, data=sent)
    assert (
        saved.status_code == 303 and saved.headers["location"] == f"/katalog/aplikasi/{app['id']}"
    )
    now = operator.get(f"/api/v1/applications/{app['id']}").json()
    assert now["description"] == "Perubahan saya" and now["name"] == "JDIH"


def test_a_form_without_its_csrf_token_is_refused(browser: Browser) -> None:
    operator = browser(Role.OPD_OPERATOR, ["DINKES"])
    before = len(_apps(operator))
    sent = _app_form("", name="Tanpa Token", opd_code="DINKES")
    del sent["csrf_token"]
    assert operator.post("/katalog/aplikasi/baru", data=sent).status_code == 403
    assert len(_apps(operator)) == before


def test_another_opds_record_cannot_be_edited_even_by_its_url(browser: Browser) -> None:
    operator = browser(Role.OPD_OPERATOR, ["DINKES"])
    admin = browser(Role.ADMIN)
    app = next(a for a in _apps(admin, opd_code="SETDA") if a["name"] == "JDIH")
    asset = admin.get("/api/v1/assets", params={"opd_code": "SETDA"}).json()["data"][0]
    assert operator.get(f"/katalog/aplikasi/{app['id']}/ubah").status_code == 404
    posted = operator.post(
        f"/katalog/aplikasi/{app['id']}/ubah",
        data=_app_form(operator.csrf, description="x", if_match="*"),
    )
    assert posted.status_code == 404
    assert operator.get(f"/katalog/aset/{asset['id']}/ubah").status_code == 404
    viewer = browser(Role.VIEWER)
    assert viewer.get("/katalog/aplikasi/baru").status_code == 403


def test_assets_are_declared_and_edited_with_format_messages(browser: Browser) -> None:
    operator = browser(Role.OPD_OPERATOR, ["DINKES"])
    base = {"csrf_token": operator.csrf, "kind": "server", "lifecycle": "active"}
    bad = operator.post(
        "/katalog/aset/baru",
        data={**base, "mac": "AA-BB", "addresses": "10.36.4.15 10.36.4", "opd_code": "DINKES"},
    )
    assert bad.status_code == 422
    assert _message(bad.text, "mac") == "Format MAC tidak valid. Tulis seperti AA:BB:CC:DD:EE:FF."
    assert _message(bad.text, "addresses").startswith("Alamat IP tidak valid.")
    none = operator.post("/katalog/aset/baru", data={**base, "opd_code": "DINKES"})
    assert none.status_code == 422 and "MAC, nomor seri, alamat IP, atau kode barang" in none.text
    fields = {"name": "Server SIKDA", "mac": "aa:bb:cc:00:11:22", "addresses": "10.36.4.15"}
    saved = operator.post("/katalog/aset/baru", data={**base, **fields, "opd_code": "DINKES"})
    assert saved.status_code == 303, saved.text
    asset_id = int(saved.headers["location"].rsplit("/", 1)[1])
    asset = operator.get(f"/api/v1/assets/{asset_id}").json()
    assert (asset["mac"], asset["address"], asset["opd_code"]) == (
        "AA:BB:CC:00:11:22",
        "10.36.4.15",
        "DINKES",
    )
    url = f"/katalog/aset/{asset_id}/ubah"
    edit = operator.get(url)
    assert "AA:BB:CC:00:11:22" in edit.text and 'value="Server SIKDA"' in edit.text
    # how a MAC or address is corrected or added, in the words of the lifecycle choices
    assert 'ke aset ini di <a href="/tinjauan">Tinjauan</a>' in edit.text
    assert "status aset ini menjadi Dihapuskan" in edit.text
    sent = {**base, "if_match": _if_match(edit.text), "name": "Server SIKDA",
            "opd_code": "DINKES", "lifecycle": "retired", "location": "Gudang"}  # fmt: skip
    assert operator.post(url, data=sent).status_code == 303
    asset = operator.get(f"/api/v1/assets/{asset_id}").json()
    assert asset["lifecycle"] == "retired" and asset["location"] == "Gudang"
    assert set(asset["declared"]) >= {"lifecycle", "location"}
    assert "hostname" not in asset["declared"]  # only what was changed becomes declared


def test_adding_an_asset_that_is_already_catalogued_saves_nothing_and_links_to_it(
    browser: Browser,
) -> None:
    """Two laptops named alike: the second "Tambah aset" would have changed the first (same OPD
    and name, nothing else to tell them apart); it is refused, with a link to the first."""
    operator = browser(Role.OPD_OPERATOR, ["DINKES"])
    base = {"csrf_token": operator.csrf, "kind": "end_user_device", "lifecycle": "active",
            "opd_code": "DINKES", "name": "Laptop Tamu"}  # fmt: skip
    first = operator.post("/katalog/aset/baru", data={**base, "manufacturer": "Lenovo"})
    assert first.status_code == 303, first.text
    page = first.headers["location"]
    asset = f"/api/v1/assets/{page.rsplit('/', 1)[1]}"
    before = operator.get(asset)
    again = operator.post("/katalog/aset/baru", data={**base, "manufacturer": "Asus"})
    assert again.status_code == 409
    assert "Aset ini sudah tercatat sebagai 'Laptop Tamu'" in html.unescape(again.text)
    other_case = operator.post("/katalog/aset/baru", data={**base, "name": "LAPTOP tamu"})
    assert other_case.status_code == 409  # a name is the same in any capitals
    assert "Aset ini sudah tercatat sebagai 'Laptop Tamu'" in html.unescape(other_case.text)
    by_serial = operator.post(  # another name, a serial already catalogued: named as it is
        "/katalog/aset/baru", data={**base, "name": "Lain", "serial": "LT-01"}
    )
    again_serial = operator.post(
        "/katalog/aset/baru", data={**base, "name": "Laptop Baru", "serial": "LT-01"}
    )
    assert (by_serial.status_code, again_serial.status_code) == (303, 409)
    assert "sudah tercatat sebagai 'Lain'" in html.unescape(again_serial.text)
    assert f'href="{page}" id="data-tercatat"' in again.text
    assert 'value="Asus"' in again.text  # what was typed is kept
    after = operator.get(asset)
    assert after.json()["manufacturer"] == "Lenovo"
    assert after.headers["etag"] == before.headers["etag"]  # not written at all
    distinct = operator.post(
        "/katalog/aset/baru", data={**base, "manufacturer": "Asus", "serial": "ASUS-01"}
    )
    assert distinct.status_code == 303 and distinct.headers["location"] != page


def test_an_admin_declares_a_facility_and_a_network_link(browser: Browser) -> None:
    admin = browser(Role.ADMIN)
    form = admin.get("/katalog/fasilitas/baru")
    assert form.status_code == 200 and 'value="SETDA"' in form.text
    bad = admin.post(
        "/katalog/fasilitas/baru",
        data={"csrf_token": admin.csrf, "name": "X", "kind": "pusat_data_pemda",
              "intranet_mbps": "cepat"},
    )  # fmt: skip
    assert bad.status_code == 422
    assert _message(bad.text, "name") == "Terlalu pendek: paling sedikit 2 karakter."
    assert _message(bad.text, "intranet_mbps").startswith("Isi dengan bilangan bulat")
    saved = admin.post(
        "/katalog/fasilitas/baru",
        data={"csrf_token": admin.csrf, "name": "Pusat Data Pemda Serang", "kind":
              "pusat_data_pemda", "intranet_mbps": "1000", "has_sop": "1"},
    )  # fmt: skip
    assert saved.status_code == 303
    facility_id = int(saved.headers["location"].rsplit("/", 1)[1])
    facility = admin.get(f"/api/v1/facilities/{facility_id}").json()
    assert facility["intranet_mbps"] == 1000 and facility["has_sop"] is True
    link = {"csrf_token": admin.csrf, "opd_code": "DISHUB", "site": "Terminal Pakupatan",
            "media": "radio", "bandwidth_mbps": "50", "on_intra_network": "1"}  # fmt: skip
    saved = admin.post("/katalog/jaringan/baru", data=link)
    assert saved.status_code == 303 and saved.headers["location"] == "/katalog/opd/DISHUB"
    links = admin.get("/api/v1/network-links", params={"opd_code": "DISHUB"}).json()["data"]
    assert [(x["site"], x["media"], x["jip_interconnected"]) for x in links] == [
        ("Terminal Pakupatan", "radio", False)
    ]
    again = admin.post("/katalog/jaringan/baru", data=link)
    assert again.status_code == 409 and "sudah memiliki sambungan" in again.text
