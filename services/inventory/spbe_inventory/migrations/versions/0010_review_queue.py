"""review queue: asset_review (state of hosts scans found) and asset_merge (what un-merge needs);
assets no person declared enter the queue as unreviewed

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import spbe_inventory.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    review = op.create_table(
        "asset_review",
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("discovered_at", spbe_inventory.db.UTCDateTime(), nullable=False),
        sa.Column("reviewed_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("reviewed_at", spbe_inventory.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["asset_id"], ["asset.id"]),
        sa.PrimaryKeyConstraint("asset_id"),
    )
    with op.batch_alter_table("asset_review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asset_review_state"), ["state"], unique=False)
    op.create_table(
        "asset_merge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merged_id", sa.Integer(), nullable=False),
        sa.Column("into_id", sa.Integer(), nullable=False),
        sa.Column("opd_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("merged_row", sa.JSON(), nullable=False),
        sa.Column("review", sa.JSON(), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("moved_service_ids", sa.JSON(), nullable=False),
        sa.Column("target_before", sa.JSON(), nullable=False),
        sa.Column("target_services_before", sa.JSON(), nullable=False),
        sa.Column("history_ids", sa.JSON(), nullable=False),
        sa.Column("merged_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("merged_at", spbe_inventory.db.UTCDateTime(), nullable=False),
        sa.Column("undone_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("undone_at", spbe_inventory.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["into_id"], ["asset.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("asset_merge", schema=None) as batch_op:
        batch_op.create_index("ix_asset_merge_merged_id", ["merged_id", "undone_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_asset_merge_into_id"), ["into_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_asset_merge_opd_code"), ["opd_code"], unique=False)
    _queue_observed_only(review)


def _queue_observed_only(review: sa.Table) -> None:
    """Assets no person declared (nothing in `declared`) wait for review, found when they were
    first catalogued; declared ones, having no review row, are people's records already."""
    conn = op.get_bind()
    asset = sa.table(
        "asset",
        sa.column("id", sa.Integer()),
        sa.column("declared", sa.JSON()),
        sa.column("created_at", spbe_inventory.db.UTCDateTime()),
    )
    found = conn.execute(sa.select(asset.c.id, asset.c.declared, asset.c.created_at))
    rows = [
        {"asset_id": row.id, "state": "unreviewed", "discovered_at": row.created_at}
        for row in found
        if not row.declared
    ]
    for start in range(0, len(rows), 1000):
        conn.execute(sa.insert(review), rows[start : start + 1000])


def downgrade() -> None:
    with op.batch_alter_table("asset_merge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_merge_opd_code"))
        batch_op.drop_index(batch_op.f("ix_asset_merge_into_id"))
        batch_op.drop_index("ix_asset_merge_merged_id")
    op.drop_table("asset_merge")
    with op.batch_alter_table("asset_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_review_state"))
    op.drop_table("asset_review")
