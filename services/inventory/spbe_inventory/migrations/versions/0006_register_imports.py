"""register_import: an uploaded OPD register kept between its dry run and its commit (24 h)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 06:41:40.948808
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import spbe_inventory.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "register_import",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("account", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("opd_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("created_at", spbe_inventory.db.UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("parsed", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("committed_at", spbe_inventory.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("register_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_register_import_account"), ["account"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_register_import_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("register_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_register_import_created_at"))
        batch_op.drop_index(batch_op.f("ix_register_import_account"))

    op.drop_table("register_import")
