"""evaluation workspace

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 09:41:50.240294
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import spbe_scorer.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "scorer_period",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("framework", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source_period_id", sa.Integer(), nullable=True),
        sa.Column("asesor_index_exact", sa.String(length=64), nullable=True),
        sa.Column("asesor_index", sa.Float(), nullable=True),
        sa.Column("asesor_note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", spbe_scorer.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", spbe_scorer.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("year", "framework", name="uq_scorer_period_year_framework"),
    )
    op.create_table(
        "scorer_worksheet_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("worksheet_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("at", spbe_scorer.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("scorer_worksheet_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scorer_worksheet_history_worksheet_id"), ["worksheet_id"], unique=False
        )

    op.create_table(
        "scorer_document",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("records", sa.JSON(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", spbe_scorer.db.UTCDateTime(), nullable=False),
        sa.Column("removed_by", sa.String(length=200), nullable=True),
        sa.Column("removed_at", spbe_scorer.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["scorer_period.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("scorer_document", schema=None) as batch_op:
        batch_op.create_index(
            "ix_scorer_document_indicator", ["period_id", "indicator"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_scorer_document_period_id"), ["period_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_scorer_document_sha256"), ["sha256"], unique=False)

    op.create_table(
        "scorer_worksheet",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("opd", sa.String(length=32), nullable=True),
        sa.Column("accounts", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("level_exact", sa.String(length=32), nullable=True),
        sa.Column("level_source", sa.String(length=16), nullable=True),
        sa.Column("derived_level_exact", sa.String(length=32), nullable=True),
        sa.Column("derived_run_id", sa.String(length=36), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=True),
        sa.Column("submitted_by", sa.String(length=200), nullable=True),
        sa.Column("submitted_at", spbe_scorer.db.UTCDateTime(), nullable=True),
        sa.Column("reviewed_by", sa.String(length=200), nullable=True),
        sa.Column("reviewed_at", spbe_scorer.db.UTCDateTime(), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("asesor_level_exact", sa.String(length=32), nullable=True),
        sa.Column("asesor_note", sa.Text(), nullable=True),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", spbe_scorer.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["scorer_period.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("period_id", "indicator", name="uq_scorer_worksheet_indicator"),
    )
    with op.batch_alter_table("scorer_worksheet", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scorer_worksheet_opd"), ["opd"], unique=False)

    with op.batch_alter_table("scorer_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("period_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_scorer_run_period_id"), ["period_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("scorer_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scorer_run_period_id"))
        batch_op.drop_column("period_id")

    with op.batch_alter_table("scorer_worksheet", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scorer_worksheet_opd"))

    op.drop_table("scorer_worksheet")
    with op.batch_alter_table("scorer_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scorer_document_sha256"))
        batch_op.drop_index(batch_op.f("ix_scorer_document_period_id"))
        batch_op.drop_index("ix_scorer_document_indicator")

    op.drop_table("scorer_document")
    with op.batch_alter_table("scorer_worksheet_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scorer_worksheet_history_worksheet_id"))

    op.drop_table("scorer_worksheet_history")
    op.drop_table("scorer_period")
