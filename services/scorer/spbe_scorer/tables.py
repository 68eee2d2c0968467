"""The scorer's tables (SQLAlchemy Core on the scorer's own MetaData): runs, assessments and
the history of assessments."""

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from .db import UTCDateTime, metadata

RUN = Table(
    "scorer_run",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("framework", String(32), nullable=False, index=True),
    Column("framework_version", String(32), nullable=False),
    Column("trigger", String(16), nullable=False),
    Column("started_at", UTCDateTime(), nullable=False, index=True),
    Column("finished_at", UTCDateTime(), nullable=False),
    Column("inventory_url", String(500), nullable=False),
    Column("snapshot_hash", String(64), nullable=False),
    Column("snapshot_taken_at", UTCDateTime(), nullable=False),
    Column("assessments", JSON, nullable=False),  # the manual assessments used, as they were
    Column("index_exact", String(64), nullable=False),  # a Fraction, e.g. "1387/500"
    Column("index", Float, nullable=False),
    Column("predicate", String(64), nullable=False),
    Column("domains", JSON, nullable=False),
    Column("aspects", JSON, nullable=False),
    Column("counts", JSON, nullable=False),  # indicators per level source
    Column("published_at", UTCDateTime(), nullable=True),  # outbox: set once score.computed left
)

RUN_INDICATOR = Table(
    "scorer_run_indicator",
    metadata,
    Column("run_id", String(36), ForeignKey("scorer_run.id"), primary_key=True),
    Column("indicator", String(16), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", String(300), nullable=False),
    Column("domain", String(32), nullable=False),
    Column("aspect", String(32), nullable=False),
    Column("level_exact", String(32), nullable=False),
    Column("level", Float, nullable=False),
    Column("source", String(16), nullable=False),
    Column("derived_level_exact", String(32), nullable=True),
    Column("manual_level_exact", String(32), nullable=True),
    Column("assessment_id", Integer, nullable=True),
    Column("criterion", Text, nullable=True),
    Column("evidence", JSON, nullable=False),
    Column("evidence_links", JSON, nullable=False),
    Column("missing", JSON, nullable=False),
    Column("missing_opds", JSON, nullable=False),
    Column("justification", Text, nullable=True),
    Column("evaluator", String(200), nullable=True),
    Column("unconfirmed", Text, nullable=True),
)

ASSESSMENT = Table(
    "scorer_assessment",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("framework", String(32), nullable=False),
    Column("indicator", String(16), nullable=False),
    Column("level_exact", String(32), nullable=False),
    Column("justification", Text, nullable=False),
    Column("evidence_links", JSON, nullable=False),
    Column("evaluator", String(200), nullable=False),
    Column("assessed_on", Date, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("framework", "indicator", name="uq_scorer_assessment_indicator"),
)

# Append-only: who changed an assessment, when, before and after; kept when it is deleted.
ASSESSMENT_HISTORY = Table(
    "scorer_assessment_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("assessment_id", Integer, nullable=False, index=True),
    Column("action", String(16), nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Column("account", String(200), nullable=False),  # the signed-in account (CLI: the name given)
    Column("at", UTCDateTime(), nullable=False),
)

Index("ix_scorer_run_unpublished", RUN.c.published_at)
