"""The scorer's tables (SQLAlchemy Core on the scorer's own MetaData): runs, assessments and
the history of assessments; the evaluation workspace: periods, worksheets (one per indicator of a
period), their history, and bukti dukung documents."""

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
    Column("period_id", Integer, nullable=True, index=True),  # a run of an evaluation period
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


# --- The evaluation workspace ---------------------------------------------------------------

PERIOD = Table(
    "scorer_period",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, nullable=False),
    Column("framework", String(32), nullable=False),
    Column("title", String(200), nullable=False),
    Column("status", String(16), nullable=False),  # PeriodStatus
    Column("source_period_id", Integer, nullable=True),  # the period it started from
    Column("asesor_index_exact", String(64), nullable=True),  # the published index, exact
    Column("asesor_index", Float, nullable=True),
    Column("asesor_note", Text, nullable=True),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("year", "framework", name="uq_scorer_period_year_framework"),
)

# One per indicator of a period: who answers it, the self-assessed level that counts, and where
# it stands. A derived proposal is copied in only when an evaluator accepts or overrides it.
WORKSHEET = Table(
    "scorer_worksheet",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("period_id", Integer, ForeignKey("scorer_period.id"), nullable=False),
    Column("indicator", String(16), nullable=False),
    Column("position", Integer, nullable=False),  # framework order
    Column("opd", String(32), nullable=True, index=True),  # the evaluator OPD assigned
    Column("accounts", JSON, nullable=False),  # named accounts, optional
    Column("status", String(16), nullable=False),  # WorksheetStatus
    Column("level_exact", String(32), nullable=True),  # the self-assessed level (penilaian mandiri)
    Column("level_source", String(16), nullable=True),  # WorksheetSource
    Column("derived_level_exact", String(32), nullable=True),  # the proposal accepted/overridden
    Column("derived_run_id", String(36), nullable=True),
    Column("explanation", Text, nullable=False),  # penjelasan
    Column("justification", Text, nullable=True),  # why a derived proposal was overridden
    Column("submitted_by", String(200), nullable=True),
    Column("submitted_at", UTCDateTime(), nullable=True),
    Column("reviewed_by", String(200), nullable=True),
    Column("reviewed_at", UTCDateTime(), nullable=True),
    Column("review_comment", Text, nullable=True),
    Column("asesor_level_exact", String(32), nullable=True),  # the external assessors' level
    Column("asesor_note", Text, nullable=True),
    Column("updated_by", String(200), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("period_id", "indicator", name="uq_scorer_worksheet_indicator"),
)

# Append-only: every step of a worksheet with the account that took it.
WORKSHEET_HISTORY = Table(
    "scorer_worksheet_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("worksheet_id", Integer, nullable=False, index=True),
    Column("action", String(24), nullable=False),  # WorksheetAction
    Column("detail", JSON, nullable=False),
    Column("account", String(200), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
)

# Bukti dukung: the file lives in the document store under its SHA-256; a row links it to one
# indicator of a period and, where it concerns them, to catalogue records.
DOCUMENT = Table(
    "scorer_document",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("period_id", Integer, ForeignKey("scorer_period.id"), nullable=False, index=True),
    Column("indicator", String(16), nullable=False),
    Column("title", String(300), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("records", JSON, nullable=False),  # [{"kind": "application", "id": "..."}]
    Column("uploaded_by", String(200), nullable=False),
    Column("uploaded_at", UTCDateTime(), nullable=False),
    Column("removed_by", String(200), nullable=True),
    Column("removed_at", UTCDateTime(), nullable=True),
)
Index("ix_scorer_document_indicator", DOCUMENT.c.period_id, DOCUMENT.c.indicator)
