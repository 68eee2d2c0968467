"""assessment history

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 04:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import spbe_scorer.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scorer_assessment_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("at", spbe_scorer.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_scorer_assessment_history_assessment_id"),
        "scorer_assessment_history",
        ["assessment_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_scorer_assessment_history_assessment_id"), table_name="scorer_assessment_history"
    )
    op.drop_table("scorer_assessment_history")
