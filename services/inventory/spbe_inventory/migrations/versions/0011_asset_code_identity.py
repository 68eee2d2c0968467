"""asset identity without an address: one asset per (OPD, asset code), and per (OPD, name) among
the assets known by neither MAC, serial, asset code nor address

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE = "asset_code IS NOT NULL AND opd_code IS NOT NULL"
NAME_ONLY = (
    "name IS NOT NULL AND opd_code IS NOT NULL AND mac IS NULL AND serial IS NULL"
    " AND asset_code IS NULL AND address IS NULL"
)
KEYS = (
    ("uq_asset_opd_code", ["opd_code", "asset_code"], CODE),
    ("uq_asset_opd_name", ["opd_code", "name"], NAME_ONLY),
)


def _refuse_duplicates(columns: list[str], where: str) -> None:
    """Assets that already share a key (imported twice before this rule) are named, not merged:
    which one is the device is a person's decision."""
    keys = ", ".join(columns)
    found = op.get_bind().execute(
        sa.text(
            f"SELECT {keys}, count(*) FROM asset WHERE {where} GROUP BY {keys}"
            f" HAVING count(*) > 1 ORDER BY {keys}"
        )
    )
    shared = [tuple(row) for row in found]
    if shared:
        raise RuntimeError(
            f"assets share ({keys}): {shared[:20]}; give each its own asset code, serial or name"
            " (or retire and rename the copy) with the previous version, then upgrade again"
        )


def upgrade() -> None:
    for name, columns, where in KEYS:
        _refuse_duplicates(columns, where)
        op.create_index(
            name,
            "asset",
            columns,
            unique=True,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )


def downgrade() -> None:
    for name, _columns, _where in reversed(KEYS):
        op.drop_index(name, table_name="asset")
