"""Migration 0012 keeps the audits and reviews recorded before it, on SQLite and PostgreSQL:
no audited OPD, some main items, no dated follow-up, no reviewed applications."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text

from spbe_inventory import migrate
from spbe_inventory.db import make_engine

STAMP = datetime(2026, 1, 1, tzinfo=UTC).isoformat()
AUDIT = (
    "INSERT INTO evaluation_audit (opd_code, kind, audited_on, in_plan, standard_based, auditor,"
    " scope, findings_followed_up, created_at, updated_at) VALUES ('INSPEKTORAT', 'security',"
    " '2025-03-01', true, true, 'certified_external', 'all', true, :at, :at)"
)
REVIEW = (
    "INSERT INTO evaluation_review (opd_code, subject, reviewed_on, summary,"
    " improvements_followed_up, created_at, updated_at) VALUES ('DISKOMINFO', 'data_centre',"
    " '2025-02-01', '', true, :at, :at)"
)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/inventory.db"
    else:
        url = request.getfixturevalue("fresh_database_url")
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_0012_keeps_earlier_audits_and_reviews_with_the_new_fields_at_their_defaults(engine):
    migrate.upgrade(engine, "0011")
    with engine.begin() as conn:
        conn.execute(text(AUDIT), {"at": STAMP})
        conn.execute(text(REVIEW), {"at": STAMP})
    migrate.upgrade(engine)
    with engine.connect() as conn:
        audit = conn.execute(
            text("SELECT audited_opds, coverage, followed_up_on FROM evaluation_audit")
        ).one()
        review = conn.execute(
            text("SELECT application_ids, followed_up_on FROM evaluation_review")
        ).one()
    assert (_list(audit.audited_opds), audit.coverage, audit.followed_up_on) == ([], "some", None)
    assert (_list(review.application_ids), review.followed_up_on) == ([], None)
    migrate.check(engine)


def _list(value: object) -> object:
    """A JSON column read by raw SQL: text on SQLite, already a list on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


def test_0012_downgrades_to_0011(engine):
    migrate.upgrade(engine)
    with engine.begin() as conn:
        cfg = migrate.alembic_config(str(engine.url))
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0011")
    audit = {c["name"] for c in inspect(engine).get_columns("evaluation_audit")}
    review = {c["name"] for c in inspect(engine).get_columns("evaluation_review")}
    assert not {"audited_opds", "coverage", "followed_up_on"} & audit
    assert not {"application_ids", "followed_up_on"} & review
