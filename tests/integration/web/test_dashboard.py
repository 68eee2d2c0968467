"""Beranda and Kejadian ditolak on the sample catalogue of Kabupaten Serang: what each role and
OPD sees, the attention panels (missing assets, silent applications, ending certificates, old
scans) and the rejected events, admins only."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from harness import web_session
from sqlalchemy import Engine, select, update

from spbe_common.auth import Role
from spbe_common.db import begin_write
from spbe_inventory import migrate
from spbe_inventory.api.app import create_app
from spbe_inventory.api.security import SESSION_COOKIE
from spbe_inventory.applications.repository import APPLICATION
from spbe_inventory.assets.repository import ASSET
from spbe_inventory.db import make_engine
from spbe_inventory.ingest import repository as ingest
from spbe_inventory.sample.service import load_sample
from spbe_inventory.settings import InventorySettings

Browser = Callable[..., TestClient]
NOW = datetime.now(UTC)
INDEX_REGION = (
    '<section id="indeks" hx-get="/penilaian/ringkasan" hx-trigger="load" hx-swap="innerHTML" '
    'aria-live="polite"><h2>Indeks SPBE / Pemdi</h2><p class="muted">Memuat…</p></section>'
)


def _set_asset(engine: Engine, name: str, **values: object) -> int:
    with begin_write(engine) as conn:
        asset_id = conn.execute(select(ASSET.c.id).where(ASSET.c.name == name)).scalar_one()
        conn.execute(update(ASSET).where(ASSET.c.id == asset_id).values(**values))
    return int(asset_id)


def _probe(engine: Engine, name: str, probe: dict[str, object]) -> None:
    with begin_write(engine) as conn:
        conn.execute(
            update(APPLICATION)
            .where(APPLICATION.c.name == name)
            .values(probe=probe, last_probed_at=NOW - timedelta(minutes=5))
        )


def _scan(engine: Engine, scan_id: str, scope: str, opd: str, status: str, days_ago: int) -> None:
    started = NOW - timedelta(days=days_ago, minutes=10)
    row = {
        "scan_id": scan_id,
        "scope": scope,
        "opd_code": opd,
        "ranges": ["127.10.0.0/24"],
        "profile": "discovery",
        "status": status,
        "started_at": started,
        "finished_at": started + timedelta(minutes=5),
        "hosts_up": 3,
        "marked_missing": 1,
    }
    with begin_write(engine) as conn:
        ingest.finish_scan(conn, row)


def _reject(engine: Engine, count: int) -> None:
    rows = [
        {
            "topic": "spbe.asset.observed",
            "partition": 0,
            "offset": n,
            "event_id": f"ev-{n}",
            "event_type": "asset.observed",
            "reason": f"invalid payload number {n}",
            "value": b'{"mac": "zz:zz", "opd": "DINKES", "secret": "' + str(n).encode() + b'"}',
            "headers": [["ce_source", f"collector/kolektor-{n}"], ["ce_type", "asset.observed"]],
            "rejected_at": NOW - timedelta(minutes=count - n),
        }
        for n in range(count)
    ]
    with begin_write(engine) as conn:
        ingest.store_rejected(conn, rows)


def _chart(html: str) -> dict[str, object]:
    found = re.search(
        r'<script type="application/json" id="grafik-aset-per-opd">(.*?)</script>', html, re.S
    )
    assert found, "the chart's JSON is in the page"
    assert 'data-chart="grafik-aset-per-opd"' in html
    return json.loads(found.group(1))


def test_an_operator_sees_its_opd_counts_and_missing_assets_only(
    browser: Browser, engine: Engine
) -> None:
    mine = _set_asset(engine, "vm-sipkerja (contoh)", lifecycle="missing", last_seen=NOW)
    _set_asset(engine, "srv-simrs (contoh)", lifecycle="missing", last_seen=NOW)  # RSDP
    page = browser(Role.OPD_OPERATOR, ["BKPSDM"]).get("/beranda")
    assert page.status_code == 200
    assert "<h1>Beranda</h1>" in page.text and "OPD BKPSDM" in page.text
    assert f'href="/katalog/aset/{mine}"' in page.text and "vm-sipkerja (contoh)" in page.text
    assert "srv-simrs" not in page.text and "RSDP" not in page.text  # another OPD's asset
    assert "DISKOMINFOSATIK" not in page.text
    table = page.text.split('id="tabel-per-opd"')[1].split("</table>")[0]
    assert "BKPSDM" in table and table.count('<th scope="row">') == 1
    chart = _chart(page.text)
    assert chart["type"] == "bar"
    data = chart["data"]
    assert isinstance(data, dict) and data["labels"] == ["BKPSDM"]
    by_label = {d["label"]: d["data"] for d in data["datasets"]}
    assert by_label["Hilang"] == [1] and by_label["Aktif"] == [0]
    assert "Kejadian ditolak" not in page.text  # neither the panel nor the menu item
    assert INDEX_REGION in page.text  # operators read scores


def test_an_admin_sees_every_opd_in_the_chart_and_the_table(browser: Browser) -> None:
    page = browser(Role.ADMIN).get("/beranda")
    assert page.status_code == 200
    chart = _chart(page.text)
    data = chart["data"]
    assert isinstance(data, dict)
    assert data["labels"][0] == "DISKOMINFOSATIK"  # most assets first (3 of the 6 sample servers)
    assert set(data["labels"]) == {"DISKOMINFOSATIK", "SETDA", "BKPSDM", "RSDP"}
    assert sum(sum(d["data"]) for d in data["datasets"]) == 6
    assert chart["options"]["scales"]["x"]["ticks"] == {"precision": 0}  # counts: whole ticks
    table = page.text.split('id="tabel-per-opd"')[1].split("</table>")[0]
    assert "Dinas Pemberdayaan" not in table  # OPD without assets or applications are left out
    assert "SIP Kerja" not in table and "BKPSDM" in table and "Sekretariat Daerah" in table
    assert '<script src="/vendor/' in page.text and "chart.umd.min.js" in page.text


def test_silent_applications_ending_certificates_and_old_scans_are_shown(
    browser: Browser, engine: Engine
) -> None:
    _probe(engine, "JDIH", {"url": "https://jdih.serangkab.go.id/", "reachable": False,
                            "error": "connect: [Errno 111] Connection refused",
                            "tls_not_after": None})  # fmt: skip
    ends = (NOW + timedelta(days=10)).isoformat()
    _probe(engine, "PPID", {"url": "https://ppid.serangkab.go.id/", "reachable": True,
                            "tls_not_after": ends})  # fmt: skip
    later = (NOW + timedelta(days=90)).isoformat()
    _probe(engine, "Portal serangkab.go.id", {"reachable": True, "tls_not_after": later})
    _scan(engine, "scan-old", "setda-lan", "SETDA", "complete", days_ago=12)
    _scan(engine, "scan-new", "kominfo-dc", "DISKOMINFOSATIK", "complete", days_ago=0)
    _scan(engine, "scan-bad", "bkpsdm-lan", "BKPSDM", "failed", days_ago=1)
    page = browser(Role.EVALUATOR).get("/beranda").text
    silent = page.split('id="aplikasi-tidak-menjawab"')[1].split("</section>")[0]
    assert "JDIH" in silent and "PPID" not in silent
    assert "Tidak dapat terhubung" in silent and "Errno" not in silent  # in words, not the client's
    certs = page.split('id="sertifikat-tls"')[1].split("</section>")[0]
    assert "PPID" in certs and "Portal serangkab" not in certs and "Segera berakhir" in certs
    scans = page.split('id="tabel-pemindaian-terakhir"')[1].split("</table>")[0]
    assert scans.index("bkpsdm-lan") < scans.index("setda-lan") < scans.index("kominfo-dc")
    assert "Belum pernah lengkap" in scans and "12 hari" in scans
    operator = browser(Role.OPD_OPERATOR, ["DISKOMINFOSATIK"]).get("/beranda").text
    assert "JDIH" not in operator and "setda-lan" not in operator and "kominfo-dc" in operator
    assert "PPID" in operator


def test_admins_see_rejected_events_on_the_dashboard_and_their_page(
    browser: Browser, engine: Engine
) -> None:
    _reject(engine, 60)
    admin = browser(Role.ADMIN)
    home = admin.get("/beranda").text
    panel = home.split('id="kejadian-ditolak"')[1].split("</section>")[0]
    assert "60 kejadian" in panel and 'href="/kejadian-ditolak"' in panel
    assert "invalid payload number 59" in panel and "number 54" not in panel  # newest five
    first = admin.get("/kejadian-ditolak")
    assert first.status_code == 200 and "<h1>Kejadian ditolak</h1>" in first.text
    table = first.text.split('id="tabel-kejadian-ditolak"')[1].split("</table>")[0]
    assert table.index("number 59") < table.index("number 58")  # newest first
    assert "collector/kolektor-59" in table and "&#34;secret&#34;" in table  # source, excerpt
    assert "number 9<" not in table and "WIB" in table
    assert "halaman 1 dari 2" in first.text and 'href="?page=2"' in first.text
    second = admin.get("/kejadian-ditolak?page=2").text
    assert "invalid payload number 9<" in second and "number 10<" not in second
    assert admin.get("/kejadian-ditolak?page=3").status_code == 404


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPD_OPERATOR, Role.EVALUATOR])
def test_other_roles_get_no_rejected_events(browser: Browser, engine: Engine, role: Role) -> None:
    _reject(engine, 3)
    client = browser(role, ["SETDA"] if role is Role.OPD_OPERATOR else [])
    refused = client.get("/kejadian-ditolak")
    assert refused.status_code == 403 and "Akses ditolak" in refused.text
    home = client.get("/beranda")
    assert home.status_code == 200
    assert 'id="kejadian-ditolak"' not in home.text and "invalid payload" not in home.text


def test_a_viewer_of_some_opd_gets_the_index_region_and_a_service_account_none(
    browser: Browser,
) -> None:
    viewer = browser(Role.VIEWER, ["SETDA"]).get("/beranda").text
    assert INDEX_REGION in viewer and "vm-jdih" not in viewer  # no missing asset in SETDA
    assert "Tidak ada aset yang hilang." in viewer
    collector = browser(Role.COLLECTOR).get("/beranda")
    assert collector.status_code == 200
    assert 'id="indeks"' not in collector.text and 'id="tabel-per-opd"' not in collector.text


def test_the_dashboard_needs_a_sign_in(browser: Browser) -> None:
    response = browser(None).get("/beranda")
    assert response.status_code == 303 and response.headers["location"].startswith("/masuk")


def test_the_panels_read_the_same_on_postgresql(
    fresh_database_url: str, settings: InventorySettings
) -> None:
    """JSON probe fields, the bytea excerpt and NULLS FIRST are dialect-specific SQL."""
    engine = make_engine(fresh_database_url)
    try:
        migrate.upgrade(engine)
        with begin_write(engine) as conn:
            load_sample(conn)
        _set_asset(engine, "vm-jdih (contoh)", lifecycle="missing", last_seen=NOW)
        _probe(engine, "JDIH", {"reachable": False, "error": "timeout: timed out",
                                "tls_not_after": (NOW - timedelta(days=1)).isoformat()})  # fmt: skip
        _scan(engine, "scan-1", "setda-lan", "SETDA", "partial", days_ago=2)
        _reject(engine, 2)
        secret, _ = web_session(engine, Role.ADMIN)
        with TestClient(create_app(settings, engine), follow_redirects=False) as client:
            client.cookies.set(SESSION_COOKIE, secret)
            home = client.get("/beranda").text
            rejected = client.get("/kejadian-ditolak").text
    finally:
        engine.dispose()
    assert "vm-jdih (contoh)" in home.split('id="aset-hilang"')[1].split("</section>")[0]
    silent = home.split('id="aplikasi-tidak-menjawab"')[1].split("</section>")[0]
    assert "Tidak menjawab dalam batas waktu" in silent
    assert "Sudah berakhir" in home.split('id="sertifikat-tls"')[1].split("</section>")[0]
    assert "Belum pernah lengkap" in home and "2 kejadian" in home
    assert _chart(home)["type"] == "bar"
    assert "collector/kolektor-1" in rejected and "&#34;secret&#34;" in rejected
