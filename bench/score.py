"""Time one scoring run over a large catalogue.

Catalogue: 50 OPD, 100,000 assets, 5,000 applications (with development practice, service-bus
use, service areas), bulk-inserted into a migrated SQLite inventory in a temp dir. The run:
the snapshot served by the inventory API in-process (applications counted by the database:
`?applications=summary`, what the scorer asks for) -> derive -> merge -> index -> store ->
commit -> publish score.computed to an embedded log. Prints key=value lines, `score_run_s` last;
`*_cpu_s` are the CPU seconds of this process (the inventory runs in it too).

Check: the levels and index of both frameworks are compared with the ones the code before the
application summary derived for the same seed and sizes (REFERENCE, where recorded), and the
levels, criteria and index with a slow obvious path: every application listed
(`?applications=list`) and counted in Python by the scorer. `check=ok` and the checksum, or a message and exit status 1.
Run: .venv/bin/python bench/score.py [--assets 100000 --applications 5000 --opd 50] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry
from sqlalchemy import Connection, insert

from spbe_common.auth import Principal, Role
from spbe_common.catalogue import CatalogueSnapshot, LifecycleStage, ServiceArea
from spbe_inventory import migrate
from spbe_inventory.accounts import service as accounts
from spbe_inventory.api.app import create_app as create_inventory_app
from spbe_inventory.applications.repository import APPLICATION
from spbe_inventory.assets.repository import ASSET
from spbe_inventory.db import make_engine
from spbe_inventory.evaluation import repository as evaluation
from spbe_inventory.evaluation.snapshot import build_snapshot
from spbe_inventory.infrastructure.repository import FACILITY, NETWORK_LINK
from spbe_inventory.opd.repository import OPD
from spbe_inventory.settings import InventorySettings
from spbe_scorer.derivation import derive
from spbe_scorer.frameworks import load_framework
from spbe_scorer.index import compute_index
from spbe_scorer.runs import repository as runs
from spbe_scorer.runs.enums import Trigger
from spbe_scorer.runs.merge import levels_of, merge
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
             "audited_opds": [], "findings_followed_up": False, "created_at": NOW, "updated_at": NOW}
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


FRAMEWORKS = ("spbe-2020", "pemdi-2026")
# sha256 of the levels and index (`checksum(..., criteria=False)`) that the code before the
# application summary derived, by (opd, assets, applications): bench/score.py run on that code
# (commit db94ef0), re-read without the criteria's wording on 50d6e1b^ (whose full checksums
# were still db94ef0's: 7e7db966..., 7d30b836...), since 50d6e1b put the criteria in Bahasa.
REFERENCE: dict[tuple[int, int, int], str] = {
    (50, 100_000, 5_000): "c0ae96fdcf57a23189be7bd9ae7c9aec1b0e96eb9e0033ee3d064ec34ac63c59",
    (500, 1_000_000, 50_000): "21f00af996de14820c1df1ec4fad8405cd86571ffa817dfa3a2a5d3fd161b59e",
}
Levels = list[tuple[str, str, str]]  # (indicator, level_exact, criterion) per framework


def checksum(levels: dict[str, Levels], index: dict[str, str], criteria: bool = True) -> str:
    """`criteria=False`: the levels and index alone, which a translation of the criteria's
    wording leaves as they are (the recorded references are of these)."""
    lines = [
        f"{fw}|{indicator}|{level}|{criterion if criteria else ''}"
        for fw in FRAMEWORKS
        for indicator, level, criterion in sorted(levels[fw])
    ]
    lines += [f"{fw}|index|{index[fw]}" for fw in FRAMEWORKS]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def stored(engine: Any, run_ids: dict[str, str]) -> tuple[dict[str, Levels], dict[str, str]]:
    """Derived level, criterion and index of each framework's stored run."""
    levels, index = {}, {}
    with engine.connect() as conn:
        for fw, run_id in run_ids.items():
            rows = runs.indicators_of(conn, run_id)
            levels[fw] = [
                (r["indicator"], r["derived_level_exact"], r["criterion"])
                for r in rows
                if r["derived_level_exact"] is not None
            ]
            index[fw] = (runs.run_by_id(conn, run_id) or {})["index_exact"]
    return levels, index


def slow_path(snapshot: CatalogueSnapshot, settings: ScorerSettings) -> tuple[dict[str, Levels], dict[str, str]]:  # fmt: skip
    """The same run from every application listed, counted in Python: the obvious path."""
    levels, index = {}, {}
    for fw in FRAMEWORKS:
        framework = load_framework(fw, settings.frameworks_dir)
        proposals = derive(fw, snapshot)
        levels[fw] = [(p.indicator, str(p.level), p.criterion) for p in proposals]
        outcomes = merge(framework, proposals, [], count_derived=True)
        index[fw] = str(compute_index(framework, levels_of(outcomes)).index)
    return levels, index


def timed(profile: cProfile.Profile | None, work: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    if profile is not None:
        profile.enable()
    result = work()
    if profile is not None:
        profile.disable()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def print_profile(profile: cProfile.Profile, title: str) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)
    print(f"--- profile: {title} ---\n{out.getvalue()}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--opd", type=int, default=50)
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--applications", type=int, default=5_000)
    parser.add_argument("--profile", action="store_true", help="cProfile summary to stderr")
    args = parser.parse_args()
    profile = cProfile.Profile() if args.profile else None
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
            snapshot = inventory.get("/api/v1/catalogue/snapshot?applications=summary")
            snapshot_s = time.perf_counter() - started
            runtime = build_runtime(settings, inventory=inventory, registry=CollectorRegistry())
            runtime.scorer.run("spbe-2020", Trigger.CLI)  # warm-up: imports, framework cache
            run_ids: dict[str, str] = {}
            run_ids["spbe-2020"], score_run_s, score_cpu_s = timed(
                profile, lambda: runtime.scorer.run("spbe-2020", Trigger.CLI)
            )
            run_ids["pemdi-2026"], pemdi_run_s, pemdi_cpu_s = timed(
                profile, lambda: runtime.scorer.run("pemdi-2026", Trigger.CLI)
            )
            published = runtime.scorer.metrics.events_published._value.get()
            if profile is not None:
                print_profile(profile, "the two runs (this thread: the scorer)")
                inside = cProfile.Profile()
                principal = Principal("scorer", Role.SCORER, None)
                with engine.connect() as conn:
                    timed(inside, lambda: build_snapshot(conn, principal, NOW, summary=True))
                print_profile(inside, "the inventory's summary snapshot, built directly")
            full = inventory.get("/api/v1/catalogue/snapshot?applications=list")
            obvious = slow_path(CatalogueSnapshot.model_validate_json(full.content), settings)
        levels, index = stored(runtime.scorer.engine, run_ids)
        total = checksum(levels, index)
        print(f"opd={args.opd}")
        print(f"assets={args.assets}")
        print(f"applications={args.applications}")
        print(f"catalogue_build_s={build_s:.2f}")
        print(f"snapshot_bytes={len(snapshot.content)}")
        print(f"snapshot_get_s={snapshot_s:.3f}")
        print(f"run_id={run_ids['spbe-2020']}")
        print(f"events_published={published:.0f}")
        print(f"pemdi_cpu_s={pemdi_cpu_s:.3f}")
        print(f"score_cpu_s={score_cpu_s:.3f}")
        print(f"cpu_s={score_cpu_s + pemdi_cpu_s:.3f}")
        print(f"pemdi_run_s={pemdi_run_s:.3f}")
        print(f"score_run_s={score_run_s:.3f}")
        failures = []
        if checksum(*obvious) != total:
            failures.append("levels differ from the slow path (every application listed)")
        reference = REFERENCE.get((args.opd, args.assets, args.applications))
        if reference is not None and reference != checksum(levels, index, criteria=False):
            failures.append(f"levels differ from the recorded reference {reference}")
        print(f"checksum={total}")
        print(f"levels_checksum={checksum(levels, index, criteria=False)}")
        print(f"reference={'recorded' if reference else 'slow path only (none recorded)'}")
        if failures:
            print(f"check=FAILED: {'; '.join(failures)}", file=sys.stderr)
            raise SystemExit(1)
        print("check=ok")


if __name__ == "__main__":
    main()
