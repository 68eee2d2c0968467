"""Time one scoring run over a large catalogue.

Catalogue: 50 OPD, 100,000 assets, 5,000 applications (with development practice, service-bus
use, service areas), bulk-inserted into a migrated SQLite inventory in a temp dir. The run:
the snapshot served by the inventory API in-process -> derive -> merge -> index -> store ->
commit -> publish score.computed to an embedded log. Prints key=value lines, `score_run_s` last.
Run: .venv/bin/python bench/score.py [--assets 100000 --applications 5000 --opd 50]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry
from sqlalchemy import Connection, insert

from spbe_common.auth import Role
from spbe_common.catalogue import LifecycleStage, ServiceArea
from spbe_inventory import migrate
from spbe_inventory.accounts import service as accounts
from spbe_inventory.api.app import create_app as create_inventory_app
from spbe_inventory.applications.repository import APPLICATION
from spbe_inventory.assets.repository import ASSET
from spbe_inventory.db import make_engine
from spbe_inventory.evaluation import repository as evaluation
from spbe_inventory.infrastructure.repository import FACILITY, NETWORK_LINK
from spbe_inventory.opd.repository import OPD
from spbe_inventory.settings import InventorySettings
from spbe_scorer.runs.enums import Trigger
from spbe_scorer.runtime import build_runtime
from spbe_scorer.settings import ScorerSettings

NOW = datetime.now(UTC)
AREAS = [a.value for a in ServiceArea if not a.value.startswith("sektor_")]
AREAS += ["publik_sektor:adminduk", "publik_sektor:perizinan", "publik_sektor:kesehatan"]


def _opd(conn: Connection, count: int) -> list[str]:
    codes = [f"OPD{i:02d}" for i in range(1, count + 1)]
    rows = [
        {"code": c, "name": f"Dinas {c}", "kind": "agency", "aliases": [], "is_sample": False,
         "created_at": NOW}
        for c in codes
    ]  # fmt: skip
    conn.execute(insert(OPD), rows)
    return codes


def _infrastructure(conn: Connection, codes: list[str]) -> None:
    common = {"is_sample": False, "created_at": NOW}
    conn.execute(
        insert(FACILITY),
        [
            {"name": "Pusat Data Pemda", "kind": "pusat_data_pemda", "has_sop": True,
             "pdn_interconnected": True, **common},
            {"name": "PDN", "kind": "pdn", "has_sop": True, "pdn_interconnected": True, **common},
            {"name": "Ruang Server RSUD", "kind": "opd_server_room", "has_sop": False,
             "pdn_interconnected": False, **common},
        ],
    )  # fmt: skip
    links = [
        {"opd_code": c, "site": f"Kantor {c}", "media": "fibre", "on_intra_network": True,
         "jip_interconnected": i == 0, **common}
        for i, c in enumerate(codes[:-5])
    ]  # fmt: skip
    conn.execute(insert(NETWORK_LINK), links)


def _assets(conn: Connection, codes: list[str], count: int, rng: random.Random) -> None:
    rows: list[dict[str, Any]] = []
    for i in range(count):
        address = f"127.{i >> 16 & 0xFF}.{i >> 8 & 0xFF}.{i & 0xFF}"
        rows.append(
            {"name": f"host-{i}", "kind": "server", "hostname": f"host-{i}",
             "opd_code": codes[i % len(codes)], "facility_id": 1 if rng.random() < 0.2 else None,
             "address": address, "addresses": [address], "lifecycle": "active",
             "first_seen": NOW, "last_seen": NOW, "identity_rule": "ip", "observed": {},
             "declared": {}, "is_sample": False, "created_at": NOW, "updated_at": NOW}
        )  # fmt: skip
    for start in range(0, count, 20_000):
        conn.execute(insert(ASSET), rows[start : start + 20_000])


def _applications(conn: Connection, codes: list[str], count: int, rng: random.Random) -> None:
    apps: list[dict[str, Any]] = []
    for i in range(count):
        apps.append(
            {"name": f"app-{i}", "opd_code": codes[i % len(codes)],
             "kind": "general" if i % 10 == 0 else "special", "platform": "web",
             "hosting": "pusat_data_pemda", "facility_id": 1 if i % 3 else None,
             "status": "active" if i % 20 else "inactive",
             "function_level": rng.randint(1, 5) if i % 7 else None,
             "uses_service_bus": i % 4 == 0, "urls": [], "probe": {}, "declared": {},
             "service_areas": rng.sample(AREAS, 2), "is_sample": False,
             "created_at": NOW, "updated_at": NOW}
        )  # fmt: skip
    conn.execute(insert(APPLICATION), apps)
    documents = [{"stage": s.value, "title": f"{s.value} doc"} for s in LifecycleStage]
    practices = [
        {"application_id": i + 1, "documents": documents if i % 2 else documents[:3],
         "consulted_with_ict_opd": i % 3 != 0, "controlled_by_ict_opd": False,
         "is_service_portal": i == 1, "listed_in_portal": i % 5 == 0, "updated_at": NOW}
        for i in range(count)
    ]  # fmt: skip
    conn.execute(insert(evaluation.PRACTICE), practices)


def _evaluation_facts(conn: Connection, codes: list[str], apps: int) -> None:
    conn.execute(
        insert(evaluation.SERVICE_BUS),
        [{"name": "SPL Pemda", "opd_code": codes[0], "splp_integrated": True,
          "apis": ["pegawai", "keuangan"], "created_at": NOW, "updated_at": NOW}],
    )  # fmt: skip
    links = [{"service_bus_id": 1, "application_id": a} for a in range(1, apps + 1, 9)]
    conn.execute(insert(evaluation.BUS_APP), links)
    audited = date.today() - timedelta(days=100)
    conn.execute(
        insert(evaluation.AUDIT),
        [
            {"opd_code": codes[0], "kind": kind, "audited_on": audited, "in_plan": True,
             "standard_based": True, "auditor": "internal", "scope": "Pemda",
             "findings_followed_up": False, "created_at": NOW, "updated_at": NOW}
            for kind in ("infrastructure", "application", "security")
        ],
    )  # fmt: skip
    conn.execute(
        insert(evaluation.PROFILE),
        [{"id": 1, "ict_opd_code": codes[0], "public_sectors": ["adminduk", "perizinan"],
          "asset_programme": True, "asset_guideline_stages": ["planning", "procurement"],
          "asset_strategy_by_tim_koordinasi": False, "asset_strategy_opds": [],
          "updated_at": NOW}],
    )  # fmt: skip


def build_catalogue(url: str, opd: int, assets: int, applications: int) -> Any:
    engine = make_engine(url)
    migrate.upgrade(engine)
    rng = random.Random(7)
    with engine.begin() as conn:
        codes = _opd(conn, opd)
        _infrastructure(conn, codes)
        _assets(conn, codes, assets, rng)
        _applications(conn, codes, applications, rng)
        _evaluation_facts(conn, codes, applications)
    return engine


def scorer_token(engine: Any) -> str:
    """The scorer's service account (role scorer), as `spbe users add` / `spbe tokens create`."""
    with engine.begin() as conn:
        accounts.add_account(conn, "scorer", Role.SCORER, [])
        return accounts.create_token(conn, "scorer")[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--opd", type=int, default=50)
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--applications", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        inventory_settings = InventorySettings(_env_file=None, data_dir=Path(tmp) / "inventory")
        engine = build_catalogue(
            inventory_settings.db_url, args.opd, args.assets, args.applications
        )
        build_s = time.perf_counter() - started
        settings = ScorerSettings(
            _env_file=None,
            data_dir=Path(tmp) / "scorer",
            inventory_url="http://testserver",
        )
        headers = {"Authorization": f"Bearer {scorer_token(engine)}"}
        inventory_app = create_inventory_app(inventory_settings, engine)
        with TestClient(inventory_app, headers=headers) as inventory:
            started = time.perf_counter()
            snapshot = inventory.get("/api/v1/catalogue/snapshot")
            snapshot_s = time.perf_counter() - started
            runtime = build_runtime(settings, inventory=inventory, registry=CollectorRegistry())
            runtime.scorer.run("spbe-2020", Trigger.CLI)  # warm-up: imports, framework cache
            started = time.perf_counter()
            run_id = runtime.scorer.run("spbe-2020", Trigger.CLI)
            score_run_s = time.perf_counter() - started
            started = time.perf_counter()
            runtime.scorer.run("pemdi-2026", Trigger.CLI)
            pemdi_run_s = time.perf_counter() - started
            published = runtime.scorer.metrics.events_published._value.get()
        print(f"opd={args.opd}")
        print(f"assets={args.assets}")
        print(f"applications={args.applications}")
        print(f"catalogue_build_s={build_s:.2f}")
        print(f"snapshot_bytes={len(snapshot.content)}")
        print(f"snapshot_get_s={snapshot_s:.3f}")
        print(f"run_id={run_id}")
        print(f"events_published={published:.0f}")
        print(f"pemdi_run_s={pemdi_run_s:.3f}")
        print(f"score_run_s={score_run_s:.3f}")


if __name__ == "__main__":
    main()
