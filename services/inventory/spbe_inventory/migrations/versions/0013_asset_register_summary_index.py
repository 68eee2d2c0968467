"""an index covering the evaluation snapshot's asset counts; ix_asset_opd_code dropped

ix_asset_opd_lifecycle (opd_code, lifecycle, id) starts with opd_code, so ix_asset_opd_code
only cost every asset write an index update (issue 15: a sighting rewrites every index).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 16:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUMMARY = ["lifecycle", "opd_code", "facility_id", "procurement_year", "condition", "asset_code"]


def upgrade() -> None:
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.create_index("ix_asset_register_summary", SUMMARY, unique=False)
        batch_op.drop_index(batch_op.f("ix_asset_opd_code"))


def downgrade() -> None:
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asset_opd_code"), ["opd_code"], unique=False)
        batch_op.drop_index("ix_asset_register_summary")
