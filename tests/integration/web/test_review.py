"""Tinjauan temuan pemindaian (/tinjauan): the queue of the user's OPD after a scan of the sample
catalogue's network, and the forms that accept, merge (and un-merge) and ignore; what users see,
another OPD's hosts absent, 404 for another OPD's item, the number on Beranda."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from spbe_common.auth import Role
from spbe_common.bus import Record
from spbe_common.events import EventType, new_event, to_binary
from spbe_common.events.enums import AssetKind, Lifecycle, ScanStatus
from spbe_common.events.payloads import (
    AssetDeclared,
    AssetObserved,
    ScanCompleted,
    ScanScope,
    ScanStarted,
)
from spbe_inventory.assets.repository import ASSET
from spbe_inventory.ingest.service import ingest

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
KOMINFO, SETDA = "DISKOMINFOSATIK", "SETDA"


def _scan(code: str, net: int, hosts: list[AssetObserved]) -> list[Record]:
    scope = ScanScope(key=f"{code.lower()}-uji", opd=code, ranges=[f"127.{net}.0.0/24"])
    common = {"source": "spbe-test", "scan_id": f"{code}-uji-1", "scope": scope.key}
    started = ScanStarted(scan_id=common["scan_id"], scope=scope, profile="ping", started_at=T0)
    done = ScanCompleted(
        scan_id=common["scan_id"], scope=scope, profile="ping", status=ScanStatus.COMPLETE,
        started_at=T0, finished_at=T0 + timedelta(minutes=1), hosts_up=len(hosts),
    )  # fmt: skip
    events = [
        new_event(EventType.SCAN_STARTED, started, time=T0, **common),
        *(new_event(EventType.ASSET_OBSERVED, h, time=T0 + timedelta(seconds=1), **common)
          for h in hosts),
        new_event(EventType.SCAN_COMPLETED, done, time=T0 + timedelta(minutes=1), **common),
    ]  # fmt: skip
    return [
        Record("spbe.test", 0, n, e.key(), *reversed(to_binary(e))) for n, e in enumerate(events)
    ]


@pytest.fixture
def found(engine: Engine) -> dict[str, int]:
    """A scan of each OPD's network: the sample's srv-web-01 (declared) and hosts no one declared."""
    kominfo = [
        AssetObserved(addresses=["127.10.0.11"], mac="02:00:5E:10:00:11"),  # srv-web-01
        AssetObserved(addresses=["127.10.0.50"], mac="02:00:5E:10:00:50", hostname="nas-kominfo"),
        AssetObserved(addresses=["127.10.0.51"], mac="02:00:5E:10:00:51", hostname="cctv-lobi"),
    ]
    setda = [AssetObserved(addresses=["127.13.0.9"], mac="02:00:5E:13:00:09", hostname="pc-setda")]
    with engine.begin() as conn:
        ingest(conn, [*_scan(KOMINFO, 10, kominfo)])
        ingest(conn, [*_scan(SETDA, 13, setda)])
        rows = conn.execute(select(ASSET.c.hostname, ASSET.c.id)).all()
    return {hostname: asset_id for hostname, asset_id in rows if hostname}


Browser = Callable[..., TestClient]


def test_the_queue_lists_the_opds_undeclared_hosts_only(
    browser: Browser, found: dict[str, int]
) -> None:
    page = browser(Role.OPD_OPERATOR, [KOMINFO]).get("/tinjauan")
    assert page.status_code == 200
    html = page.text
    assert "Tinjauan temuan pemindaian" in html and 'id="tabel-tinjauan"' in html
    assert "nas-kominfo" in html and "cctv-lobi" in html
    queue = html.split("<datalist")[0]  # the rows; the merge form's suggestions come after
    assert "pc-setda" not in html and "srv-web-01" not in queue  # another OPD's; declared
    for label in ("Terima", "Gabungkan ke aset", "Abaikan"):
        assert label in html
    assert f'action="/tinjauan/{found["nas-kominfo"]}/terima"' in html
    assert 'href="/tinjauan"' in html  # in the menu


def test_a_reader_sees_the_queue_without_forms(browser: Browser, found: dict[str, int]) -> None:
    html = browser(Role.VIEWER, [KOMINFO]).get("/tinjauan").text
    assert "nas-kominfo" in html and "/terima" not in html


def test_beranda_shows_how_many_hosts_wait(browser: Browser, found: dict[str, int]) -> None:
    html = browser(Role.OPD_OPERATOR, [KOMINFO]).get("/beranda").text
    number = re.search(r'id="jumlah-belum-ditinjau">(\d+)<', html)
    assert number and number.group(1) == "2"
    assert "Tinjau temuan pemindaian" in html


def test_accept_merge_unmerge_and_ignore_from_the_page(
    browser: Browser, found: dict[str, int]
) -> None:
    client = browser(Role.OPD_OPERATOR, [KOMINFO])
    csrf = client.csrf
    nas, cctv = found["nas-kominfo"], found["cctv-lobi"]
    form = {"csrf_token": csrf, "name": "NAS arsip", "kind": "storage", "owner": "Bidang TIK"}
    answer = client.post(f"/tinjauan/{nas}/terima", data=form)
    assert (answer.status_code, answer.headers["location"]) == (303, "/tinjauan?state=accepted")
    accepted = client.get("/tinjauan?state=accepted").text
    assert "NAS arsip" in accepted
    detail = client.get(f"/katalog/aset/{nas}").text
    assert "NAS arsip" in detail and "Status tinjauan" in detail  # the change in its history

    target = found["srv-web-01"]
    merge = {"csrf_token": csrf, "into": str(target)}
    assert client.post(f"/tinjauan/{cctv}/gabungkan", data=merge).status_code == 303
    merged = client.get("/tinjauan?state=merged").text
    assert "Batalkan penggabungan" in merged and f"/katalog/aset/{target}" in merged
    assert client.get(f"/katalog/aset/{cctv}").status_code == 404
    undo = client.post(f"/tinjauan/{cctv}/batalkan-penggabungan", data={"csrf_token": csrf})
    assert undo.status_code == 303
    assert "cctv-lobi" in client.get("/tinjauan").text

    ignore = {"csrf_token": csrf, "reason": "Kamera sewaan pihak ketiga"}
    assert client.post(f"/tinjauan/{cctv}/abaikan", data=ignore).status_code == 303
    assert "Kamera sewaan pihak ketiga" in client.get("/tinjauan?state=ignored").text
    assert 'id="tinjauan-kosong"' in client.get("/tinjauan").text


def test_an_empty_queue_names_the_opd_the_account_sees(browser: Browser) -> None:
    def empty(role: Role, opd: list[str], address: str = "/tinjauan") -> str:
        html = browser(role, opd).get(address).text
        found = re.search(r'id="tinjauan-kosong">(.*?)</p>', html, re.S)
        assert found, html
        return found.group(1)

    assert empty(Role.ADMIN, []) == "Tidak ada host belum ditinjau di semua OPD."
    assert empty(Role.ADMIN, [], f"/tinjauan?opd_code={SETDA}") == (
        "Tidak ada host belum ditinjau untuk OPD SETDA."
    )
    assert empty(Role.OPD_OPERATOR, [KOMINFO]) == (
        "Tidak ada host belum ditinjau dalam cakupan OPD Anda."
    )


def test_another_opds_item_is_not_found(browser: Browser, found: dict[str, int]) -> None:
    client = browser(Role.OPD_OPERATOR, [KOMINFO])
    csrf = client.csrf
    answer = client.post(f"/tinjauan/{found['pc-setda']}/abaikan",
                         data={"csrf_token": csrf, "reason": "x"})  # fmt: skip
    assert answer.status_code == 404 and "Halaman tidak ditemukan" in answer.text


def test_a_refused_merge_says_why_and_leads_back_to_the_queue(
    browser: Browser, found: dict[str, int]
) -> None:
    client = browser(Role.OPD_OPERATOR, [KOMINFO])
    cctv = found["cctv-lobi"]
    for into in (str(cctv), "999999", str(found["pc-setda"])):  # itself, none, not ours
        answer = client.post(
            f"/tinjauan/{cctv}/gabungkan", data={"csrf_token": client.csrf, "into": into}
        )
        assert answer.status_code == 422, into
        assert "Nomor aset tujuan tidak dapat dipakai" in answer.text, into
        assert '<a href="/tinjauan" id="kembali">Kembali ke Tinjauan</a>' in answer.text
    client.post(f"/tinjauan/{cctv}/abaikan", data={"csrf_token": client.csrf, "reason": "x"})
    unsaid = client.post(
        f"/tinjauan/{found['nas-kominfo']}/abaikan", data={"csrf_token": client.csrf}
    )
    assert unsaid.status_code == 422 and "Tulis alasannya" in unsaid.text
    again = client.post(
        f"/tinjauan/{cctv}/abaikan", data={"csrf_token": client.csrf, "reason": "y"}
    )
    assert again.status_code == 409 and "Host ini sudah ditinjau" in again.text


def test_the_merge_form_suggests_the_opds_declared_assets(
    browser: Browser, found: dict[str, int], engine: Engine
) -> None:
    """A register's entry without an address comes first; hosts of the queue, another OPD's
    assets and retired ones are not offered; picking a suggestion merges into it."""
    declared = [
        AssetDeclared(opd=KOMINFO, name="UPS Ruang Server", kind=AssetKind.OTHER,
                      asset_code="02.06.01.001"),
        AssetDeclared(opd=KOMINFO, name="Router lama", kind=AssetKind.NETWORK_DEVICE,
                      lifecycle=Lifecycle.RETIRED),
        AssetDeclared(addresses=["127.10.0.11"], name="Server Web Utama"),  # srv-web-01
    ]  # fmt: skip
    events = [new_event(EventType.ASSET_DECLARED, d, source="spbe-test", time=T0) for d in declared]
    with engine.begin() as conn:
        ingest(conn, [Record("spbe.test", 0, n, e.key(), *reversed(to_binary(e)))
                      for n, e in enumerate(events)])  # fmt: skip
        names = dict(conn.execute(select(ASSET.c.name, ASSET.c.id)).all())
    ups, old = names["UPS Ruang Server"], names["Router lama"]
    client = browser(Role.OPD_OPERATOR, [KOMINFO])
    html = client.get("/tinjauan").text
    listed = re.search(r'<datalist id="calon-gabung-DISKOMINFOSATIK">(.*?)</datalist>', html, re.S)
    assert listed, html
    values = re.findall(r'<option value="(\d+)" label="([^"]*)"', listed.group(1))
    ids = [int(v) for v, _ in values]
    labels = dict(zip(ids, (label for _, label in values), strict=True))
    assert ids[0] == ups  # the only one without an address or MAC
    assert labels[ups] == "UPS Ruang Server · 02.06.01.001 · belum ada alamat IP"
    assert labels[found["srv-web-01"]] == "Server Web Utama · 127.10.0.11"
    queued = {found["cctv-lobi"], found["nas-kominfo"], found["pc-setda"]}
    assert old not in ids and not queued & set(ids)  # retired; the queue's and another OPD's
    cctv = found["cctv-lobi"]
    assert f'id="into-{cctv}" name="into"' in html and 'list="calon-gabung-DISKOMINFOSATIK"' in html
    answer = client.post(
        f"/tinjauan/{cctv}/gabungkan", data={"csrf_token": client.csrf, "into": str(ups)}
    )
    assert answer.status_code == 303
    assert f"/katalog/aset/{ups}" in client.get("/tinjauan?state=merged").text


def test_a_reader_and_other_states_get_no_suggestions(
    browser: Browser, found: dict[str, int]
) -> None:
    assert "<datalist" not in browser(Role.VIEWER, [KOMINFO]).get("/tinjauan").text
    writer = browser(Role.OPD_OPERATOR, [KOMINFO])
    assert "<datalist" not in writer.get("/tinjauan?state=ignored").text


def test_a_name_typed_in_the_merge_field_finds_the_suggested_asset(
    browser: Browser, found: dict[str, int]
) -> None:
    """The field says "type a name or a number": a name typed without picking it from the list
    is the suggestion of that name (any capitals); an unknown name says so."""
    client = browser(Role.OPD_OPERATOR, [KOMINFO])
    cctv = found["cctv-lobi"]
    unknown = client.post(
        f"/tinjauan/{cctv}/gabungkan", data={"csrf_token": client.csrf, "into": "Server Tidak Ada"}
    )
    assert unknown.status_code == 422
    assert "tidak ada aset bernama &#39;Server Tidak Ada&#39; di DISKOMINFOSATIK" in unknown.text
    assert '<a href="/tinjauan" id="kembali">Kembali ke Tinjauan</a>' in unknown.text
    answer = client.post(
        f"/tinjauan/{cctv}/gabungkan",
        data={"csrf_token": client.csrf, "into": "SRV-WEB-01 (contoh)"},
    )
    assert answer.status_code == 303
    assert f"/katalog/aset/{found['srv-web-01']}" in client.get("/tinjauan?state=merged").text


def test_the_riwayat_names_the_merged_host_and_the_facility(
    browser: Browser, found: dict[str, int]
) -> None:
    client = browser(Role.OPD_OPERATOR, [KOMINFO])
    target, cctv = found["srv-web-01"], found["cctv-lobi"]
    merge = {"csrf_token": client.csrf, "into": str(target)}
    assert client.post(f"/tinjauan/{cctv}/gabungkan", data=merge).status_code == 303
    facility = client.post(
        "/api/v1/facilities",
        json={"name": "Ruang Server Kominfo Lt. 2", "owner_opd_code": KOMINFO},
        headers={"X-CSRF-Token": client.csrf},
    ).json()
    placed = client.patch(
        f"/api/v1/assets/{target}",
        json={"facility_id": facility["id"]},
        headers={"X-CSRF-Token": client.csrf},
    )
    assert placed.status_code == 200, placed.text
    riwayat = client.get(f"/katalog/aset/{target}").text.split('id="riwayat"')[1]
    assert '<th scope="row">Digabungkan dari aset</th><td colspan="2">cctv-lobi</td>' in riwayat
    assert "<td>Ruang Server Kominfo Lt. 2</td>" in riwayat
    assert "Fasilitas nomor" not in riwayat and "request:" not in riwayat
