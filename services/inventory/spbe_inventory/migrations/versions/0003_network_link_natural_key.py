"""network link natural key

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 22:03:13.533661
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("networklink", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_networklink_opd_code_site", ["opd_code", "site"])


def downgrade() -> None:
    with op.batch_alter_table("networklink", schema=None) as batch_op:
        batch_op.drop_constraint("uq_networklink_opd_code_site", type_="unique")
