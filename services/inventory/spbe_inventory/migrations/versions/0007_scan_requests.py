"""scan_request (scans asked for on the pages) and the chunk counts and error of a scan

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 07:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import spbe_inventory.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scan_request",
        sa.Column("request_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("opd_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("requested_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("requested_at", spbe_inventory.db.UTCDateTime(), nullable=False),
        sa.Column("undelivered", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("request_id"),
    )
    with op.batch_alter_table("scan_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scan_request_scope"), ["scope"], unique=False)
    with op.batch_alter_table("scan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chunks_total", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("chunks_failed", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("scan", schema=None) as batch_op:
        batch_op.drop_column("error")
        batch_op.drop_column("chunks_failed")
        batch_op.drop_column("chunks_total")
    with op.batch_alter_table("scan_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scan_request_scope"))
    op.drop_table("scan_request")
