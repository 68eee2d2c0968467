"""Facilities and intra-network links are edited on the pages as assets are: "Ubah" on their
page, a form with the record's ETag and CSRF token, refusals next to the field with what was
typed kept, nothing saved on a refusal, each change in the record's Riwayat."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from spbe_common.auth import Role

Browser = Callable[..., Any]


def _message(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="e-{field}">([^<]*)</p>', page)
    return html.unescape(found.group(1)) if found else ""


def _if_match(page: str) -> str:
    found = re.search(r'name="if_match" value="([^"]*)"', page)
    assert found, "an edit form carries the record's ETag"
    return html.unescape(found.group(1))


def _post_api(client: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post(path, json=body, headers={"X-CSRF-Token": client.csrf})
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _facility(admin: Any, owner: str = "DINKES") -> dict[str, Any]:
    body = {"name": "Ruang Server Dinkes", "kind": "opd_server_room", "owner_opd_code": owner,
            "tier": "Tier 1", "intranet_mbps": 100}  # fmt: skip
    return _post_api(admin, "/api/v1/facilities", body)


def _link(admin: Any, opd: str = "DINKES", site: str = "Puskesmas Ciruas") -> dict[str, Any]:
    body = {"opd_code": opd, "site": site, "media": "fibre", "bandwidth_mbps": 20}
    return _post_api(admin, "/api/v1/network-links", body)


def _facility_form(csrf: str, if_match: str, **fields: str) -> dict[str, str]:
    base = {"csrf_token": csrf, "if_match": if_match, "name": "Ruang Server Dinkes",
            "kind": "opd_server_room", "owner_opd_code": "DINKES", "tier": "Tier 1",
            "intranet_mbps": "100"}  # fmt: skip
    return {**base, **fields}


def _link_form(csrf: str, if_match: str, **fields: str) -> dict[str, str]:
    base = {"csrf_token": csrf, "if_match": if_match, "opd_code": "DINKES",
            "site": "Puskesmas Ciruas", "media": "fibre", "bandwidth_mbps": "20",
            "on_intra_network": "1"}  # fmt: skip
    return {**base, **fields}


def test_an_operator_edits_its_opds_facility_and_the_riwayat_names_who(browser: Browser) -> None:
    admin, operator = browser(Role.ADMIN), browser(Role.OPD_OPERATOR, ["DINKES"])
    facility = _facility(admin)
    page = f"/katalog/fasilitas/{facility['id']}"
    detail = operator.get(page)
    assert f'href="{page}/ubah" id="ubah"' in detail.text
    form = operator.get(f"{page}/ubah")
    assert form.status_code == 200 and "Ubah fasilitas" in form.text
    assert 'value="Ruang Server Dinkes"' in form.text and 'value="Tier 1"' in form.text
    sent = _facility_form(operator.csrf, _if_match(form.text), name="Ruang Server Dinkes Baru",
                          tier="Tier 2", intranet_mbps="1000")  # fmt: skip
    saved = operator.post(f"{page}/ubah", data=sent)
    assert saved.status_code == 303 and saved.headers["location"] == page
    now = operator.get(f"/api/v1/facilities/{facility['id']}").json()
    assert (now["name"], now["tier"], now["intranet_mbps"]) == ("Ruang Server Dinkes Baru",
                                                               "Tier 2", 1000)  # fmt: skip
    riwayat = operator.get(page).text.split('id="riwayat"')[1]
    me = operator.get("/api/v1/auth/me").json()["name"]
    assert "Diubah" in riwayat and f"Oleh: <strong>{me}</strong>" in riwayat
    assert "<td>Tier 1</td><td>Tier 2</td>" in riwayat
    assert "request:" not in riwayat, "a request id means nothing to staff"


def test_a_wrong_facility_form_keeps_what_was_typed_and_saves_nothing(browser: Browser) -> None:
    admin = browser(Role.ADMIN)
    facility = _facility(admin)
    url = f"/katalog/fasilitas/{facility['id']}/ubah"
    etag = _if_match(admin.get(url).text)
    sent = _facility_form(admin.csrf, etag, name="X", tier="Tier <3>", intranet_mbps="cepat")
    refused = admin.post(url, data=sent)
    assert refused.status_code == 422
    assert _message(refused.text, "name") == "Terlalu pendek: paling sedikit 2 karakter."
    assert _message(refused.text, "intranet_mbps").startswith("Isi dengan bilangan bulat")
    assert 'value="cepat"' in refused.text and 'value="Tier &lt;3&gt;"' in refused.text
    assert admin.get(f"/api/v1/facilities/{facility['id']}").json() == facility
    other = _post_api(admin, "/api/v1/facilities", {"name": "Pusat Data Pemda Serang"})
    taken = admin.post(url, data=_facility_form(admin.csrf, etag, name="Pusat Data Pemda Serang"))
    assert taken.status_code == 409 and "Fasilitas dengan nama ini sudah ada" in taken.text
    assert f'href="/katalog/fasilitas/{other["id"]}" id="data-tercatat"' in taken.text
    without = _facility_form("", etag, tier="Tier 4")
    del without["csrf_token"]
    assert admin.post(url, data=without).status_code == 403
    assert admin.get(f"/api/v1/facilities/{facility['id']}").json() == facility


def test_a_stale_facility_form_is_refused(browser: Browser) -> None:
    admin = browser(Role.ADMIN)
    facility = _facility(admin)
    url = f"/katalog/fasilitas/{facility['id']}/ubah"
    etag = _if_match(admin.get(url).text)
    other = admin.patch(f"/api/v1/facilities/{facility['id']}", json={"tier": "Tier 3"},
                        headers={"X-CSRF-Token": admin.csrf})  # fmt: skip
    assert other.status_code == 200
    stale = admin.post(url, data=_facility_form(admin.csrf, etag, tier="Tier 2"))
    assert stale.status_code == 412 and "sudah diubah orang lain" in stale.text
    assert 'value="Tier 2"' in stale.text  # what was typed is kept
    assert admin.get(f"/api/v1/facilities/{facility['id']}").json()["tier"] == "Tier 3"


def test_another_opds_facility_and_link_cannot_be_edited(browser: Browser) -> None:
    admin, operator = browser(Role.ADMIN), browser(Role.OPD_OPERATOR, ["SETDA"])
    facility, link = _facility(admin), _link(admin)
    page = f"/katalog/fasilitas/{facility['id']}"
    assert operator.get(page).status_code == 200  # shared: read by all
    assert 'id="ubah"' not in operator.get(page).text
    assert operator.get(f"{page}/ubah").status_code == 404
    posted = operator.post(f"{page}/ubah", data=_facility_form(operator.csrf, "*", tier="x"))
    assert posted.status_code == 404
    assert operator.get(f"/katalog/jaringan/{link['id']}").status_code == 404
    assert operator.get(f"/katalog/jaringan/{link['id']}/ubah").status_code == 404
    posted = operator.post(
        f"/katalog/jaringan/{link['id']}/ubah", data=_link_form(operator.csrf, "*", owner="x")
    )
    assert posted.status_code == 404
    viewer = browser(Role.VIEWER)
    assert viewer.get(f"/katalog/jaringan/{link['id']}").status_code == 200
    assert 'id="ubah"' not in viewer.get(f"/katalog/jaringan/{link['id']}").text
    assert viewer.get(f"/katalog/jaringan/{link['id']}/ubah").status_code == 403
    assert admin.get(f"/api/v1/facilities/{facility['id']}").json() == facility


def test_a_link_has_its_page_with_riwayat_and_is_edited_there(browser: Browser) -> None:
    admin, operator = browser(Role.ADMIN), browser(Role.OPD_OPERATOR, ["DINKES"])
    link = _link(admin)
    page = f"/katalog/jaringan/{link['id']}"
    detail = operator.get(page)
    assert detail.status_code == 200 and "Puskesmas Ciruas" in detail.text
    assert "Serat optik" in detail.text and 'id="riwayat"' in detail.text
    assert f'href="{page}/ubah" id="ubah"' in detail.text
    assert f'href="{page}"' in operator.get("/katalog/jaringan?opd_code=DINKES").text
    assert f'href="{page}"' in operator.get("/katalog/opd/DINKES").text
    form = operator.get(f"{page}/ubah")
    assert form.status_code == 200 and "Ubah sambungan jaringan intra" in form.text
    sent = _link_form(operator.csrf, _if_match(form.text), media="radio", bandwidth_mbps="50")
    saved = operator.post(f"{page}/ubah", data=sent)
    assert saved.status_code == 303 and saved.headers["location"] == page
    now = operator.get(f"/api/v1/network-links/{link['id']}").json()
    assert (now["media"], now["bandwidth_mbps"], now["on_intra_network"]) == ("radio", 50, True)
    riwayat = operator.get(page).text.split('id="riwayat"')[1]
    assert "<td>Serat optik</td><td>Radio</td>" in riwayat and "<td>20</td><td>50</td>" in riwayat
    bad = _link_form(operator.csrf, _if_match(operator.get(f"{page}/ubah").text),
                     site="K", bandwidth_mbps="lima puluh")  # fmt: skip
    refused = operator.post(f"{page}/ubah", data=bad)
    assert refused.status_code == 422
    assert _message(refused.text, "site") == "Terlalu pendek: paling sedikit 2 karakter."
    assert 'value="lima puluh"' in refused.text
    assert operator.get(f"/api/v1/network-links/{link['id']}").json() == now


def test_a_site_that_already_has_a_link_links_to_it(browser: Browser) -> None:
    admin = browser(Role.ADMIN)
    first, second = _link(admin), _link(admin, site="Puskesmas Kragilan")
    again = admin.post("/katalog/jaringan/baru", data=_link_form(admin.csrf, "", owner="Dinkes"))
    assert again.status_code == 409 and "sudah memiliki sambungan" in again.text
    assert f'href="/katalog/jaringan/{first["id"]}" id="data-tercatat"' in again.text
    assert 'value="Dinkes"' in again.text  # what was typed is kept
    url = f"/katalog/jaringan/{second['id']}/ubah"
    moved = admin.post(url, data=_link_form(admin.csrf, _if_match(admin.get(url).text)))
    assert moved.status_code == 409
    assert f'href="/katalog/jaringan/{first["id"]}" id="data-tercatat"' in moved.text
    assert admin.get(f"/api/v1/network-links/{second['id']}").json() == second
