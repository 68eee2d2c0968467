"""asset register facts (Manajemen Aset TIK) and application licences

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 07:29:15.216906
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import spbe_inventory.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("licence", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch_op.add_column(sa.Column("licence_until", spbe_inventory.db.DateText(), nullable=True))

    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("manufacturer", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )
        batch_op.add_column(
            sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch_op.add_column(sa.Column("procurement_year", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("condition", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("acquisition_cost", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("funding_source", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )
        batch_op.add_column(
            sa.Column("asset_code", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )
        batch_op.add_column(
            sa.Column("warranty_until", spbe_inventory.db.DateText(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_asset_asset_code"), ["asset_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_asset_code"))
        batch_op.drop_column("notes")
        batch_op.drop_column("warranty_until")
        batch_op.drop_column("asset_code")
        batch_op.drop_column("funding_source")
        batch_op.drop_column("acquisition_cost")
        batch_op.drop_column("condition")
        batch_op.drop_column("procurement_year")
        batch_op.drop_column("model")
        batch_op.drop_column("manufacturer")

    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_column("licence_until")
        batch_op.drop_column("licence")
