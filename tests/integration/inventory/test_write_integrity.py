"""A 2xx means committed, concurrent writers lose nothing, and creates race to one winner.

Against a real uvicorn on 127.0.0.1 (a TestClient would wait for code that runs after the response
and hide the bug), on a migrated SQLite file and on the real PostgreSQL.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from harness import bearer, grant
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import IntegrityError, OperationalError
from synthetic import register_scan_opds, scan_stream

from spbe_common.bus import Record
from spbe_common.db import begin_write
from spbe_common.events import to_binary
from spbe_inventory import migrate
from spbe_inventory.api.app import create_app
from spbe_inventory.db import make_engine
from spbe_inventory.ingest.service import ingest
from spbe_inventory.settings import InventorySettings

CLIENTS = 20


@dataclass
class LiveApi:
    url: str
    engine: Engine

    token: str

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, headers=bearer(self.token))

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveApi]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/inv.db"
    else:
        url = request.getfixturevalue("fresh_database_url")
    engine = make_engine(url)
    migrate.upgrade(engine)
    app = create_app(InventorySettings(data_dir=tmp_path, database_url=url), engine)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            pytest.fail("the API did not start")
        threading.Event().wait(0.02)
    try:
        yield LiveApi(f"http://127.0.0.1:{port}", engine, grant(engine))
    finally:
        server.should_exit = True
        thread.join(10)
        engine.dispose()


def _seed(api: LiveApi) -> None:
    with api.client() as client:
        for code in ("DINKES", "DISKOMINFOSATIK"):
            body = {"code": code, "name": f"Dinas {code.title()}"}
            assert client.post("/api/v1/opd", json=body).status_code == 201


def _race(api: LiveApi, calls: list[Callable[[httpx.Client], httpx.Response]]) -> list[int]:
    """Every call at once, each on its own keep-alive client; the status codes in call order."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[httpx.Client], httpx.Response]) -> httpx.Response:
        with api.client() as client:
            client.get("/healthz")  # connected before the start
            barrier.wait()
            return call(client)

    with ThreadPoolExecutor(len(calls)) as pool:
        responses = list(pool.map(run, calls))
    for response in responses:
        assert response.status_code < 500, response.text
    return [r.status_code for r in responses]


def test_what_a_write_confirmed_is_read_right_after_it(live: LiveApi) -> None:
    _seed(live)
    with live.client() as client:
        for i in range(1000):
            created = client.post(
                "/api/v1/assets", json={"serial": f"SN-{i}", "opd_code": "DINKES"}
            )
            assert created.status_code == 201, created.text
            asset_id = created.json()["id"]
            found = client.get(f"/api/v1/assets/{asset_id}")
            assert found.status_code == 200, f"try {i}: {found.text}"
            patched = client.patch(f"/api/v1/assets/{asset_id}", json={"name": f"PC-{i}"})
            assert patched.status_code == 200, f"try {i}: {patched.text}"
    assert live.scalar("SELECT count(*) FROM asset WHERE name LIKE 'PC-%'") == 1000


def test_a_write_whose_commit_fails_answers_no_2xx_and_leaves_nothing(live: LiveApi) -> None:
    _seed(live)

    def refuse(_conn: Any) -> None:
        raise OperationalError("COMMIT", {}, Exception("disk is full (injected)"))

    event.listen(live.engine, "commit", refuse)
    try:
        with live.client() as client:
            for body in ({"serial": "SN-LOST", "opd_code": "DINKES"}, {"mac": "02:00:5E:00:00:01"}):
                response = client.post("/api/v1/assets", json=body)
                assert response.status_code == 503, response.text
                assert response.json() == {
                    "detail": "database unavailable; nothing was saved, try again"
                }
            opd = client.post("/api/v1/opd", json={"code": "BKPSDM", "name": "BKPSDM"})
            assert opd.status_code == 503
    finally:
        event.remove(live.engine, "commit", refuse)
    assert live.scalar("SELECT count(*) FROM asset") == 0
    assert live.scalar("SELECT count(*) FROM opd WHERE code = 'BKPSDM'") == 0
    with live.client() as client:
        assert client.get("/api/v1/opd/BKPSDM").status_code == 404
        later = client.post("/api/v1/assets", json={"serial": "SN-LATER"}).json()
        assert client.get(f"/api/v1/assets/{later['id']}").json()["serial"] == "SN-LATER"


FIELDS = ("name", "hostname", "location", "owner")


def test_concurrent_patches_of_different_fields_keep_every_field(live: LiveApi) -> None:
    _seed(live)
    with live.client() as client:
        start = dict.fromkeys(FIELDS, "awal")
        asset = client.post("/api/v1/assets", json={"serial": "SN-1", **start}).json()
    path = f"/api/v1/assets/{asset['id']}"
    for round_ in range(3):
        values = [(FIELDS[i % len(FIELDS)], f"r{round_}-c{i}") for i in range(CLIENTS)]
        statuses = _race(live, [lambda c, f=f, v=v: c.patch(path, json={f: v}) for f, v in values])
        assert statuses == [200] * CLIENTS
        with live.client() as client:
            final = client.get(path).json()
        for name in FIELDS:
            sent = {v for f, v in values if f == name}
            assert final[name] in sent, f"round {round_}: {name} lost its update ({final[name]})"
    updates = live.scalar(
        "SELECT count(*) FROM history WHERE entity = 'asset' AND action = 'updated'"
    )
    assert updates == 3 * CLIENTS, "every acknowledged PATCH left its history row"


@pytest.mark.parametrize(
    ("path", "etag_of"),
    [
        ("/api/v1/assets/{id}", "asset"),
        ("/api/v1/applications/{id}", "app"),
        ("/api/v1/opd/DINKES", "opd"),
    ],
)
def test_a_stale_if_match_is_412_and_changes_nothing(
    live: LiveApi, path: str, etag_of: str
) -> None:
    _seed(live)
    with live.client() as client:
        asset = client.post("/api/v1/assets", json={"serial": "SN-1"}).json()
        app = client.post("/api/v1/applications", json={"name": "SIMPUS", "opd_code": "DINKES"})
        assert app.status_code == 201, app.text
        url = path.format(id=asset["id"] if etag_of == "asset" else app.json()["id"])
        field = "description" if etag_of == "app" else "name"
        read = client.get(url)
        etag = read.headers["etag"]
        first = client.patch(url, json={field: "versi 1"}, headers={"If-Match": etag})
        assert first.status_code == 200, first.text
        assert first.headers["etag"] != etag, "the version moved"
        stale = client.patch(url, json={field: "versi 2"}, headers={"If-Match": etag})
        assert stale.status_code == 412, stale.text
        assert client.get(url).json()[field] == "versi 1"
        fresh = client.patch(
            url, json={field: "versi 3"}, headers={"If-Match": first.headers["etag"]}
        )
        assert fresh.status_code == 200
        assert (
            client.patch(url, json={field: "versi 4"}, headers={"If-Match": "*"}).status_code == 200
        )


def _bodies(api: LiveApi) -> dict[str, tuple[str, dict[str, Any]]]:
    with api.client() as client:
        facility = client.post("/api/v1/facilities", json={"name": "Ruang Server Setda"}).json()
    return {
        "opd": ("/api/v1/opd", {"code": "BAPPERIDA", "name": "Bapperida"}),
        "facility": ("/api/v1/facilities", {"name": "Pusat Data Pemda"}),
        "application": ("/api/v1/applications", {"name": "SIMPEG", "opd_code": "DINKES"}),
        "network link": (
            "/api/v1/network-links",
            {"opd_code": "DINKES", "site": "Puskesmas Ciruas"},
        ),
        "service bus": (
            "/api/v1/evaluation/service-buses",
            {"name": "SPLP Kabupaten", "opd_code": "DISKOMINFOSATIK"},
        ),
        "facility use": (
            "/api/v1/evaluation/facility-uses",
            {"facility_id": facility["id"], "opd_code": "DINKES"},
        ),
    }


def test_concurrent_creates_race_to_one_201_and_409_for_the_rest(live: LiveApi) -> None:
    _seed(live)
    for what, (path, body) in _bodies(live).items():
        statuses = _race(live, [lambda c, p=path, b=body: c.post(p, json=b)] * CLIENTS)
        assert sorted(statuses) == [201] + [409] * (CLIENTS - 1), f"{what}: {statuses}"


@pytest.mark.parametrize(
    "identity",
    [{"serial": "SN-RACE"}, {"mac": "02:00:5E:10:00:01"}, {"addresses": ["127.10.0.9"]}],
)
def test_concurrent_declarations_of_one_device_make_one_asset(
    live: LiveApi, identity: dict[str, Any]
) -> None:
    calls = [
        lambda c, i=i: c.post("/api/v1/assets", json={**identity, "owner": f"staf {i}"})
        for i in range(CLIENTS)
    ]
    statuses = _race(live, calls)
    assert sorted(statuses) == [200] * (CLIENTS - 1) + [201], statuses
    assert live.scalar("SELECT count(*) FROM asset") == 1


def test_the_database_itself_keeps_one_asset_per_mac_and_per_serial(live: LiveApi) -> None:
    """The unique indexes behind identity resolution, whatever writes bypass the API."""
    insert = (
        "INSERT INTO asset (kind, lifecycle, mac, serial, addresses, identity_rule, observed,"
        " declared, is_sample, created_at, updated_at)"
        " VALUES ('server', 'active', :mac, :serial, '[]', 'declared', '{}', '{}', false,"
        " '2026-11-30 00:00:00', '2026-11-30 00:00:00')"
    )
    with live.engine.begin() as conn:
        conn.execute(text(insert), {"mac": "02:00:5E:00:00:09", "serial": None})
        conn.execute(text(insert), {"mac": None, "serial": "SN-9"})
        conn.execute(text(insert), {"mac": "02:00:5E:00:00:0A", "serial": "SN-9"})  # other NIC
    for mac, serial in (("02:00:5E:00:00:09", None), (None, "SN-9")):
        with pytest.raises(IntegrityError), live.engine.begin() as conn:
            conn.execute(text(insert), {"mac": mac, "serial": serial})


def test_the_consumer_and_the_api_never_overwrite_each_other(live: LiveApi) -> None:
    """Scans of one host are folded in while people edit it: neither side loses the other's."""
    events = list(scan_stream(scopes=1, hosts=1, scans=30))  # the host drifts from round 2 on
    register_scan_opds(live.engine, events)
    rounds: dict[str, list[Record]] = {}
    for offset, observed in enumerate(events):
        headers, value = to_binary(observed)
        record = Record("spbe.events", 0, offset, observed.key(), value, headers)
        rounds.setdefault(observed.scanid or "", []).append(record)
    batches = list(rounds.values())
    with begin_write(live.engine) as conn:
        ingest(conn, batches[0])
    with live.client() as client:
        (asset,) = client.get("/api/v1/assets").json()["data"]

    def fold_in_the_rest() -> None:
        for batch in batches[1:]:
            with begin_write(live.engine) as conn:
                ingest(conn, batch)

    consumer = threading.Thread(target=fold_in_the_rest)
    consumer.start()
    last: dict[str, str] = {}
    with live.client() as client:
        for i in range(40):
            field = ("owner", "location")[i % 2]
            response = client.patch(f"/api/v1/assets/{asset['id']}", json={field: f"v{i}"})
            assert response.status_code == 200, response.text
            last[field] = f"v{i}"
    consumer.join(60)
    with live.client() as client:
        final = client.get(f"/api/v1/assets/{asset['id']}").json()
    assert {f: final[f] for f in last} == last, "a scan overwrote what a person declared"
    assert {f: final["declared"][f] for f in last} == last
    assert final["last_seen"].startswith(str(events[-2].time.date())), "every scan was folded in"


def test_evaluation_records_and_the_profile_honour_if_match(live: LiveApi) -> None:
    _seed(live)
    audit = {"opd_code": "DINKES", "kind": "infrastructure", "audited_on": "2026-10-01",
             "scope": "Audit infrastruktur TIK"}  # fmt: skip
    with live.client() as client:
        created = client.post("/api/v1/evaluation/audits", json=audit)
        assert created.status_code == 201, created.text
        path = f"/api/v1/evaluation/audits/{created.json()['id']}"
        first = client.patch(
            path, json={"in_plan": True}, headers={"If-Match": created.headers["etag"]}
        )
        assert first.status_code == 200, first.text
        stale = client.patch(
            path, json={"in_plan": False}, headers={"If-Match": created.headers["etag"]}
        )
        assert stale.status_code == 412
        assert client.get("/api/v1/evaluation/audits").json()["data"][0]["in_plan"] is True

        profile = client.get("/api/v1/evaluation/profile")
        body = {**profile.json(), "ict_opd_code": "DISKOMINFOSATIK"}
        done = client.put(
            "/api/v1/evaluation/profile", json=body, headers={"If-Match": profile.headers["etag"]}
        )
        assert done.status_code == 200, done.text
        again = client.put(
            "/api/v1/evaluation/profile", json=body, headers={"If-Match": profile.headers["etag"]}
        )
        assert again.status_code == 412
