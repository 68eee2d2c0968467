"""Penilaian pages against a real scorer API (uvicorn on 127.0.0.1, its own SQLite) that checks the
person's session with the inventory: runs, a run's indicators with evidence, a comparison, the
workbook, the dashboard fragment, who may see them, and the scorer down."""

from __future__ import annotations

import io
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import uvicorn
from fastapi.testclient import TestClient
from harness import bearer, grant, web_session
from integration.scorer.scoring_harness import scorer_settings
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from spbe_common.auth import Role
from spbe_inventory.api.app import create_app as create_inventory_app
from spbe_inventory.api.security import SESSION_COOKIE
from spbe_inventory.settings import InventorySettings
from spbe_scorer.api.app import create_app as create_scorer_app
from spbe_scorer.runtime import build_runtime

Browser = Callable[..., TestClient]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(app: Any) -> tuple[uvicorn.Server, threading.Thread, str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    return server, thread, f"http://127.0.0.1:{port}"


class Scorer:
    def __init__(self, url: str, api: TestClient) -> None:
        self.url = url
        self.api = api  # the scorer API as an admin (bearer token), to make runs

    def run(self, framework: str = "spbe-2020") -> dict[str, Any]:
        response = self.api.post("/api/v1/runs", json={"framework": framework})
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture
def scorer(tmp_path: Path, engine: Engine) -> Iterator[Scorer]:
    """The scorer API on loopback, reading the inventory (same catalogue) as its service account
    and asking it who a session or token belongs to."""
    inventory_app = create_inventory_app(InventorySettings(data_dir=tmp_path), engine)
    as_scorer = TestClient(inventory_app, headers=bearer(grant(engine, Role.SCORER, name="scorer")))
    settings = scorer_settings(tmp_path)
    runtime = build_runtime(
        settings, inventory=as_scorer, registry=CollectorRegistry(), publish=False
    )
    app = create_scorer_app(settings, runtime.scorer, runtime.registry)
    server, thread, url = serve(app)
    api = TestClient(app, headers=bearer(grant(engine, Role.ADMIN)))
    yield Scorer(url, api)
    server.should_exit = True
    thread.join(timeout=10)
    api.close()
    as_scorer.close()
    runtime.scorer.engine.dispose()


@pytest.fixture
def settings(tmp_path: Path, scorer: Scorer) -> InventorySettings:
    """The inventory the browser signs in to, pointed at the running scorer."""
    return InventorySettings(data_dir=tmp_path, scorer_url=scorer.url)


@pytest.fixture
def runs(scorer: Scorer) -> dict[str, dict[str, Any]]:
    """Two SPBE runs with an evaluator's level between them (indicator 1 goes up), one Pemdi."""
    before = scorer.run()
    assessment = {
        "framework": "spbe-2020", "indicator": "1", "level": 3,
        "justification": "Perbup Arsitektur SPBE ditetapkan",
    }  # fmt: skip
    assert scorer.api.post("/api/v1/assessments", json=assessment).status_code == 201
    after = scorer.run()
    pemdi = scorer.run("pemdi-2026")
    return {"before": before, "after": after, "pemdi": pemdi}


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("role", [Role.EVALUATOR, Role.ADMIN])
def test_runs_list_shows_framework_time_index_and_predicate(
    browser: Browser, runs: dict[str, dict[str, Any]], role: Role
) -> None:
    response = browser(role).get("/penilaian")
    assert response.status_code == 200, response.text
    page = text_of(response.text)
    assert "Daftar penilaian" in page and "Indeks SPBE 2020" in page and "Indeks Pemdi 2026" in page
    for run in runs.values():
        assert f'href="/penilaian/{run["id"]}"' in response.text
        assert run["predicate"] in page
        assert run["index_display"].replace(".", ",") in page
    assert 'id="form-banding"' in response.text and "WIB" in page
    only = browser(role).get("/penilaian", params={"kerangka": "pemdi-2026"})
    assert runs["pemdi"]["id"] in only.text and runs["after"]["id"] not in only.text


def test_a_run_shows_each_indicator_with_level_evidence_and_what_the_next_level_needs(
    browser: Browser, runs: dict[str, dict[str, Any]]
) -> None:
    run = runs["after"]
    response = browser(Role.EVALUATOR).get(f"/penilaian/{run['id']}")
    assert response.status_code == 200, response.text
    page = text_of(response.text)
    for heading in ("Indeks per domain", "Tingkat", "Bukti", "Yang dibutuhkan untuk tingkat"):
        assert heading in page
    assert "Layanan Pusat Data" in page  # indicator 16, derived from the catalogue
    assert "Diturunkan dari katalog" in page and "Penilaian evaluator" in page
    assert 'href="/katalog/opd/DISKOMINFOSATIK"' in response.text  # evidence links the record
    assert "Perbup Arsitektur SPBE ditetapkan" in page  # the evaluator's justification
    assert "OPD belum memenuhi" in page  # what the next level needs, per OPD
    assert f'href="/penilaian/{run["id"]}/unduh"' in response.text
    assert response.text.count("<h1") == 1


def test_an_unknown_run_is_the_404_page(browser: Browser, scorer: Scorer) -> None:
    response = browser(Role.EVALUATOR).get("/penilaian/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404 and "Halaman tidak ditemukan" in response.text


def test_comparison_shows_up_and_down_per_indicator(
    browser: Browser, runs: dict[str, dict[str, Any]]
) -> None:
    client = browser(Role.VIEWER)
    a, b = runs["before"]["id"], runs["after"]["id"]
    response = client.get("/penilaian/banding", params={"a": a, "b": b})
    assert response.status_code == 200, response.text
    page = text_of(response.text)
    assert "Indikator yang berubah" in page and "Kebijakan Internal Arsitektur SPBE" in page
    assert "▲ naik" in page and "1 indikator berubah" in page
    back = text_of(client.get("/penilaian/banding", params={"a": b, "b": a}).text)
    assert "▼ turun" in back and "Selisih indeks: turun" in back
    full = client.get("/penilaian/banding", params={"a": a, "b": b, "semua": "true"})
    assert "Semua indikator" in full.text and "Layanan Pusat Data" in full.text
    mixed = client.get("/penilaian/banding", params={"a": a, "b": runs["pemdi"]["id"]})
    assert mixed.status_code == 422 and "kerangka yang sama" in mixed.text


def test_the_workbook_downloads_with_its_filename_and_opens(
    browser: Browser, runs: dict[str, dict[str, Any]]
) -> None:
    run = runs["after"]
    response = browser(Role.EVALUATOR).get(f"/penilaian/{run['id']}/unduh")
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-disposition"] == (
        f'attachment; filename="spbe-2020-{run["id"][:8]}.xlsx"'
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert len(book.sheetnames) >= 2
    cells = [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    assert "Layanan Pusat Data" in cells
    # in Bahasa Indonesia, like the page: headers, and level sources in words
    assert book.sheetnames[0] == "Ringkasan"
    for title in book.sheetnames[1:]:
        header = next(book[title].iter_rows(max_row=1, values_only=True))
        assert header[:5] == ("No.", "Indikator", "Tingkat", "Asal tingkat", "Bukti"), title
    assert "Diturunkan dari katalog" in cells and "Indeks" in cells and "Predikat" in cells
    assert not {"Indicator", "Source", "Index", "Predicate", "derived"} & set(cells)


def test_the_dashboard_fragment_shows_the_latest_index_and_a_domain_chart(
    browser: Browser, runs: dict[str, dict[str, Any]]
) -> None:
    response = browser(Role.OPD_OPERATOR, ["DINKES"]).get(
        "/penilaian/ringkasan", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200, response.text
    assert "<html" not in response.text  # a fragment, swapped into the dashboard
    page = text_of(response.text)
    assert runs["after"]["index_display"].replace(".", ",") in page and "Indeks Pemdi 2026" in page
    found = re.search(
        r'<script type="application/json" id="grafik-domain-spbe-2020-data">(.*?)</script>',
        response.text,
        re.S,
    )
    assert found and 'data-chart="grafik-domain-spbe-2020-data"' in response.text
    config = json.loads(found.group(1))
    assert config["type"] == "line" and len(config["data"]["labels"]) == 2
    labels = [d["label"] for d in config["data"]["datasets"]]
    assert labels == [
        "D1 Kebijakan Internal SPBE", "D2 Tata Kelola SPBE", "D3 Manajemen SPBE", "D4 Layanan SPBE",
    ]  # fmt: skip
    assert all(len(d["data"]) == 2 for d in config["data"]["datasets"])


def test_every_reader_sees_penilaian_but_a_collector_account_does_not(
    browser: Browser, runs: dict[str, dict[str, Any]]
) -> None:
    viewer = browser(Role.VIEWER)
    assert viewer.get("/penilaian").status_code == 200
    assert 'href="/penilaian"' in viewer.get("/beranda").text  # in the menu
    collector = browser(Role.COLLECTOR)
    for path in ("/penilaian", f"/penilaian/{runs['after']['id']}", "/penilaian/ringkasan"):
        response = collector.get(path)
        assert response.status_code == 403, path
        assert runs["after"]["id"] not in response.text
    assert browser(None).get("/penilaian").headers["location"].startswith("/masuk")


def test_the_scorer_down_is_a_503_page_in_indonesian(tmp_path: Path, engine: Engine) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    app = create_inventory_app(InventorySettings(data_dir=tmp_path, scorer_url=dead), engine)
    secret, _csrf = web_session(engine, Role.EVALUATOR)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        client.cookies.set(SESSION_COOKIE, secret)
        for path in ("/penilaian", "/penilaian/abc-1", "/penilaian/abc-1/unduh",
                     "/penilaian/banding?a=abc-1&b=abc-2"):  # fmt: skip
            response = client.get(path)
            assert response.status_code == 503, (path, response.text)
            assert "Layanan penilaian tidak dapat dihubungi" in response.text
            assert "Traceback" not in response.text and "httpx" not in response.text
        fragment = client.get("/penilaian/ringkasan", headers={"HX-Request": "true"})
        assert fragment.status_code == 200  # htmx swaps only a 2xx: the notice must show
        assert "Layanan penilaian tidak dapat dihubungi" in fragment.text
