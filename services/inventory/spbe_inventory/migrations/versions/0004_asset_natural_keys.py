"""asset natural keys: one asset per MAC, and per serial among assets without a MAC

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 05:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MAC = "mac IS NOT NULL"
SERIAL = "serial IS NOT NULL AND mac IS NULL"


def upgrade() -> None:
    for name, column, where in (
        ("uq_asset_mac", "mac", MAC),
        ("uq_asset_serial", "serial", SERIAL),
    ):
        op.create_index(
            name,
            "asset",
            [column],
            unique=True,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )


def downgrade() -> None:
    op.drop_index("uq_asset_serial", table_name="asset")
    op.drop_index("uq_asset_mac", table_name="asset")
