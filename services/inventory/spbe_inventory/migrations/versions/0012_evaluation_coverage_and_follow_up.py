"""evaluation facts the derivation rules need: the OPD an audit audited and how much of the main
items it covered, and the dated follow-up of an audit's findings or a review's results (and the
applications a review looked at)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EMPTY_LIST = sa.text("'[]'")


def upgrade() -> None:
    # Existing rows: no audited OPD recorded (the snapshot then names the commissioning OPD),
    # some main items, no dated follow-up. The server defaults fill them and then go: the models
    # hold the defaults of new rows.
    with op.batch_alter_table("evaluation_audit", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("coverage", sa.String(length=32), nullable=False, server_default="some")
        )
        batch_op.add_column(sa.Column("followed_up_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("audited_opds", sa.JSON(), nullable=False, server_default=EMPTY_LIST)
        )
    with op.batch_alter_table("evaluation_audit", schema=None) as batch_op:
        batch_op.alter_column("coverage", server_default=None)
        batch_op.alter_column("audited_opds", server_default=None)

    with op.batch_alter_table("evaluation_review", schema=None) as batch_op:
        batch_op.add_column(sa.Column("followed_up_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("application_ids", sa.JSON(), nullable=False, server_default=EMPTY_LIST)
        )
    with op.batch_alter_table("evaluation_review", schema=None) as batch_op:
        batch_op.alter_column("application_ids", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("evaluation_review", schema=None) as batch_op:
        batch_op.drop_column("application_ids")
        batch_op.drop_column("followed_up_on")
    with op.batch_alter_table("evaluation_audit", schema=None) as batch_op:
        batch_op.drop_column("audited_opds")
        batch_op.drop_column("followed_up_on")
        batch_op.drop_column("coverage")
