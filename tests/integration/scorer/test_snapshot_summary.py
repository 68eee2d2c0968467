"""The catalogue snapshot's application summary (`?applications=summary`), counted by the
database, against the obvious path: every application listed and counted in Python by the scorer.
On SQLite and PostgreSQL (the JSON functions differ), for the whole Pemda and one OPD's scope,
with the examples bounded to the contract's EXAMPLES and to 2 (so every "more" line is made)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from harness import bearer, grant, migrated_engine
from sqlalchemy import Connection, Engine, insert, select, update

from spbe_common.auth import Principal, Role
from spbe_common.catalogue import ApplicationSummary, CatalogueSnapshot, LifecycleStage
from spbe_common.db import begin_write
from spbe_inventory import migrate
from spbe_inventory.api.app import create_app as create_inventory_app
from spbe_inventory.applications.repository import APPLICATION
from spbe_inventory.db import make_engine
from spbe_inventory.evaluation import repository as evaluation
from spbe_inventory.evaluation.snapshot import build_snapshot
from spbe_inventory.sample.service import load_sample
from spbe_inventory.settings import InventorySettings
from spbe_scorer.derivation import derive, service_rules, summary
from spbe_scorer.derivation.summary import summarise

NOW = datetime.now(UTC)
ALL_STAGES = [{"stage": s.value, "title": f"{s.value} doc"} for s in LifecycleStage]


def _facts(conn: Connection) -> str:
    """Facts that reach every branch of the summary; returns the first application's OPD."""
    apps = conn.execute(select(APPLICATION.c.id, APPLICATION.c.opd_code).order_by("id")).all()
    ids = [a.id for a in apps]
    changes: list[tuple[int, dict[str, Any]]] = [
        (ids[0], {"function_level": 5, "uses_service_bus": True, "licence": "GPL-3.0",
                  "licence_until": (NOW - timedelta(days=9)).date()}),
        (ids[1], {"function_level": 5, "uses_service_bus": False, "licence": ""}),
        (ids[2], {"function_level": 5, "uses_service_bus": True, "kind": "general"}),
        (ids[3], {"status": "inactive"}),
        (ids[4], {"function_level": None, "service_areas": ["jdih", "jdih", "sektor_1"]}),
    ]  # fmt: skip
    for app_id, values in changes:
        conn.execute(update(APPLICATION).where(APPLICATION.c.id == app_id).values(values))
    planning = {"stage": "planning", "title": "KAK"}
    practices = [
        (ids[0], ALL_STAGES, {"consulted_with_ict_opd": True, "is_service_portal": True}),
        (ids[1], [planning, planning], {"controlled_by_ict_opd": True}),
        (ids[5], ALL_STAGES[:5], {"listed_in_portal": True, "consulted_with_ict_opd": True}),
        (ids[6], [], {"is_service_portal": True}),
    ]
    conn.execute(
        insert(evaluation.PRACTICE),
        [
            {"application_id": app_id, "documents": documents, "consulted_with_ict_opd": False,
             "controlled_by_ict_opd": False, "is_service_portal": False, "listed_in_portal": False,
             "updated_at": NOW, **flags}
            for app_id, documents, flags in practices
        ],
    )  # fmt: skip
    bus = conn.execute(
        insert(evaluation.SERVICE_BUS).returning(evaluation.SERVICE_BUS.c.id),
        {"name": "SPL", "opd_code": apps[0].opd_code, "splp_integrated": True, "apis": [],
         "created_at": NOW, "updated_at": NOW},
    ).scalar_one()  # fmt: skip
    conn.execute(insert(evaluation.BUS_APP), [{"service_bus_id": bus, "application_id": ids[6]}])
    held = (NOW - timedelta(days=100)).date()
    conn.execute(
        insert(evaluation.REVIEW),
        [
            {"opd_code": apps[0].opd_code, "subject": "application", "reviewed_on": held,
             "followed_up_on": held + timedelta(days=30), "application_ids": [ids[0], ids[2]],
             "improvements_followed_up": True, "created_at": NOW, "updated_at": NOW},
            {"opd_code": apps[0].opd_code, "subject": "application_development",
             "reviewed_on": held, "followed_up_on": None, "application_ids": [ids[1]],
             "improvements_followed_up": False,
             "created_at": NOW, "updated_at": NOW},
        ],
    )  # fmt: skip
    return str(apps[0].opd_code)


@pytest.fixture(params=["sqlite", "postgresql"])
def catalogue(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, str]]:
    if request.param == "sqlite":
        engine = migrated_engine(tmp_path / "inventory.db")
    else:
        engine = make_engine(request.getfixturevalue("fresh_database_url"))
        migrate.upgrade(engine)
    with begin_write(engine) as conn:
        load_sample(conn)
        opd = _facts(conn)
    yield engine, opd
    engine.dispose()


def _snapshot(conn: Connection, principal: Principal, *, summarised: bool) -> CatalogueSnapshot:
    content = orjson.dumps(build_snapshot(conn, principal, NOW, summary=summarised))
    return CatalogueSnapshot.model_validate_json(content)


def _comparable(found: ApplicationSummary) -> dict[str, Any]:
    """The summary without the examples' `order` (list position vs inventory id), sorted."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "order"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    data = strip(found.model_dump(mode="json"))
    data["services"].sort(
        key=lambda g: (g["area"], g["function_level"] or 0, g["uses_service_bus"])
    )
    data["by_opd"].sort(key=lambda row: row["opd"])
    data["service_bus_opds"].sort()
    data["facility_opds"] = {k: sorted(v) for k, v in data["facility_opds"].items()}
    return data


@pytest.mark.parametrize("examples", [None, 2])
def test_the_summary_counts_and_derives_as_the_list_does(
    catalogue: tuple[Engine, str], examples: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if examples is not None:
        for module in (evaluation, summary, service_rules):
            monkeypatch.setattr(module, "EXAMPLES", examples)
    engine, opd = catalogue
    principals = [
        Principal("all", Role.SCORER, None),
        Principal("one", Role.VIEWER, frozenset({opd})),
    ]
    with engine.connect() as conn:
        for principal in principals:
            listed = _snapshot(conn, principal, summarised=False)
            counted = _snapshot(conn, principal, summarised=True)
            assert counted.applications == [] and listed.application_summary is None
            assert counted.application_summary is not None
            assert _comparable(summarise(listed)) == _comparable(counted.application_summary)
            assert counted.model_dump(exclude={"applications", "application_summary"}) == (
                listed.model_dump(exclude={"applications", "application_summary"})
            )
            for framework in ("spbe-2020", "pemdi-2026"):
                assert derive(framework, counted) == derive(framework, listed), framework
    found = summarise(listed)
    assert found.reviewed and found.public_unlisted.count and found.lifecycle_incomplete.count


def test_the_route_serves_the_summary_only_when_asked(tmp_path: Path) -> None:
    engine = migrated_engine(tmp_path / "inventory.db")
    with begin_write(engine) as conn:
        load_sample(conn)
    settings = InventorySettings(_env_file=None, data_dir=tmp_path)
    token = grant(engine, Role.SCORER, name="scorer")
    with TestClient(create_inventory_app(settings, engine), headers=bearer(token)) as client:
        listed = client.get("/api/v1/catalogue/snapshot").json()
        counted = client.get("/api/v1/catalogue/snapshot?applications=summary").json()
        wrong = client.get("/api/v1/catalogue/snapshot?applications=some")
    engine.dispose()
    assert listed["applications"] and listed.get("application_summary") is None
    assert counted["applications"] == [] and counted["application_summary"]["pemda"] > 0
    assert wrong.status_code == 422
